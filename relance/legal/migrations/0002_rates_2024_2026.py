"""The published rates of 2024 H1 to 2026 H2 (percent).

ECB: main refinancing operations rate in force on 1 January / 1 July (changes of 20/09/2023
4.50, 12/06/2024 4.25, 18/09/2024 3.65, 23/10/2024 3.40, 18/12/2024 3.15, 05/02/2025 2.90,
12/03/2025 2.65, 23/04/2025 2.40, 11/06/2025 2.15). Legal interest rates: the arrêté of each
half-year (Code monétaire et financier L313-2, D313-1-A). 2026 H2 is provisional: neither the
ECB rate of 1 July 2026 nor the arrêté of June 2026 could be checked when this was written;
its row is marked unconfirmed and says so.
"""

from decimal import Decimal

from django.db import migrations

ECB = "BCE, opérations principales de refinancement"
ROWS = [
    (2024, 1, "4.50", "5.07", "8.01", True,
     f"{ECB} : 4,50 % depuis le 20/09/2023. Taux légaux : arrêté du 21 décembre 2023 "
     "(particuliers 8,01 %, autres cas 5,07 %)."),
    (2024, 2, "4.25", "4.92", "8.16", True,
     f"{ECB} : 4,25 % depuis le 12/06/2024. Taux légaux : arrêté du 26 juin 2024 "
     "(particuliers 8,16 %, autres cas 4,92 %)."),
    (2025, 1, "3.15", "3.71", "7.21", True,
     f"{ECB} : 3,15 % depuis le 18/12/2024. Taux légaux : arrêté du 17 décembre 2024 "
     "(particuliers 7,21 %, autres cas 3,71 %)."),
    (2025, 2, "2.15", "2.76", "6.65", True,
     f"{ECB} : 2,15 % depuis le 11/06/2025. Taux légaux : arrêté du 19 juin 2025, JO du "
     "24 juin 2025 (particuliers 6,65 %, autres cas 2,76 %)."),
    (2026, 1, "2.15", "2.62", "6.67", True,
     f"{ECB} : 2,15 % depuis le 11/06/2025, inchangé au 1er janvier 2026. Taux légaux : "
     "arrêté du 15 décembre 2025, JORF du 26 décembre 2025 (particuliers 6,67 %, autres cas "
     "2,62 %)."),
    (2026, 2, "2.15", "2.62", "6.67", False,
     "PROVISOIRE, À CONFIRMER : taux BCE au 1er juillet 2026 supposé inchangé (2,15 %) et "
     "taux légaux repris du 1er semestre 2026, faute d'avoir pu vérifier la décision de la BCE "
     "et l'arrêté de juin 2026. Corrigez ces valeurs puis cochez « taux confirmés »."),
]  # fmt: skip


def fill(apps, schema_editor):
    HalfYearRate = apps.get_model("legal", "HalfYearRate")
    for year, half, ecb, professionals, individuals, confirmed, source in ROWS:
        HalfYearRate.objects.update_or_create(
            year=year,
            half=half,
            defaults={
                "ecb_rate": Decimal(ecb),
                "legal_rate_professionals": Decimal(professionals),
                "legal_rate_individuals": Decimal(individuals),
                "is_confirmed": confirmed,
                "source": source,
            },
        )


def empty(apps, schema_editor):
    HalfYearRate = apps.get_model("legal", "HalfYearRate")
    for year, half, *_ in ROWS:
        HalfYearRate.objects.filter(year=year, half=half).delete()


class Migration(migrations.Migration):
    dependencies = [("legal", "0001_initial")]

    operations = [migrations.RunPython(fill, empty)]
