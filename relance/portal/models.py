"""The debtor's self-service page: the links that open it, what each company lets debtors do
there, what they did (claims of payment, payment-plan requests, attachments), and the card
payments taken through a payment provider.

A link's token is never stored: only its SHA-256 (relance.portal.links).
"""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

MONEY = {"max_digits": 14, "decimal_places": 2}


def default_link_days() -> int:
    return settings.RELANCE_PORTAL_LINK_DAYS


def default_promise_max_days() -> int:
    return settings.RELANCE_PORTAL_PROMISE_MAX_DAYS


def default_plan_max_instalments() -> int:
    return settings.RELANCE_PORTAL_PLAN_MAX_INSTALMENTS


def default_claim_hold_days() -> int:
    return settings.RELANCE_PORTAL_CLAIM_HOLD_DAYS


class PortalPolicy(models.Model):
    """What a company lets its debtors do on their page; a company without a row gets the
    defaults of the settings (RELANCE_PORTAL_*)."""

    company = models.OneToOneField(
        "ledger.Company", on_delete=models.CASCADE, related_name="portal_policy"
    )
    link_days = models.PositiveSmallIntegerField(
        _("validité d'un lien (jours)"),
        default=default_link_days,
        validators=[MinValueValidator(1), MaxValueValidator(365)],
        help_text=_("Chaque relance envoie un nouveau lien, valable ce nombre de jours."),
    )
    promise_max_days = models.PositiveSmallIntegerField(
        _("date promise au plus tard (jours après aujourd'hui)"),
        default=default_promise_max_days,
        validators=[MinValueValidator(1), MaxValueValidator(180)],
    )
    plan_max_instalments = models.PositiveSmallIntegerField(
        _("échéancier demandé : nombre d'échéances au plus"),
        default=default_plan_max_instalments,
        validators=[MinValueValidator(2), MaxValueValidator(36)],
    )
    claim_hold_days = models.PositiveSmallIntegerField(
        _("paiement annoncé : relances suspendues (jours)"),
        default=default_claim_hold_days,
        validators=[MinValueValidator(1), MaxValueValidator(30)],
        help_text=_("Le temps que le virement apparaisse sur un relevé bancaire."),
    )

    class Meta:
        verbose_name = _("règles de l'espace client")
        verbose_name_plural = _("règles de l'espace client")

    def __str__(self) -> str:
        return str(self.company)


class AccessToken(models.Model):
    """One link to a customer's page, sent in one reminder: random, signed, valid until
    `expires_at` unless revoked. Only the SHA-256 of the token is kept."""

    company = models.ForeignKey("ledger.Company", on_delete=models.CASCADE, db_index=False)
    customer = models.ForeignKey(
        "ledger.Customer", on_delete=models.CASCADE, related_name="portal_tokens"
    )
    reminder = models.ForeignKey(
        "dunning.Reminder", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)  # `expires_at` counts from it
    expires_at = models.DateTimeField(_("expire le"))
    revoked_at = models.DateTimeField(_("révoqué le"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    first_used_at = models.DateTimeField(_("ouvert la première fois le"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("ouvert la dernière fois le"), null=True, blank=True)

    class Meta:
        verbose_name = _("lien vers l'espace client")
        verbose_name_plural = _("liens vers l'espace client")
        indexes = [models.Index(fields=["customer", "expires_at"])]

    def __str__(self) -> str:
        return f"{self.customer_id} → {self.expires_at:%Y-%m-%d}"


class PaymentClaim(models.Model):
    """The debtor says the items are paid: they are held a few days and the accountant is
    asked to find the payment in the bank (a "paiement annoncé à vérifier" follow-up)."""

    company = models.ForeignKey("ledger.Company", on_delete=models.CASCADE, db_index=False)
    customer = models.ForeignKey(
        "ledger.Customer", on_delete=models.CASCADE, related_name="payment_claims"
    )
    invoices = models.ManyToManyField("ledger.Invoice", related_name="+")
    paid_on = models.DateField(_("payé le"))
    amount = models.DecimalField(_("montant"), **MONEY)
    currency = models.CharField(_("devise"), max_length=3)
    hold_ends_on = models.DateField(_("relances suspendues jusqu'au"))
    follow_up = models.ForeignKey(
        "dunning.FollowUp", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("paiement annoncé")
        verbose_name_plural = _("paiements annoncés")

    def __str__(self) -> str:
        return f"{self.amount} {self.currency} — {self.paid_on}"


class PlanRequest(models.Model):
    """A debtor asks for a payment plan; a manager accepts it (the plan is agreed through
    relance.plans) or refuses it."""

    class Status(models.TextChoices):
        REQUESTED = "requested", _("À décider")
        ACCEPTED = "accepted", _("Accepté")
        REFUSED = "refused", _("Refusé")

    company = models.ForeignKey("ledger.Company", on_delete=models.CASCADE, db_index=False)
    customer = models.ForeignKey(
        "ledger.Customer", on_delete=models.CASCADE, related_name="plan_requests"
    )
    invoices = models.ManyToManyField("ledger.Invoice", related_name="+")
    instalments = models.PositiveSmallIntegerField(_("nombre d'échéances"))
    amount = models.DecimalField(_("montant"), **MONEY)
    currency = models.CharField(_("devise"), max_length=3)
    status = models.CharField(
        _("statut"), max_length=10, choices=Status.choices, default=Status.REQUESTED
    )
    decided_at = models.DateTimeField(_("décidé le"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decision_note = models.TextField(_("motif"), blank=True)
    plan = models.ForeignKey(
        "plans.PaymentPlan", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("demande d'échéancier")
        verbose_name_plural = _("demandes d'échéancier")
        indexes = [models.Index(fields=["company", "status"])]

    def __str__(self) -> str:
        return f"{self.customer_id}: {self.instalments} × ({self.status})"


class DebtorAction(models.Model):
    """Something the debtor did on their page: a line of the customer's timeline, and of the
    collector's agenda until someone has dealt with it (`handled_at`)."""

    class Kind(models.TextChoices):
        PROMISE = "promise", _("Promesse de règlement")
        DISPUTE = "dispute", _("Litige")
        CLAIM = "claim", _("Paiement annoncé")
        PLAN_REQUEST = "plan_request", _("Demande d'échéancier")
        CARD_PAYMENT = "card_payment", _("Paiement en ligne")

    company = models.ForeignKey("ledger.Company", on_delete=models.CASCADE, db_index=False)
    customer = models.ForeignKey(
        "ledger.Customer", on_delete=models.CASCADE, related_name="debtor_actions"
    )
    token = models.ForeignKey(
        AccessToken, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    kind = models.CharField(_("type"), max_length=20, choices=Kind.choices)
    summary = models.CharField(_("résumé"), max_length=300)
    note = models.TextField(_("message du client"), blank=True)
    amount = models.DecimalField(_("montant"), null=True, blank=True, **MONEY)
    currency = models.CharField(_("devise"), max_length=3, blank=True)
    promise = models.ForeignKey(
        "dunning.Promise", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    dispute = models.ForeignKey(
        "dunning.Dispute", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    claim = models.ForeignKey(
        PaymentClaim, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    plan_request = models.ForeignKey(
        PlanRequest, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    payment = models.ForeignKey(
        "ledger.Payment", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    handled_at = models.DateTimeField(_("traité le"), null=True, blank=True)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("action du client")
        verbose_name_plural = _("actions du client")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(
                fields=["company", "created_at"],
                condition=Q(handled_at__isnull=True),
                name="debtor_action_to_handle",
            )
        ]

    def __str__(self) -> str:
        return f"{self.customer_id}: {self.kind}"


class Upload(models.Model):
    """A file the debtor attached (proof of payment, dispute evidence): checked by its
    content, kept under settings.UPLOAD_ROOT (outside the web root) with its SHA-256."""

    company = models.ForeignKey("ledger.Company", on_delete=models.CASCADE, db_index=False)
    action = models.ForeignKey(DebtorAction, on_delete=models.CASCADE, related_name="uploads")
    name = models.CharField(_("fichier"), max_length=200)
    path = models.CharField(max_length=300)
    content_type = models.CharField(max_length=50)
    size = models.PositiveIntegerField(_("taille (octets)"))
    sha256 = models.CharField("SHA-256", max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("pièce jointe du client")
        verbose_name_plural = _("pièces jointes du client")

    def __str__(self) -> str:
        return self.name


class CheckoutSession(models.Model):
    """A payment started with a payment provider for some open items: its id there, and the
    ledger payment it became once the provider confirmed it (at most one)."""

    class Status(models.TextChoices):
        OPEN = "open", _("En cours")
        PAID = "paid", _("Payé")
        FAILED = "failed", _("Échoué")

    company = models.ForeignKey("ledger.Company", on_delete=models.CASCADE, db_index=False)
    customer = models.ForeignKey(
        "ledger.Customer", on_delete=models.CASCADE, related_name="checkout_sessions"
    )
    token = models.ForeignKey(
        AccessToken, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    invoices = models.ManyToManyField("ledger.Invoice", related_name="+")
    provider = models.CharField(max_length=20)
    provider_id = models.CharField(max_length=255, blank=True)
    # Sent with the creation request: a retried request never opens a second session.
    idempotency_key = models.CharField(max_length=64, unique=True)
    amount = models.DecimalField(_("montant"), **MONEY)
    currency = models.CharField(_("devise"), max_length=3)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    payment = models.OneToOneField(
        "ledger.Payment", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    paid_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("paiement en ligne")
        verbose_name_plural = _("paiements en ligne")
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "provider_id"],
                condition=~Q(provider_id=""),
                name="checkout_session_provider_id_unique",
            )
        ]

    def __str__(self) -> str:
        return f"{self.provider} {self.provider_id}"


class ProviderEvent(models.Model):
    """A provider's webhook event, kept once by its id: the same event delivered again (the
    provider retries until it gets a 2xx) finds it and does nothing."""

    provider = models.CharField(max_length=20)
    event_id = models.CharField(max_length=255)
    kind = models.CharField(max_length=100)
    received_at = models.DateTimeField(auto_now_add=True)
    session = models.ForeignKey(
        CheckoutSession, null=True, blank=True, on_delete=models.SET_NULL, related_name="events"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["provider", "event_id"], name="provider_event_once")
        ]

    def __str__(self) -> str:
        return f"{self.provider} {self.event_id}"
