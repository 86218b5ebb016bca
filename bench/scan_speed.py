"""Benchmark: throughput of the sensitive-data scanner on chat text, one core.

Target: ``sensitive.scan`` handles >= 5 MB/s of chat
text on one core. MB is 10**6 bytes of UTF-8 text; ``scan`` is called once per message, as ingest
does, so per-call overhead counts.

    .venv/bin/python bench/scan_speed.py [--megabytes 20] [--rounds 5] [--corpus-share 0.1] [--seed 1] [--cpu N]

The text: messages generated from templates in en, de, nl, it and pt (questions about orders,
deliveries, returns, payments; typos, emoji, order numbers, times, prices), none holding an
identifier or special-category data, mixed with the lines of the labelled corpora
(identifiers.jsonl, special.jsonl) at ``--corpus-share`` (default 10%), so about 90% of messages
hold nothing to find, as in real traffic. Each round scans every message once, timed with
``time.perf_counter``, garbage collection off; the process is pinned to one CPU where the OS allows
(the idlest one unless ``--cpu`` says otherwise: a test run sharing the core halves the figures).
Prints best and median MB/s and messages/s for ``scan`` and, for scale, for each detector alone.
Nothing is asserted about time: the figures and PASS/FAIL against the target are printed.
"""

import argparse
import gc
import json
import os
import random
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parent.parent
TARGET_MB_S = 5.0

TEMPLATES = {
    "en": [
        "hi, where is my order {order}? it's been {n} days",
        "hello, can I change the delivery address for order {order}",
        "the {product} arrived damaged, the box was crushed 😡",
        "I want to return the {product}, it's too small",
        "when will my refund of {price} arrive?",
        "ok thanks",
        "thx!! 🙏",
        "can you deliver after {time} tomorrow? im at work till then",
        "the tracking says delivered but nothing is here",
        "is the {product} back in stock in size {size}?",
        "I was charged twice for order {order}, please check",
        "do you have a discount code for first orders?",
        "my voucher doesnt work at checkout, it says expired",
        "great service, thank you so much 😊",
        "can i pay on delivery?",
        "which courier do you use for {city}?",
        "the app keeps logging me out, is there an update?",
        "I ordered {n} but only got {m}, where are the rest",
        "how long does shipping to {city} take",
        "can I cancel order {order} before it ships?",
    ],
    "de": [
        "Hallo, wo bleibt meine Bestellung {order}?",
        "Die Lieferung kam beschädigt an, der Karton war nass",
        "Ich möchte den {product} zurückschicken, passt leider nicht",
        "wann kommt die Erstattung von {price}?",
        "danke für die schnelle Antwort!",
        "Kann der Paketbote nach {time} Uhr kommen?",
        "Laut Sendungsverfolgung zugestellt, aber hier ist nichts",
        "gibt es den {product} noch in Größe {size}?",
        "Mir wurde die Bestellung {order} doppelt berechnet",
        "Der Gutschein funktioniert nicht, was kann ich tun?",
        "ok super, danke 👍",
        "Kann ich auf Rechnung zahlen?",
        "Wie lange dauert der Versand nach {city}?",
        "ich hab {n} bestellt aber nur {m} bekommen",
        "Kann ich die Bestellung noch stornieren?",
    ],
    "nl": [
        "hoi, waar blijft mijn bestelling {order}?",
        "het pakket is beschadigd aangekomen",
        "ik wil de {product} retour sturen, te klein",
        "wanneer krijg ik mijn geld terug ({price})?",
        "bedankt voor de snelle reactie!",
        "kan de bezorger na {time} komen?",
        "volgens track & trace bezorgd maar ik heb niks",
        "is de {product} weer op voorraad in maat {size}?",
        "er is twee keer afgeschreven voor bestelling {order}",
        "de kortingscode werkt niet 😕",
        "top, dank je!",
        "hoe lang duurt verzenden naar {city}?",
        "ik heb {n} besteld en maar {m} ontvangen",
    ],
    "it": [
        "ciao, dov'è il mio ordine {order}?",
        "il pacco è arrivato rovinato 😩",
        "vorrei restituire il {product}, è troppo piccolo",
        "quando arriva il rimborso di {price}?",
        "grazie mille per la risposta!",
        "il corriere può passare dopo le {time}?",
        "il tracking dice consegnato ma non ho ricevuto niente",
        "il {product} è di nuovo disponibile nella taglia {size}?",
        "mi avete addebitato due volte l'ordine {order}",
        "il codice sconto non funziona",
        "perfetto, grazie 👍",
        "quanto ci mette la spedizione a {city}?",
        "ho ordinato {n} pezzi ma ne sono arrivati {m}",
    ],
    "pt": [
        "oi, cadê meu pedido {order}?",
        "o produto chegou quebrado, a caixa tava amassada",
        "quero devolver o {product}, ficou pequeno",
        "quando cai o estorno de {price}?",
        "obrigada pelo retorno!",
        "o entregador pode vir depois das {time}?",
        "o rastreio diz entregue mas não chegou nada",
        "o {product} voltou pro estoque no tamanho {size}?",
        "fui cobrado duas vezes no pedido {order}",
        "o cupom não funciona no app",
        "blz, valeu 👍",
        "quanto tempo demora a entrega pra {city}?",
        "pedi {n} e só chegaram {m}",
        "olá, a minha encomenda {order} ainda não chegou",
    ],
}
FILL = {
    "product": [
        "jacket",
        "sneakers",
        "Jacke",
        "jas",
        "giacca",
        "tênis",
        "lamp",
        "coffee machine",
        "Kaffeemaschine",
        "phone case",
    ],
    "city": [
        "Berlin",
        "Amsterdam",
        "Milano",
        "São Paulo",
        "Lisboa",
        "Manchester",
        "Köln",
        "Rotterdam",
        "Napoli",
        "Porto",
    ],
    "size": ["S", "M", "L", "XL", "38", "42", "44"],
    "time": ["14:30", "17", "18:00", "9h", "10"],
}


def message(rng: random.Random) -> str:
    template = rng.choice(TEMPLATES[rng.choice(list(TEMPLATES))])
    return template.format(
        order=f"#{rng.randint(10000, 999999)}",
        n=rng.randint(2, 9),
        m=rng.randint(1, 2),
        price=f"€{rng.randint(5, 300)},{rng.randint(0, 99):02d}",
        **{key: rng.choice(values) for key, values in FILL.items()},
    )


def corpus_lines() -> list[str]:
    lines = []
    for name in ("identifiers.jsonl", "special.jsonl"):
        path = PROJECT_DIR / "sensitive" / "tests" / "corpus" / name
        if path.exists():
            with path.open(encoding="utf-8") as corpus:
                lines += [json.loads(line)["text"] for line in corpus if line.strip()]
    return lines


def build_text(megabytes: float, corpus_share: float, seed: int) -> list[str]:
    rng = random.Random(seed)
    corpus = corpus_lines()
    messages, size = [], 0
    while size < megabytes * 1_000_000:
        text = rng.choice(corpus) if corpus and rng.random() < corpus_share else message(rng)
        messages.append(text)
        size += len(text.encode())
    return messages


def time_rounds(fn: Callable[[str], object], messages: list[str], rounds: int) -> list[float]:
    durations = []
    gc_was_enabled = gc.isenabled()
    gc.disable()
    try:
        for _ in range(rounds):
            start = time.perf_counter()
            for text in messages:
                fn(text)
            durations.append(time.perf_counter() - start)
    finally:
        if gc_was_enabled:
            gc.enable()
    return durations


def report(name: str, durations: list[float], size: int, count: int) -> float:
    best, median = min(durations), statistics.median(durations)
    print(
        f"  {name:<22} best {size / best / 1e6:6.1f} MB/s  {count / best:9,.0f} msg/s   "
        f"median {size / median / 1e6:6.1f} MB/s  {count / median:9,.0f} msg/s"
    )
    return size / median / 1e6


def idle_ticks() -> dict[int, int]:
    """Idle time per CPU from /proc/stat (Linux), {} elsewhere."""
    try:
        lines = Path("/proc/stat").read_text().splitlines()
    except OSError:
        return {}
    return {int(f[0][3:]): int(f[4]) for f in (line.split() for line in lines) if f[0][3:].isdigit()}


def pin_to_one_cpu(cpu: int | None) -> str:
    """Pin to ``cpu``, or to the allowed CPU idlest over a short sample: other work on the machine
    (a test run, a server) would otherwise share the core and halve the figures."""
    if not hasattr(os, "sched_setaffinity"):
        return "not pinned (no sched_setaffinity here)"
    allowed = os.sched_getaffinity(0)
    if cpu is None:
        before = idle_ticks()
        time.sleep(0.5)
        after = idle_ticks()
        idle = {c: after[c] - before[c] for c in allowed if c in before and c in after}
        cpu = max(idle, key=idle.get) if idle else min(allowed)
    os.sched_setaffinity(0, {cpu})
    return f"pinned to CPU {cpu}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--megabytes", type=float, default=20.0)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--corpus-share", type=float, default=0.1, help="share of messages taken from the corpora")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--cpu", type=int, help="core to pin to (default: the idlest one)")
    parser.add_argument(
        "--ingest", action="store_true", help="then ingest with and without scanning (bench/scan_ingest.py; PostgreSQL)"
    )
    args = parser.parse_args()

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "contactcenter.settings")
    sys.path.insert(0, str(PROJECT_DIR))
    import django

    django.setup()
    from sensitive import identifiers, scan, special

    pinned = pin_to_one_cpu(args.cpu)
    messages = build_text(args.megabytes, args.corpus_share, args.seed)
    size = sum(len(text.encode()) for text in messages)
    flagged = sum(1 for text in messages if scan(text))  # also warms up lazily compiled patterns
    print(
        f"{len(messages):,} messages, {size / 1e6:.1f} MB, {size / len(messages):.0f} bytes each on average; "
        f"{flagged / len(messages):.1%} with a finding; {pinned}; {args.rounds} rounds"
    )
    median_scan = report("scan()", time_rounds(scan, messages, args.rounds), size, len(messages))
    report("special.find()", time_rounds(special.find, messages, args.rounds), size, len(messages))
    report("identifiers.find()", time_rounds(identifiers.find, messages, args.rounds), size, len(messages))
    verdict = "PASS" if median_scan >= TARGET_MB_S else "FAIL"
    print(f"Target: scan() >= {TARGET_MB_S:.0f} MB/s on one core (median of rounds): {median_scan:.1f} MB/s  {verdict}")
    if args.ingest:
        import subprocess

        print("\nIngest with and without scanning (bench/scan_ingest.py):", flush=True)
        subprocess.run([sys.executable, str(PROJECT_DIR / "bench" / "scan_ingest.py")], check=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
