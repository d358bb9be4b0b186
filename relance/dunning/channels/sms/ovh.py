"""OVHcloud SMS, the French provider: one SMS is one "job" of the SMS account.

Built from OVHcloud's public documentation:
- API SMS Cookbook, on-the-fly sending:
  https://docs.ovhcloud.com/en/guides/web-cloud/messaging/sms/api-sms-cookbook
  `POST /sms/{serviceName}/jobs` with `message`, `receivers` (one number for on-the-fly
  sending), `sender` (a sender validated on the account) or `senderForResponse`, `coding`
  (7bit or 8bit), `noStopClause` (a non-commercial SMS: no "STOP" mention appended),
  `priority`, `validityPeriod`; the answer lists `ids`, `validReceivers`,
  `invalidReceivers` and `totalCreditsRemoved` (the sending guides in PHP, C# and Java show
  the same call and answer).
- First steps with the OVHcloud API (request signing):
  https://docs.ovh.com/gb/en/customer/first-steps-with-ovh-api/
  headers X-Ovh-Application (application key), X-Ovh-Consumer (consumer key),
  X-Ovh-Timestamp (Unix time) and X-Ovh-Signature = "$1$" + SHA1 hex of
  application secret + "+" + consumer key + "+" + method + "+" + full URL + "+" + body + "+"
  + timestamp. OVHcloud refuses a timestamp far from its own clock: keep the server's clock
  synchronised (NTP).
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable

from relance.core.sms import Encoding
from relance.dunning.channels import PermanentFailure, TemporaryFailure

from . import Message, http

EU_ENDPOINT = "https://eu.api.ovh.com/1.0"
# An SMS still undelivered after two days (a phone off) is no longer worth delivering.
VALIDITY_MINUTES = 2880


class OvhTransport:
    """Sends one SMS per call as a job of the OVHcloud SMS account `service_name`."""

    name = "OVHcloud"
    # Delivery receipts are not asked for: the SMS history shows what OVHcloud accepted.
    callback_route = ""

    def __init__(
        self,
        application_key: str,
        application_secret: str,
        consumer_key: str,
        service_name: str,
        *,
        sender: str = "",
        endpoint: str = EU_ENDPOINT,
        timeout: float = 15,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.application_key, self.application_secret = application_key, application_secret
        self.consumer_key, self.service_name = consumer_key, service_name
        self.sender, self.endpoint = sender, endpoint.rstrip("/")
        self.timeout, self.clock = timeout, clock

    def send(self, message: Message) -> str:
        """OVHcloud's id of the SMS."""
        url = f"{self.endpoint}/sms/{self.service_name}/jobs"
        body = json.dumps(self._job(message), separators=(",", ":"))
        response = http.post(url, headers=self._headers("POST", url, body),
                             body=body.encode(), timeout=self.timeout)  # fmt: skip
        payload = http.json_object(response.body)
        if response.status != 200:
            raise failure(response.status, payload)
        ids = payload.get("ids") or []
        if message.to in (payload.get("invalidReceivers") or []) or not ids:
            raise PermanentFailure(f"numéro refusé par OVHcloud : {message.to}")
        return str(ids[0])

    def _job(self, message: Message) -> dict[str, object]:
        job: dict[str, object] = {
            "charset": "UTF-8",
            "class": "phoneDisplay",
            "coding": "8bit" if message.encoding is Encoding.UCS2 else "7bit",
            "message": message.text,
            # A payment reminder is not a commercial message: no "STOP" mention.
            "noStopClause": True,
            "priority": "high",
            "receivers": [message.to],
            "validityPeriod": VALIDITY_MINUTES,
        }
        if self.sender:
            job["sender"] = self.sender
        else:  # no sender validated on the account: OVHcloud's short number
            job["senderForResponse"] = True
        return job

    def _headers(self, method: str, url: str, body: str) -> dict[str, str]:
        timestamp = str(int(self.clock()))
        return {
            "Content-Type": "application/json; charset=utf-8",
            "Accept": "application/json",
            "X-Ovh-Application": self.application_key,
            "X-Ovh-Consumer": self.consumer_key,
            "X-Ovh-Timestamp": timestamp,
            "X-Ovh-Signature": signature(
                self.application_secret, self.consumer_key, method, url, body, timestamp
            ),
        }


def signature(secret: str, consumer_key: str, method: str, url: str, body: str, ts: str) -> str:
    """OVHcloud's request signature: "$1$" + SHA1 hex of the six parts joined by "+"."""
    signed = "+".join((secret, consumer_key, method, url, body, ts))
    return "$1$" + hashlib.sha1(signed.encode()).hexdigest()


def failure(status: int, payload: dict) -> TemporaryFailure | PermanentFailure:
    """Whether trying again can help, from OVHcloud's status (errors carry a `message`)."""
    detail = f"OVHcloud {status} : {payload.get('message') or 'réponse inattendue'}"
    if status in (401, 403):
        # Keys refused, expired or without the right on /sms/*/jobs; or a clock too far
        # from OVHcloud's. Every SMS would fail alike: stop and retry with backoff.
        return TemporaryFailure(f"clés OVHcloud refusées — {detail}", is_outage=True)
    if status == 404:
        return TemporaryFailure(f"compte SMS OVH_SMS_SERVICE_NAME introuvable — {detail}",
                                is_outage=True)  # fmt: skip
    if status == 429 or status >= 500:
        return TemporaryFailure(f"service OVHcloud indisponible — {detail}", is_outage=True)
    return PermanentFailure(f"SMS refusé — {detail}")
