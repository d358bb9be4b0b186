from datetime import date, datetime, time

import pytest

from relance.core.calendar import (
    BusinessCalendar,
    ContactWindow,
    next_allowed,
    parse_hours,
    within_hours,
)

FRANCE = BusinessCalendar()
ALSACE_MOSELLE = BusinessCalendar(alsace_moselle=True)


@pytest.mark.parametrize(
    ("day", "in_france", "in_alsace_moselle"),
    [
        (date(2026, 7, 14), True, True),  # fête nationale
        (date(2026, 5, 14), True, True),  # Ascension
        (date(2026, 4, 6), True, True),  # Easter Monday
        (date(2026, 4, 3), False, True),  # Good Friday: local law of Alsace-Moselle
        (date(2025, 12, 26), False, True),  # Saint Stephen's day, idem
        (date(2026, 7, 13), False, False),
    ],
)
def test_knows_french_public_holidays(day, in_france, in_alsace_moselle):
    assert FRANCE.is_holiday(day) is in_france
    assert ALSACE_MOSELLE.is_holiday(day) is in_alsace_moselle


@pytest.mark.parametrize(
    ("day", "in_france", "in_alsace_moselle"),
    [
        (date(2026, 7, 13), date(2026, 7, 13), date(2026, 7, 13)),  # a business day stays
        (date(2026, 7, 14), date(2026, 7, 15), date(2026, 7, 15)),  # 14 July, a Tuesday
        (date(2026, 3, 7), date(2026, 3, 9), date(2026, 3, 9)),  # Saturday -> Monday
        (date(2026, 3, 8), date(2026, 3, 9), date(2026, 3, 9)),  # Sunday -> Monday
        (date(2026, 5, 1), date(2026, 5, 4), date(2026, 5, 4)),  # 1 May, a Friday
        (date(2025, 12, 25), date(2025, 12, 26), date(2025, 12, 29)),
        (date(2026, 4, 3), date(2026, 4, 3), date(2026, 4, 7)),  # Good Friday, Easter Monday
    ],
)
def test_moves_to_the_next_business_day(day, in_france, in_alsace_moselle):
    assert FRANCE.next_business_day(day) == in_france
    assert ALSACE_MOSELLE.next_business_day(day) == in_alsace_moselle


def test_years_can_be_computed_up_front():
    calendar = BusinessCalendar(years=range(2025, 2028))
    assert not calendar.is_business_day(date(2027, 11, 11))
    assert calendar.is_business_day(date(2027, 11, 12))


@pytest.mark.parametrize(
    ("moment", "weekday", "allowed"),
    [
        (time(10), 0, True),
        (time(9, 59), 0, False),
        (time(12, 59), 4, True),
        (time(13), 4, False),  # lunch break
        (time(13, 59), 2, False),
        (time(14), 2, True),
        (time(19, 59), 3, True),
        (time(20), 3, False),
        (time(11), 5, False),  # Saturday
        (time(11), 6, False),  # Sunday
    ],
)
def test_consumers_are_contacted_on_weekdays_from_10_to_13_and_14_to_20(moment, weekday, allowed):
    assert within_hours(moment, weekday) is allowed


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        (datetime(2026, 2, 16, 11, 30), datetime(2026, 2, 16, 11, 30)),  # already allowed
        (datetime(2026, 2, 16, 8, 0), datetime(2026, 2, 16, 10, 0)),
        (datetime(2026, 2, 16, 13, 15), datetime(2026, 2, 16, 14, 0)),
        (datetime(2026, 2, 13, 20, 30), datetime(2026, 2, 16, 10, 0)),  # Friday night
        (datetime(2026, 2, 14, 11, 0), datetime(2026, 2, 16, 10, 0)),  # Saturday
        (datetime(2026, 7, 13, 21, 0), datetime(2026, 7, 15, 10, 0)),  # over 14 July
    ],
)
def test_next_allowed_contact_time(moment, expected):
    assert next_allowed(moment, FRANCE) == expected


def test_contact_windows_are_configurable():
    saturday_morning = (ContactWindow(frozenset({5}), time(9), time(12)),)
    assert next_allowed(datetime(2026, 2, 16, 9), FRANCE, saturday_morning) == datetime(
        2026, 2, 21, 9
    )
    with pytest.raises(ValueError, match="no contact window"):
        next_allowed(datetime(2026, 2, 16, 9), FRANCE, ())


@pytest.mark.parametrize(
    ("text", "windows"),
    [
        ("10:00-13:00, 14:00-20:00", [(time(10), time(13)), (time(14), time(20))]),
        ("9:30-12:00", [(time(9, 30), time(12))]),
    ],
)
def test_contact_hours_are_read_as_a_company_writes_them(text, windows):
    parsed = parse_hours(text)
    assert [(w.start, w.end) for w in parsed] == windows
    assert all(w.weekdays == frozenset(range(5)) for w in parsed)


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("", "aucune plage"),
        ("10h-12h", "illisible"),
        ("14:00-10:00", "vide"),
        ("10:00", "illisible"),
    ],
)
def test_unreadable_contact_hours_say_why(text, reason):
    with pytest.raises(ValueError, match=reason):
        parse_hours(text)
