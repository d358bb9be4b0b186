"""Twilio Programmable Messaging: one SMS is one Message resource created over HTTPS.

Built from Twilio's public documentation:
- Messages resource, create: https://www.twilio.com/docs/messaging/api/message-resource
  `POST https://api.twilio.com/2010-04-01/Accounts/{AccountSid}/Messages.json`, HTTP basic
  authentication AccountSid:AuthToken, form-encoded `To`, `From` (a number or an
  alphanumeric sender ID) or `MessagingServiceSid`, `Body`, `StatusCallback`; answers
  201 Created with the message's `sid`.
- Errors: https://www.twilio.com/docs/usage/twilios-response and the error dictionary
  https://www.twilio.com/docs/api/errors (JSON `{"code", "message", "more_info", "status"}`).
- Status callbacks and their signature: https://www.twilio.com/docs/usage/security
  (X-Twilio-Signature: base64 HMAC-SHA1, keyed by the auth token, of the full callback URL
  followed by each POST parameter name and value, sorted by name).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Iterable
from urllib.parse import urlencode

from relance.dunning.channels import PermanentFailure, TemporaryFailure

from . import Message, http

API = "https://api.twilio.com/2010-04-01"

# Errors of the message itself: sending it again cannot help, a person must act.
_REFUSED = {
    21211: "numéro de destinataire invalide",
    21214: "numéro de destinataire injoignable",
    21408: "envoi vers ce pays non autorisé sur le compte Twilio",
    21610: "le destinataire a répondu STOP (désinscrit)",
    21612: "numéro non joignable par SMS",
    21614: "le numéro n'est pas un mobile",
    21617: "texte trop long",
}
# Errors of the account or its configuration: every SMS would fail the same way. Like an
# SMTP authentication error (channels/email.py), they stop the pass and are retried with
# backoff, leaving time to fix the settings, instead of failing every reminder one by one.
_CONFIGURATION = {
    20003: "authentification refusée (TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN)",
    20005: "compte Twilio inactif",
    20404: "compte Twilio introuvable (TWILIO_ACCOUNT_SID)",
    20429: "trop de requêtes",
    21212: "expéditeur invalide (RELANCE_SMS_SENDER)",
    21603: "expéditeur manquant (RELANCE_SMS_SENDER ou TWILIO_MESSAGING_SERVICE_SID)",
    21606: "expéditeur non autorisé pour ce compte (RELANCE_SMS_SENDER)",
    21659: "expéditeur non autorisé pour ce compte (RELANCE_SMS_SENDER)",
}


class TwilioTransport:
    """Sends one SMS per call through the Messages resource."""

    name = "Twilio"
    callback_route = "sms_status_twilio"

    def __init__(
        self,
        account_sid: str,
        auth_token: str,
        *,
        sender: str = "",
        messaging_service_sid: str = "",
        timeout: float = 15,
    ) -> None:
        self.account_sid, self.auth_token = account_sid, auth_token
        self.sender, self.messaging_service_sid = sender, messaging_service_sid
        self.timeout = timeout

    def send(self, message: Message) -> str:
        """Twilio's message SID."""
        url = f"{API}/Accounts/{self.account_sid}/Messages.json"
        response = http.post(url, headers=self._headers(), body=self._body(message),
                             timeout=self.timeout)  # fmt: skip
        payload = http.json_object(response.body)
        if response.status in (200, 201) and payload.get("sid"):
            return str(payload["sid"])
        raise failure(response.status, payload)

    def _headers(self) -> dict[str, str]:
        credentials = f"{self.account_sid}:{self.auth_token}".encode()
        return {
            "Authorization": "Basic " + base64.b64encode(credentials).decode("ascii"),
            "Content-Type": "application/x-www-form-urlencoded",
            "Accept": "application/json",
        }

    def _body(self, message: Message) -> bytes:
        # A messaging service picks the sender itself (a pool of numbers, an alphanumeric ID).
        origin = (
            ("MessagingServiceSid", self.messaging_service_sid)
            if self.messaging_service_sid
            else ("From", self.sender)
        )
        fields = [("To", message.to), origin, ("Body", message.text)]
        if message.callback_url:
            fields.append(("StatusCallback", message.callback_url))
        return urlencode(fields).encode("ascii")


def failure(status: int, payload: dict) -> TemporaryFailure | PermanentFailure:
    """Whether trying again can help, from Twilio's status and error code."""
    code = payload.get("code")
    detail = f"Twilio {status}" + (f" (erreur {code})" if code else "")
    detail += f" : {payload.get('message') or 'réponse inattendue'}"
    if code in _REFUSED:
        return PermanentFailure(f"{_REFUSED[code]} — {detail}")
    if code in _CONFIGURATION or status in (401, 403, 404, 429):
        reason = _CONFIGURATION.get(code, "compte ou configuration")
        return TemporaryFailure(f"{reason} — {detail}", is_outage=True)
    if status >= 500:
        return TemporaryFailure(f"service Twilio indisponible — {detail}", is_outage=True)
    return PermanentFailure(f"SMS refusé — {detail}")


def signature(auth_token: str, url: str, params: Iterable[tuple[str, str]]) -> str:
    """The X-Twilio-Signature Twilio computes for a callback to `url` with these POST
    parameters (a name given several values contributes each, sorted)."""
    data = url + "".join(name + value for name, value in sorted(params))
    digest = hmac.new(auth_token.encode(), data.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode("ascii")


def is_signed(auth_token: str, url: str, params: Iterable[tuple[str, str]], given: str) -> bool:
    """Whether `given` is Twilio's signature of this callback (constant-time comparison)."""
    return bool(auth_token) and hmac.compare_digest(signature(auth_token, url, params), given)
