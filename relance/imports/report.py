"""What an import tells its user: counts per kind and the rejected lines."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _

from relance.core.records import Rejection

# The kinds of record an import counts, as the UI and the CLI name them.
RECORD_LABELS = {
    "customers": _("clients"),
    "contacts": _("contacts"),
    "invoices": _("factures"),
    "credit_notes": _("avoirs"),
    "openings": _("à-nouveaux"),
    "adjustments": _("opérations diverses"),
    "refunds": _("remboursements"),
    "payments": _("règlements"),
    "allocations": _("lettrages"),
    "statements": _("relevés bancaires"),
    "bank_lines": _("lignes de relevé"),
}


class ImportFileError(ValueError):
    """The file cannot be read at all (wrong format, unreadable encoding, missing columns).

    Nothing was written; the message says where and why."""


@dataclass
class ImportReport:
    """Counts per kind of record ('customers', 'invoices', 'payments', 'allocations', ...)."""

    batch_id: int | None = None
    created: Counter[str] = field(default_factory=Counter)
    updated: Counter[str] = field(default_factory=Counter)
    unchanged: Counter[str] = field(default_factory=Counter)
    rejected: list[Rejection] = field(default_factory=list)

    def as_json(self) -> dict:
        return {
            "batch": self.batch_id,
            "created": _nonzero(self.created),
            "updated": _nonzero(self.updated),
            "unchanged": _nonzero(self.unchanged),
            "rejected": [
                {"line": r.line, "reason": r.reason}
                for r in sorted(self.rejected, key=lambda r: r.line)
            ],
        }


def _nonzero(counts: Counter[str]) -> dict[str, int]:
    return {kind: n for kind, n in sorted(counts.items()) if n}
