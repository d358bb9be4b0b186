import json
from datetime import date

from django.core.management.base import BaseCommand, CommandError

from relance.dunning import services
from relance.ledger.models import Company


class Command(BaseCommand):
    help = "Run the daily dunning: plan the reminders of the day and write them to the outbox."

    def add_arguments(self, parser):
        parser.add_argument("--date", type=date.fromisoformat, help="YYYY-MM-DD (default: today)")
        parser.add_argument("--company", help="company code (default: every company)")
        parser.add_argument("--dry-run", action="store_true", help="report, write nothing")
        parser.add_argument("--format", choices=["text", "json"], default="text")

    def handle(self, *args, date, company, dry_run, format, **options):
        companies = Company.objects.all()
        if company:
            companies = companies.filter(code=company)
            if not companies.exists():
                raise CommandError(f"société inconnue : {company}")
        try:
            results = [services.run_dunning(c, date, dry_run=dry_run) for c in companies]
        except ValueError as error:
            raise CommandError(str(error)) from None
        if format == "json":
            payload = [r.as_json() for r in results]
            self.stdout.write(
                json.dumps(payload[0] if company else payload, indent=2, ensure_ascii=False)
            )
            return
        for result in results:
            self._summary(result)

    def _summary(self, result):
        data = result.as_json()
        head = f"{result.company.code} {data['date']}"
        if result.already_done:
            self.stdout.write(f"{head} : déjà relancé ce jour-là, rien de nouveau.")
            return
        self.stdout.write(f"{head} : {_bank_line(result)}")
        verb = "seraient créées" if result.dry_run else "créées"
        self.stdout.write(
            f"{head} : {len(data['reminders'])} relances {verb}, "
            f"{len(data['excluded'])} exclusions."
        )
        for reminder in data["reminders"]:
            self.stdout.write(
                f"  {reminder['customer']:<12} {reminder['step']:<32} {reminder['channel']:<18}"
                f" {reminder['amount']:>12} {reminder['currency']}"
            )


def _bank_line(result) -> str:
    """The freshness of the bank data the run relies on (DESIGN.md: always visible)."""
    bank = result.bank
    if bank is None or bank.latest_on is None:
        text = "aucun relevé bancaire importé"
    else:
        text = f"dernier relevé bancaire du {bank.latest_on:%d/%m/%Y} ({bank.age_days} j)"
    if result.is_sending_paused:
        text += " — envoi automatique suspendu : les relances attendent une validation"
    return text
