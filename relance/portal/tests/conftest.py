"""A debtor with a link: the company has bank details, the customer a billing contact, two
overdue invoices and one not yet due; uploads go to a temporary folder, the rate limits'
counters to a fresh cache, the public address is set."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import pytest
from django.core.cache import cache

from relance.ledger.models import Company, Customer, Invoice
from relance.ledger.services import save_contact
from relance.portal import links
from relance.web.tests.factories import World, make_invoice

PUBLIC = "https://relance.example.com"
IBAN = "FR7630006000011234567890189"


@pytest.fixture(autouse=True)
def portal_settings(settings, tmp_path):
    settings.UPLOAD_ROOT = tmp_path / "uploads"
    settings.RELANCE_PUBLIC_URL = PUBLIC
    settings.STRIPE_SECRET_KEY = ""
    settings.STRIPE_WEBHOOK_SECRET = ""
    cache.clear()
    yield settings
    cache.clear()


@dataclass
class Debtor:
    """The world's customer seen from its page."""

    world: World
    customer: Customer
    token: str
    invoices: list[Invoice]

    @property
    def company(self) -> Company:
        return self.customer.company

    def url(self, tail: str = "") -> str:
        return f"/p/{self.token}/{tail}"


def bank_details(company: Company) -> Company:
    Company.objects.filter(pk=company.pk).update(
        iban=IBAN,
        bic="AGRIFRPP",
        address="12 avenue des Tilleuls",
        postal_code="69003",
        city="Lyon",
        siren="552100554",
    )
    company.refresh_from_db()
    return company


@pytest.fixture
def world(db):
    world = World()
    bank_details(world.company)
    return world


@pytest.fixture
def debtor(world) -> Debtor:
    return prepare_debtor(world)


def prepare_debtor(world: World) -> Debtor:
    """The world's customer, its collector named, three open invoices, a link."""
    customer = Customer.objects.select_related("company").get(pk=world.customer.pk)
    collector = customer.collector
    collector.first_name, collector.last_name, collector.email = "Chloé", "Martin", "chloe@acme.fr"
    collector.save()
    save_contact(world.contact, name="Compta Dupont", role="billing", email="compta@dupont.fr")
    today = date.today()
    invoices = [
        world.invoice,  # F-0001, 1 200,00, due 10 days ago
        make_invoice(customer, "360.00", number="F-0002", due_on=today - timedelta(days=40)),
        make_invoice(customer, "90.50", number="F-0003", due_on=today + timedelta(days=20)),
    ]
    # The world's hold and dispute would hide what the page does: start clean.
    world.hold.delete()
    world.dispute.delete()
    Invoice.objects.filter(pk=world.invoice.pk).update(is_disputed=False)
    world.promise.delete()
    for invoice in invoices:
        invoice.refresh_from_db()
    return Debtor(world, customer, links.issue_for_customer(customer), invoices)
