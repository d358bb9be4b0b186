"""The record of each anonymisation (GDPR article 5-2: the firm shows what it did)."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Anonymisation(models.Model):
    """A customer whose personal data was anonymised: when, after which last activity and
    retention, and how many records were touched. It names nobody, and marks the customer as
    done, so a later run leaves it alone."""

    company = models.ForeignKey("ledger.Company", on_delete=models.CASCADE, db_index=False)
    customer = models.OneToOneField(
        "ledger.Customer", on_delete=models.CASCADE, related_name="anonymisation"
    )
    last_activity_on = models.DateField(_("dernière activité le"), null=True, blank=True)
    retention_years = models.PositiveSmallIntegerField(_("durée de conservation (ans)"))
    was_consumer = models.BooleanField(_("particulier"))
    counts = models.JSONField(_("enregistrements anonymisés"), default=dict)
    anonymised_at = models.DateTimeField(_("anonymisé le"), default=timezone.now)

    class Meta:
        verbose_name = _("anonymisation")
        verbose_name_plural = _("anonymisations")
        indexes = [models.Index(fields=["company", "anonymised_at"])]

    def __str__(self) -> str:
        return f"{self.customer_id} ({self.anonymised_at:%Y-%m-%d})"
