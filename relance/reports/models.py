"""Reports: the counter that invalidates the dashboard's cached figures, and the weekly
e-mail report (who receives it, in which language, which weeks went out)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class LedgerVersion(models.Model):
    """A company's count of changes to what the dashboard reads (items, payments,
    allocations, customers' portfolios, reminders sent): cached figures are keyed on it, so a
    change makes them unreachable (relance.reports.cache).

    It starts at a random number, so that a database rebuilt or restored from a backup never
    meets the cache entries of its earlier life."""

    company = models.OneToOneField(
        "ledger.Company", on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    version = models.BigIntegerField()

    def __str__(self) -> str:
        return f"{self.company_id}: {self.version}"


class ReportSubscription(models.Model):
    """A manager's choice about the weekly report: whether to receive it, and in which
    language. Without a row, a manager receives it in French."""

    membership = models.OneToOneField(
        "team.Membership", on_delete=models.CASCADE, related_name="report_subscription"
    )
    weekly = models.BooleanField(_("recevoir le rapport hebdomadaire"), default=True)
    language = models.CharField(
        _("langue du rapport"), max_length=5, choices=settings.LANGUAGES, default="fr"
    )

    class Meta:
        verbose_name = _("abonnement au rapport")
        verbose_name_plural = _("abonnements au rapport")

    def __str__(self) -> str:
        return f"{self.membership_id}: {self.language}"


class WeeklyReport(models.Model):
    """One weekly report of a company: at most one per week (the Monday it covers up to),
    whichever worker or command sends it first."""

    company = models.ForeignKey(
        "ledger.Company", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    week_of = models.DateField(_("semaine du"))
    as_of = models.DateField(_("situation au"))
    recipients = models.JSONField(_("destinataires"), default=list)
    sent_at = models.DateTimeField(_("envoyé le"), null=True, blank=True)
    error = models.TextField(_("erreur"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("rapport hebdomadaire")
        verbose_name_plural = _("rapports hebdomadaires")
        constraints = [
            models.UniqueConstraint(fields=["company", "week_of"], name="weekly_report_once")
        ]

    def __str__(self) -> str:
        return f"{self.company_id} {self.week_of}"
