import json
import sys
from datetime import date

from django.core.management.base import BaseCommand, CommandError

from relance.core.interest import MissingRatesError
from relance.core.money import MoneyError
from relance.dunning.services import local_today
from relance.ledger.models import Company, Customer
from relance.legal import services

HEADERS = ("Facture", "Échéance", "Principal", "Retard (j)", "Intérêts", "Indemnité")


class Command(BaseCommand):
    help = (
        "Formal notice: what it would claim (principal, late-payment interest, indemnity).\n"
        "relance notice preview --company CODE --customer CODE [--date D] [--format json]"
    )

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True)
        preview = actions.add_parser(
            "preview", help="overdue invoices with interest and indemnity as of a date"
        )
        preview.add_argument("--company", required=True, help="company code")
        preview.add_argument("--customer", required=True, help="customer code")
        preview.add_argument("--date", type=date.fromisoformat, help="YYYY-MM-DD (default: today)")
        preview.add_argument("--currency", default="", help="default: the company's currency")
        preview.add_argument("--format", choices=["text", "json"], default="text")

    def handle(self, *args, company, customer, date, currency, format, **options):
        target = Company.objects.filter(code=company).first()
        if target is None:
            raise CommandError(f"société inconnue : {company}")
        debtor = Customer.objects.filter(company=target, code=customer).first()
        if debtor is None:
            raise CommandError(f"client inconnu dans la société {company} : {customer}")
        as_of = date or local_today(target)
        try:
            result = services.notice_preview(debtor, as_of, currency)
        except (MissingRatesError, MoneyError) as error:
            raise CommandError(str(error)) from None
        if format == "json":
            self.stdout.write(json.dumps(_as_json(debtor, result), indent=2, ensure_ascii=False))
            if result.unconfirmed:
                sys.stderr.write(_unconfirmed(result) + "\n")
            return
        self._table(debtor, result)

    def _table(self, debtor, result):
        self.stdout.write(
            f"{debtor.code} — {debtor.name}, au {result.as_of:%d/%m/%Y} ({result.currency})"
        )
        if not result.items:
            self.stdout.write("Aucune facture échue.")
            return
        rows = [HEADERS] + [
            (i.number, f"{i.due_on:%d/%m/%Y}", _fr(i.principal), str(i.days_late), _fr(i.interest),
             _fr(i.indemnity))
            for i in result.items
        ] + [("Total", "", _fr(result.total_principal), "", _fr(result.total_interest),
              _fr(result.total_indemnity))]  # fmt: skip
        widths = [max(len(row[col]) for row in rows) for col in range(len(HEADERS))]
        for row in rows:
            cells = [row[0].ljust(widths[0]), row[1].ljust(widths[1])]
            cells += [cell.rjust(width) for cell, width in zip(row[2:], widths[2:], strict=True)]
            self.stdout.write("  ".join(cells).rstrip())
        self.stdout.write(f"Total dû : {_fr(result.total)} {result.currency}")
        for line in _rates(result):
            self.stdout.write(line)
        if result.unconfirmed:
            self.stdout.write(_unconfirmed(result))


def _as_json(debtor, result) -> dict:
    return {
        "customer": debtor.code,
        "date": result.as_of.isoformat(),
        "items": [
            {
                "invoice": item.number,
                "principal": _amount(item.principal),
                "days_late": item.days_late,
                "interest": _amount(item.interest),
                "indemnity": _amount(item.indemnity),
            }
            for item in result.items
        ],
        "total_principal": _amount(result.total_principal),
        "total_interest": _amount(result.total_interest),
        "total_indemnity": _amount(result.total_indemnity),
        "total": _amount(result.total),
    }


def _amount(value) -> str:
    return f"{value:.2f}"


def _fr(value) -> str:
    """1234.5 -> '1 234,50' (French grouping with a plain space, for a terminal)."""
    return f"{value:,.2f}".replace(",", " ").replace(".", ",")


def _rates(result) -> list[str]:
    """The rates applied, one line per half-year, in the order they appear."""
    lines: list[str] = []
    for item in result.items:
        for period in item.periods:
            rate = f"{period.rate:.2f}".replace(".", ",")
            line = f"Taux appliqué, {period.half_year.label_fr} : {rate} %"
            if line not in lines:
                lines.append(line)
    return lines


def _unconfirmed(result) -> str:
    halves = ", ".join(h.label_fr for h in result.unconfirmed)
    return f"Attention : taux provisoires, à confirmer ({halves})."
