"""When a customer's personal data may be anonymised (relance.core.privacy), as a table."""

from datetime import date

import pytest

from relance.core.privacy import Account, Verdict, decide, retention_ends_on, scrub

TODAY = date(2026, 6, 15)


def account(**changes) -> Account:
    settled = dict(
        has_open_items=False,
        has_open_dispute=False,
        has_open_promise=False,
        has_active_plan=False,
        has_pending_reminder=False,
        last_activity_on=date(2020, 1, 10),
    )
    return Account(**{**settled, **changes})


@pytest.mark.parametrize(
    ("changes", "years", "verdict"),
    [
        ({}, 5, Verdict.ANONYMISE),  # settled since January 2020: retention over in 2025
        ({"last_activity_on": date(2021, 6, 14)}, 5, Verdict.ANONYMISE),  # ended yesterday
        ({"last_activity_on": date(2021, 6, 15)}, 5, Verdict.RETAINED),  # its last day: today
        ({"last_activity_on": date(2024, 3, 1)}, 5, Verdict.RETAINED),
        ({"last_activity_on": date(2024, 3, 1)}, 3, Verdict.RETAINED),
        ({"last_activity_on": date(2024, 3, 1)}, 2, Verdict.ANONYMISE),
        ({"last_activity_on": date(2026, 6, 15)}, 0, Verdict.RETAINED),  # not even a day
        ({"last_activity_on": date(2026, 6, 14)}, 0, Verdict.ANONYMISE),
        ({"last_activity_on": None}, 5, Verdict.ANONYMISE),  # nothing ever happened
        ({"has_open_items": True}, 5, Verdict.OPEN_ITEMS),
        ({"has_open_dispute": True}, 5, Verdict.DISPUTED),
        ({"has_open_promise": True}, 5, Verdict.PROMISED),
        ({"has_active_plan": True}, 5, Verdict.PLANNED),
        ({"has_pending_reminder": True}, 5, Verdict.REMINDER_PENDING),
        # the first reason is given, whatever the dates
        ({"has_open_items": True, "has_open_dispute": True}, 5, Verdict.OPEN_ITEMS),
        ({"has_active_plan": True, "last_activity_on": None}, 5, Verdict.PLANNED),
    ],
)
def test_decide(changes, years, verdict):
    assert decide(account(**changes), TODAY, years) == verdict


@pytest.mark.parametrize(
    ("last", "years", "ends"),
    [
        (date(2019, 2, 28), 5, date(2024, 2, 28)),
        (date(2020, 2, 29), 5, date(2025, 2, 28)),  # no 29 February in 2025
        (date(2020, 2, 29), 4, date(2024, 2, 29)),
        (date(2021, 12, 31), 1, date(2022, 12, 31)),
    ],
)
def test_retention_ends_on(last, years, ends):
    assert retention_ends_on(last, years) == ends


def test_a_negative_retention_is_refused():
    with pytest.raises(ValueError, match="cannot be negative"):
        decide(account(), TODAY, -1)


@pytest.mark.parametrize(
    ("text", "scrubbed"),
    [
        ("SMS au +33612345678 : 1 SMS (GSM-7)", "SMS au [numéro anonymisé] : 1 SMS (GSM-7)"),
        ("Message-ID <172.99@relance.example.com>", "Message-ID <172.99@relance.example.com>"),
        (
            "550 5.1.1 <jeanne.dupont+compta@exemple.fr>: user unknown",
            "550 5.1.1 <[adresse anonymisée]>: user unknown",
        ),
        (
            "Rappeler au 06 12 34 56 78 ou 01.23.45.67.89",
            "Rappeler au [numéro anonymisé] ou [numéro anonymisé]",
        ),  # fmt: skip
        ("pris en charge par worker-1", "pris en charge par worker-1"),
        ("facture F-2024-000123 de 1 200,00", "facture F-2024-000123 de 1 200,00"),
        ("", ""),
    ],
)
def test_scrub(text, scrubbed):
    assert scrub(text) == scrubbed
