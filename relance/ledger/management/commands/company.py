from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from relance.ledger.models import Company
from relance.ledger.services import create_company

OPTIONAL = ("siren", "siret", "vat", "iban", "bic", "address", "postal_code", "city")


class Command(BaseCommand):
    help = (
        "Create and list companies (the creditor entities).\n"
        "relance company create --code ACME --name 'Acme SAS' [--siren ...]"
    )

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True)
        create = actions.add_parser("create", help="create a company")
        create.add_argument("--code", required=True)
        create.add_argument("--name", required=True)
        for name in OPTIONAL:
            create.add_argument(f"--{name.replace('_', '-')}", dest=name, default="")
        create.add_argument("--currency", default="EUR")
        actions.add_parser("list", help="list companies")

    def handle(self, *args, action, **options):
        if action == "list":
            for company in Company.objects.all():
                self.stdout.write(str(company))
            return
        fields = {name: options[name] for name in OPTIONAL if options[name]}
        if "vat" in fields:
            fields["vat_number"] = fields.pop("vat")
        try:
            company = create_company(
                options["code"], options["name"], currency=options["currency"], **fields
            )
        except ValidationError as error:
            reasons = [
                f"{field}: {message}"
                for field, messages in error.message_dict.items()
                for message in messages
            ]
            raise CommandError("company not created\n" + "\n".join(reasons)) from None
        self.stdout.write(f"created {company} (SIREN {company.siren or '-'}, {company.currency})")
