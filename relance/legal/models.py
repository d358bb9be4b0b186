"""The rate tables late-payment interest is computed with: one row per half-year.

Data, not code (DESIGN.md: "the rate tables are data the user can update"): a superuser edits
them in the Django admin when the ECB moves its rate or an arrêté fixes the legal interest
rates of the next half-year. relance.legal.convert turns the rows into the core RateTable.
"""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

RATE = {"max_digits": 6, "decimal_places": 3}


class HalfYearRate(models.Model):
    """The rates of one half-year, in percent: the ECB main refinancing rate in force on its
    first day (Code de commerce L441-10) and the two legal interest rates fixed by arrêté
    (Code monétaire et financier L313-2), which depend on who the creditor is."""

    class Half(models.IntegerChoices):
        FIRST = 1, _("1er semestre (janvier-juin)")
        SECOND = 2, _("2e semestre (juillet-décembre)")

    year = models.PositiveSmallIntegerField(_("année"))
    half = models.PositiveSmallIntegerField(_("semestre"), choices=Half.choices)
    ecb_rate = models.DecimalField(
        _("taux BCE (%)"),
        help_text=_("Opérations principales de refinancement, en vigueur au 1er jour du semestre."),
        **RATE,
    )
    legal_rate_professionals = models.DecimalField(
        _("taux légal, créancier professionnel (%)"),
        help_text=_(
            "« Tous les autres cas » : une société créancière, même face à un particulier."
        ),
        **RATE,
    )
    legal_rate_individuals = models.DecimalField(
        _("taux légal, créancier particulier (%)"),
        help_text=_(
            "Créances des personnes physiques n'agissant pas pour des besoins professionnels."
        ),
        **RATE,
    )
    is_confirmed = models.BooleanField(
        _("taux confirmés"),
        default=True,
        help_text=_("Décoché : valeurs provisoires, signalées à côté des montants calculés."),
    )
    source = models.TextField(_("source"), blank=True)
    updated_at = models.DateTimeField(_("modifié le"), auto_now=True)

    class Meta:
        verbose_name = _("taux d'un semestre")
        verbose_name_plural = _("taux légaux par semestre")
        ordering = ["-year", "-half"]
        constraints = [
            models.UniqueConstraint(fields=["year", "half"], name="half_year_rate_unique"),
            models.CheckConstraint(condition=Q(half__in=(1, 2)), name="half_year_rate_half"),
        ]

    def __str__(self) -> str:
        return f"{self.year} S{self.half}"
