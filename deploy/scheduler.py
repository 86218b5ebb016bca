#!/usr/bin/env python3
"""Run the periodic management commands of ``deploy/crontab`` on their schedule: the Compose service ``scheduler``.

``python deploy/scheduler.py [--crontab deploy/crontab] [--heartbeat FILE]``. Standard library only (no Django:
each job is its own ``python manage.py …`` process, as cron would start it).

Why not Debian's cron in the image: cron runs as root, hands its jobs an empty environment (our settings come
from the environment only) and mails their output instead of writing it to the container's log; and a
supercronic-like binary would be one more download to trust. This loop runs as the image's unprivileged user,
passes its own environment on, and leaves each job's output on its own stdout and stderr.

Invariants:
- Times are UTC. A minute is looked at once; minutes missed (the host slept) run each due job once, not once per
  missed minute.
- A job whose previous run is still going when it is due again is not started a second time (logged as skipped).
- A job that ends with a non-zero exit is logged at once as ``scheduler: FAILED …``: alert on that line
  (``verify_ledger`` exits non-zero when the ledger's chain does not hold).
- On SIGTERM or SIGINT no new job starts; running ones get SIGTERM and up to 60 seconds to finish.
- Exactly one scheduler per deployment: two would run every job twice.
"""

import argparse
import datetime as dt
import shlex
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FIELDS = (("minute", 0, 59), ("hour", 0, 23), ("day of month", 1, 31), ("month", 1, 12), ("day of week", 0, 7))


class Stop(Exception):
    """SIGTERM or SIGINT arrived while the loop slept."""


class CrontabError(ValueError):
    """A line of the crontab is not ``m h dom mon dow command [options]``."""


def field_parse(text: str, low: int, high: int) -> frozenset[int]:
    """The values a cron field (``*``, ``*/5``, ``7``, ``1-5``, ``0-30/10``, lists of these) matches."""
    values: set[int] = set()
    for part in text.split(","):
        spec, _, step_text = part.partition("/")
        step = int(step_text) if step_text.isdigit() else 0 if step_text else 1
        if step < 1:
            raise CrontabError(f"bad step in {text!r}")
        if spec == "*":
            first, last = low, high
        elif spec.isdigit():
            first = int(spec)
            last = high if step_text else first
        elif "-" in spec and all(piece.isdigit() for piece in spec.split("-", 1)):
            first, last = (int(piece) for piece in spec.split("-", 1))
        else:
            raise CrontabError(f"bad field {text!r}")
        if not low <= first <= last <= high:
            raise CrontabError(f"{text!r} is outside {low}-{high}")
        values.update(range(first, last + 1, step))
    return frozenset(values)


@dataclass(frozen=True)
class Job:
    line: str
    minutes: frozenset[int]
    hours: frozenset[int]
    days: frozenset[int]
    months: frozenset[int]
    weekdays: frozenset[int]  # 0 = Sunday
    days_any: bool  # day of month was "*"
    weekdays_any: bool  # day of week was "*"
    command: tuple[str, ...]  # the management command and its options

    def due(self, moment: dt.datetime) -> bool:
        if moment.minute not in self.minutes or moment.hour not in self.hours or moment.month not in self.months:
            return False
        day = moment.day in self.days
        weekday = (moment.isoweekday() % 7) in self.weekdays
        if self.days_any or self.weekdays_any:  # cron: both restricted means either may match
            return day and weekday
        return day or weekday


def crontab_parse(text: str) -> list[Job]:
    jobs = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        parts = line.split(None, 5)
        if len(parts) < 6:
            raise CrontabError(f"line {number}: five time fields and a command expected")
        try:
            parsed = [field_parse(part, low, high) for part, (_, low, high) in zip(parts[:5], FIELDS, strict=True)]
        except CrontabError as exc:
            raise CrontabError(f"line {number}: {exc}") from None
        weekdays = frozenset(day % 7 for day in parsed[4])
        jobs.append(
            Job(line=line, minutes=parsed[0], hours=parsed[1], days=parsed[2], months=parsed[3], weekdays=weekdays,
                days_any=parts[2] == "*", weekdays_any=parts[4] == "*", command=tuple(shlex.split(parts[5])))
        )  # fmt: skip
    return jobs


def log(text: str) -> None:
    print(f"{dt.datetime.now(dt.UTC):%Y-%m-%dT%H:%M:%SZ} scheduler: {text}", file=sys.stderr, flush=True)


def manage_py(command: tuple[str, ...]) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, str(ROOT / "manage.py"), *command], cwd=ROOT)  # noqa: S603


@dataclass
class Scheduler:
    jobs: list[Job]
    spawn: Callable[[tuple[str, ...]], subprocess.Popen] = manage_py
    running: dict[Job, subprocess.Popen] = field(default_factory=dict)
    last: dt.datetime | None = None
    stopping: bool = False

    def reap(self) -> None:
        for job, process in list(self.running.items()):
            code = process.poll()
            if code is None:
                continue
            del self.running[job]
            if self.stopping and code < 0:  # ended by our own SIGTERM (or the SIGKILL after it): no failure
                log(f"stopped {' '.join(job.command)}")
            elif code:
                log(f"FAILED {' '.join(job.command)} exit {code}")
            else:
                log(f"done {' '.join(job.command)}")

    def minutes_to_run(self, now: dt.datetime) -> Iterable[dt.datetime]:
        current = now.replace(second=0, microsecond=0)
        if self.last is None or current <= self.last:
            first = current
        else:
            first = max(self.last + dt.timedelta(minutes=1), current - dt.timedelta(days=1))
        moment = first
        while moment <= current:
            yield moment
            moment += dt.timedelta(minutes=1)
        self.last = current

    def tick(self, now: dt.datetime) -> None:
        """Start every job due in the minutes since the last tick (each once)."""
        self.reap()
        due = {job for moment in self.minutes_to_run(now) for job in self.jobs if job.due(moment)}
        for job in (job for job in self.jobs if job in due):
            if job in self.running:
                log(f"skipped {' '.join(job.command)}: its previous run is still going")
                continue
            log(f"start {' '.join(job.command)}")
            self.running[job] = self.spawn(job.command)

    def stop(self, grace_seconds: float = 60.0) -> None:
        self.stopping = True
        for process in self.running.values():
            process.terminate()
        deadline = time.monotonic() + grace_seconds
        for process in self.running.values():
            try:
                process.wait(timeout=max(0.0, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                process.kill()
        self.reap()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--crontab", type=Path, default=ROOT / "deploy" / "crontab")
    parser.add_argument("--heartbeat", type=Path, help="touched every minute (the container's health check)")
    options = parser.parse_args(argv)
    scheduler = Scheduler(jobs=crontab_parse(options.crontab.read_text(encoding="utf-8")))
    state = {"stopping": False, "sleeping": False}

    def request_stop(signum: int, frame: object) -> None:
        state["stopping"] = True
        if state["sleeping"]:  # a signal in the middle of starting a job waits for the loop instead
            raise Stop

    signal.signal(signal.SIGTERM, request_stop)
    signal.signal(signal.SIGINT, request_stop)
    log(f"{len(scheduler.jobs)} jobs from {options.crontab}")
    try:
        while not state["stopping"]:
            scheduler.tick(dt.datetime.now(dt.UTC))
            if options.heartbeat:
                options.heartbeat.touch()
            # Wake just after the next minute starts.
            state["sleeping"] = True
            if not state["stopping"]:
                time.sleep(60.5 - time.time() % 60)
            state["sleeping"] = False
    except Stop:
        pass
    log("stopping")
    scheduler.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
