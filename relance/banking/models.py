"""Imported bank statements and their lines (lignes de relevé).

A statement is what one file says about one account over a period; its lines are the
movements. A line is stored once per company whatever the number of files or statements it
appears in: its `fingerprint` (see relance.banking.fingerprints) is unique per company, so
that importing a statement again, or an overlapping one, creates nothing new.
"""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from relance.ledger.models import MONEY


class Statement(models.Model):
    """One statement of one bank account, as an imported file gave it."""

    company = models.ForeignKey(
        "ledger.Company", on_delete=models.CASCADE, related_name="statements", db_index=False
    )
    import_batch = models.ForeignKey(
        "imports.ImportBatch",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="statements",
    )
    account = models.CharField(_("compte"), max_length=64)  # IBAN when known
    currency = models.CharField(_("devise"), max_length=3)
    reference = models.CharField(_("référence"), max_length=120, blank=True)
    format = models.CharField(_("format"), max_length=40)
    opening_on = models.DateField(_("date du solde initial"), null=True, blank=True)
    opening_balance = models.DecimalField(_("solde initial"), null=True, blank=True, **MONEY)
    closing_on = models.DateField(_("date du solde final"), null=True, blank=True)
    closing_balance = models.DecimalField(_("solde final"), null=True, blank=True, **MONEY)
    line_count = models.PositiveIntegerField(_("lignes"), default=0)
    # Account, reference, dates and balances: the same statement imported twice is one row.
    fingerprint = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("relevé bancaire")
        verbose_name_plural = _("relevés bancaires")
        ordering = ["-closing_on", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["company", "fingerprint"], name="statement_fingerprint_unique"
            )
        ]
        indexes = [models.Index(fields=["company", "closing_on"])]

    def __str__(self) -> str:
        return self.reference or f"{self.account} {self.closing_on or ''}".strip()


class BankLine(models.Model):
    """One movement on a bank account (ligne de relevé): positive when money comes in.

    `status` and `payment` are what matching does with it: a line applied to the ledger
    points to the Payment it created."""

    class Status(models.TextChoices):
        UNMATCHED = "unmatched", _("À rapprocher")
        MATCHED = "matched", _("Rapprochée")
        IGNORED = "ignored", _("Ignorée")

    company = models.ForeignKey(
        "ledger.Company", on_delete=models.CASCADE, related_name="bank_lines", db_index=False
    )
    statement = models.ForeignKey(Statement, on_delete=models.CASCADE, related_name="lines")
    account = models.CharField(_("compte"), max_length=64)
    line = models.PositiveIntegerField(_("ligne du fichier"), default=0)
    booked_on = models.DateField(_("date d'opération"))
    value_on = models.DateField(_("date de valeur"), null=True, blank=True)
    amount = models.DecimalField(_("montant"), **MONEY)
    currency = models.CharField(_("devise"), max_length=3)
    counterparty_name = models.CharField(_("contrepartie"), max_length=200, blank=True)
    counterparty_iban = models.CharField(_("IBAN de la contrepartie"), max_length=34, blank=True)
    remittance = models.TextField(_("libellé"), blank=True)
    structured_reference = models.CharField(_("référence structurée"), max_length=64, blank=True)
    end_to_end_id = models.CharField(_("référence de bout en bout"), max_length=64, blank=True)
    bank_reference = models.CharField(_("référence bancaire"), max_length=255, blank=True)
    bank_code = models.CharField(_("code opération"), max_length=40, blank=True)
    is_return = models.BooleanField(_("rejet ou impayé"), default=False)
    status = models.CharField(
        _("statut"), max_length=10, choices=Status.choices, default=Status.UNMATCHED
    )
    payment = models.ForeignKey(
        "ledger.Payment",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="bank_lines",
        verbose_name=_("règlement"),
    )
    fingerprint = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("ligne de relevé")
        verbose_name_plural = _("lignes de relevé")
        ordering = ["-booked_on", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["company", "fingerprint"], name="bank_line_fingerprint_unique"
            ),
            models.CheckConstraint(
                condition=Q(payment__isnull=True) | Q(status="matched"),
                name="bank_line_payment_only_when_matched",
            ),
        ]
        indexes = [
            models.Index(fields=["company", "booked_on"]),
            models.Index(fields=["company", "status", "booked_on"]),
            models.Index(fields=["company", "account", "booked_on"]),
        ]

    def __str__(self) -> str:
        return f"{self.booked_on} {self.amount} {self.currency}"
