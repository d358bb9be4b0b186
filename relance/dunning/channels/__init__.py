"""Channels: one adapter per way of reaching a debtor, behind one method.

`channel.send(reminder) -> Delivery` sends the rendered reminder and says what went out
(attachment names and SHA-256 hashes, a note for the history). A failure says whether trying
again can help: `TemporaryFailure` (server down, timeout, 4xx: retried with backoff) or
`PermanentFailure` (address refused, 5xx: marked failed with the reason for the collector).

Only email exists for now (channels/email.py); SMS, letters, registered letters, calls and
tasks stay pending in the outbox until their adapters are written (see sending.SENT_CHANNELS).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from relance.dunning.models import Reminder


class TemporaryFailure(Exception):
    """Retrying later can help. `is_outage`: the server itself is unreachable, so the rest
    of the batch would fail the same way and the sender stops early."""

    def __init__(self, reason: str, *, is_outage: bool = False) -> None:
        super().__init__(reason)
        self.is_outage = is_outage


class PermanentFailure(Exception):
    """Retrying cannot help (bad address, message refused): a person must act."""


@dataclass(frozen=True)
class Delivery:
    """What went out: the evidence kept on the reminder and a note for its history."""

    attachments: list[dict[str, str]] = field(default_factory=list)  # [{"name", "sha256"}]
    note: str = ""


class Channel(Protocol):
    def send(self, reminder: Reminder) -> Delivery: ...

    def close(self) -> None: ...
