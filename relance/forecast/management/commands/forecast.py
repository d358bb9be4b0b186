import json
from datetime import date

from django.core.management.base import BaseCommand, CommandError

from relance.forecast import services
from relance.ledger.models import Company


def parse_date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"date invalide : {text} (attendu AAAA-MM-JJ)") from None


def company_of(code: str) -> Company:
    company = Company.objects.filter(code=code).first()
    if company is None:
        raise CommandError(f"société inconnue : {code}")
    return company


class Command(BaseCommand):
    help = (
        "Payment-date prediction: train the model and predict the open items, or backtest it.\n"
        "relance forecast train --company CODE [--date D] [--format json]\n"
        "relance forecast backtest --company CODE --as-of D [--horizon DAYS] [--format json]"
    )

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True)
        train = actions.add_parser("train", help="train on the history, predict the open items")
        train.add_argument("--company", required=True, help="company code")
        train.add_argument("--date", help="YYYY-MM-DD (default: today in the company's zone)")
        train.add_argument("--format", choices=["text", "json"], default="text")
        backtest = actions.add_parser(
            "backtest", help="learn on what was known on a date, predict the invoices after it"
        )
        backtest.add_argument("--company", required=True, help="company code")
        backtest.add_argument("--as-of", required=True, help="YYYY-MM-DD")
        backtest.add_argument(
            "--horizon", type=int, help="only invoices issued within DAYS after the date"
        )
        backtest.add_argument("--format", choices=["text", "json"], default="text")

    def handle(self, *args, action, company, format, **options):
        target = company_of(company)
        if action == "train":
            self._train(target, options["date"], format)
        else:
            self._backtest(target, parse_date(options["as_of"]), options["horizon"], format)

    def _train(self, company: Company, day: str | None, format: str) -> None:
        training = services.train(company, parse_date(day) if day else None)
        record = training.record
        result = {
            "version": record.version,
            "trained_on": record.trained_on.isoformat(),
            "method": record.method,
            "n_train": record.n_train,
            "predictions": record.predictions_count,
        }
        if format == "json":
            self.stdout.write(json.dumps(result, indent=2))
            return
        self.stdout.write(
            f"{company.code} : modèle v{record.version} ({record.get_method_display()}) "
            f"appris sur {record.n_train} factures réglées, "
            f"{record.predictions_count} pièces ouvertes prévues"
        )

    def _backtest(self, company: Company, as_of: date, horizon: int | None, format: str) -> None:
        if horizon is not None and horizon < 1:
            raise CommandError(f"--horizon : un nombre de jours positif, pas {horizon}")
        result = services.backtest_company(company, as_of, horizon)
        if format == "json":
            self.stdout.write(json.dumps(result.as_json(), indent=2))
            return
        mae = result.as_json()["mae_days"]
        self.stdout.write(
            f"{company.code}, appris au {as_of:%d/%m/%Y} sur {result.n_train} factures réglées, "
            f"testé sur {result.n_test} factures émises après ({result.method})"
        )
        for label, key in (("modèle", "model"), ("échéance", "due_date"),
                           ("médiane du client", "customer_median")):  # fmt: skip
            value = mae[key]
            shown = "—" if value is None else f"{value:.1f} j".replace(".", ",")
            self.stdout.write(f"  erreur moyenne ({label}) : {shown}")
