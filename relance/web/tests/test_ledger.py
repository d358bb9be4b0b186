"""Invoices and payments pages."""

from datetime import date, timedelta
from decimal import Decimal

import pytest

from relance.ledger.models import Invoice
from relance.team.models import Role

from .factories import make_invoice

pytestmark = pytest.mark.django_db


def test_an_invoice_opens_with_its_full_amount_and_a_credit_note_is_a_credit(client, world):
    client.force_login(world.user(Role.ACCOUNTANT))
    for number, kind in (("F-9", "invoice"), ("AV-9", "credit_note")):
        client.post(
            "/c/acme/invoices/new/",
            {
                "customer": "C001",
                "number": number,
                "kind": kind,
                "issued_on": "2026-01-05",
                "due_on": "2026-02-04",
                "amount": "240.00",
                "currency": "EUR",
            },
        )
    invoice, credit = Invoice.objects.get(number="F-9"), Invoice.objects.get(number="AV-9")
    assert invoice.open_amount == Decimal("240.00") and not invoice.is_credit
    assert credit.is_credit


def test_an_invoice_for_a_customer_outside_the_portfolio_is_refused(client, world):
    client.force_login(world.user(Role.ADMIN))
    response = client.post(
        "/c/acme/invoices/new/",
        {
            "customer": "UNKNOWN",
            "number": "F-X",
            "kind": "invoice",
            "issued_on": "2026-01-05",
            "due_on": "2026-02-04",
            "amount": "240.00",
            "currency": "EUR",
        },
    )
    assert "customer" in response.context["form"].errors


def test_the_amount_of_a_lettered_invoice_cannot_change(client, world):
    client.force_login(world.user(Role.ADMIN))
    client.post(
        "/c/acme/payments/new/",
        {
            "customer": "C001",
            "received_on": date.today().isoformat(),
            "amount": "200.00",
            "currency": "EUR",
            "method": "transfer",
            "invoices": [world.invoice.pk],
        },
    )
    response = client.post(
        f"/c/acme/invoices/{world.invoice.pk}/edit/",
        {
            "number": "F-0001",
            "kind": "invoice",
            "issued_on": "2026-01-05",
            "due_on": "2026-02-04",
            "amount": "999.00",
            "currency": "EUR",
        },
    )
    assert response.status_code == 200
    assert "déjà lettrée" in str(response.context["form"].non_field_errors())
    assert Invoice.objects.get(pk=world.invoice.pk).amount == Decimal("1200.00")


def test_an_unlettered_invoice_amount_moves_its_open_amount(client, world):
    client.force_login(world.user(Role.ADMIN))
    client.post(
        f"/c/acme/invoices/{world.invoice.pk}/edit/",
        {
            "number": "F-0001",
            "kind": "invoice",
            "issued_on": "2026-01-05",
            "due_on": "2026-02-04",
            "amount": "999.00",
            "currency": "EUR",
        },
    )
    assert Invoice.objects.get(pk=world.invoice.pk).open_amount == Decimal("999.00")


def test_a_payment_is_lettered_oldest_first(client, world):
    older = make_invoice(world.customer, "300.00", due_on=date.today() - timedelta(days=90))
    client.force_login(world.user(Role.ADMIN))
    client.post(
        "/c/acme/payments/new/",
        {
            "customer": "C001",
            "received_on": date.today().isoformat(),
            "amount": "500.00",
            "currency": "EUR",
            "method": "cheque",
            "invoices": [world.invoice.pk, older.pk],
        },
    )
    older.refresh_from_db()
    world.invoice.refresh_from_db()
    assert older.open_amount == 0 and world.invoice.open_amount == Decimal("1000.00")


def test_the_invoice_list_filters_overdue_and_due_soon(client, world):
    soon = make_invoice(world.customer, "50.00", due_on=date.today() + timedelta(days=3))
    client.force_login(world.user(Role.ADMIN))
    overdue = client.get("/c/acme/invoices/", {"show": "overdue"}).context["page"].object_list
    due_soon = client.get("/c/acme/invoices/", {"show": "due_soon"}).context["page"].object_list
    assert list(overdue) == [world.invoice] and list(due_soon) == [soon]


def test_the_invoice_list_searches_by_number(client, world):
    make_invoice(world.customer, number="ZZ-42")
    client.force_login(world.user(Role.ADMIN))
    found = client.get("/c/acme/invoices/", {"q": "zz-4"}).context["page"].object_list
    assert [invoice.number for invoice in found] == ["ZZ-42"]
