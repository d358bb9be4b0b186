"""Dunning: scenarios and their steps, the daily runs, the outbox of reminders and its
append-only history, and what pauses reminders (holds, disputes, promises to pay).

The decisions are made by relance.core.dunning; these models store its inputs and results.
"""

from datetime import date

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from relance.core.dunning import Channel, Escalation, Reason
from relance.core.records import PayerProfile

MONEY = {"max_digits": 14, "decimal_places": 2}
CHANNELS = [
    (Channel.EMAIL.value, _("E-mail")),
    (Channel.SMS.value, _("SMS")),
    (Channel.LETTER.value, _("Courrier")),
    (Channel.REGISTERED_LETTER.value, _("Lettre recommandée")),
    (Channel.CALL.value, _("Appel téléphonique")),
    (Channel.TASK.value, _("Tâche interne")),
]
ESCALATIONS = [
    (Escalation.NONE.value, _("Aucune")),
    (Escalation.FORMAL_NOTICE.value, _("Mise en demeure envoyée")),
    (Escalation.COLLECTION.value, _("Transmission au contentieux")),
    (Escalation.BLOCK_ORDERS.value, _("Blocage des commandes")),
]
REASONS = [(reason.value, reason.value) for reason in Reason]


class Scenario(models.Model):
    """An ordered plan of reminder steps; one per payer profile by default, editable."""

    company = models.ForeignKey(
        "ledger.Company", on_delete=models.CASCADE, related_name="scenarios", db_index=False
    )
    name = models.CharField(_("nom"), max_length=100)
    payer_profile = models.CharField(
        _("profil payeur"),
        max_length=20,
        blank=True,
        choices=[(p.value, p.value) for p in PayerProfile],
        help_text=_("Scénario appliqué par défaut aux clients de ce profil."),
    )
    is_default = models.BooleanField(_("scénario par défaut de la société"), default=False)
    send_thanks = models.BooleanField(_("remercier après paiement"), default=True)
    is_silent = models.BooleanField(_("aucune relance (prélèvement, LCR)"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("scénario")
        verbose_name_plural = _("scénarios")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["company", "name"], name="scenario_name_unique"),
            models.UniqueConstraint(
                fields=["company", "payer_profile"],
                condition=~Q(payer_profile=""),
                name="scenario_profile_unique",
            ),
            models.UniqueConstraint(
                fields=["company"], condition=Q(is_default=True), name="scenario_one_default"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Step(models.Model):
    """One step: when (days from the due date), how (channel), with what firmness."""

    scenario = models.ForeignKey(Scenario, on_delete=models.CASCADE, related_name="steps")
    level = models.PositiveSmallIntegerField(_("niveau"))
    name = models.CharField(_("nom"), max_length=100)
    offset_days = models.SmallIntegerField(
        _("jours après l'échéance"), help_text=_("Négatif : rappel avant l'échéance.")
    )
    min_gap_days = models.PositiveSmallIntegerField(_("écart minimal (jours)"), default=0)
    channel = models.CharField(_("canal"), max_length=20, choices=CHANNELS)
    min_amount = models.DecimalField(_("montant minimal"), default=0, **MONEY)
    needs_approval = models.BooleanField(_("validation requise"), default=False)
    mentions_penalties = models.BooleanField(_("mentionne pénalités et indemnité"), default=False)
    escalation = models.CharField(
        _("action"), max_length=20, choices=ESCALATIONS, blank=True, default=""
    )

    class Meta:
        verbose_name = _("étape")
        verbose_name_plural = _("étapes")
        ordering = ["scenario", "level"]
        constraints = [
            models.UniqueConstraint(fields=["scenario", "level"], name="step_level_unique")
        ]

    def __str__(self) -> str:
        return f"{self.level}. {self.name}"


class StepTemplate(models.Model):
    """The text of a step in one language (Django template syntax, see docs/templates.md)."""

    step = models.ForeignKey(Step, on_delete=models.CASCADE, related_name="templates")
    language = models.CharField(_("langue"), max_length=5, choices=settings.LANGUAGES)
    subject = models.CharField(_("objet"), max_length=200)
    body = models.TextField(_("texte"))

    class Meta:
        verbose_name = _("modèle de message")
        verbose_name_plural = _("modèles de message")
        constraints = [
            models.UniqueConstraint(fields=["step", "language"], name="template_language_unique")
        ]

    def __str__(self) -> str:
        return f"{self.step} ({self.language})"


class Hold(models.Model):
    """No reminder for a customer (or one invoice) until `ends_on` (or until lifted)."""

    company = models.ForeignKey("ledger.Company", on_delete=models.CASCADE, db_index=False)
    customer = models.ForeignKey("ledger.Customer", on_delete=models.CASCADE, related_name="holds")
    invoice = models.ForeignKey(
        "ledger.Invoice", null=True, blank=True, on_delete=models.CASCADE, related_name="holds"
    )
    reason = models.CharField(_("motif"), max_length=200)
    ends_on = models.DateField(_("jusqu'au"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    lifted_at = models.DateTimeField(_("levé le"), null=True, blank=True)

    class Meta:
        verbose_name = _("blocage")
        verbose_name_plural = _("blocages")
        indexes = [models.Index(fields=["company", "ends_on"])]

    def __str__(self) -> str:
        return self.reason


class Dispute(models.Model):
    """A contested invoice (or part of it, `amount`): not reminded until resolved, or, for a
    part, reminded for the rest only (relance.dunning.disputes)."""

    class Reason(models.TextChoices):
        PRICE = "price", _("Prix")
        QUANTITY = "quantity", _("Quantité")
        QUALITY = "quality", _("Qualité")
        NOT_RECEIVED = "not_received", _("Non reçu")
        ALREADY_PAID = "already_paid", _("Déjà payé")
        OTHER = "other", _("Autre")

    class Status(models.TextChoices):
        OPEN = "open", _("Ouvert")
        RESOLVED = "resolved", _("Résolu")

    class Resolution(models.TextChoices):
        CREDIT_NOTE = "credit_note", _("Avoir émis")
        CORRECTED_INVOICE = "corrected_invoice", _("Facture rectifiée")
        REJECTED = "rejected", _("Litige rejeté")

    company = models.ForeignKey("ledger.Company", on_delete=models.CASCADE, db_index=False)
    customer = models.ForeignKey(
        "ledger.Customer", on_delete=models.CASCADE, related_name="disputes"
    )
    invoice = models.ForeignKey("ledger.Invoice", on_delete=models.CASCADE, related_name="disputes")
    amount = models.DecimalField(
        _("montant contesté"),
        null=True,
        blank=True,
        help_text=_("Vide : toute la facture."),
        **MONEY,
    )
    reason = models.CharField(_("motif"), max_length=20, choices=Reason.choices)
    description = models.TextField(_("description"), blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="owned_disputes",
        verbose_name=_("responsable"),
    )
    status = models.CharField(
        _("statut"), max_length=10, choices=Status.choices, default=Status.OPEN
    )
    resolution = models.CharField(
        _("résolution"), max_length=20, choices=Resolution.choices, blank=True
    )
    resolution_note = models.TextField(_("note de résolution"), blank=True)
    opened_at = models.DateTimeField(auto_now_add=True)
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("litige")
        verbose_name_plural = _("litiges")
        indexes = [models.Index(fields=["company", "status"])]

    def __str__(self) -> str:
        return f"{self.invoice} — {self.get_reason_display()}"


class Promise(models.Model):
    """A dated commitment to pay; reminders pause until its date plus a grace period. The
    daily run decides it kept (paid by then) or broken (relance.dunning.promises)."""

    class Channel(models.TextChoices):
        CALL = "call", _("Appel téléphonique")
        EMAIL = "email", _("E-mail")
        LETTER = "letter", _("Courrier")
        SELF_SERVICE = "self_service", _("Espace client")
        OTHER = "other", _("Autre")

    class Status(models.TextChoices):
        OPEN = "open", _("En cours")
        KEPT = "kept", _("Tenue")
        BROKEN = "broken", _("Non tenue")

    company = models.ForeignKey("ledger.Company", on_delete=models.CASCADE, db_index=False)
    customer = models.ForeignKey(
        "ledger.Customer", on_delete=models.CASCADE, related_name="promises"
    )
    invoices = models.ManyToManyField(
        "ledger.Invoice", blank=True, related_name="promises", verbose_name=_("factures")
    )
    promised_on = models.DateField(_("date promise"))
    # Without an amount given, the open amount of its items when the promise was made.
    amount = models.DecimalField(_("montant"), **MONEY)
    currency = models.CharField(_("devise"), max_length=3, default="EUR")
    channel = models.CharField(_("reçue par"), max_length=20, blank=True, choices=Channel.choices)
    made_on = models.DateField(_("faite le"), null=True, blank=True)
    status = models.CharField(
        _("statut"), max_length=10, choices=Status.choices, default=Status.OPEN
    )
    paid_amount = models.DecimalField(_("montant reçu"), null=True, blank=True, **MONEY)
    decided_on = models.DateField(_("constatée le"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("promesse de règlement")
        verbose_name_plural = _("promesses de règlement")
        indexes = [models.Index(fields=["company", "status", "promised_on"])]

    def __str__(self) -> str:
        return f"{self.amount} {self.currency} — {self.promised_on}"


class DunningRun(models.Model):
    """One daily run for one company and date: at most one, so a second run finds it done."""

    company = models.ForeignKey(
        "ledger.Company", on_delete=models.CASCADE, related_name="dunning_runs", db_index=False
    )
    run_on = models.DateField(_("date de la relance"))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    started_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    reminders = models.PositiveIntegerField(_("relances créées"), default=0)
    excluded = models.PositiveIntegerField(_("exclusions"), default=0)
    # Freshness of the bank data when the run happened (shown before a run, DESIGN.md rule 1).
    summary = models.JSONField(default=dict)

    class Meta:
        verbose_name = _("passage de relance")
        verbose_name_plural = _("passages de relance")
        ordering = ["-run_on"]
        constraints = [
            models.UniqueConstraint(fields=["company", "run_on"], name="dunning_run_once_a_day")
        ]

    def __str__(self) -> str:
        return f"{self.company.code} {self.run_on}"

    @property
    def bank_data_on(self) -> date | None:
        """The freshest bank date the run relied on (kept in `summary`)."""
        day = self.summary.get("bank_data_on")
        return date.fromisoformat(day) if day else None


class Reminder(models.Model):
    """One message (or task) to one customer, in one currency, through one channel.

    Written as pending or awaiting approval in the same transaction as the run; a worker
    claims it, sends it and records what was sent. A crash between "sending" and "sent"
    leaves it "uncertain" for a person to resolve: it is never retried blindly."""

    class Status(models.TextChoices):
        AWAITING_APPROVAL = "awaiting_approval", _("À valider")
        PENDING = "pending", _("À envoyer")
        SENDING = "sending", _("En cours d'envoi")
        SENT = "sent", _("Envoyée")
        UNCERTAIN = "uncertain", _("Incertaine")
        FAILED = "failed", _("Échec")
        CANCELLED = "cancelled", _("Annulée")
        REJECTED = "rejected", _("Refusée")

    company = models.ForeignKey(
        "ledger.Company", on_delete=models.CASCADE, related_name="reminders", db_index=False
    )
    customer = models.ForeignKey(
        "ledger.Customer", on_delete=models.PROTECT, related_name="reminders"
    )
    run = models.ForeignKey(
        DunningRun, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    scenario = models.ForeignKey(Scenario, null=True, on_delete=models.SET_NULL, related_name="+")
    level = models.PositiveSmallIntegerField(_("niveau"))
    step_name = models.CharField(_("étape"), max_length=100)
    channel = models.CharField(_("canal"), max_length=20, choices=CHANNELS)
    escalation = models.CharField(max_length=20, choices=ESCALATIONS, blank=True, default="")
    language = models.CharField(_("langue"), max_length=5, default="fr")
    currency = models.CharField(_("devise"), max_length=3)
    amount = models.DecimalField(_("montant dû"), **MONEY)
    overdue_amount = models.DecimalField(_("dont échu"), **MONEY)
    mentions_penalties = models.BooleanField(default=False)
    status = models.CharField(_("statut"), max_length=20, choices=Status.choices)
    planned_on = models.DateField(_("prévue le"))
    not_before = models.DateTimeField(_("pas avant"), null=True, blank=True)
    # What was (or will be) sent, kept as evidence once sent.
    recipients = models.JSONField(_("destinataires"), default=list)
    subject = models.CharField(_("objet"), max_length=200, blank=True)
    body_text = models.TextField(_("texte"), blank=True)
    body_html = models.TextField(blank=True)
    attachments = models.JSONField(default=list)  # [{"name", "sha256"}]
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    claimed_by = models.CharField(max_length=100, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    # Set right before the channel is asked to send: a claim interrupted before this moment
    # never reached the channel and goes back to pending; after it, it is uncertain.
    attempt_started_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(_("envoyée le"), null=True, blank=True)
    error = models.TextField(_("erreur"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("relance")
        verbose_name_plural = _("relances")
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["company", "status"]),
            models.Index(fields=["customer", "created_at"]),
            # Workers claim pending reminders in id order: this index walks only those.
            models.Index(fields=["id"], condition=Q(status="pending"), name="reminder_pending"),
        ]

    def __str__(self) -> str:
        return f"{self.customer} — {self.step_name}"

    def listed_items(self) -> list["ReminderItem"]:
        """The listed items with their invoices, in order; from the prefetch the sender makes
        for a whole batch when there is one."""
        cached = getattr(self, "_prefetched_objects_cache", {}).get("items")
        if cached is not None:
            return list(cached)
        return list(self.items.select_related("invoice").order_by("pk"))


class ReminderItem(models.Model):
    """An open item listed in a reminder; `moved_to_level` when the reminder gave it a step
    (the history the planner reads: what each item already received)."""

    reminder = models.ForeignKey(Reminder, on_delete=models.CASCADE, related_name="items")
    invoice = models.ForeignKey(
        "ledger.Invoice", on_delete=models.PROTECT, related_name="reminder_items"
    )
    open_amount = models.DecimalField(_("reste dû"), **MONEY)
    moved_to_level = models.PositiveSmallIntegerField(null=True, blank=True)
    # The day of that step when it is not the reminder's planned day: an item that joined an
    # open call or task on a later day (relance.dunning.joining); its minimum gap runs from it.
    moved_on = models.DateField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(
                fields=["invoice", "moved_to_level"],
                condition=Q(moved_to_level__isnull=False),
                name="reminder_item_moves",
            )
        ]

    def __str__(self) -> str:
        return f"{self.invoice_id} in {self.reminder_id}"


class ReminderEvent(models.Model):
    """Append-only history of a reminder: each status change, who, when, why."""

    reminder = models.ForeignKey(Reminder, on_delete=models.PROTECT, related_name="events")
    status = models.CharField(max_length=20, choices=Reminder.Status.choices)
    at = models.DateTimeField(auto_now_add=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.reminder_id}: {self.status}"


class Exclusion(models.Model):
    """Why a due item or customer got no reminder in a run (the run's explanation)."""

    run = models.ForeignKey(DunningRun, on_delete=models.CASCADE, related_name="exclusions")
    customer = models.ForeignKey("ledger.Customer", on_delete=models.CASCADE, related_name="+")
    invoice = models.ForeignKey(
        "ledger.Invoice", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    currency = models.CharField(max_length=3)
    reason = models.CharField(max_length=20, choices=REASONS)

    def __str__(self) -> str:
        return f"{self.customer_id}: {self.reason}"


class Call(models.Model):
    """One phone call (or attempt at an internal task) made for a reminder, with its outcome:
    append-only, like the reminder's history. A wrong number stays recorded against the
    contact and the number called, so the call sheet warns until the number is corrected."""

    class Outcome(models.TextChoices):
        PROMISE = "promise", _("Promesse obtenue")
        DISPUTE = "dispute", _("Litige soulevé")
        ALREADY_PAID = "already_paid", _("Dit avoir payé")
        COPY_REQUESTED = "copy_requested", _("Demande une copie de la facture")
        VOICEMAIL = "voicemail", _("Message laissé sur répondeur")
        NO_ANSWER = "no_answer", _("Pas de réponse")
        WRONG_NUMBER = "wrong_number", _("Numéro erroné")
        DONE = "done", _("Tâche faite")
        POSTPONED = "postponed", _("Tâche reportée")

    company = models.ForeignKey("ledger.Company", on_delete=models.CASCADE, db_index=False)
    customer = models.ForeignKey("ledger.Customer", on_delete=models.CASCADE, related_name="calls")
    reminder = models.ForeignKey(Reminder, on_delete=models.PROTECT, related_name="calls")
    contact = models.ForeignKey(
        "ledger.Contact",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="calls",
        verbose_name=_("interlocuteur"),
    )
    phone = models.CharField(_("numéro appelé"), max_length=20, blank=True)
    outcome = models.CharField(_("issue"), max_length=20, choices=Outcome.choices)
    note = models.TextField(_("notes"), blank=True)
    next_action_on = models.DateField(_("prochaine action le"), null=True, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("appel")
        verbose_name_plural = _("appels")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.customer_id}: {self.outcome}"


class FollowUp(models.Model):
    """Something a person must do after a call: check a payment the customer says was made
    (for the accountant), send a copy of an invoice. Shown on the agenda until done."""

    class Kind(models.TextChoices):
        CHECK_PAYMENT = "check_payment", _("Paiement annoncé à vérifier")
        SEND_COPY = "send_copy", _("Copie de facture à envoyer")

    company = models.ForeignKey("ledger.Company", on_delete=models.CASCADE, db_index=False)
    customer = models.ForeignKey(
        "ledger.Customer", on_delete=models.CASCADE, related_name="follow_ups"
    )
    call = models.ForeignKey(
        Call, null=True, blank=True, on_delete=models.SET_NULL, related_name="follow_ups"
    )
    kind = models.CharField(_("type"), max_length=20, choices=Kind.choices)
    invoices = models.ManyToManyField(
        "ledger.Invoice", blank=True, related_name="+", verbose_name=_("factures")
    )
    note = models.TextField(_("notes"), blank=True)
    due_on = models.DateField(_("à faire le"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    done_at = models.DateTimeField(_("fait le"), null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    done_note = models.TextField(_("compte rendu"), blank=True)

    class Meta:
        verbose_name = _("suite à donner")
        verbose_name_plural = _("suites à donner")
        ordering = ["due_on", "pk"]
        indexes = [models.Index(fields=["company", "done_at"])]

    def __str__(self) -> str:
        return f"{self.customer_id}: {self.kind}"
