"""The generator alone: no database, small sizes."""

from collections import Counter, defaultdict
from datetime import date, timedelta
from decimal import Decimal

import phonenumbers
import pytest
from stdnum.eu import vat
from stdnum.fr import siren, siret

from relance.core.records import PayerProfile
from relance.demo.generator import PortfolioSpec, generate
from relance.demo.identity import siren_from, siret_from, vat_from

TODAY = date(2026, 3, 16)
SMALL = PortfolioSpec(customers=400, invoices=6_000, today=TODAY, seed=7, months=18)


@pytest.fixture(scope="module")
def blocks():
    return list(generate(SMALL))


def rows(blocks, kind):
    return [row for block in blocks for row in getattr(block, kind)]


def test_same_seed_gives_the_same_portfolio(blocks):
    assert list(generate(SMALL)) == blocks


def test_another_seed_gives_another_portfolio(blocks):
    other = list(generate(PortfolioSpec(customers=400, invoices=6_000, today=TODAY, seed=8)))
    assert [b.customer.name for b in other] != [b.customer.name for b in blocks]
    assert rows(other, "invoices") != rows(blocks, "invoices")


def test_builds_the_requested_number_of_invoices(blocks):
    invoices = [row for row in rows(blocks, "invoices") if row.kind == "invoice"]
    credit_notes = [row for row in rows(blocks, "invoices") if row.kind == "credit_note"]
    assert len(blocks) == 400
    assert len(invoices) == 6_000
    assert 0.01 < len(credit_notes) / len(invoices) < 0.05


def test_companies_have_valid_siren_siret_and_vat(blocks):
    companies = [b.customer for b in blocks if not b.customer.is_consumer]
    assert len(companies) > 300
    for customer in companies:
        assert siren.is_valid(customer.siren), customer
        assert siret.is_valid(customer.siret), customer
        assert customer.siret.startswith(customer.siren)
        assert vat.is_valid(customer.vat_number), customer
    assert len({c.siren for c in companies}) == len(companies)


def test_a_few_consumers_have_no_siren(blocks):
    consumers = [b.customer for b in blocks if b.customer.is_consumer]
    assert 0 < len(consumers) < 50
    assert all(c.siren == "" and c.siret == "" for c in consumers)


def test_identifiers_follow_the_official_check_digits():
    assert siren_from(73282932) == "732829320"  # Luhn check digit 0
    assert siret_from("732829320", 7) == "73282932000074"
    assert vat_from("404833048") == "FR83404833048"


def test_phone_numbers_are_valid_e164(blocks):
    numbers = [n for c in rows(blocks, "contacts") for n in (c.phone, c.mobile) if n]
    assert len(numbers) > 500
    for number in numbers:
        parsed = phonenumbers.parse(number)
        assert phonenumbers.is_valid_number(parsed), number
        assert phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164) == number


def test_profiles_follow_the_weights(blocks):
    shares = Counter(b.customer.payer_profile for b in blocks)
    assert 0.35 < shares["good"] / 400 < 0.55
    assert set(shares) == {p.value for p in PayerProfile}


def test_open_amounts_are_amount_minus_allocations(blocks):
    allocated = defaultdict(Decimal)
    from_payments = defaultdict(Decimal)
    for allocation in rows(blocks, "allocations"):
        allocated[allocation.invoice_id] += allocation.amount
        if allocation.payment_id:
            from_payments[allocation.payment_id] += allocation.amount
        else:
            allocated[allocation.credit_item_id] += allocation.amount
    for item in rows(blocks, "invoices"):
        assert item.open_amount == item.amount - allocated[item.id], item
        assert Decimal(0) <= item.open_amount <= item.amount
    for payment in rows(blocks, "payments"):
        assert payment.unallocated_amount == payment.amount - from_payments[payment.id]
    assert any(p.unallocated_amount > 0 for p in rows(blocks, "payments"))


def test_some_payments_cover_several_invoices_and_some_invoices_are_partly_paid(blocks):
    per_payment = Counter(a.payment_id for a in rows(blocks, "allocations") if a.payment_id)
    assert any(count > 1 for count in per_payment.values())
    items = rows(blocks, "invoices")
    assert any(Decimal(0) < i.open_amount < i.amount for i in items if not i.is_credit)


def test_nothing_happens_after_today(blocks):
    assert max(i.issued_on for i in rows(blocks, "invoices")) <= TODAY
    assert max(p.received_on for p in rows(blocks, "payments")) <= TODAY


def test_invoices_not_yet_due_are_open(blocks):
    recent = [
        i
        for i in rows(blocks, "invoices")
        if i.kind == "invoice" and i.issued_on >= TODAY - timedelta(days=10)
    ]
    assert recent
    assert all(i.open_amount == i.amount for i in recent if not i.number.startswith("AV"))


def _late_days(blocks, profile):
    """Days late of each allocation of customers with `profile`."""
    due = {i.id: i.due_on for i in rows(blocks, "invoices")}
    wanted = {b.customer.id for b in blocks if b.customer.payer_profile == profile}
    return [
        (a.allocated_on - due[a.invoice_id]).days
        for b in blocks
        if b.customer.id in wanted
        for a in b.allocations
        if a.payment_id
    ]


def test_automatic_payers_are_never_late(blocks):
    days = _late_days(blocks, "automatic")
    assert days and all(day == 0 for day in days)
    methods = {
        p.method for b in blocks if b.customer.payer_profile == "automatic" for p in b.payments
    }
    assert methods == {"direct_debit"}


def test_negligent_payers_are_late(blocks):
    days = _late_days(blocks, "negligent")
    assert min(days) >= 10
    assert sum(days) / len(days) > 15


def test_insolvent_customers_leave_most_invoices_open(blocks):
    insolvent = [
        i
        for b in blocks
        if b.customer.payer_profile == "insolvent"
        for i in b.invoices
        if i.kind == "invoice"
    ]
    assert insolvent
    assert sum(i.open_amount > 0 for i in insolvent) / len(insolvent) > 0.6


def test_open_share_is_reached_when_asked():
    spec = PortfolioSpec(
        customers=300, invoices=5_000, today=TODAY, seed=3, months=24, open_share=0.3
    )
    invoices = [i for b in generate(spec) for i in b.invoices if i.kind == "invoice"]
    share = sum(i.open_amount > 0 for i in invoices) / len(invoices)
    assert 0.28 < share < 0.33
