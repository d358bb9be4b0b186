"""SMS: the reminder's text, fitted into two segments, sent to the customer's mobile through
the configured provider, or kept in the local outbox when there is none.

One module per provider (twilio.py, ovh.py), each a `Transport` with one method; the one
HTTP call they make is http.post. `SmsChannel` does what is common: picks the number, fits
the text, estimates segments and cost, and says what went out (the number and the text are
kept on the reminder as evidence, the segments, encoding, estimated cost and the provider's
message id in its history).

The text is the step's template for the SMS channel (texts.py, or the one a manager edited),
rendered like any reminder; typographic spaces and quotes become plain ones (a no-break space
in an amount would turn the whole SMS into UCS-2), and a text too long for MAX_SEGMENTS is
cut between words, a trailing link kept whole.
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Protocol

from django.conf import settings
from django.urls import reverse

from relance.core import sms
from relance.dunning.channels import Delivery, PermanentFailure

if TYPE_CHECKING:
    from relance.dunning.models import Reminder
    from relance.ledger.models import Customer

MAX_SEGMENTS = 2  # issue 5: "short enough for one or two segments"
LOCAL_NOTE = "boîte d'envoi locale"
_ROLES = {"billing": 0, "accounting": 1}
_TRAILING_LINK = re.compile(r"\s(https?://\S+)$")


@dataclass(frozen=True)
class Message:
    """One SMS as a provider receives it."""

    to: str  # E.164
    text: str
    encoding: sms.Encoding
    callback_url: str = ""  # where the provider posts delivery receipts, when it does


class Transport(Protocol):
    """A provider: sends one SMS, returns its id, raises TemporaryFailure or
    PermanentFailure (channels/__init__.py)."""

    name: str
    callback_route: str  # the URL name of its delivery-receipt hook, "" when it has none

    def send(self, message: Message) -> str: ...


@dataclass(frozen=True)
class Preview:
    """What an SMS reminder would send (or sent): shown before sending."""

    text: str
    estimate: sms.Estimate
    is_shortened: bool
    to: str  # the number it goes (or would go) to, "" with the reason in `problem`
    problem: str = ""


class SmsChannel:
    """Sends SMS reminders through `transport`, or keeps them in the local outbox (None)."""

    def __init__(
        self, transport: Transport | None, *, unit_cost: Decimal, public_url: str = ""
    ) -> None:
        self.transport, self.unit_cost, self.public_url = transport, unit_cost, public_url

    def send(self, reminder: Reminder) -> Delivery:
        number, name = recipient(reminder.customer)
        text = sms_text(reminder.body_text)
        if not text:
            raise PermanentFailure("texte du SMS vide (modèle de l'étape à revoir)")
        estimate = sms.estimate(text, self.unit_cost)
        note = f"SMS au {number} : {describe(estimate)}"
        if self.transport is None:
            note = f"{LOCAL_NOTE} : {note}"
        else:
            message = Message(number, text, estimate.encoding, self._callback_url(reminder))
            note += f" ; {self.transport.name} {self.transport.send(message)}"
        to = [{"phone": number, "name": name, "kind": "to"}]
        return Delivery(note=note, recipients=to, text=text)

    def close(self) -> None:
        """Nothing to close: each SMS is one HTTPS request."""

    def _callback_url(self, reminder: Reminder) -> str:
        route = self.transport.callback_route if self.transport else ""
        if not (route and self.public_url):
            return ""  # receipts need an address the provider can reach
        return self.public_url.rstrip("/") + reverse(route, kwargs={"pk": reminder.pk})


def sms_channel() -> SmsChannel:
    """The provider of RELANCE_SMS_PROVIDER; none (or RELANCE_LOCAL_OUTBOX=true): the local
    outbox ("Boîte d'envoi")."""
    return SmsChannel(
        None if settings.RELANCE_SMS_LOCAL_OUTBOX else transport(),
        unit_cost=settings.RELANCE_SMS_UNIT_COST_EUR,
        public_url=settings.RELANCE_PUBLIC_URL,
    )


def transport() -> Transport | None:
    provider, sender = settings.RELANCE_SMS_PROVIDER, settings.RELANCE_SMS_SENDER
    timeout = settings.RELANCE_SMS_TIMEOUT
    if provider == "twilio":
        from .twilio import TwilioTransport

        return TwilioTransport(
            settings.TWILIO_ACCOUNT_SID,
            settings.TWILIO_AUTH_TOKEN,
            sender=sender,
            messaging_service_sid=settings.TWILIO_MESSAGING_SERVICE_SID,
            timeout=timeout,
        )
    if provider == "ovh":
        from .ovh import OvhTransport

        return OvhTransport(
            settings.OVH_APPLICATION_KEY,
            settings.OVH_APPLICATION_SECRET,
            settings.OVH_CONSUMER_KEY,
            settings.OVH_SMS_SERVICE_NAME,
            sender=sender,
            endpoint=settings.OVH_ENDPOINT,
            timeout=timeout,
        )
    return None


def recipient(customer: Customer) -> tuple[str, str]:
    """(number, contact name): the billing contact's mobile, else another contact's mobile,
    else a contact's phone that is a mobile number; never a contact who refused SMS."""
    contacts = sorted(customer.contacts.all(), key=lambda c: (_ROLES.get(c.role, 2), c.pk))
    numbers = [(c, c.mobile) for c in contacts] + [(c, c.phone) for c in contacts]
    mobiles = [(c, number) for c, number in numbers if number and sms.is_mobile_number(number)]
    if not mobiles:
        raise PermanentFailure("aucun numéro de mobile pour ce client")
    allowed = [(c, number) for c, number in mobiles if not c.sms_opt_out]
    if not allowed:
        names = ", ".join(sorted({c.name for c, _ in mobiles}))
        raise PermanentFailure(f"opposition aux SMS enregistrée ({names})")
    contact, number = allowed[0]
    return number, contact.name


def sms_text(body: str) -> str:
    """The rendered text as the SMS carries it: plain punctuation, at most MAX_SEGMENTS,
    a trailing link kept whole."""
    text = sms.plain_punctuation(body.strip())
    match = _TRAILING_LINK.search(text)
    if match:
        try:
            return sms.fit(text[: match.start()].rstrip(), MAX_SEGMENTS, keep=match.group(1))
        except ValueError:
            pass  # a link too long for the SMS: cut like the rest
    return sms.fit(text, MAX_SEGMENTS)


def describe(estimate: sms.Estimate) -> str:
    """ "2 segments GSM-7 (190 caractères), coût estimé 0,10 €"."""
    plural = "s" if estimate.segments > 1 else ""
    return (
        f"{estimate.segments} segment{plural} {estimate.encoding.value}"
        f" ({estimate.length} caractères), coût estimé {euros(estimate.cost)}"
    )


def euros(amount: Decimal) -> str:
    """0,10 € (cents at least, more when the unit price has them: 0,045 €)."""
    cents = amount.quantize(Decimal("0.01"))
    shown = cents if cents == amount else amount.normalize()
    return f"{shown:f}".replace(".", ",") + " €"


def preview(reminder: Reminder, unit_cost: Decimal | None = None) -> Preview:
    """The SMS a reminder sends (its stored text, or the text rendered now when the run
    left it to the sender), where to, its segments and estimated cost."""
    from relance.dunning.render import render_reminder

    body = reminder.body_text
    if not body:
        draft = copy.copy(reminder)  # render without touching the reminder shown
        draft._portal_preview = True  # a self-service link of the real length, none issued
        body = render_reminder(draft)[1]
    text = sms_text(body)
    cost = settings.RELANCE_SMS_UNIT_COST_EUR if unit_cost is None else unit_cost
    shortened = text != sms.plain_punctuation(body.strip())
    sent_to = [r["phone"] for r in reminder.recipients if r.get("phone")]
    if sent_to:
        return Preview(text, sms.estimate(text, cost), shortened, sent_to[0])
    try:
        number, _ = recipient(reminder.customer)
    except PermanentFailure as failure:
        return Preview(text, sms.estimate(text, cost), shortened, "", str(failure))
    return Preview(text, sms.estimate(text, cost), shortened, number)
