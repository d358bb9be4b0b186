"""Imported bank statements and their lines (lignes de relevé).

A statement is what one file says about one account over a period; its lines are the
movements. A line is stored once per company whatever the number of files or statements it
appears in: its `fingerprint` (see relance.banking.fingerprints) is unique per company, so
that importing a statement again, or an overlapping one, creates nothing new.
"""

from django.conf import settings
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


class Match(models.Model):
    """What was done with a bank line (rapprochement): the payment it became and the items
    it settled, or the earlier payment a returned one reversed; by whom or by what.

    Never deleted: an undo sets `undone_at`/`undone_by` and the line is free again. `shares`
    keeps what was allocated ([{"invoice", "number", "amount"}]) even after the payment is
    gone, so the history reads the same."""

    class Method(models.TextChoices):
        AUTO = "auto", _("Automatique")
        ACCEPTED = "accepted", _("Proposition acceptée")
        MANUAL = "manual", _("Manuel")

    class Kind(models.TextChoices):
        PAYMENT = "payment", _("Règlement")
        RETURN = "return", _("Rejet ou impayé")

    company = models.ForeignKey(
        "ledger.Company", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    bank_line = models.ForeignKey(BankLine, on_delete=models.CASCADE, related_name="matches")
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.PAYMENT)
    customer = models.ForeignKey(
        "ledger.Customer", on_delete=models.PROTECT, related_name="bank_matches"
    )
    payment = models.ForeignKey(
        "ledger.Payment",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,  # an undo deletes the payment; the match stays
        related_name="matches",
    )
    # The fee written off (a payment) or the returned-payment item (a return) it wrote.
    written_item = models.ForeignKey(
        "ledger.Invoice", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    method = models.CharField(_("méthode"), max_length=10, choices=Method.choices)
    confidence = models.DecimalField(
        _("confiance"), max_digits=4, decimal_places=3, null=True, blank=True
    )
    reasons = models.JSONField(_("raisons"), default=list)
    shares = models.JSONField(default=list)
    unallocated = models.DecimalField(_("non lettré"), default=0, **MONEY)
    fee = models.DecimalField(_("frais déduits"), default=0, **MONEY)
    made_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    undone_at = models.DateTimeField(_("annulé le"), null=True, blank=True)
    undone_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("rapprochement")
        verbose_name_plural = _("rapprochements")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["bank_line"],
                condition=Q(undone_at__isnull=True),
                name="match_one_active_per_line",
            )
        ]
        indexes = [models.Index(fields=["company", "created_at"])]

    def __str__(self) -> str:
        return f"{self.bank_line} → {self.customer_id}"

    @property
    def is_active(self) -> bool:
        return self.undone_at is None


class MatchProposal(models.Model):
    """A candidate for an unmatched bank line that was not sure enough to be applied; the
    proposals of a line are replaced at each matching run. A rejected one is kept, so that
    the same candidate is not proposed again."""

    company = models.ForeignKey(
        "ledger.Company", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    bank_line = models.ForeignKey(BankLine, on_delete=models.CASCADE, related_name="proposals")
    rank = models.PositiveSmallIntegerField(default=1)
    customer = models.ForeignKey(
        "ledger.Customer", on_delete=models.CASCADE, related_name="bank_proposals"
    )
    confidence = models.DecimalField(_("confiance"), max_digits=4, decimal_places=3)
    # {"shares": [{"invoice", "amount"}], "unallocated", "fee", "reasons"}
    candidate = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)
    rejected_at = models.DateTimeField(null=True, blank=True)
    rejected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("proposition de rapprochement")
        verbose_name_plural = _("propositions de rapprochement")
        ordering = ["bank_line", "rank"]
        indexes = [models.Index(fields=["company", "rejected_at"])]

    def __str__(self) -> str:
        return f"{self.bank_line_id} #{self.rank} ({self.confidence})"


class CustomerIBAN(models.Model):
    """A counterparty IBAN a customer paid from, learned from a match; one customer per IBAN
    in a company (the first match teaches it). Forgotten when that match is undone."""

    company = models.ForeignKey(
        "ledger.Company", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    customer = models.ForeignKey(
        "ledger.Customer", on_delete=models.CASCADE, related_name="bank_ibans"
    )
    iban = models.CharField("IBAN", max_length=34)
    learned_from = models.ForeignKey(
        Match, null=True, blank=True, on_delete=models.SET_NULL, related_name="learned_ibans"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("IBAN d'un client")
        verbose_name_plural = _("IBAN des clients")
        constraints = [
            models.UniqueConstraint(fields=["company", "iban"], name="customer_iban_unique")
        ]

    def __str__(self) -> str:
        return self.iban


class BankAlert(models.Model):
    """Something in the bank data a collector must know: a rejected direct debit, an unpaid
    LCR, a returned transfer (the invoice is open again), or a return nobody could trace."""

    company = models.ForeignKey(
        "ledger.Company", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    customer = models.ForeignKey(
        "ledger.Customer",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="bank_alerts",
    )
    bank_line = models.ForeignKey(BankLine, on_delete=models.CASCADE, related_name="alerts")
    message = models.TextField(_("message"))
    created_at = models.DateTimeField(auto_now_add=True)
    resolved_at = models.DateTimeField(_("traitée le"), null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("alerte bancaire")
        verbose_name_plural = _("alertes bancaires")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["company", "resolved_at"])]

    def __str__(self) -> str:
        return self.message
