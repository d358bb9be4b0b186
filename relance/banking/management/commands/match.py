import json

from django.core.management.base import BaseCommand, CommandError

from relance.banking.matching import run_matching
from relance.ledger.models import Company


class Command(BaseCommand):
    help = (
        "Match the unmatched bank lines of a company: sure matches applied, others proposed.\n"
        "relance match --company ACME [--format json]"
    )

    def add_arguments(self, parser):
        parser.add_argument("--company", required=True, help="company code")
        parser.add_argument(
            "--format", dest="output_format", choices=("text", "json"), default="text"
        )

    def handle(self, *args, company, output_format, **options):
        target = Company.objects.filter(code=company).first()
        if target is None:
            raise CommandError(f"no company with code {company!r}")
        report = run_matching(target)
        if output_format == "json":
            self.stdout.write(json.dumps(report.as_json(), ensure_ascii=False, indent=2))
            return
        self.stdout.write(
            f"{report.lines} ligne(s) examinée(s) : {len(report.applied)} rapprochée(s) "
            f"automatiquement, {len(report.proposed)} proposée(s), "
            f"{len(report.unmatched)} sans correspondance, {len(report.returns)} rejet(s)"
        )
