import json
from datetime import date
from decimal import Decimal

from django.core.management.base import BaseCommand, CommandError

from relance.core.kpis import Kpis, round_days
from relance.core.money import MoneyError, parse_currency
from relance.dunning.services import local_today
from relance.ledger.models import Company
from relance.reports import services
from relance.reports.queries import currencies_of
from relance.reports.weekly import send_weekly

BUCKET_LABELS = {
    "not_due": "Non échu",
    "1-30": "Échu 1 à 30 j",
    "31-60": "Échu 31 à 60 j",
    "61-90": "Échu 61 à 90 j",
    "91-180": "Échu 91 à 180 j",
    "180+": "Échu plus de 180 j",
}


def parse_date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"date invalide : {text} (attendu AAAA-MM-JJ)") from None


class Command(BaseCommand):
    help = (
        "Reports: receivables KPIs as of a date (aging, DSO, CEI, days to pay), and the weekly\n"
        "e-mail report to the managers.\n"
        "relance report kpis --company CODE [--as-of D] [--currency EUR] [--format json]\n"
        "relance report weekly --company CODE [--as-of D] [--format json]"
    )

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True)
        kpis = actions.add_parser("kpis", help="outstanding, aging and KPIs as of a date")
        kpis.add_argument("--company", required=True, help="company code")
        kpis.add_argument("--as-of", help="YYYY-MM-DD (default: today in the company's zone)")
        kpis.add_argument("--currency", default="", help="default: the company's currency")
        kpis.add_argument("--format", choices=["text", "json"], default="text")
        weekly = actions.add_parser("weekly", help="e-mail the weekly report to the managers now")
        weekly.add_argument("--company", required=True, help="company code")
        weekly.add_argument("--as-of", help="YYYY-MM-DD (default: today in the company's zone)")
        weekly.add_argument("--format", choices=["text", "json"], default="text")

    def handle(self, *args, action, company, as_of, format, **options):
        target = Company.objects.filter(code=company).first()
        if target is None:
            raise CommandError(f"société inconnue : {company}")
        day = parse_date(as_of) if as_of else local_today(target)
        if action == "weekly":
            self._weekly(target, day, format)
            return
        currency = options["currency"]
        try:
            code = parse_currency(currency) if currency else target.currency
        except MoneyError as error:
            raise CommandError(str(error)) from None
        kpis = services.kpis_as_of(target, day, code)
        if format == "json":
            self.stdout.write(json.dumps(as_json(kpis), indent=2, ensure_ascii=False))
            return
        self._table(target, kpis)
        others = [c for c in currencies_of(target) if c != code]
        if others:
            self.stdout.write(f"Autres devises : {', '.join(others)} (--currency)")

    def _weekly(self, company, day, format: str) -> None:
        """Send the report now (the worker sends it once a week by itself); exit status 1
        when nobody received it."""
        outcome = send_weekly(company, day)
        if format == "json":
            result = {"as_of": day.isoformat(), "sent": outcome.sent, "refused": outcome.refused}
            self.stdout.write(json.dumps(result, indent=2, ensure_ascii=False))
        else:
            for address in outcome.sent:
                self.stdout.write(f"envoyé à {address}")
            for refusal in outcome.refused:
                self.stdout.write(f"refusé : {refusal}")
        if not outcome.sent:
            raise CommandError(
                "rapport envoyé à personne"
                + ("" if outcome.refused else " : aucun responsable avec une adresse e-mail")
            )

    def _table(self, company, kpis: Kpis) -> None:
        aging = kpis.aging
        rows = [
            ("Encours", _fr(aging.outstanding)),
            ("Échu", _fr(aging.overdue)),
            ("Non échu", _fr(aging.not_due)),
            ("Balance âgée :", ""),
            *(
                (f"  {BUCKET_LABELS[name]}", _fr(amount))
                for name, amount in aging.by_bucket().items()
            ),
            ("DSO (méthode simple, 90 j)", _days(kpis.dso_simple)),
            ("DSO (méthode countback)", _days(kpis.dso_countback)),
            ("Meilleur DSO possible", _days(kpis.best_possible_dso)),
            ("Part du DSO due aux retards (ADD)", _days(kpis.add)),
            ("Taux d'efficacité du recouvrement (CEI, mois)", _percent(kpis.cei)),
            ("Délai moyen de paiement (90 j)", _days(kpis.avg_days_to_pay)),
            ("Retard moyen de paiement (90 j)", _days(kpis.avg_days_late)),
        ]
        self.stdout.write(
            f"{company.code} — {company.name}, au {kpis.as_of:%d/%m/%Y} ({kpis.currency})"
        )
        width = max(len(label) for label, _ in rows)
        value_width = max(len(value) for _, value in rows)
        for label, value in rows:
            self.stdout.write(f"{label.ljust(width)}  {value.rjust(value_width)}")


def as_json(kpis: Kpis) -> dict:
    aging = kpis.aging
    return {
        "as_of": kpis.as_of.isoformat(),
        "currency": kpis.currency,
        "outstanding": _amount(aging.outstanding),
        "overdue": _amount(aging.overdue),
        "not_due": _amount(aging.not_due),
        "aging": {name: _amount(amount) for name, amount in aging.by_bucket().items()},
        "dso_simple": _number(kpis.dso_simple),
        "dso_countback": _number(kpis.dso_countback),
        "best_possible_dso": _number(kpis.best_possible_dso),
        "add": _number(kpis.add),
        "cei": _number(kpis.cei),
        "avg_days_to_pay": _number(kpis.avg_days_to_pay),
        "avg_days_late": _number(kpis.avg_days_late),
    }


def _amount(value: Decimal) -> str:
    return f"{value:.2f}"


def _number(value: Decimal | None) -> float | None:
    rounded = round_days(value)
    return None if rounded is None else float(rounded)


def _fr(value: Decimal) -> str:
    """1234.5 -> '1 234,50' (French grouping with a plain space, for a terminal)."""
    return f"{value:,.2f}".replace(",", " ").replace(".", ",")


def _days(value: Decimal | None) -> str:
    rounded = round_days(value)
    return "—" if rounded is None else f"{rounded} j".replace(".", ",")


def _percent(value: Decimal | None) -> str:
    rounded = round_days(value)
    return "—" if rounded is None else f"{rounded} %".replace(".", ",")
