from datetime import date

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from relance.demo.services import generate_portfolio
from relance.ledger.models import Company


class Command(BaseCommand):
    help = (
        "Generate a realistic portfolio (customers, invoices, payments) into a company.\n"
        "Deterministic for a seed; built with bulk inserts, for load tests and benchmarks."
    )

    def add_arguments(self, parser):
        parser.add_argument("--company", required=True, help="code of an existing company")
        parser.add_argument("--customers", type=int, required=True)
        parser.add_argument("--invoices", type=int, required=True)
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--months", type=int, default=24, help="history before --as-of")
        parser.add_argument(
            "--open-share",
            type=float,
            default=0.3,
            help="share of invoices still open at --as-of (at least)",
        )
        parser.add_argument(
            "--as-of",
            type=date.fromisoformat,
            default=None,
            help="reference day, YYYY-MM-DD (default: today)",
        )

    def handle(self, *args, company, as_of, **options):
        try:
            target = Company.objects.get(code=company)
        except Company.DoesNotExist:
            raise CommandError(f"no company with code {company!r}") from None
        result = generate_portfolio(
            target,
            customers=options["customers"],
            invoices=options["invoices"],
            today=as_of or timezone.localdate(),
            seed=options["seed"],
            months=options["months"],
            open_share=options["open_share"],
        )
        for name, count in result.counts.items():
            self.stdout.write(f"{name:<12} {count:>10,}")
        rate = result.counts["invoices"] / result.seconds if result.seconds else 0
        self.stdout.write(f"done in {result.seconds:.1f} s ({rate:,.0f} invoices/s)")
