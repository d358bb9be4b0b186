import json
from datetime import date

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from relance.ledger.models import Company, Customer
from relance.ledger.services import with_position


class Command(BaseCommand):
    help = (
        "List customers with what they owe (balance) and what is overdue.\n"
        "relance customers list --company ACME [--format json|table] [--as-of YYYY-MM-DD]"
    )

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True)
        listing = actions.add_parser("list", help="customers with balance and overdue")
        listing.add_argument("--company", required=True, help="company code")
        listing.add_argument(
            "--format", dest="output_format", choices=("table", "json"), default="table"
        )
        listing.add_argument(
            "--as-of",
            type=date.fromisoformat,
            default=None,
            help="reference day for overdue, YYYY-MM-DD (default: today)",
        )

    def handle(self, *args, company, output_format, as_of, **options):
        try:
            target = Company.objects.get(code=company)
        except Company.DoesNotExist:
            raise CommandError(f"no company with code {company!r}") from None
        customers = with_position(
            Customer.objects.filter(company=target), as_of or timezone.localdate(), target.currency
        )
        rows = customers.order_by("code").values("code", "name", "balance", "overdue")
        if output_format == "json":
            self.stdout.write(
                json.dumps([_as_json(row) for row in rows], ensure_ascii=False, indent=2)
            )
            return
        self.stdout.write(f"{'code':<12} {'name':<40} {'balance':>14} {'overdue':>14}")
        for row in rows.iterator(chunk_size=2000):
            self.stdout.write(
                f"{row['code']:<12} {row['name'][:40]:<40} "
                f"{_amount(row['balance']):>14} {_amount(row['overdue']):>14}"
            )


def _amount(value) -> str:
    return f"{value:.2f}"


def _as_json(row: dict) -> dict:
    return {
        "code": row["code"],
        "name": row["name"],
        "balance": _amount(row["balance"]),
        "overdue": _amount(row["overdue"]),
    }
