"""`relance score`: compute the risk scores of a company's customers and raise their alerts."""

import json
from datetime import date

from django.core.management.base import BaseCommand, CommandError

from relance.dunning.services import local_today
from relance.ledger.models import Company
from relance.scoring.services import compute_scores

ALERT_LABELS = {
    "score_drop": "chutes de score",
    "credit_limit": "seuils d'encours autorisé franchis",
    "blocked": "comptes bloqués",
}


def parse_date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"--date : date invalide {text!r} (attendu AAAA-MM-JJ)") from None


def company_by_code(code: str) -> Company:
    company = Company.objects.filter(code=code).first()
    if company is None:
        raise CommandError(f"--company : société inconnue : {code}")
    return company


class Command(BaseCommand):
    help = (
        "Risk scores: score every customer of a company, keep the changes, raise the alerts.\n"
        "relance score --company CODE [--date D] [--format json]"
    )

    def add_arguments(self, parser):
        parser.add_argument("--company", required=True, help="company code")
        parser.add_argument("--date", help="YYYY-MM-DD (default: today in the company's zone)")
        parser.add_argument("--format", choices=["text", "json"], default="text")

    def handle(self, *args, company, date, format, **options):
        target = company_by_code(company)
        day = parse_date(date) if date else local_today(target)
        summary = compute_scores(target, day)
        if format == "json":
            self.stdout.write(json.dumps(summary.as_dict(), indent=2, ensure_ascii=False))
            return
        self.stdout.write(
            f"{target.code} — scores au {day:%d/%m/%Y} : {summary.customers} clients, "
            f"{summary.written} scores changés"
        )
        for kind, count in summary.alerts.items():
            self.stdout.write(f"  alertes, {ALERT_LABELS[kind]} : {count}")
