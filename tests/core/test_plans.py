"""Payment plans: the schedule, what is paid, breach, completion, instalment reminders."""

from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest

from relance.core.calendar import BusinessCalendar
from relance.core.dunning import Channel, Exclusion, Move, Plan, Reason
from relance.core.plans import (
    Instalment,
    InstalmentStatus,
    NoticeKind,
    PlanState,
    add_months,
    beside_instalments,
    instalment_reminders,
    is_broken,
    is_completed,
    monthly_schedule,
    notices,
    on_business_days,
    paid_amount,
    remaining,
    schedule_errors,
    statuses,
)

D = Decimal
PAID, UPCOMING, DUE, OVERDUE = (
    InstalmentStatus.PAID,
    InstalmentStatus.UPCOMING,
    InstalmentStatus.DUE,
    InstalmentStatus.OVERDUE,
)


@pytest.mark.parametrize(
    ("total", "count", "first_on", "expected"),
    [
        ("1000.00", 3, date(2026, 1, 15), [("2026-01-15", "333.33"), ("2026-02-15", "333.33"),
                                           ("2026-03-15", "333.34")]),
        ("900.00", 3, date(2026, 1, 31), [("2026-01-31", "300.00"), ("2026-02-28", "300.00"),
                                          ("2026-03-31", "300.00")]),
        ("100.00", 1, date(2026, 12, 5), [("2026-12-05", "100.00")]),
        ("0.05", 2, date(2026, 11, 30), [("2026-11-30", "0.03"), ("2026-12-30", "0.02")]),
        ("200.00", 3, date(2026, 11, 10), [("2026-11-10", "66.67"), ("2026-12-10", "66.67"),
                                           ("2027-01-10", "66.66")]),
    ],
)  # fmt: skip
def test_equal_monthly_instalments_with_the_cents_on_the_last(total, count, first_on, expected):
    schedule = monthly_schedule(D(total), count, first_on)
    assert [(i.due_on.isoformat(), str(i.amount)) for i in schedule] == expected
    assert [i.number for i in schedule] == list(range(1, count + 1))
    assert sum(i.amount for i in schedule) == D(total)
    assert schedule_errors(schedule, D(total)) == []


FRANCE = BusinessCalendar()
ALSACE_MOSELLE = BusinessCalendar(alsace_moselle=True)


@pytest.mark.parametrize(
    ("agreed", "in_france", "in_alsace_moselle"),
    [
        ("2026-11-16", "2026-11-16", "2026-11-16"),  # a Monday stays
        ("2026-08-15", "2026-08-17", "2026-08-17"),  # Assumption, a Saturday -> Monday
        ("2026-12-20", "2026-12-21", "2026-12-21"),  # Sunday -> Monday
        ("2026-11-11", "2026-11-12", "2026-11-12"),  # Armistice, a Wednesday -> Thursday
        ("2026-12-25", "2026-12-28", "2026-12-28"),  # Christmas, a Friday -> Monday
        ("2027-01-01", "2027-01-04", "2027-01-04"),  # New Year's day, a Friday -> Monday
        ("2027-05-01", "2027-05-03", "2027-05-03"),  # Labour day, a Saturday -> Monday
        ("2026-05-14", "2026-05-15", "2026-05-15"),  # Ascension, a Thursday -> Friday
        ("2027-03-26", "2027-03-26", "2027-03-30"),  # Good Friday, then Easter Monday
    ],
)
def test_an_instalment_on_a_closed_day_moves_to_the_next_business_day(
    agreed, in_france, in_alsace_moselle
):
    instalment = Instalment(1, date.fromisoformat(agreed), D("100.00"), 7)
    for calendar, expected in ((FRANCE, in_france), (ALSACE_MOSELLE, in_alsace_moselle)):
        (moved,) = on_business_days([instalment], calendar)
        assert moved == Instalment(1, date.fromisoformat(expected), D("100.00"), 7)


def test_a_monthly_plan_keeps_its_day_after_a_closed_one():
    schedule = monthly_schedule(D("900.00"), 4, date(2026, 11, 20), FRANCE)
    # 20 December 2026 is a Sunday: paid Monday 21st; January is back on the 20th.
    assert [i.due_on.isoformat() for i in schedule] == [
        "2026-11-20", "2026-12-21", "2027-01-20", "2027-02-22",  # 20 February: a Saturday
    ]  # fmt: skip
    assert [i.amount for i in schedule] == [D("225.00")] * 4
    assert monthly_schedule(D("900.00"), 4, date(2026, 11, 20))[1].due_on == date(2026, 12, 20)


@pytest.mark.parametrize(("total", "count"), [("0.02", 3), ("0", 2), ("-5", 2), ("100", 0)])
def test_a_schedule_that_cannot_be_made_is_refused(total, count):
    with pytest.raises(ValueError):
        monthly_schedule(D(total), count, date(2026, 1, 1))


def test_months_end_on_the_last_day_of_shorter_months():
    assert add_months(date(2028, 1, 31), 1) == date(2028, 2, 29)
    assert add_months(date(2026, 12, 31), 2) == date(2027, 2, 28)


def i(number, day, amount, pk=0):
    return Instalment(number, date.fromisoformat(day), D(amount), pk or number)


THREE = (i(1, "2026-01-10", "300"), i(2, "2026-02-10", "300"), i(3, "2026-03-10", "300"))


@pytest.mark.parametrize(
    ("schedule", "covered", "error"),
    [
        ((), "10", "au moins une échéance"),
        (THREE, "1000", "totalisent 900"),
        ((i(1, "2026-01-10", "0"), i(2, "2026-02-10", "900")), "900", "montant positif"),
        ((i(1, "2026-02-10", "450"), i(2, "2026-01-10", "450")), "900", "se suivent"),
        ((i(1, "2026-01-10", "450"), i(3, "2026-02-10", "450")), "900", "numérotées"),
    ],
)
def test_a_bad_schedule_says_what_is_wrong(schedule, covered, error):
    assert any(error in message for message in schedule_errors(schedule, D(covered)))


@pytest.mark.parametrize(
    ("open_now", "today", "left", "expected"),
    [
        ("900", "2026-01-05", ["300", "300", "300"], [UPCOMING, UPCOMING, UPCOMING]),
        ("900", "2026-01-10", ["300", "300", "300"], [DUE, UPCOMING, UPCOMING]),
        ("900", "2026-01-25", ["300", "300", "300"], [DUE, UPCOMING, UPCOMING]),  # 15 days
        ("900", "2026-01-26", ["300", "300", "300"], [OVERDUE, UPCOMING, UPCOMING]),
        ("600", "2026-01-26", ["0", "300", "300"], [PAID, UPCOMING, UPCOMING]),
        ("500", "2026-02-11", ["0", "200", "300"], [PAID, DUE, UPCOMING]),  # partly paid
        ("250", "2026-03-01", ["0", "0", "250"], [PAID, PAID, UPCOMING]),  # paid ahead
        ("0", "2026-12-31", ["0", "0", "0"], [PAID, PAID, PAID]),
        ("950", "2026-01-10", ["300", "300", "300"], [DUE, UPCOMING, UPCOMING]),  # debt grew
    ],
)
def test_instalments_are_paid_in_order_from_what_the_invoices_received(
    open_now, today, left, expected
):
    paid = paid_amount(D("900"), D(open_now))
    assert remaining(THREE, paid) == [D(x) for x in left]
    assert statuses(THREE, paid, date.fromisoformat(today)) == expected


@pytest.mark.parametrize(
    ("open_now", "today", "broken", "completed"),
    [
        ("900", "2026-01-25", False, False),
        ("900", "2026-01-26", True, False),  # 16 days after the first date, unpaid
        ("600.01", "2026-01-26", True, False),  # one cent short is unpaid
        ("600", "2026-02-25", False, False),
        ("600", "2026-02-26", True, False),
        ("0", "2027-01-01", False, True),
        ("-10", "2027-01-01", False, True),  # overpaid
    ],
)
def test_breach_and_completion(open_now, today, broken, completed):
    paid = paid_amount(D("900"), D(open_now))
    assert is_broken(THREE, paid, date.fromisoformat(today)) is broken
    assert is_completed(THREE, paid) is completed


def test_the_grace_period_is_a_setting():
    assert is_broken(THREE, D(0), date(2026, 1, 16), grace_days=5)
    assert not is_broken(THREE, D(0), date(2026, 1, 15), grace_days=5)


def state(open_now="900", given=frozenset(), customer=1, pk=1):
    return PlanState(pk, customer, "EUR", D("900"), D(open_now), THREE, (11, 12), given)


@pytest.mark.parametrize(
    ("today", "open_now", "given", "expected"),
    [
        ("2026-01-04", "900", (), []),
        ("2026-01-05", "900", (), [(1, "before", "300")]),  # 5 days before
        ("2026-01-10", "900", (), [(1, "before", "300")]),  # a late run, on the day
        ("2026-01-05", "900", ((1, "before"),), []),  # never twice
        ("2026-01-11", "900", (), []),  # a courteous notice lapses after the date
        ("2026-01-13", "900", (), [(1, "overdue", "300")]),  # 3 days late
        ("2026-01-25", "900", ((1, "overdue"),), []),
        ("2026-01-26", "900", (), []),  # broken: no instalment reminder any more
        ("2026-01-13", "700", (), [(1, "overdue", "100")]),  # partly paid
        ("2026-01-13", "600", (), []),  # paid
        ("2026-02-06", "600", (), [(2, "before", "300")]),
        ("2026-02-06", "300", (), []),  # paid ahead: nothing to announce
    ],
)
def test_instalment_notices(today, open_now, given, expected):
    given = frozenset((pk, NoticeKind(kind)) for pk, kind in given)
    found = notices(state(open_now, given), date.fromisoformat(today))
    assert [(n.instalment.number, n.kind.value, str(n.amount)) for n in found] == [
        (number, kind, str(D(amount))) for number, kind, amount in expected
    ]


def test_one_message_per_customer_lists_the_instalments_of_its_plans():
    second = PlanState(2, 1, "EUR", D("100"), D("100"), (i(1, "2026-01-08", "100", 21),), (13,))
    other = state(customer=2, pk=3)
    found = instalment_reminders([state(), second, other], date(2026, 1, 13))
    assert [r.planned.customer_id for r in found] == [1, 2]
    first = found[0]
    assert [n.instalment.id for n in first.notices] == [21, 1]
    assert first.planned.amount == D("400") and first.planned.overdue_amount == D("400")
    assert first.planned.listed_item_ids == (11, 12, 13)
    assert (first.planned.level, first.planned.step_name) == (2, "Échéance impayée")
    assert first.planned.moves == () and first.planned.scenario_id is None


def test_a_message_announcing_an_instalment_is_the_courteous_one():
    (found,) = instalment_reminders([state()], date(2026, 1, 6))
    assert (found.planned.level, found.planned.step_name) == (1, "Échéance à venir")
    assert found.planned.overdue_amount == D(0)


def test_a_scenario_email_waits_for_the_day_after_an_instalment_email():
    (notice,) = instalment_reminders([state()], date(2026, 1, 6))

    def step(customer, channel, currency="EUR"):
        return replace(notice.planned, customer_id=customer, channel=channel, currency=currency,
                       scenario_id=7, moves=(Move(40 + customer, 7, 2),))  # fmt: skip

    planned = [step(1, Channel.EMAIL), step(1, Channel.SMS), step(2, Channel.EMAIL),
               step(1, Channel.EMAIL, "USD")]  # fmt: skip
    found = beside_instalments(Plan(tuple(planned), ()), [notice])
    assert found.reminders == (*planned[1:], notice.planned)  # the instalment e-mail comes last
    assert found.excluded == (Exclusion(1, "EUR", 41, Reason.INSTALMENT_TODAY),)
