"""How fresh the bank data is, and when it is too old for reminders to go out."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError

from relance.banking.services import (
    bank_freshness,
    freshest_bank_date,
    import_statement_file,
    is_bank_data_stale,
)
from relance.ledger import services as ledger

from .factories import bank_line, reader_of, statement

pytestmark = pytest.mark.django_db
TODAY = date(2026, 11, 23)


@pytest.fixture
def company():
    return ledger.create_company("ACME", "Acme SAS")


def test_no_bank_data_has_no_date(company):
    assert freshest_bank_date(company) is None
    freshness = bank_freshness(company, TODAY)
    assert freshness.is_absent and freshness.age_days is None and not freshness.is_stale


def test_the_freshest_date_is_the_latest_booking_or_closing_date(company):
    lines = [bank_line(12, "10.00", "A"), bank_line(18, "20.00", "B")]
    import_statement_file(company, b"f", reader=reader_of(statement(lines, last_day=20)))
    assert freshest_bank_date(company) == date(2026, 11, 20)
    assert bank_freshness(company, TODAY).age_days == 3


def test_an_empty_statement_still_tells_its_closing_date(company):
    import_statement_file(company, b"f", reader=reader_of(statement([], last_day=21)))
    assert freshest_bank_date(company) == date(2026, 11, 21)


def test_other_companies_bank_data_does_not_count(company):
    other = ledger.create_company("OTHER", "Other SARL")
    import_statement_file(other, b"f", reader=reader_of(statement([bank_line(20, "1.00")])))
    assert freshest_bank_date(company) is None


@pytest.mark.parametrize(
    "limit, last_day, stale",
    [
        (None, None, False),  # no setting: never stale, even without bank data
        (3, None, True),  # setting but no bank data at all
        (3, 20, False),  # three days old: not older than three days
        (2, 20, True),
        (1, 23, False),
    ],
)
def test_bank_data_is_stale_when_older_than_the_company_setting(company, limit, last_day, stale):
    ledger.update_company(company, pause_sending_when_bank_older_than_days=limit)
    if last_day:
        reader = reader_of(statement([bank_line(last_day, "5.00", "A")]))
        import_statement_file(company, b"f", reader=reader)
    assert is_bank_data_stale(company, TODAY) is stale


def test_the_setting_must_be_a_positive_number_of_days(company):
    with pytest.raises(ValidationError):
        ledger.update_company(company, pause_sending_when_bank_older_than_days=0)
