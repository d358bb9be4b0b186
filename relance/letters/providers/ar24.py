"""AR24 (Docaposte), electronic registered letters: the kept PDF is uploaded, then sent as a
registered e-mail to the debtor's billing contact; its status is read back by polling.

Built from AR24's public API documentation (https://developers.ar24.fr/doc/, the same text as
https://app.ar24.fr/api-doc/) and its knowledge base (https://www.ar24.fr/base-de-connaissances/
api/): requests are form data (multipart here, for the PDF), answers JSON, the HTTP status of
a success is always 200; an error is `{"status": "ERROR", "slug", "message"}`, a maintenance
`{"status": "maintenance"}`; AR24's own timeout is 60 s. Every call carries `token` (the API
access token) and `date` ("YYYY-MM-DD HH:MM:SS", Paris time, valid a few minutes) and a
`signature` header: the date encrypted with AES-256-CBC under the SHA-256 of the private key.
Successful answers may come encrypted the same way, keyed by SHA-256(date + private key).
- `POST /attachment/` (`file`, `id_user`) -> `result.file_id`;
- `POST /mail/` (`id_user`, `to_lastname`, `to_company`, `to_email`, `dest_statut`,
  `ref_client`, `ref_dossier`, `content`, `attachment[0]`) -> `result.id`;
- `GET /mail/?id=` -> `result.status`: waiting, sent (the recipient was notified: "ev",
  preuve de dépôt), AR (accepted: "ar", accusé de réception), refused, negligence (not
  claimed within 15 days), bounced; with the date of each event.
The full reference shows only its introduction to our search tool: the key and IV derivation
and the names of the dated fields follow AR24's PHP sample and public client libraries, and
must be checked against the sandbox (https://sandbox.ar24.fr/api) with the Postman collection
AR24 sends with the API access before the first real letter.
"""

from __future__ import annotations

import base64
import hashlib
import json
import uuid
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from relance.dunning.channels import PermanentFailure, TemporaryFailure

from . import Tracking, http

if TYPE_CHECKING:
    from relance.letters.models import Letter

API = "https://app.ar24.fr/api"
PARIS = ZoneInfo("Europe/Paris")  # AR24 checks the signed date against its Paris clock
_ROLES = {"billing": 0, "accounting": 1}

# AR24's mail status -> ours (Letter.Status values) and the field carrying its date.
STATUSES = {
    "waiting": ("sent", ""),  # accepted by AR24, the recipient not notified yet
    "sent": ("sent", "ts_ev_date"),
    "ar": ("delivered", "ts_ar_date"),
    "refused": ("refused", "refused_date"),
    "negligence": ("not_claimed", "negligence_date"),
}
# Errors of the letter itself: sending it again cannot help, a person must act.
_REFUSED = {
    "invalid_email": "adresse e-mail du destinataire refusée",
    "invalid_recipient": "destinataire refusé",
    "bounced": "adresse e-mail du destinataire en échec (bounce)",
    "invalid_file": "document refusé",
    "file_too_big": "document trop lourd",
    "invalid_attachment": "pièce jointe refusée",
}
# Errors of the account or its settings: every letter would fail alike; retried later,
# leaving time to fix them (as the SMS adapters do).
_CONFIGURATION = {
    "invalid_token": "jeton refusé (AR24_TOKEN)",
    "invalid_signature": "signature refusée (AR24_PRIVATE_KEY, ou horloge du serveur)",
    "expired_date": "date de signature expirée (horloge du serveur)",
    "user_not_exist": "compte expéditeur introuvable (AR24_USER_ID)",
    "no_payment_method": "aucun moyen de paiement sur le compte AR24",
}


class Ar24:
    """Sends one letter per call and reads its status, for the AR24 sender `user_id`."""

    name = "AR24"

    def __init__(
        self,
        token: str,
        private_key: str,
        user_id: str,
        *,
        endpoint: str = API,
        timeout: float = 60,
        clock: Callable[[], datetime] = lambda: datetime.now(PARIS),
        boundary: Callable[[], str] = lambda: uuid.uuid4().hex,
    ) -> None:
        self.token, self.private_key, self.user_id = token, private_key, user_id
        self.endpoint, self.timeout = endpoint.rstrip("/"), timeout
        self.clock, self.boundary = clock, boundary

    def send(self, letter: Letter) -> str:
        """AR24's id of the registered letter: the kept PDF, sent to the billing contact."""
        from relance.letters.services import stored

        reminder = letter.reminder
        customer = reminder.customer
        name, email = recipient(customer)
        pdf = stored(letter.pdf_path).read_bytes()
        upload = self._call("POST", "/attachment/", {}, ("file", Path(letter.pdf_path).name, pdf))
        fields = {
            "to_lastname": name,
            "to_company": "" if customer.is_consumer else customer.name,
            "to_email": email,
            "dest_statut": "particulier" if customer.is_consumer else "professionnel",
            "ref_client": customer.code,
            "ref_dossier": f"relance-{reminder.pk}",
            "content": reminder.subject or "Lettre recommandée",
            "attachment[0]": str(upload.get("file_id", "")),
        }
        return str(self._call("POST", "/mail/", fields).get("id", ""))

    def status(self, provider_id: str) -> Tracking:
        """Where the letter is: our status and the day of the event."""
        result = self._call("GET", "/mail/", {"id": provider_id})
        ours, field = STATUSES.get(str(result.get("status", "")).lower(), ("", ""))
        if not ours:  # bounced, error: AR24 could not deliver it at all
            raise PermanentFailure(f"AR24 : envoi en échec ({result.get('status')})")
        return Tracking(ours, _day(result.get(field)) if field else None)

    def _call(self, method, path, fields, file=None) -> dict:
        when = self.clock().astimezone(PARIS).strftime("%Y-%m-%d %H:%M:%S")
        params = {"token": self.token, "date": when, "id_user": self.user_id, **fields}
        headers = {"signature": signature(when, self.private_key), "Accept": "application/json"}
        url, body = f"{self.endpoint}{path}", None
        if method == "GET":
            url += "?" + urlencode(params)
        else:
            boundary = self.boundary()
            body = multipart(params, file, boundary)
            headers["Content-Type"] = f"multipart/form-data; boundary={boundary}"
        response = http.request(method, url, headers=headers, body=body, timeout=self.timeout)
        payload = _payload(response.body, when, self.private_key)
        if response.status != 200 or str(payload.get("status", "")).upper() != "SUCCESS":
            raise failure(response.status, payload)
        result = payload.get("result")
        return result if isinstance(result, dict) else {}


def recipient(customer) -> tuple[str, str]:
    """(name, e-mail): the billing contact's address, else another contact's."""
    contacts = sorted(customer.contacts.all(), key=lambda c: (_ROLES.get(c.role, 2), c.pk))
    for contact in contacts:
        if contact.email:
            return contact.name or customer.name, contact.email
    raise PermanentFailure("aucune adresse e-mail pour ce client : recommandé papier")


def signature(when: str, private_key: str) -> str:
    """AR24's `signature` header: `when` encrypted with AES-256-CBC, the key being the hex
    SHA-256 of the private key and the IV the first 16 characters of the hex SHA-256 of that
    (PHP's openssl_encrypt takes the first 32 characters of the hex key), base64."""
    key = hashlib.sha256(private_key.encode()).hexdigest()
    iv = hashlib.sha256(key.encode()).hexdigest()[:16]
    return base64.b64encode(encrypt(when.encode(), key[:32].encode(), iv.encode())).decode()


def decrypt_answer(body: bytes, when: str, private_key: str) -> bytes:
    """An encrypted answer in clear: the key is the hex SHA-256 of date + private key."""
    key = hashlib.sha256((when + private_key).encode()).hexdigest()[:32]
    iv = hashlib.sha256(hashlib.sha256(private_key.encode()).hexdigest().encode()).hexdigest()
    return decrypt(base64.b64decode(body), key.encode(), iv[:16].encode())


def encrypt(data: bytes, key: bytes, iv: bytes) -> bytes:
    """AES-256-CBC with PKCS#7 padding (cryptography, the standard library for it)."""
    from cryptography.hazmat.primitives import padding
    from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

    padder = padding.PKCS7(128).padder()
    padded = padder.update(data) + padder.finalize()
    encryptor = Cipher(algorithms.AES(key), modes.CBC(iv)).encryptor()
    return encryptor.update(padded) + encryptor.finalize()


def decrypt(data: bytes, key: bytes, iv: bytes) -> bytes:
    from cryptography.hazmat.primitives import padding
    from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

    decryptor = Cipher(algorithms.AES(key), modes.CBC(iv)).decryptor()
    unpadder = padding.PKCS7(128).unpadder()
    return unpadder.update(decryptor.update(data) + decryptor.finalize()) + unpadder.finalize()


def multipart(fields: dict[str, str], file: tuple[str, str, bytes] | None, boundary: str) -> bytes:
    """multipart/form-data of the fields, and of the file when there is one."""
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
        for name, value in fields.items()
    ]
    if file is not None:
        field, filename, content = file
        head = (
            f'--{boundary}\r\nContent-Disposition: form-data; name="{field}"; '
            f'filename="{filename}"\r\nContent-Type: application/pdf\r\n\r\n'
        )
        parts.append(head.encode() + content + b"\r\n")
    return b"".join(parts) + f"--{boundary}--\r\n".encode()


def failure(status: int, payload: dict) -> TemporaryFailure | PermanentFailure:
    """Whether trying again can help, from the HTTP status and AR24's error slug."""
    slug = str(payload.get("slug") or "")
    detail = f"AR24 {status}" + (f" ({slug})" if slug else "")
    detail += f" : {payload.get('message') or payload.get('status') or 'réponse inattendue'}"
    if str(payload.get("status", "")).lower() == "maintenance":
        return TemporaryFailure(f"AR24 en maintenance — {detail}", is_outage=True)
    if status == 429 or status >= 500:
        return TemporaryFailure(f"service AR24 indisponible — {detail}", is_outage=True)
    if slug in _CONFIGURATION or status in (401, 403):
        reason = _CONFIGURATION.get(slug, "compte ou configuration")
        return TemporaryFailure(f"{reason} — {detail}", is_outage=True)
    reason = _REFUSED.get(slug, "lettre refusée")
    return PermanentFailure(f"{reason} — {detail}")


def _payload(body: bytes, when: str, private_key: str) -> dict:
    try:
        payload = json.loads(body or b"{}")
    except ValueError:
        try:  # an encrypted success
            payload = json.loads(decrypt_answer(body, when, private_key))
        except (ValueError, ImportError):
            return {}
    return payload if isinstance(payload, dict) else {}


def _day(value) -> date | None:
    """AR24's "YYYY-MM-DD HH:MM:SS" (Paris time) as the day it happened."""
    try:
        return datetime.strptime(str(value)[:10], "%Y-%m-%d").date()
    except ValueError:
        return None
