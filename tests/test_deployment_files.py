"""The deployment files (Dockerfile, compose.yaml, deploy/, .env.example, README's production guide) against the code.

No container daemon runs in CI, so nothing here builds or starts them: these tests catch drift instead. Every
management command they run exists and accepts those options (its own parser decides), every variable they
pass is one the settings read, every variable the settings read is documented and in .env.example, and the
schedule README shows is the one the scheduler runs.
"""

import ast
import datetime as dt
import importlib.util
import re
import shlex
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml
from django.conf import settings
from django.core.management import get_commands, load_command_class

ROOT = Path(__file__).resolve().parent.parent
SHELL_OPERATORS = ("&&", "||", "|", ";", ">", ">>", "2>&1", "<")

COMPOSE_SECTION = "# --- Docker Compose"


def _scheduler():
    spec = importlib.util.spec_from_file_location("deploy_scheduler", ROOT / "deploy" / "scheduler.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


scheduler = _scheduler()


def settings_env_vars() -> set[str]:
    """Every variable contactcenter/settings.py reads through its one ``env``."""
    tree = ast.parse((ROOT / "contactcenter" / "settings.py").read_text(encoding="utf-8"))
    names = set()
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call) or not node.args:
            continue
        func = node.func
        target = func.value if isinstance(func, ast.Attribute) else func
        if isinstance(target, ast.Name) and target.id == "env" and isinstance(node.args[0], ast.Constant):
            names.add(node.args[0].value)
    return names


def readme() -> str:
    return (ROOT / "README.md").read_text(encoding="utf-8")


def production_section() -> str:
    text = readme()
    start = text.index("\n## Running it in production\n")
    end = text.index("\n## ", start + 1)
    return text[start:end]


def readme_env_table() -> set[str]:
    section = production_section()
    table = section[section.index("### Environment variables") :]
    table = table[: table.index("\n### ", 1)]
    return set(re.findall(r"^\| `([A-Z][A-Z0-9_]+)`", table, flags=re.MULTILINE))


def env_example() -> tuple[set[str], set[str]]:
    """The app's variables, and those of the Compose section (read by compose.yaml only)."""
    text = (ROOT / ".env.example").read_text(encoding="utf-8")
    app, compose = text.split(COMPOSE_SECTION, 1)
    pattern = re.compile(r"^(?:# ?)?([A-Z][A-Z0-9_]+)=", flags=re.MULTILINE)
    return set(pattern.findall(app)), set(pattern.findall(compose))


def compose() -> dict:
    return yaml.safe_load((ROOT / "compose.yaml").read_text(encoding="utf-8"))


def app_services() -> dict[str, dict]:
    """The services that run our image."""
    return {name: service for name, service in compose()["services"].items() if "build" in service}


def manage_calls(argv: list[str]) -> list[list[str]]:
    """The management commands (name and options) a command line runs: ``python manage.py …``, or several
    joined by ``&&`` inside ``sh -c``."""
    if argv[:2] == ["sh", "-c"]:
        calls, current = [], []
        for token in [*shlex.split(argv[2]), "&&"]:
            if token in SHELL_OPERATORS:
                calls.extend(manage_calls(current))
                current = []
            else:
                current.append(token)
        return calls
    if "manage.py" in argv:
        return [argv[argv.index("manage.py") + 1 :]]
    return []


def database_user(url: str) -> str:
    return urlsplit(re.sub(r"\$\{[^}]*\}", "secret", url)).username


@pytest.fixture
def production_tasks(settings):
    """The task backend compose.yaml gives every app service: db_worker's parser checks it."""
    backends = {service["environment"]["TASKS_BACKEND"] for service in app_services().values()}
    assert backends == {"django_tasks_db.DatabaseBackend"}
    settings.TASKS = {"default": {"BACKEND": backends.pop()}}


def assert_command_accepts(call: list[str]) -> None:
    name, *options = call
    commands = get_commands()
    assert name in commands, f"manage.py {name}: no such command"
    command = load_command_class(commands[name], name)
    # Its own parser: an unknown option or a bad value raises CommandError here.
    command.create_parser("manage.py", name).parse_args(options)


def readme_crontab() -> list[tuple[tuple[str, ...], tuple[str, ...]]]:
    block = re.search(r"```crontab\n(.*?)```", production_section(), flags=re.DOTALL)
    assert block, "README's production guide has no ```crontab block"
    jobs = []
    for line in (raw.strip() for raw in block.group(1).splitlines()):
        if not line or line.startswith("#") or re.match(r"^[A-Z]+=", line):
            continue
        fields = line.split(None, 5)
        tokens = shlex.split(fields[5])
        tokens = tokens[tokens.index("manage.py") + 1 :]
        stop = next((i for i, token in enumerate(tokens) if token.startswith(SHELL_OPERATORS)), len(tokens))
        jobs.append((tuple(fields[:5]), tuple(tokens[:stop])))
    return jobs


def deploy_crontab() -> list[tuple[tuple[str, ...], tuple[str, ...]]]:
    jobs = []
    for line in (ROOT / "deploy" / "crontab").read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            fields = line.split(None, 5)
            jobs.append((tuple(fields[:5]), tuple(shlex.split(fields[5]))))
    return jobs


# --- Commands ----------------------------------------------------------------------------------------------------


def test_compose_runs_existing_commands_with_their_options(production_tasks):
    calls = [call for service in app_services().values() for call in manage_calls(list(service["command"]))]
    assert {call[0] for call in calls} >= {"db_worker", "migrate", "db_grant_app_role", "erasures_reapply"}
    for call in calls:
        assert_command_accepts(call)


def test_migrate_runs_as_the_owner_and_grants_the_role_the_others_connect_as():
    services = app_services()
    migrate_user = database_user(services["migrate"]["environment"]["DATABASE_URL"])
    grant = next(call for call in manage_calls(services["migrate"]["command"]) if call[0] == "db_grant_app_role")
    for name in ("app", "worker", "scheduler"):
        user = database_user(services[name]["environment"]["DATABASE_URL"])
        assert user == grant[1] != migrate_user
        assert services[name]["depends_on"]["migrate"] == {"condition": "service_completed_successfully"}


def test_crontab_runs_existing_commands_on_the_documented_schedule():
    jobs = scheduler.crontab_parse((ROOT / "deploy" / "crontab").read_text(encoding="utf-8"))
    by_name = {job.command[0]: job for job in jobs}
    assert set(by_name) == {"outbound_recover", "expire_consent_requests", "purge_expired", "purge_early_statuses",
                            "verify_ledger", "remind_subject_requests"}  # fmt: skip
    for job in jobs:
        assert_command_accepts(list(job.command))
    recover = by_name["outbound_recover"]
    assert recover.command == ("outbound_recover", "--older-than-minutes", "15")
    assert recover.minutes == frozenset(range(0, 60, 5)) and recover.hours == frozenset(range(24))
    assert len(by_name["expire_consent_requests"].hours) == 24
    for daily in ("purge_expired", "purge_early_statuses", "verify_ledger", "remind_subject_requests"):
        assert len(by_name[daily].hours) == 1 and len(by_name[daily].minutes) == 1


def test_readme_crontab_is_the_schedulers():
    assert readme_crontab() == deploy_crontab()


def test_compose_scheduler_runs_the_crontab():
    command = app_services()["scheduler"]["command"]
    assert command[:2] == ["python", "deploy/scheduler.py"]
    assert command[command.index("--crontab") + 1] == "deploy/crontab"


def test_every_command_the_production_guide_names_exists(production_tasks):
    section = production_section()
    calls = [
        shlex.split(line[line.index("manage.py") :].replace("\\", ""))[1:]
        for block in re.findall(r"```[a-z]*\n(.*?)```", section, flags=re.DOTALL)
        for line in block.splitlines()
        if "manage.py " in line and not line.lstrip().startswith("#")
    ]
    assert calls
    for call in calls:
        stop = next((i for i, token in enumerate(call) if token.startswith(SHELL_OPERATORS)), len(call))
        call = [token for token in call[:stop] if token != "…"]
        assert_command_accepts(call)
    for name in set(re.findall(r"manage\.py ([a-z_]+)", section)):
        assert name in get_commands(), f"README names manage.py {name}, which does not exist"


# --- Environment -------------------------------------------------------------------------------------------------


def test_every_variable_settings_read_is_documented_and_in_env_example():
    read = settings_env_vars()
    assert len(read) > 40  # the parse found the settings' env calls
    app_vars, _ = env_example()
    assert read - readme_env_table() == set()
    assert read - app_vars == set()


def test_documented_variables_are_read():
    read = settings_env_vars()
    app_vars, _ = env_example()
    assert readme_env_table() - read == set()
    assert app_vars - read == set()


def test_compose_passes_only_variables_settings_read():
    read = settings_env_vars()
    for name, service in app_services().items():
        assert set(service["environment"]) - read == set(), name
        assert service["env_file"] == ".env"


def test_compose_interpolations_are_in_env_example_compose_section():
    used = set(re.findall(r"\$\{([A-Z][A-Z0-9_]+)", (ROOT / "compose.yaml").read_text(encoding="utf-8")))
    _, compose_vars = env_example()
    assert used == compose_vars


# --- Dockerfile --------------------------------------------------------------------------------------------------


def dockerfile() -> list[tuple[str, str]]:
    text = (ROOT / "Dockerfile").read_text(encoding="utf-8").replace("\\\n", " ")
    return [
        (line.split(None, 1)[0].upper(), line.split(None, 1)[1] if " " in line.strip() else "")
        for line in text.splitlines()
        if line.strip() and not line.lstrip().startswith("#")
    ]


def test_dockerfile_installs_requirements_and_compiles_as_make_does():
    instructions = dockerfile()
    runs = [argument for instruction, argument in instructions if instruction == "RUN"]
    assert instructions[0] == ("FROM", "python:3.12-slim AS build")
    assert ("COPY", "requirements.txt .") in instructions
    assert any("pip install -r requirements.txt" in run for run in runs)
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    compile_messages = re.search(r"manage\.py (compilemessages [^\n]+)", makefile).group(1)
    assert any(f"manage.py {compile_messages}" in run for run in runs)


def test_dockerfile_serves_as_make_run_as_an_unprivileged_user():
    instructions = dockerfile()
    final = instructions[max(i for i, (instruction, _) in enumerate(instructions) if instruction == "FROM") :]
    assert final[0] == ("FROM", "python:3.12-slim")
    user = [argument for instruction, argument in final if instruction == "USER"]
    assert user and user[-1] not in ("root", "0")
    cmd = yaml.safe_load(next(argument for instruction, argument in final if instruction == "CMD"))
    assert cmd == app_services()["app"]["command"]
    assert cmd[:2] == ["uvicorn", settings.ASGI_APPLICATION.replace(".application", ":application")]
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert "--ws-per-message-deflate false" in makefile and " ".join(cmd).count("--ws-per-message-deflate false")


def test_image_prepares_the_directories_compose_mounts():
    runs = " ".join(argument for instruction, argument in dockerfile() if instruction == "RUN")
    environment = app_services()["app"]["environment"]
    media = environment["DJANGO_MEDIA_ROOT"]
    journal_dir = str(Path(environment["ERASURE_JOURNAL_PATH"]).parent)
    for name, service in app_services().items():
        targets = {volume.split(":")[1] for volume in service["volumes"]}
        assert {media, journal_dir} <= targets, name
    made = set(re.search(r"mkdir -p ([^&]+)", runs).group(1).split())
    owned = set(re.search(r"chown -R \S+ ([^&]+)", runs).group(1).split())
    assert {media, journal_dir} <= made & owned  # created and owned by the app's user (a volume inherits both)


def test_dockerignore_keeps_local_state_out():
    ignored = {line.strip().rstrip("/") for line in (ROOT / ".dockerignore").read_text().splitlines()}
    assert {".venv", ".git", ".env", "var", "media", "*.sqlite3"} <= ignored


# --- The scheduler -----------------------------------------------------------------------------------------------


class FakeProcess:
    def __init__(self):
        self.code = None

    def poll(self):
        return self.code

    def terminate(self):
        self.code = -15

    def wait(self, timeout=None):
        return self.code

    def kill(self):
        self.code = -9


def test_cron_fields():
    assert scheduler.field_parse("*/15", 0, 59) == {0, 15, 30, 45}
    assert scheduler.field_parse("1-5,7", 0, 7) == {1, 2, 3, 4, 5, 7}
    assert scheduler.field_parse("10-30/10", 0, 59) == {10, 20, 30}
    for bad in ("60", "*/0", "a", "5-1"):
        with pytest.raises(scheduler.CrontabError):
            scheduler.field_parse(bad, 0, 59)
    with pytest.raises(scheduler.CrontabError, match="line 1"):
        scheduler.crontab_parse("* * * verify_ledger")


def test_day_of_month_and_week_follow_cron():
    (both,) = scheduler.crontab_parse("0 6 1 * 1 verify_ledger")  # the 1st, or any Monday
    (sunday,) = scheduler.crontab_parse("0 6 * * 7 verify_ledger")
    monday_the_7th = dt.datetime(2026, 12, 7, 6, 0, tzinfo=dt.UTC)
    tuesday_the_1st = dt.datetime(2026, 12, 1, 6, 0, tzinfo=dt.UTC)
    wednesday_the_2nd = dt.datetime(2026, 12, 2, 6, 0, tzinfo=dt.UTC)
    assert both.due(monday_the_7th) and both.due(tuesday_the_1st) and not both.due(wednesday_the_2nd)
    assert sunday.due(dt.datetime(2026, 12, 6, 6, 0, tzinfo=dt.UTC)) and not sunday.due(monday_the_7th)


def test_scheduler_never_runs_a_job_twice_at_once_and_reports_failures(capsys):
    started = []

    def spawn(command):
        started.append(FakeProcess())
        return started[-1]

    run = scheduler.Scheduler(jobs=scheduler.crontab_parse("*/5 * * * * outbound_recover"), spawn=spawn)
    start = dt.datetime(2026, 12, 4, 10, 0, 20, tzinfo=dt.UTC)
    run.tick(start)
    run.tick(start + dt.timedelta(seconds=20))  # the same minute: looked at once
    assert len(started) == 1
    run.tick(start + dt.timedelta(minutes=5))  # due again, still running
    assert len(started) == 1
    assert "skipped outbound_recover" in capsys.readouterr().err
    started[0].code = 2
    run.tick(start + dt.timedelta(minutes=10))
    assert len(started) == 2
    assert "FAILED outbound_recover exit 2" in capsys.readouterr().err
    # Twenty missed minutes hold four due times: one run.
    started[1].code = 0
    run.tick(start + dt.timedelta(minutes=30))
    assert len(started) == 3
    run.stop(grace_seconds=0)
    err = capsys.readouterr().err
    assert "stopped outbound_recover" in err and "FAILED" not in err
