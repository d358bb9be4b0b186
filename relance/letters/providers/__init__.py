"""Electronic registered letters (LRE): one module per provider (ar24.py), each a `Provider`
with two methods; the one HTTP call they make is http.request.

RELANCE_REGISTERED_PROVIDER empty (the default) is the manual mode: registered letters are
printed, posted with their tracking number, and their delivery and acknowledgement of
receipt recorded by hand (relance.letters.services). With a provider, a printed registered
letter can also be sent electronically: the kept PDF is what is sent, and `relance letters
sync` records what the provider says of it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Protocol

from django.conf import settings

if TYPE_CHECKING:
    from relance.letters.models import Letter


@dataclass(frozen=True)
class Tracking:
    """What the provider says of a letter: one of Letter.Status ("sent" while it waits for
    the recipient) and the day of the event, when it has one."""

    status: str
    on: date | None = None


class Provider(Protocol):
    """Sends the kept PDF of a letter, then says where it is; raises TemporaryFailure or
    PermanentFailure (relance/dunning/channels/__init__.py)."""

    name: str

    def send(self, letter: Letter) -> str: ...

    def status(self, provider_id: str) -> Tracking: ...


def provider() -> Provider | None:
    """The provider of RELANCE_REGISTERED_PROVIDER; None: the manual mode."""
    if settings.RELANCE_REGISTERED_PROVIDER == "ar24":
        from .ar24 import Ar24

        return Ar24(
            settings.AR24_TOKEN,
            settings.AR24_PRIVATE_KEY,
            settings.AR24_USER_ID,
            endpoint=settings.AR24_API_URL,
            timeout=settings.RELANCE_REGISTERED_TIMEOUT,
        )
    return None
