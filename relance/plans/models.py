"""Payment plans (échéanciers): a negotiated schedule of instalments replacing the due dates
of the invoices it covers. Whether an instalment is paid is derived from the invoices' open
amounts (relance.core.plans), never stored.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from relance.core.plans import NoticeKind

MONEY = {"max_digits": 14, "decimal_places": 2}


class PaymentPlan(models.Model):
    """A schedule of instalments agreed with a customer for some of its invoices; while it is
    active the invoices are not reminded, its instalments are."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("En cours")
        COMPLETED = "completed", _("Soldé")
        BROKEN = "broken", _("Rompu")
        CANCELLED = "cancelled", _("Annulé")

    company = models.ForeignKey("ledger.Company", on_delete=models.CASCADE, db_index=False)
    customer = models.ForeignKey(
        "ledger.Customer", on_delete=models.CASCADE, related_name="payment_plans"
    )
    currency = models.CharField(_("devise"), max_length=3)
    invoices = models.ManyToManyField(
        "ledger.Invoice", related_name="payment_plans", verbose_name=_("factures")
    )
    status = models.CharField(
        _("statut"), max_length=10, choices=Status.choices, default=Status.ACTIVE
    )
    agreed_on = models.DateField(_("convenu le"))
    covered_amount = models.DecimalField(
        _("montant couvert"),
        help_text=_("Reste dû des factures couvertes le jour de l'accord."),
        **MONEY,
    )
    notes = models.TextField(_("notes"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    ended_on = models.DateField(_("terminé le"), null=True, blank=True)
    end_note = models.CharField(_("motif de fin"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("échéancier")
        verbose_name_plural = _("échéanciers")
        ordering = ["-agreed_on", "-pk"]
        indexes = [models.Index(fields=["company", "status"])]

    def __str__(self) -> str:
        return f"{self.customer} — {self.covered_amount} {self.currency} ({self.agreed_on})"


class Instalment(models.Model):
    """One agreed payment of a plan: its number, date and amount."""

    plan = models.ForeignKey(PaymentPlan, on_delete=models.CASCADE, related_name="instalments")
    number = models.PositiveSmallIntegerField(_("numéro"))
    due_on = models.DateField(_("date d'échéance"))
    amount = models.DecimalField(_("montant"), **MONEY)

    class Meta:
        verbose_name = _("échéance")
        verbose_name_plural = _("échéances")
        ordering = ["plan", "number"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "number"], name="instalment_number_unique"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="instalment_amount_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.number}. {self.due_on} {self.amount}"


class InstalmentNotice(models.Model):
    """An instalment reminded by a reminder of the outbox: at most once per kind (before its
    date, once late), which is what makes a second run of a day add nothing."""

    instalment = models.ForeignKey(Instalment, on_delete=models.CASCADE, related_name="notices")
    kind = models.CharField(
        max_length=10, choices=[(kind.value, kind.value) for kind in NoticeKind]
    )
    reminder = models.ForeignKey(
        "dunning.Reminder", on_delete=models.CASCADE, related_name="instalment_notices"
    )
    amount = models.DecimalField(_("montant demandé"), **MONEY)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["instalment", "kind"], name="instalment_notice_once")
        ]

    def __str__(self) -> str:
        return f"{self.instalment_id} {self.kind}"


class InstalmentTemplate(models.Model):
    """A company's own text of an instalment reminder, for one kind (before the date, once
    late) and one language, in the syntax of docs/templates.md. Without one, the default text
    of relance.plans.texts is sent."""

    company = models.ForeignKey("ledger.Company", on_delete=models.CASCADE, db_index=False)
    kind = models.CharField(
        _("rappel"), max_length=10, choices=[(kind.value, kind.value) for kind in NoticeKind]
    )
    language = models.CharField(_("langue"), max_length=5, choices=settings.LANGUAGES)
    subject = models.CharField(_("objet"), max_length=200)
    body = models.TextField(_("texte"))
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("texte de rappel d'échéance")
        verbose_name_plural = _("textes de rappel d'échéance")
        constraints = [
            models.UniqueConstraint(
                fields=["company", "kind", "language"], name="instalment_template_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.company_id} {self.kind} ({self.language})"
