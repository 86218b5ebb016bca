"""Benchmark: precision and recall of the sensitive-data guard on the labelled corpora.

Targets: checksum identifiers (payment_card, iban, br_cpf, br_cnpj, nl_bsn, de_idnr,
it_codice_fiscale, pt_nif, es_dni) aggregated precision >= 0.99 and recall >= 0.98, the level
sensitive/tests/test_identifiers.py holds each type to; special categories
aggregated precision >= 0.85 and recall >= 0.90; the agent draft guard precision and recall
>= 0.90. Exit status 1 when a target is missed.

    .venv/bin/python bench/scan_quality.py [--show-misses] [--holdout]

Every span corpus in sensitive/tests/corpus (identifiers.jsonl, special.jsonl) is run
through the full scanner, ``sensitive.scan``: a special-category finding on an
identifiers line counts, as it would in production. Counting (sensitive/evaluation.py):
an expected entry that a finding of its type overlaps is one true positive (however many findings
overlap it), an expected entry nothing of its type overlaps is a false negative, and a finding that
overlaps no expected entry of its type is a false positive. drafts.jsonl is
scored per draft and kind with ``draft_check``.

``--holdout`` also scores sensitive/tests/holdout/holdout.jsonl, written by someone else after
the detectors and never used to tune them; its targets are printed, and the exit status still
depends on the corpora above only (the hold-out README lists known misses).
"""

import argparse
import os
import sys
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parent.parent


def setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "contactcenter.settings")
    sys.path.insert(0, str(PROJECT_DIR))
    import django

    django.setup()


def print_table(title: str, counts: dict, order: list[str]) -> None:
    print(f"\n{title}")
    print(f"  {'type':<20}{'TP':>6}{'FP':>6}{'FN':>6}{'precision':>11}{'recall':>9}")
    for kind in order:
        c = counts[kind]
        print(f"  {kind:<20}{c.tp:>6}{c.fp:>6}{c.fn:>6}{c.precision:>11.3f}{c.recall:>9.3f}")


def target_line(target, total) -> tuple[str, bool]:
    ok = target.met_by(total)
    line = (
        f"  {target.name:<22} TP {total.tp:>4}  FP {total.fp:>3}  FN {total.fn:>3}   "
        f"precision {total.precision:.3f} (>= {target.precision:.2f})   "
        f"recall {total.recall:.3f} (>= {target.recall:.2f})   {'PASS' if ok else 'FAIL'}"
    )
    return line, ok


def show_misses(lines: list[dict], scan) -> None:
    from sensitive import evaluation

    for line in lines:
        expected = evaluation.expected_spans(line)
        findings = scan(line["text"])
        for finding in findings:
            if not any(k == finding.type and finding.start < e and s < finding.end for k, s, e in expected):
                print(f"    FP {finding.type:<18} {line['text'][finding.start : finding.end]!r}  in {line['text']!r}")
        for kind, start, end in expected:
            if not any(f.type == kind and f.start < end and start < f.end for f in findings):
                print(f"    FN {kind:<18} {line['text'][start:end]!r}  in {line['text']!r}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--show-misses", action="store_true", help="print each false positive and negative")
    parser.add_argument("--holdout", action="store_true", help="also score sensitive/tests/holdout/holdout.jsonl")
    args = parser.parse_args()
    setup_django()

    from sensitive import evaluation, scan
    from sensitive.evaluation import Counts
    from sensitive.requests import KINDS, draft_check

    totals: dict[str, Counts] = {}
    for name in evaluation.SPAN_CORPORA:
        path = evaluation.CORPUS_DIR / name
        if not path.exists():
            print(f"{name}: missing, skipped")
            continue
        lines = evaluation.load_corpus(path)
        counts = evaluation.score(lines, scan)
        labelled = sum(1 for line in lines if line["expect"])
        print_table(f"{name}: {len(lines)} lines, {labelled} with expected findings", counts, sorted(counts))
        if args.show_misses:
            show_misses(lines, scan)
        for kind, tally in counts.items():
            totals[kind] = totals.get(kind, Counts()) + tally

    print_table("All span corpora, per type", totals, sorted(totals))
    print("\nTargets")
    passed = True
    for target in evaluation.TARGETS:
        line, ok = target_line(target, evaluation.aggregate(totals, target.types))
        print(line)
        passed &= ok

    drafts = evaluation.load_corpus(evaluation.DRAFTS_CORPUS)
    draft_counts = evaluation.score_drafts(drafts, draft_check)
    negatives = sum(1 for line in drafts if not line["expect"])
    print_table(
        f"{evaluation.DRAFTS_CORPUS}: {len(drafts)} agent drafts, {negatives} asking for nothing",
        {kind: draft_counts.get(kind, Counts()) for kind in KINDS},
        list(KINDS),
    )
    line, ok = target_line(evaluation.DRAFTS_TARGET, evaluation.aggregate(draft_counts, KINDS))
    print(line)
    passed &= ok
    if args.holdout:
        path = PROJECT_DIR / "sensitive" / "tests" / "holdout" / "holdout.jsonl"
        lines = evaluation.load_corpus(path)
        counts = evaluation.score(lines, scan)
        print_table(
            f"Hold-out {path.name}: {len(lines)} lines (not counted in the exit status)", counts, sorted(counts)
        )
        if args.show_misses:
            show_misses(lines, scan)
        for target in evaluation.TARGETS:
            print(target_line(target, evaluation.aggregate(counts, target.types))[0])
    print("\nAll targets met." if passed else "\nA target was missed.")
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
