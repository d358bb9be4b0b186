from datetime import date
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from relance.dunning.services import local_today
from relance.evidence import services
from relance.ledger.models import Company, Customer


class Command(BaseCommand):
    help = (
        "Evidence of a customer for litigation: one ZIP (summary PDF, invoices, reminders as "
        "sent, receipts, history).\n"
        "relance evidence export --company CODE --customer CODE --output FILE.zip [--date D]"
    )

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True)
        export = actions.add_parser("export", help="write the ZIP of evidence of one customer")
        export.add_argument("--company", required=True, help="company code")
        export.add_argument("--customer", required=True, help="customer code")
        export.add_argument("--output", required=True, type=Path, help="the ZIP file to write")
        export.add_argument(
            "--date", type=date.fromisoformat, help="amounts as of YYYY-MM-DD (default: today)"
        )

    def handle(self, *args, company, customer, output, date, **options):
        target = Company.objects.filter(code=company).first()
        if target is None:
            raise CommandError(f"société inconnue : {company}")
        debtor = Customer.objects.filter(company=target, code=customer).first()
        if debtor is None:
            raise CommandError(f"client inconnu dans la société {company} : {customer}")
        try:
            content = services.export_customer_evidence(debtor, date or local_today(target), None)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        output.write_bytes(content)
        digest = services.kept.File("", content).sha256
        self.stdout.write(f"{output} : {len(content)} octets, SHA-256 {digest}")
