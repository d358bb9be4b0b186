"""Channels: one adapter per way of reaching a debtor, behind one method.

`channel.send(reminder) -> Delivery` sends the rendered reminder and says what went out
(attachment names and SHA-256 hashes, a note for the history). A failure says whether trying
again can help: `TemporaryFailure` (server down, timeout, 4xx: retried with backoff) or
`PermanentFailure` (address refused, 5xx: marked failed with the reason for the collector).

Email (channels/email.py) and SMS (channels/sms/, one module per provider behind a small
transport) exist; letters, registered letters, calls and tasks stay pending in the outbox
until their adapters are written (see sending.SENT_CHANNELS). `ByKind` routes each reminder
to the channel of its kind.
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
    # What went out when the channel decided it at send time (the SMS channel picks the
    # number then, and may shorten the text to its segments): kept on the reminder instead
    # of what the run wrote there.
    recipients: list[dict[str, str]] | None = None
    text: str | None = None

    def evidence(self) -> dict[str, object]:
        """The reminder's fields to overwrite with what was really sent."""
        fields: dict[str, object] = {}
        if self.recipients is not None:
            fields["recipients"] = self.recipients
        if self.text is not None:
            fields["body_text"] = self.text
        return fields


class Channel(Protocol):
    def send(self, reminder: Reminder) -> Delivery: ...

    def close(self) -> None: ...


class ByKind:
    """One channel per kind of reminder ("email", "sms"), asked in turn by the sender: a
    reminder of a kind without a channel is a programming error (sending.SENT_CHANNELS lists
    the kinds claimed)."""

    def __init__(self, channels: dict[str, Channel]) -> None:
        self.channels = channels

    def send(self, reminder: Reminder) -> Delivery:
        return self.channels[reminder.channel].send(reminder)

    def close(self) -> None:
        for channel in self.channels.values():
            channel.close()
