"""Business days and contact hours: when a reminder may be dated and when a debtor may be called.

Public holidays come from the `holidays` package (metropolitan France; Alsace-Moselle adds Good
Friday and 26 December, local law of 1 June 1924). Saturdays and Sundays are not business days.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

import holidays

_ONE_DAY = timedelta(days=1)
MONDAY_TO_FRIDAY = frozenset(range(5))


class BusinessCalendar:
    """French business days; holidays are computed once per year, on first use.

    The memo tables are filled lazily but the answers never change: a calendar is a value.
    """

    def __init__(self, alsace_moselle: bool = False, years: Iterable[int] = ()) -> None:
        self.alsace_moselle = alsace_moselle
        self._holidays: dict[int, frozenset[date]] = {}
        self._next: dict[date, date] = {}
        for year in years:
            self._year(year)

    def _year(self, year: int) -> frozenset[date]:
        days = self._holidays.get(year)
        if days is None:
            days = _french_holidays(year, self.alsace_moselle)
            self._holidays[year] = days
        return days

    def is_holiday(self, day: date) -> bool:
        """A French public holiday (jour férié), whatever the day of the week."""
        return day in self._year(day.year)

    def is_business_day(self, day: date) -> bool:
        """Monday to Friday and not a public holiday."""
        return day.weekday() < 5 and not self.is_holiday(day)

    def next_business_day(self, day: date) -> date:
        """`day` itself when it is a business day, else the first business day after it."""
        found = self._next.get(day)
        if found is None:
            found = day
            while not self.is_business_day(found):
                found += _ONE_DAY
            self._next[day] = found
        return found


def _french_holidays(year: int, alsace_moselle: bool) -> frozenset[date]:
    # subdiv "57" (Moselle) carries the Alsace-Moselle days; "67" and "68" have the same ones.
    subdiv = "57" if alsace_moselle else None
    return frozenset(holidays.country_holidays("FR", subdiv=subdiv, years=year))


@dataclass(frozen=True)
class ContactWindow:
    """A time slot during which a consumer may be contacted, on some days of the week.

    `weekdays` uses date.weekday() numbers (Monday = 0); `start` is included, `end` is not.
    """

    weekdays: frozenset[int]
    start: time
    end: time


# DESIGN.md, consumers: no repeated or harassing contact; weekdays 10-13 h and 14-20 h.
CONSUMER_HOURS = (
    ContactWindow(MONDAY_TO_FRIDAY, time(10), time(13)),
    ContactWindow(MONDAY_TO_FRIDAY, time(14), time(20)),
)


def parse_hours(text: str) -> tuple[ContactWindow, ...]:
    """Weekday contact windows written as "10:00-13:00, 14:00-20:00" (what a company sets).

    Raises ValueError naming the part that cannot be read."""
    windows = []
    for part in (p.strip() for p in text.split(",") if p.strip()):
        try:
            start_text, end_text = part.split("-")
            start, end = _clock(start_text), _clock(end_text)
        except ValueError:
            raise ValueError(
                f"plage horaire illisible : {part!r} (attendu : 10:00-13:00)"
            ) from None
        if start >= end:
            raise ValueError(f"plage horaire vide : {part!r}")
        windows.append(ContactWindow(MONDAY_TO_FRIDAY, start, end))
    if not windows:
        raise ValueError("aucune plage horaire : un particulier ne pourrait jamais être contacté")
    return tuple(windows)


def _clock(text: str) -> time:
    """'9:30' or '09:30' -> time(9, 30); ValueError otherwise."""
    hours, minutes = text.strip().split(":")
    if not (hours.isdecimal() and minutes.isdecimal() and len(minutes) == 2):
        raise ValueError(text)
    return time(int(hours), int(minutes))


def within_hours(
    moment: time, weekday: int, windows: tuple[ContactWindow, ...] = CONSUMER_HOURS
) -> bool:
    """True when `moment` on that weekday falls inside one of the windows."""
    return any(
        weekday in window.weekdays and window.start <= moment < window.end for window in windows
    )


def next_allowed(
    moment: datetime,
    calendar: BusinessCalendar,
    windows: tuple[ContactWindow, ...] = CONSUMER_HOURS,
) -> datetime:
    """The first local time at or after `moment` inside a window and not on a public holiday.

    Example: Friday 13 February 2026 at 20:30 -> Monday 16 February at 10:00.
    `moment` is naive local time (the company's time zone); the caller converts.
    """
    if not any(window.weekdays and window.start < window.end for window in windows):
        raise ValueError("no contact window: a consumer could never be contacted")
    day = moment.date()
    while True:
        found = _first_slot(day, moment, calendar, windows)
        if found is not None:
            return found
        day += _ONE_DAY


def _first_slot(
    day: date, moment: datetime, calendar: BusinessCalendar, windows: tuple[ContactWindow, ...]
) -> datetime | None:
    if calendar.is_holiday(day):
        return None
    starts = []
    for window in windows:
        if day.weekday() not in window.weekdays:
            continue
        start, end = datetime.combine(day, window.start), datetime.combine(day, window.end)
        if moment < end:
            starts.append(max(start, moment))
    return min(starts, default=None)
