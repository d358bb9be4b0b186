"""`relance credit check`: may we ship a new order to this customer?"""

import json
from decimal import Decimal

from django.core.management.base import BaseCommand, CommandError

from relance.ledger.models import Customer
from relance.scoring.services import credit_check

from .score import company_by_code, parse_date

DECISIONS = {"ok": "livrable", "review": "à examiner", "block": "bloqué"}
REASONS = {
    "blocked": "commandes bloquées",
    "handed_over": "client transmis au contentieux",
    "over_limit": "encours autorisé atteint",
    "near_limit": "plus de 90 % de l'encours autorisé utilisé",
    "high_risk": "score de risque inférieur à 40",
}
LABELS = {
    "outstanding": "Encours",
    "overdue": "Dont échu",
    "credit_limit": "Encours autorisé",
    "available": "Disponible",
    "limit_use": "Utilisation (%)",
    "score": "Score de risque",
}


class Command(BaseCommand):
    help = (
        "Credit: may a new order ship to the customer (ok, review, block) and why.\n"
        "relance credit check --company CODE --customer CODE [--date D] [--format json]"
    )

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True)
        check = actions.add_parser("check", help="the decision and the figures behind it")
        check.add_argument("--company", required=True, help="company code")
        check.add_argument("--customer", required=True, help="customer code")
        check.add_argument("--date", help="YYYY-MM-DD (default: today in the company's zone)")
        check.add_argument("--format", choices=["text", "json"], default="text")

    def handle(self, *args, company, customer, date, format, **options):
        target = company_by_code(company)
        found = Customer.objects.filter(company=target, code=customer).first()
        if found is None:
            raise CommandError(f"--customer : client inconnu dans {target.code} : {customer}")
        answer = credit_check(target, found, parse_date(date) if date else None)
        if format == "json":
            self.stdout.write(json.dumps(answer, indent=2, ensure_ascii=False))
            return
        reason = f" ({REASONS[answer['reason']]})" if answer["reason"] else ""
        self.stdout.write(f"{found.code} — {found.name} : {DECISIONS[answer['decision']]}{reason}")
        for key, label in LABELS.items():
            self.stdout.write(f"  {label} : {_fr(answer[key])}")


def _fr(value) -> str:
    """'1234.50' -> '1 234,50', 93.5 -> '93,5', None -> '—' (for a terminal)."""
    if value is None:
        return "—"
    if isinstance(value, str):
        return f"{Decimal(value):,.2f}".replace(",", " ").replace(".", ",")
    return str(value).replace(".", ",")
