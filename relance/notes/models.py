"""Internal notes on a customer and the colleagues they mention.

A note is append-only: nobody edits or deletes one, its author included. It is a dated
statement that goes into the evidence export and may already have told colleagues by e-mail;
a correction is a new note. (Django admin aside, which only superusers reach.)
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.formats import date_format
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _


class Note(models.Model):
    """What a member wrote about a customer, optionally about one of its invoices, disputes or
    payment plans (at most one of them)."""

    company = models.ForeignKey("ledger.Company", on_delete=models.CASCADE, db_index=False)
    customer = models.ForeignKey("ledger.Customer", on_delete=models.CASCADE, related_name="notes")
    invoice = models.ForeignKey(
        "ledger.Invoice",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="internal_notes",
    )
    dispute = models.ForeignKey(
        "dunning.Dispute",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="internal_notes",
    )
    plan = models.ForeignKey(
        "plans.PaymentPlan",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="internal_notes",
    )
    # PROTECT: a note keeps its author; a departing colleague is deactivated, not deleted.
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("auteur"),
    )
    text = models.TextField(_("texte"))
    created_at = models.DateTimeField(_("écrite le"), auto_now_add=True)

    class Meta:
        verbose_name = _("note")
        verbose_name_plural = _("notes")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["customer", "created_at"])]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(invoice__isnull=True, dispute__isnull=True)
                    | Q(invoice__isnull=True, plan__isnull=True)
                    | Q(dispute__isnull=True, plan__isnull=True)
                ),
                name="note_about_one_thing",
            )
        ]

    def __str__(self) -> str:
        return f"{self.customer} — {self.created_at:%Y-%m-%d %H:%M}"

    @property
    def about(self) -> str:
        """What the note is about, in words ("" for the customer in general)."""
        if self.invoice_id:
            return invoice_label(self.invoice)
        if self.dispute_id:
            return dispute_label(self.dispute)
        if self.plan_id:
            return plan_label(self.plan)
        return ""


class Mention(models.Model):
    """A colleague named in a note ("@paul"): told by e-mail when the note is written, shown on
    their agenda until they mark it seen."""

    note = models.ForeignKey(Note, on_delete=models.CASCADE, related_name="mentions")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="mentions"
    )
    emailed_at = models.DateTimeField(_("prévenu par e-mail le"), null=True, blank=True)
    seen_at = models.DateTimeField(_("lue le"), null=True, blank=True)

    class Meta:
        verbose_name = _("mention")
        verbose_name_plural = _("mentions")
        constraints = [models.UniqueConstraint(fields=["note", "user"], name="mention_once")]
        indexes = [models.Index(fields=["user", "seen_at"])]

    def __str__(self) -> str:
        return f"@{self.user} ({self.note_id})"


def invoice_label(invoice) -> str:
    return gettext("Pièce %(number)s") % {"number": invoice.number}


def dispute_label(dispute) -> str:
    return gettext("Litige sur %(number)s (%(reason)s)") % {
        "number": dispute.invoice.number,
        "reason": dispute.get_reason_display(),
    }


def plan_label(plan) -> str:
    return gettext("Échéancier du %(day)s") % {
        "day": date_format(plan.agreed_on, "SHORT_DATE_FORMAT")
    }
