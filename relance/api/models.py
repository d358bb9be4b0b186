"""The REST API's records: per-user tokens, idempotency keys, and the webhooks (endpoints,
the outbox of events, their deliveries and every attempt's answer).

Tokens are stored as their SHA-256 only: whoever reads the database cannot call the API. A
webhook endpoint's secret is kept as is, since it signs every payload (HMAC-SHA256).
"""

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ApiToken(models.Model):
    """A secret that acts as its user on /api/v1/, with the user's role in each company."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(_("nom"), max_length=100)
    # The first characters of the token, to recognise it in a list (never enough to use it).
    prefix = models.CharField(_("début du jeton"), max_length=12)
    digest = models.CharField(max_length=64, unique=True)  # SHA-256 of the whole token
    created_at = models.DateTimeField(_("créé le"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expire le"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("dernière utilisation"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("révoqué le"), null=True, blank=True)

    class Meta:
        verbose_name = _("jeton d'API")
        verbose_name_plural = _("jetons d'API")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    def is_active(self, now=None) -> bool:
        now = now or timezone.now()
        expired = self.expires_at is not None and self.expires_at <= now
        return self.revoked_at is None and not expired


class IdempotencyKey(models.Model):
    """The first answer to a POST sent with an `Idempotency-Key` header, replayed when the
    same user sends the same key again (a client retrying after a timeout creates nothing
    twice); the same key with another request is refused."""

    TTL = timedelta(hours=24)

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=255)
    fingerprint = models.CharField(max_length=64)  # SHA-256 of method, path and body
    status_code = models.PositiveSmallIntegerField()
    content_type = models.CharField(max_length=100)
    body = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], name="idempotency_key_unique")
        ]
        indexes = [models.Index(fields=["expires_at"])]

    def __str__(self) -> str:
        return f"{self.user_id}: {self.key}"


class Event(models.TextChoices):
    """What a company can be told about. `ping` is the test event of the "send" button."""

    REMINDER_SENT = "reminder.sent", _("Relance envoyée")
    PAYMENT_RECEIVED = "payment.received", _("Règlement reçu")
    PROMISE_MADE = "promise.made", _("Promesse de règlement enregistrée")
    PROMISE_BROKEN = "promise.broken", _("Promesse de règlement non tenue")
    DISPUTE_OPENED = "dispute.opened", _("Litige ouvert")
    DISPUTE_RESOLVED = "dispute.resolved", _("Litige résolu")
    CUSTOMER_BLOCKED = "customer.blocked", _("Commandes du client bloquées")
    PING = "ping", _("Événement de test")


SUBSCRIBABLE = [event for event in Event if event != Event.PING]


class WebhookEndpoint(models.Model):
    """A URL of the company's own software that receives the events it subscribed to."""

    company = models.ForeignKey(
        "ledger.Company", on_delete=models.CASCADE, related_name="webhook_endpoints"
    )
    url = models.URLField(_("URL"), max_length=500)
    description = models.CharField(_("description"), max_length=200, blank=True)
    events = models.JSONField(_("événements"), default=list)
    secret = models.CharField(_("secret de signature"), max_length=80)
    is_active = models.BooleanField(_("actif"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("point de réception de webhooks")
        verbose_name_plural = _("points de réception de webhooks")
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.url


class WebhookEvent(models.Model):
    """The outbox: one row per event, written in the transaction of the change it reports."""

    company = models.ForeignKey("ledger.Company", on_delete=models.CASCADE, related_name="+")
    event = models.CharField(_("événement"), max_length=40, choices=Event.choices)
    payload = models.JSONField(default=dict)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"evt_{self.pk} {self.event}"


class WebhookDelivery(models.Model):
    """One event for one endpoint: pending until the endpoint answers 2xx, retried with
    backoff, failed after the last attempt."""

    class Status(models.TextChoices):
        PENDING = "pending", _("À livrer")
        SENDING = "sending", _("En cours")
        DELIVERED = "delivered", _("Livré")
        FAILED = "failed", _("Échec")

    event = models.ForeignKey(WebhookEvent, on_delete=models.CASCADE, related_name="deliveries")
    endpoint = models.ForeignKey(
        WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries"
    )
    status = models.CharField(
        _("statut"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("essais"), default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    claimed_by = models.CharField(max_length=150, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(_("livré le"), null=True, blank=True)
    last_status_code = models.PositiveSmallIntegerField(_("dernier code"), null=True, blank=True)
    last_error = models.TextField(_("dernière erreur"), blank=True)

    class Meta:
        ordering = ["-pk"]
        indexes = [
            models.Index(
                fields=["next_attempt_at"], condition=Q(status="pending"), name="webhook_due"
            )
        ]

    def __str__(self) -> str:
        return f"{self.event_id} → {self.endpoint_id}: {self.status}"


class WebhookAttempt(models.Model):
    """The delivery log: each try, its HTTP status (none when nothing answered) and why."""

    delivery = models.ForeignKey(
        WebhookDelivery, on_delete=models.CASCADE, related_name="attempt_log"
    )
    at = models.DateTimeField(default=timezone.now)
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    error = models.TextField(blank=True)
    response_excerpt = models.TextField(blank=True)

    class Meta:
        ordering = ["-at", "-pk"]

    def __str__(self) -> str:
        return f"{self.delivery_id} {self.at:%Y-%m-%d %H:%M:%S}: {self.status_code or self.error}"
