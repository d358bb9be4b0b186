"""Bank matching in the app: run the core's decisions on the company's bank lines, apply
the sure ones, propose the others, reverse returned payments; and what people do on the
reconciliation page (accept, reject, match by hand, undo, resolve an alert)."""

from .apply import MatchError, apply_candidate, undo_match
from .people import accept_proposal, match_by_hand, reject_proposal, resolve_alert
from .returns import reverse_return
from .run import LineOutcome, MatchReport, run_matching

__all__ = [
    "LineOutcome",
    "MatchError",
    "MatchReport",
    "accept_proposal",
    "apply_candidate",
    "match_by_hand",
    "reject_proposal",
    "resolve_alert",
    "reverse_return",
    "run_matching",
    "undo_match",
]
