from django.core.management.base import BaseCommand, CommandError

from consent.ledger import ledger_verify


class Command(BaseCommand):
    help = "Recompute the consent ledger's hash chain. Exits non-zero naming the first event that does not hold."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--batch-size", type=int, default=5000)

    def handle(self, *args, batch_size: int, **options) -> None:
        report = ledger_verify(batch_size=batch_size)
        if not report.intact:
            problem = report.problem
            where = f"event #{problem.seq}" + (f" (id {problem.event_id})" if problem.event_id else "")
            raise CommandError(
                f"ledger broken at {where}: {problem.reason}; {report.checked} events verified before it"
            )
        self.stdout.write(self.style.SUCCESS(f"ledger intact: {report.checked} events verified"))
