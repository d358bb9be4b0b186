"""The risk score, its contributions, the suggested payer profile and the alerts, each case
computed by hand (docs/kpis.md, "Score de risque")."""

from decimal import Decimal

import pytest

from relance.core.records import PayerProfile as P
from relance.core.scoring import (
    WEIGHTS,
    Alert,
    AlertKind,
    Delays,
    Factor,
    History,
    Rule,
    State,
    alerts,
    band,
    credit_decision,
    is_public_body,
    limit_level,
    score,
    suggest,
)

D = Decimal


def delays(amount, average) -> Delays:
    return Delays(D(amount), D(amount) * D(average))


# The docstring's example: 20 invoices judged (16 settled, 4 open past the grace), 5 of them
# late; 15 days late on average, 18 lately against 12 before; 2 disputes, 1 broken promise,
# 8 reminders; 7,800 owed on a 10,000 limit.
EXAMPLE = History(
    settled=delays(8000, "11.25"),  # 90,000 weighted days
    settled_recent=delays(3000, 10),
    overdue=delays(2000, 30),
    settled_count=16,
    settled_late_count=1,
    overdue_late_count=4,
    oldest_overdue_days=40,
    disputes=2,
    broken_promises=1,
    reminders=8,
    payments=16,
    days_since_payment=5,
    outstanding=D(7800),
    credit_limit=D(10000),
)
GOOD = History(
    settled=delays(12000, 2),
    settled_recent=delays(3000, 2),
    settled_count=12,
    settled_late_count=1,
    payments=12,
    days_since_payment=10,
)
NEGLIGENT = History(
    settled=delays(10000, 20),
    settled_recent=delays(2500, 20),
    settled_count=10,
    settled_late_count=8,
    reminders=6,
    payments=10,
)
WORST = History(
    settled=delays(1000, 100),
    settled_recent=delays(500, 120),
    overdue=delays(4000, 150),
    settled_count=3,
    settled_late_count=3,
    overdue_late_count=2,
    oldest_overdue_days=200,
    disputes=5,
    broken_promises=3,
    reminders=12,
    payments=3,
    days_since_payment=150,
    outstanding=D(15000),
    credit_limit=D(10000),
)


@pytest.mark.parametrize(
    ("history", "expected_score", "points"),
    [
        (History(), 100, {}),
        # 6.7 + 2 + 5 + 5 + 5 + 1 + 2.8 = 27.5 -> 72.5, half up -> 73
        (
            EXAMPLE,
            73,
            {
                Factor.DAYS_LATE: "6.7",  # 40 x 15/90 = 6.67
                Factor.TREND: "2.0",  # 10 x 6/30
                Factor.LATE_SHARE: "5.0",  # 20 x 5/20
                Factor.DISPUTES: "5.0",  # 10 x 0.1/0.2
                Factor.BROKEN_PROMISES: "5.0",  # 10 x 1/2
                Factor.REMINDERS: "1.0",  # 5 x 0.4/2
                Factor.CREDIT_USE: "2.8",  # 5 x (0.78 - 0.5)/0.5
            },
        ),
        # 40 x 2/90 = 0.89 -> 0.9; trend 0; 20 x 1/12 = 1.67 -> 1.7: 97.4 -> 97
        (GOOD, 97, {Factor.DAYS_LATE: "0.9", Factor.LATE_SHARE: "1.7"}),
        # 40 x 20/90 = 8.89 -> 8.9; 20 x 0.8 = 16; 5 x 0.6/2 = 1.5: 26.4 -> 73.6 -> 74
        (
            NEGLIGENT,
            74,
            {Factor.DAYS_LATE: "8.9", Factor.LATE_SHARE: "16.0", Factor.REMINDERS: "1.5"},
        ),
        # every factor at its weight (40 + 10 + 20 + 10 + 10 + 5 + 5 = 100)
        (WORST, 0, {factor: f"{weight}.0" for factor, weight in WEIGHTS.items()}),
    ],
    ids=["no history", "example", "good", "negligent", "worst"],
)
def test_score_is_100_less_each_factors_points(history, expected_score, points):
    result = score(history)
    assert result.score == expected_score
    assert [c.factor for c in result.contributions] == list(Factor)
    lost = {c.factor: c.points for c in result.contributions if c.points}
    assert lost == {factor: D(value) for factor, value in points.items()}


def test_contributions_carry_their_measure():
    values = {c.factor: c.value for c in score(EXAMPLE).contributions}
    assert values[Factor.DAYS_LATE] == 15
    assert values[Factor.TREND] == 6  # 18 days lately, 12 before
    assert values[Factor.LATE_SHARE] == D("0.25")
    assert values[Factor.DISPUTES] == D("0.1")
    assert values[Factor.BROKEN_PROMISES] == 1
    assert values[Factor.REMINDERS] == D("0.4")
    assert values[Factor.CREDIT_USE] == D("0.78")


def test_without_history_the_measures_are_undefined_not_zero():
    values = {c.factor: c.value for c in score(History()).contributions}
    assert values[Factor.DAYS_LATE] is None
    assert values[Factor.TREND] is None
    assert values[Factor.LATE_SHARE] is None
    assert values[Factor.CREDIT_USE] is None


def test_an_improving_trend_takes_nothing_off():
    history = History(
        settled=delays(2000, 10), settled_recent=delays(1000, 0), settled_count=4
    )  # 0 days lately, 20 before
    trend = next(c for c in score(history).contributions if c.factor is Factor.TREND)
    assert (trend.value, trend.points) == (-20, 0)


@pytest.mark.parametrize(
    ("outstanding", "limit", "points"),
    [
        ("5000", "10000", "0"),  # up to 50 %: nothing
        ("6000", "10000", "1.0"),  # 5 x 0.1/0.5
        ("10000", "10000", "5.0"),
        ("20000", "10000", "5.0"),  # at most the weight
        ("-300", "10000", "0"),  # a credit balance
        ("1", "0", "5"),  # no credit granted: any debt takes it all
        ("0", "0", "0"),
        ("5000", None, "0"),  # no limit set
    ],
)
def test_credit_use_counts_from_half_the_limit(outstanding, limit, points):
    history = History(outstanding=D(outstanding), credit_limit=None if limit is None else D(limit))
    credit = score(history).contributions[-1]
    assert (credit.factor, credit.points) == (Factor.CREDIT_USE, D(points))


@pytest.mark.parametrize(
    ("outstanding", "limit", "level"),
    [
        ("0", None, 0),
        ("4999.99", "10000", 0),
        ("5000", "10000", 50),
        ("6999.99", "10000", 50),
        ("7000", "10000", 70),
        ("9000", "10000", 90),
        ("15000", "10000", 90),
        ("-100", "1000", 0),
        ("1", "0", 90),
        ("0", "0", 0),
    ],
)
def test_limit_level_is_the_highest_threshold_reached(outstanding, limit, level):
    assert limit_level(D(outstanding), None if limit is None else D(limit)) == level


def history(**fields) -> History:
    """A customer with `judged` invoices settled on time, changed by `fields`."""
    judged = fields.pop("judged", 10)
    fields.setdefault("settled", delays(1000 * judged, fields.pop("days", 0)))
    fields.setdefault("settled_count", judged)
    return History(**fields)


@pytest.mark.parametrize(
    ("case", "profile", "rule"),
    [
        (history(payments=10, direct_debits=8), P.AUTOMATIC, Rule.DIRECT_DEBIT),
        (history(payments=10, direct_debits=7), P.GOOD, Rule.ON_TIME),  # under 4 in 5
        (history(judged=0, payments=3, direct_debits=3), P.AUTOMATIC, Rule.DIRECT_DEBIT),
        (  # direct debits, but an item overdue past the grace: the debit was refused
            history(payments=10, direct_debits=10, overdue_late_count=1),
            P.GOOD,
            Rule.ON_TIME,
        ),
        (  # one item 120 days past due, nothing paid for four months: no history needed
            history(
                judged=0,
                overdue=delays(1000, 120),
                overdue_late_count=1,
                oldest_overdue_days=120,
                days_since_payment=None,
            ),
            P.INSOLVENT,
            Rule.UNPAID,
        ),  # fmt: skip
        (  # the same, but a payment a month ago
            history(
                judged=0,
                overdue=delays(1000, 120),
                overdue_late_count=1,
                oldest_overdue_days=120,
                days_since_payment=30,
            ),
            None,
            Rule.TOO_LITTLE_HISTORY,
        ),  # fmt: skip
        (history(judged=20, disputes=2), P.DISPUTE_PRONE, Rule.DISPUTES),  # 10 %
        (history(judged=21, disputes=2), P.GOOD, Rule.ON_TIME),  # 9.5 %
        (history(judged=3, disputes=1), P.GOOD, Rule.ON_TIME),  # a single dispute
        (history(days=60, is_public_body=True), P.ADMINISTRATIVE, Rule.PUBLIC_BODY),
        (  # a person said so: slow, but by its procedures
            history(days=60, payer_profile="administrative"),
            P.ADMINISTRATIVE,
            Rule.PUBLIC_BODY,
        ),
        (history(judged=2, is_public_body=True), None, Rule.TOO_LITTLE_HISTORY),
        (history(days=46), P.BAD, Rule.VERY_LATE),
        (history(days=45), P.NEGLIGENT, Rule.LATE),
        (history(days=11), P.NEGLIGENT, Rule.LATE),
        (history(days=10), P.GOOD, Rule.ON_TIME),
        (history(judged=0, broken_promises=2), P.BAD, Rule.BROKEN_PROMISES),
        (history(days=3, settled_late_count=5), P.NEGLIGENT, Rule.LATE),  # half late
        (history(days=10, settled_late_count=4), P.GOOD, Rule.ON_TIME),
        (history(judged=3), P.GOOD, Rule.ON_TIME),
        (history(judged=2), None, Rule.TOO_LITTLE_HISTORY),
    ],
)
def test_suggested_profile_is_the_first_rule_that_holds(case, profile, rule):
    assert suggest(case) == (profile, rule)
    assert score(case).suggested_profile == profile


@pytest.mark.parametrize(
    ("value", "name"),
    [
        (100, "low"),
        (70, "low"),
        (69, "medium"),
        (40, "medium"),
        (39, "high"),
        (0, "high"),
    ],  # fmt: skip
)
def test_bands(value, name):
    assert band(value) == name


@pytest.mark.parametrize(
    ("siren", "public"),
    [
        ("217500016", True),
        ("110000000", True),
        ("732829320", False),
        ("", False),
        ("21750001", False),
    ],  # fmt: skip
)
def test_public_bodies_have_a_siren_starting_with_1_or_2(siren, public):
    assert is_public_body(siren) is public


def state(score=80, level=0, blocked=False) -> State:
    return State(score, level, blocked)


DROP = Alert(AlertKind.SCORE_DROP)
BLOCKED = Alert(AlertKind.BLOCKED)


@pytest.mark.parametrize(
    ("previous", "current", "best", "dropped", "expected"),
    [
        (None, state(), None, False, []),
        (state(level=0), state(level=50), 80, False, [Alert(AlertKind.CREDIT_LIMIT, 50)]),
        (None, state(level=70), None, False, [Alert(AlertKind.CREDIT_LIMIT, 70)]),
        (state(level=50), state(level=50), 80, False, []),  # not every day
        (state(level=50), state(level=90), 80, False, [Alert(AlertKind.CREDIT_LIMIT, 90)]),
        (state(level=90), state(level=70), 80, False, []),  # back under a level
        (state(level=0), state(level=50), 80, False, [Alert(AlertKind.CREDIT_LIMIT, 50)]),
        (None, state(blocked=True), None, False, [BLOCKED]),
        (state(blocked=False), state(blocked=True), 80, False, [BLOCKED]),
        (state(blocked=True), state(blocked=True), 80, False, []),
        (state(80), state(65), 80, False, [DROP]),  # 15 points
        (state(80), state(66), 80, False, []),  # 14 points
        (state(70), state(60), 80, False, [DROP]),  # from the best of the window
        (state(80), state(60), 80, True, []),  # already raised within the window
        (
            state(90, 50, False),
            state(40, 90, True),
            90,
            False,
            [DROP, Alert(AlertKind.CREDIT_LIMIT, 90), BLOCKED],
        ),
    ],
)
def test_alerts_are_raised_once_per_crossing(previous, current, best, dropped, expected):
    assert alerts(previous, current, best, dropped) == expected


@pytest.mark.parametrize(
    ("blocked", "handed_over", "outstanding", "limit", "score_", "expected"),
    [
        (False, False, "1000", "10000", 80, ("ok", None)),
        (False, False, "1000", None, None, ("ok", None)),  # no limit, no score yet
        (True, False, "0", None, 90, ("block", "blocked")),
        (True, True, "20000", "10000", 10, ("block", "blocked")),  # the first rule decides
        (False, True, "0", None, 90, ("block", "handed_over")),
        (False, False, "10000", "10000", 90, ("block", "over_limit")),  # no room left
        (False, False, "0", "0", 90, ("block", "over_limit")),  # no credit granted
        (False, False, "9000", "10000", 90, ("review", "near_limit")),
        (False, False, "8999.99", "10000", 90, ("ok", None)),
        (False, False, "100", "10000", 39, ("review", "high_risk")),
        (False, False, "100", "10000", 40, ("ok", None)),
        (False, False, "-500", "0", 90, ("ok", None)),  # a credit balance
    ],
)
def test_credit_decision(blocked, handed_over, outstanding, limit, score_, expected):
    decision = credit_decision(
        blocked, handed_over, D(outstanding), None if limit is None else D(limit), score_
    )
    assert decision == expected
