"""Risk scores: their history, the alerts they raise, and the decisions on suggested payer
profiles. The scores are decided by relance.core.scoring; relance.scoring.services writes them.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from relance.core.records import PayerProfile
from relance.core.scoring import AlertKind

MONEY = {"max_digits": 14, "decimal_places": 2}
PROFILES = [(p.value, p.value) for p in PayerProfile]


class ScoringRun(models.Model):
    """The computation of a company's scores on a day (at most one row a day: the latest
    computation of that day updates it)."""

    company = models.ForeignKey(
        "ledger.Company", on_delete=models.CASCADE, related_name="scoring_runs", db_index=False
    )
    run_on = models.DateField(_("calculé pour le"))
    customers = models.PositiveIntegerField(_("clients"), default=0)
    written = models.PositiveIntegerField(_("scores changés"), default=0)
    alerts = models.PositiveIntegerField(_("alertes"), default=0)
    finished_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("calcul des scores")
        verbose_name_plural = _("calculs des scores")
        ordering = ["-run_on"]
        constraints = [
            models.UniqueConstraint(fields=["company", "run_on"], name="scoring_run_once_a_day")
        ]

    def __str__(self) -> str:
        return f"{self.company_id} {self.run_on}"


class Score(models.Model):
    """A customer's risk score (100 = safest) as from `computed_on`, with its factors and the
    payer profile its history suggests. A row is written only when something in it changed
    since the customer's previous row, so the rows are the history of its changes and the
    latest one is the score in force."""

    company = models.ForeignKey("ledger.Company", on_delete=models.CASCADE, db_index=False)
    customer = models.ForeignKey("ledger.Customer", on_delete=models.CASCADE, related_name="scores")
    computed_on = models.DateField(_("calculé le"))
    score = models.PositiveSmallIntegerField(_("score"))
    # [{"factor", "value", "points"}] in the order of relance.core.scoring.Factor; value and
    # points as strings (Decimal), value null when the history has none.
    factors = models.JSONField(_("facteurs"), default=list)
    suggested_profile = models.CharField(
        _("profil suggéré"), max_length=20, blank=True, choices=PROFILES
    )
    rule = models.CharField(_("règle"), max_length=30, blank=True)
    limit_level = models.PositiveSmallIntegerField(_("seuil d'encours atteint (%)"), default=0)
    is_blocked = models.BooleanField(_("commandes bloquées"), default=False)
    judged = models.PositiveIntegerField(_("factures jugées"), default=0)

    class Meta:
        verbose_name = _("score de risque")
        verbose_name_plural = _("scores de risque")
        ordering = ["-computed_on"]
        constraints = [
            models.UniqueConstraint(fields=["customer", "computed_on"], name="score_once_a_day")
        ]
        indexes = [models.Index(fields=["company", "computed_on"])]

    def __str__(self) -> str:
        return f"{self.customer_id} {self.computed_on}: {self.score}"


class RiskAlert(models.Model):
    """A sharp drop of a customer's score, its outstanding crossing 50, 70 or 90 % of its
    credit limit, or its account blocked; on the agenda until someone marks it seen."""

    class Kind(models.TextChoices):
        SCORE_DROP = AlertKind.SCORE_DROP.value, _("Chute du score")
        CREDIT_LIMIT = AlertKind.CREDIT_LIMIT.value, _("Encours autorisé")
        BLOCKED = AlertKind.BLOCKED.value, _("Commandes bloquées")

    company = models.ForeignKey("ledger.Company", on_delete=models.CASCADE, db_index=False)
    customer = models.ForeignKey(
        "ledger.Customer", on_delete=models.CASCADE, related_name="risk_alerts"
    )
    kind = models.CharField(_("type"), max_length=20, choices=Kind.choices)
    level = models.PositiveSmallIntegerField(_("seuil (%)"), default=0)  # credit limit only
    raised_on = models.DateField(_("levée le"))
    score = models.PositiveSmallIntegerField(_("score"), null=True, blank=True)
    # The score a drop is measured from: the best of the window (score drops only).
    previous_score = models.PositiveSmallIntegerField(_("score avant"), null=True, blank=True)
    amount = models.DecimalField(_("encours"), **MONEY)
    currency = models.CharField(_("devise"), max_length=3)
    seen_at = models.DateTimeField(_("vue le"), null=True, blank=True)
    seen_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("alerte de risque")
        verbose_name_plural = _("alertes de risque")
        ordering = ["-raised_on", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["customer", "kind", "level", "raised_on"], name="risk_alert_once"
            )
        ]
        indexes = [
            models.Index(
                fields=["company", "raised_on"],
                condition=Q(seen_at__isnull=True),
                name="risk_alert_open",
            )
        ]

    def __str__(self) -> str:
        return f"{self.customer_id} {self.kind} {self.raised_on}"


class ProfileDecision(models.Model):
    """A manager's answer to a suggested payer profile: accepted (the customer's profile, hence
    the scenario it follows, changes) or rejected (not suggested again for 90 days)."""

    company = models.ForeignKey("ledger.Company", on_delete=models.CASCADE, db_index=False)
    customer = models.ForeignKey(
        "ledger.Customer", on_delete=models.CASCADE, related_name="profile_decisions"
    )
    suggested_profile = models.CharField(_("profil suggéré"), max_length=20, choices=PROFILES)
    previous_profile = models.CharField(_("profil précédent"), max_length=20, choices=PROFILES)
    score = models.PositiveSmallIntegerField(_("score"), null=True, blank=True)
    is_accepted = models.BooleanField(_("acceptée"))
    note = models.CharField(_("motif"), max_length=500, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(_("décidée le"), auto_now_add=True)

    class Meta:
        verbose_name = _("décision de profil payeur")
        verbose_name_plural = _("décisions de profil payeur")
        ordering = ["-decided_at", "-pk"]
        indexes = [models.Index(fields=["customer", "decided_at"])]

    def __str__(self) -> str:
        return f"{self.customer_id}: {self.suggested_profile} ({self.is_accepted})"
