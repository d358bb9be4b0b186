"""Evidence exports: the log of every ZIP of evidence handed over for a customer."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class EvidenceExport(models.Model):
    """One evidence export (who, when, amounts as of which day, the ZIP's SHA-256): the firm
    can prove what it handed to a collection agency, a bailiff or a lawyer. Append-only."""

    company = models.ForeignKey("ledger.Company", on_delete=models.CASCADE, db_index=False)
    customer = models.ForeignKey(
        "ledger.Customer", on_delete=models.PROTECT, related_name="evidence_exports"
    )
    amounts_on = models.DateField(_("montants calculés au"))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    exported_at = models.DateTimeField(_("exporté le"), auto_now_add=True)
    file_name = models.CharField(_("fichier"), max_length=200)
    sha256 = models.CharField("SHA-256", max_length=64)
    size = models.PositiveIntegerField(_("taille (octets)"))
    files = models.PositiveSmallIntegerField(_("fichiers"))

    class Meta:
        verbose_name = _("export de preuves")
        verbose_name_plural = _("exports de preuves")
        ordering = ["-exported_at", "-pk"]
        indexes = [models.Index(fields=["company", "exported_at"])]

    def __str__(self) -> str:
        return f"{self.file_name} ({self.sha256[:12]})"
