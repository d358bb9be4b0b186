import json
from datetime import date
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from relance.core.privacy import Verdict
from relance.dunning.services import local_today
from relance.ledger.models import Company, Customer
from relance.privacy import services
from relance.privacy.export import export_customers

REASONS = {
    Verdict.OPEN_ITEMS: "pièces ouvertes",
    Verdict.DISPUTED: "litige en cours",
    Verdict.PROMISED: "promesse en cours",
    Verdict.PLANNED: "échéancier en cours",
    Verdict.REMINDER_PENDING: "relance non terminée",
    Verdict.RETAINED: "durée de conservation non écoulée",
}


class Command(BaseCommand):
    help = (
        "Personal data: anonymise the customers settled for longer than the retention period; "
        "export everything held about one person.\n"
        "relance privacy anonymise --company CODE [--retention-years N] [--date D] [--dry-run] "
        "[--format json]\n"
        "relance privacy export --company CODE (--customer CODE | --email ADDRESS) "
        "[--output FILE.json]"
    )

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True)
        anonymise = actions.add_parser(
            "anonymise", help="anonymise the customers settled for longer than the retention"
        )
        anonymise.add_argument("--company", required=True, help="company code")
        anonymise.add_argument(
            "--retention-years",
            type=int,
            default=settings.RELANCE_PRIVACY_RETENTION_YEARS,
            help="years kept after the last activity of a settled account (default: "
            f"{settings.RELANCE_PRIVACY_RETENTION_YEARS}, RELANCE_PRIVACY_RETENTION_YEARS)",
        )
        anonymise.add_argument("--date", type=date.fromisoformat, help="today (YYYY-MM-DD)")
        anonymise.add_argument("--dry-run", action="store_true", help="report, change nothing")
        anonymise.add_argument("--format", choices=["text", "json"], default="text")
        export = actions.add_parser("export", help="everything held about one person, as JSON")
        export.add_argument("--company", required=True, help="company code")
        person = export.add_mutually_exclusive_group(required=True)
        person.add_argument("--customer", help="customer code")
        person.add_argument("--email", help="an e-mail address of the customer's contacts")
        export.add_argument("--output", type=Path, help="the JSON file to write (default: stdout)")

    def handle(self, *args, action, company, **options):
        target = Company.objects.filter(code=company).first()
        if target is None:
            raise CommandError(f"société inconnue : {company}")
        if action == "anonymise":
            self.anonymise(target, **options)
        else:
            self.export(target, **options)

    def anonymise(self, company, *, retention_years, date, dry_run, format, **options):
        if retention_years < 0:
            raise CommandError(
                f"--retention-years {retention_years} : une durée ne peut pas être négative"
            )
        today = date or local_today(company)
        outcome = services.anonymise_settled(company, today, retention_years, dry_run=dry_run)
        if format == "json":
            self.stdout.write(json.dumps(_json(outcome, company, today, retention_years, dry_run)))
            return
        verb = "à anonymiser" if dry_run else "anonymisés"
        self.stdout.write(
            f"{company.code} au {today:%d/%m/%Y}, conservation {retention_years} ans : "
            f"{len(outcome.anonymised)} clients {verb}"
        )
        for row in outcome.anonymised:
            since = f"{row.last_activity_on:%d/%m/%Y}" if row.last_activity_on else "jamais"
            kind = "particulier" if row.is_consumer else "entreprise"
            self.stdout.write(f"  {_shown(row, dry_run)} ({kind}), dernière activité : {since}")
        for verdict, count in sorted(outcome.kept.items()):
            self.stdout.write(f"  conservés ({REASONS[verdict]}) : {count}")
        if dry_run:
            self.stdout.write("Simulation : rien n'a été modifié.")

    def export(self, company, *, customer, email, output, **options):
        if customer:
            found = list(Customer.objects.filter(company=company, code=customer))
            query = {"customer": customer}
        else:
            found = list(
                Customer.objects.filter(company=company, contacts__email__iexact=email.strip())
                .distinct()
                .order_by("code")
            )
            query = {"email": email}
        if not found:
            raise CommandError(f"aucun client de la société {company.code} pour {query}")
        text = json.dumps(export_customers(company, found, query), ensure_ascii=False, indent=1)
        if output is None:
            self.stdout.write(text)
        else:
            output.write_text(text + "\n", encoding="utf-8")
            self.stdout.write(f"{output} : {len(found)} client(s)")


def _shown(row, dry_run: bool) -> str:
    """A consumer's former code is personal data: once anonymised, only its new code is
    printed (a cron job's log must not keep what the database no longer does)."""
    if row.is_consumer and not dry_run:
        return f"{services.CONSUMER_CODE}{row.customer_id}"
    return row.code


def _json(outcome, company, today, years, dry_run) -> dict:
    return {
        "company": company.code,
        "date": today.isoformat(),
        "retention_years": years,
        "dry_run": dry_run,
        "anonymised": [
            {
                "customer_id": row.customer_id,
                "code": _shown(row, dry_run),
                "is_consumer": row.is_consumer,
                "last_activity_on": row.last_activity_on and row.last_activity_on.isoformat(),
            }
            for row in outcome.anonymised
        ],
        "kept": {str(verdict): count for verdict, count in sorted(outcome.kept.items())},
        "records": dict(sorted(outcome.counts.items())),
    }
