"""Risk scores: compute and store them with their alerts, decide suggested payer profiles,
mark alerts seen, and answer "may we ship?" (credit_check). The decisions are made by
relance.core.scoring; the reads are relance.scoring.queries."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from relance.core import scoring as core
from relance.core.money import round_money
from relance.core.records import PayerProfile
from relance.dunning.services import local_today
from relance.ledger.models import Company, Customer
from relance.ledger.services import position_of

from . import queries
from .models import ProfileDecision, RiskAlert, Score, ScoringRun
from .queries import REJECTION_DAYS

# How each measure is kept (and compared, to tell a change): days to a tenth, shares and
# ratios to a thousandth, counts whole.
PRECISION = {
    core.Factor.DAYS_LATE: Decimal("0.1"),
    core.Factor.TREND: Decimal("0.1"),
    core.Factor.LATE_SHARE: Decimal("0.001"),
    core.Factor.DISPUTES: Decimal("0.001"),
    core.Factor.BROKEN_PROMISES: Decimal("1"),
    core.Factor.REMINDERS: Decimal("0.01"),
    core.Factor.CREDIT_USE: Decimal("0.001"),
}


@dataclass
class ScoringSummary:
    company: str
    day: date
    customers: int = 0
    written: int = 0
    alerts: dict[str, int] = field(default_factory=lambda: {k.value: 0 for k in core.AlertKind})

    def as_dict(self) -> dict:
        return {
            "company": self.company,
            "date": self.day.isoformat(),
            "customers": self.customers,
            "written": self.written,
            "alerts": self.alerts,
        }


@dataclass(frozen=True)
class Memory:
    """What the stored rows say before a day: each customer's score in force the day before,
    the one in force when the drop window opened, the best score in that window, the
    customers with a drop already raised in it, and the alerts already raised that day."""

    previous: dict[int, queries.Stored]
    at_start: dict[int, queries.Stored]
    best: dict[int, int]
    dropped: set[int]
    raised: set[tuple[int, str, int]]

    @classmethod
    def read(cls, company: Company, today: date) -> Memory:
        window_start = today - timedelta(days=core.DROP_WINDOW_DAYS)
        raised = RiskAlert.objects.filter(company=company, raised_on=today)
        return cls(
            queries.latest_scores(company, today),
            queries.latest_scores(company, window_start),
            queries.best_scores(company, window_start, today),
            queries.recent_drops(company, window_start),
            set(raised.values_list("customer_id", "kind", "level")),
        )

    def best_recent(self, customer_id: int) -> int | None:
        """The highest score in force during the drop window."""
        starting = self.at_start.get(customer_id)
        scores = [self.best.get(customer_id), starting.score if starting else None]
        return max((s for s in scores if s is not None), default=None)


@transaction.atomic
def compute_scores(company: Company, today: date) -> ScoringSummary:
    """Score every customer of the company as of `today`, store the scores that changed and
    raise the alerts. Computing the same day again replaces that day's rows and raises
    nothing twice. Two computations of the same company and day (two workers) take turns on
    the day's ScoringRun row."""
    run, _created = ScoringRun.objects.get_or_create(company=company, run_on=today)
    run = ScoringRun.objects.select_for_update().get(pk=run.pk)
    memory = Memory.read(company, today)
    summary = ScoringSummary(company.code, today)
    rows, alerts = [], []
    for account in queries.accounts(company, today):
        row = score_row(company, account, today)
        before = memory.previous.get(account.customer_id)
        if before is None or _state(before) != _state(row):
            rows.append(row)
        alerts += _alerts(company, account, row, before, memory, today)
        summary.customers += 1
    Score.objects.filter(company=company, computed_on=today).delete()
    Score.objects.bulk_create(rows, batch_size=1000)
    # A concurrent computation of the same day may have raised one meanwhile: the unique
    # constraint keeps one.
    RiskAlert.objects.bulk_create(alerts, batch_size=1000, ignore_conflicts=True)
    for alert in alerts:
        summary.alerts[alert.kind] += 1
    summary.written = len(rows)
    run.customers, run.written, run.alerts = summary.customers, len(rows), len(alerts)
    run.save()
    return summary


def _alerts(company, account, row: Score, before, memory: Memory, today: date):
    best = memory.best_recent(account.customer_id)
    found = core.alerts(
        before and _core_state(before),
        _core_state(row),
        best,
        account.customer_id in memory.dropped,
    )
    return [
        _alert(company, account, row, alert, today, best)
        for alert in found
        if (account.customer_id, alert.kind.value, alert.level) not in memory.raised
    ]


def score_row(company: Company, account: queries.Account, today: date) -> Score:
    result = core.score(account.history)
    return Score(
        company=company,
        customer_id=account.customer_id,
        computed_on=today,
        score=result.score,
        factors=[_factor(c) for c in result.contributions],
        suggested_profile=result.suggested_profile.value if result.suggested_profile else "",
        rule=result.rule.value,
        limit_level=result.limit_level,
        is_blocked=account.is_blocked,
        judged=result.judged,
    )


def _factor(contribution: core.Contribution) -> dict:
    value = contribution.value
    if value is not None:
        value = str(value.quantize(PRECISION[contribution.factor], rounding=ROUND_HALF_UP))
    return {"factor": contribution.factor.value, "value": value, "points": str(contribution.points)}


def _state(row: Score | queries.Stored) -> tuple:
    """What a row holds: a new row is written only when it differs."""
    return (
        row.score,
        row.factors,
        row.suggested_profile,
        row.rule,
        row.limit_level,
        row.is_blocked,
        row.judged,
    )


def _core_state(row: Score | queries.Stored) -> core.State:
    return core.State(row.score, row.limit_level, row.is_blocked)


def _alert(company, account, row: Score, alert: core.Alert, today: date, best) -> RiskAlert:
    is_drop = alert.kind is core.AlertKind.SCORE_DROP
    return RiskAlert(
        company=company,
        customer_id=account.customer_id,
        kind=alert.kind.value,
        level=alert.level,
        raised_on=today,
        score=row.score,
        previous_score=best if is_drop else None,
        amount=round_money(account.outstanding),
        currency=company.currency,
    )


# --- Suggested payer profiles ---------------------------------------------------------------


def latest_score(customer: Customer) -> Score | None:
    return customer.scores.order_by("-computed_on").first()


def pending_suggestion(customer: Customer, latest: Score | None) -> str:
    """The profile the latest score suggests, when it is not the customer's and was not
    rejected within REJECTION_DAYS; "" otherwise."""
    suggested = latest.suggested_profile if latest else ""
    if not suggested or suggested == customer.payer_profile:
        return ""
    since = timezone.now() - timedelta(days=REJECTION_DAYS)
    rejected = customer.profile_decisions.filter(
        suggested_profile=suggested, is_accepted=False, decided_at__gte=since
    )
    return "" if rejected.exists() else suggested


@transaction.atomic
def decide_suggestion(
    customer: Customer, user, profile: str, accept: bool, note: str = ""
) -> ProfileDecision:
    """Accept (the customer takes the suggested profile, and with it that profile's scenario
    unless it has one of its own) or reject the suggestion shown as `profile`."""
    customer = Customer.objects.select_for_update().get(pk=customer.pk)
    latest = latest_score(customer)
    pending = pending_suggestion(customer, latest)
    if not pending:
        raise ValidationError(_("Aucune suggestion de profil payeur en attente pour ce client."))
    if pending != profile:
        raise ValidationError(
            _("La suggestion a changé depuis l'affichage de la page : vérifiez-la de nouveau.")
        )
    decision = ProfileDecision.objects.create(
        company_id=customer.company_id,
        customer=customer,
        suggested_profile=pending,
        previous_profile=customer.payer_profile,
        score=latest.score if latest else None,
        is_accepted=accept,
        note=note.strip()[:500],
        decided_by=user,
    )
    if accept:
        customer.payer_profile = PayerProfile(pending).value
        customer.save(update_fields=["payer_profile", "updated_at"])
    return decision


def mark_alert_seen(alert: RiskAlert, user) -> bool:
    """True when the alert was still open (two clicks mark it once)."""
    changed = RiskAlert.objects.filter(pk=alert.pk, seen_at__isnull=True).update(
        seen_at=timezone.now(), seen_by=user
    )
    return bool(changed)


# --- May we ship? ---------------------------------------------------------------------------


def credit_check(company: Company, customer: Customer, today: date | None = None) -> dict:
    """Whether a new order may ship on credit (relance.core.scoring.credit_decision), with
    the figures behind the answer: outstanding and overdue today in the company's currency,
    the credit limit, what is left of it, the share used (%) and the latest score.

    Amounts are strings with two decimals, `limit_use` a number with one decimal; the limit,
    what is left and the share are null without a limit (the share also with a zero one)."""
    today = today or local_today(company)
    position = position_of(customer, today, company.currency)
    latest = latest_score(customer)
    score = latest.score if latest else None
    limit = customer.credit_limit
    decision, reason = core.credit_decision(
        customer.is_blocked, customer.is_handed_over, position.balance, limit, score
    )
    use = core.credit_use(position.balance, limit)
    return {
        "customer": customer.code,
        "blocked": customer.is_blocked,
        "reason": reason.value if reason else None,
        "outstanding": _amount(position.balance),
        "overdue": _amount(position.overdue),
        "credit_limit": None if limit is None else _amount(limit),
        "available": None if limit is None else _amount(limit - position.balance),
        "limit_use": None if use is None else _percent(use),
        "score": score,
        "decision": decision.value,
    }


def _percent(share: Decimal) -> float:
    return float((share * 100).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


def _amount(value: Decimal) -> str:
    return f"{round_money(value):.2f}"
