from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction

from relance.ledger import services
from relance.ledger.models import Customer, Invoice, Payment

TODAY = date(2026, 11, 23)
pytestmark = pytest.mark.django_db


@pytest.fixture
def company():
    return services.create_company("ACME", "Acme SAS", siren="732829320")


@pytest.fixture
def customer(company):
    return Customer.objects.create(company=company, code="C001", name="Boulangerie Martin")


def invoice(company, customer, number, amount, due_on=date(2026, 10, 1), **fields):
    return services.record_invoice(
        company,
        customer,
        number=number,
        issued_on=date(2026, 9, 1),
        due_on=due_on,
        amount=Decimal(amount),
        **fields,
    )


def test_company_identifiers_are_validated():
    with pytest.raises(ValidationError) as error:
        services.create_company(
            "BAD", "Bad SAS", siren="123456789", iban="FR7630006000011234567890188"
        )
    assert set(error.value.message_dict) == {"siren", "iban"}


def test_allocation_lowers_both_open_amounts(company, customer):
    item = invoice(company, customer, "F1", "100.00")
    payment = services.record_payment(
        company, customer=customer, amount=Decimal("60"), received_on=TODAY, currency="EUR"
    )
    services.allocate(item, Decimal("60"), TODAY, payment=payment)
    item.refresh_from_db()
    payment.refresh_from_db()
    assert (item.open_amount, payment.unallocated_amount) == (Decimal("40.00"), Decimal("0.00"))


def test_refuses_an_allocation_larger_than_what_is_available(company, customer):
    item = invoice(company, customer, "F1", "100.00")
    payment = services.record_payment(
        company, customer=customer, amount=Decimal("150"), received_on=TODAY, currency="EUR"
    )
    with pytest.raises(services.AllocationError):
        services.allocate(item, Decimal("120"), TODAY, payment=payment)
    item.refresh_from_db()
    assert item.open_amount == Decimal("100.00")
    assert not item.allocations.exists()


def test_the_database_itself_refuses_a_negative_open_amount(company, customer):
    item = invoice(company, customer, "F1", "100.00")
    with pytest.raises(IntegrityError), transaction.atomic():
        Invoice.objects.filter(pk=item.pk).update(open_amount=Decimal("-1"))
    payment = services.record_payment(
        company, customer=customer, amount=Decimal("10"), received_on=TODAY, currency="EUR"
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        Payment.objects.filter(pk=payment.pk).update(unallocated_amount=Decimal("11"))


def test_refuses_to_mix_currencies(company, customer):
    item = invoice(company, customer, "F1", "100.00")
    payment = services.record_payment(
        company, customer=customer, amount=Decimal("100"), received_on=TODAY, currency="USD"
    )
    with pytest.raises(services.AllocationError, match="devises"):
        services.allocate(item, Decimal("100"), TODAY, payment=payment)


def test_credit_note_settles_an_invoice(company, customer):
    item = invoice(company, customer, "F1", "100.00")
    credit = invoice(company, customer, "AV1", "30.00", kind="credit_note", is_credit=True)
    services.allocate(item, Decimal("30"), TODAY, credit_item=credit)
    credit.refresh_from_db()
    assert credit.open_amount == Decimal("0.00")
    assert services.position_of(customer, TODAY).balance == Decimal("70.00")


def test_position_nets_payments_and_credit_notes(company, customer):
    invoice(company, customer, "F1", "600.00", due_on=date(2026, 10, 1))
    invoice(company, customer, "F2", "400.00", due_on=date(2026, 12, 31))
    invoice(company, customer, "AV1", "100.00", kind="credit_note", is_credit=True)
    services.record_payment(
        company, customer=customer, amount=Decimal("50"), received_on=TODAY, currency="EUR"
    )
    position = services.position_of(customer, TODAY)
    assert position.balance == Decimal("850.00")
    assert position.overdue == Decimal("450.00")
    annotated = services.with_position(Customer.objects.all(), TODAY, "EUR").get()
    assert (annotated.balance, annotated.overdue) == (Decimal("850.00"), Decimal("450.00"))


def test_open_items_query_matches_the_partial_index(company, customer):
    invoice(company, customer, "F1", "100.00")
    paid = invoice(company, customer, "F2", "100.00")
    Invoice.objects.filter(pk=paid.pk).update(open_amount=Decimal("0"))
    open_items = Invoice.objects.filter(company=company, open_amount__positive=True)
    assert list(open_items.values_list("number", flat=True)) == ["F1"]
    sql, params = open_items.query.sql_with_params()
    assert '"open_amount" > 0' in sql and Decimal(0) not in params
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
            assert "invoice_open_due" in str(cursor.fetchall())


def test_the_exact_remainder_of_a_partial_allocation_can_be_allocated(company, customer):
    # 4313.07 - 2156.53 in floating point is 2156.5399999999995: stored so on SQLite, the
    # remainder 2156.54 would exceed it. The database rounds to the cent.
    item = invoice(company, customer, "F1", "4313.07")
    payment = services.record_payment(
        company, customer=customer, amount=Decimal("4313.07"), received_on=TODAY, currency="EUR"
    )
    services.allocate(item, Decimal("2156.53"), TODAY, payment=payment)
    services.allocate(item, Decimal("2156.54"), TODAY, payment=payment)
    item.refresh_from_db()
    payment.refresh_from_db()
    assert (item.open_amount, payment.unallocated_amount) == (Decimal("0.00"), Decimal("0.00"))
    services.unallocate(item.allocations.order_by("pk").first())
    item.refresh_from_db()
    assert item.open_amount == Decimal("2156.53")
