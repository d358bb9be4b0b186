"""The record of every import: which file, who, when, what it created, what it rejected."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ImportBatch(models.Model):
    """One file imported into one company; its counts and rejected lines."""

    class Kind(models.TextChoices):
        CUSTOMERS = "customers", _("Clients")
        CONTACTS = "contacts", _("Contacts")
        INVOICES = "invoices", _("Factures")
        PAYMENTS = "payments", _("Règlements")
        FEC = "fec", _("FEC")
        BANK = "bank", _("Relevé bancaire")
        EINVOICE = "einvoice", _("Facture électronique")

    class Status(models.TextChoices):
        RUNNING = "running", _("En cours")
        DONE = "done", _("Terminé")
        FAILED = "failed", _("Échec")

    company = models.ForeignKey("ledger.Company", on_delete=models.CASCADE, related_name="imports")
    kind = models.CharField(_("type"), max_length=20, choices=Kind.choices)
    file_name = models.CharField(_("fichier"), max_length=255)
    file_sha256 = models.CharField(max_length=64)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(
        _("statut"), max_length=10, choices=Status.choices, default=Status.RUNNING
    )
    started_at = models.DateTimeField(_("début"), auto_now_add=True)
    finished_at = models.DateTimeField(_("fin"), null=True, blank=True)
    total_lines = models.PositiveIntegerField(_("lignes"), default=0)
    processed_lines = models.PositiveIntegerField(_("lignes traitées"), default=0)
    # {"created": {"customers": n, ...}, "updated": {...}, "unchanged": {...}}
    counts = models.JSONField(default=dict)
    error = models.TextField(_("erreur"), blank=True)

    class Meta:
        verbose_name = _("import")
        verbose_name_plural = _("imports")
        ordering = ["-started_at"]
        indexes = [models.Index(fields=["company", "-started_at"])]

    def __str__(self) -> str:
        return f"{self.kind} {self.file_name}"


class ImportRejection(models.Model):
    """A line of an imported file that was not recorded, with the reason."""

    batch = models.ForeignKey(ImportBatch, on_delete=models.CASCADE, related_name="rejections")
    line = models.PositiveIntegerField(_("ligne"))
    reason = models.TextField(_("motif"))

    class Meta:
        ordering = ["line"]

    def __str__(self) -> str:
        return f"ligne {self.line} : {self.reason}"
