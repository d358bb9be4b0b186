"""Small factories for web tests: plain functions going through relance.ledger.services."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from itertools import count

from django.contrib.auth import get_user_model

from relance.dunning.models import (
    Dispute,
    DunningRun,
    Exclusion,
    FollowUp,
    Hold,
    Promise,
    Reminder,
    ReminderEvent,
    ReminderItem,
    Scenario,
    Step,
    StepTemplate,
)
from relance.imports import services as import_services
from relance.imports.models import ImportBatch
from relance.ledger import services
from relance.team.models import Membership, Role

_sequence = count(1)


def make_user(username: str | None = None, password: str | None = None, **fields):
    """Without a password the user can only be logged in by tests (fast: no hashing)."""
    username = username or f"user{next(_sequence)}"
    return get_user_model().objects.create_user(username=username, password=password, **fields)


def make_company(code: str = "acme", name: str = "Acme SAS", **fields):
    return services.create_company(code, name, **fields)


def make_member(company, role: str, username: str | None = None):
    user = make_user(username or f"{role}-{company.code}")
    Membership.objects.create(user=user, company=company, role=role)
    return user


def make_customer(company, code: str | None = None, name: str | None = None, **fields):
    number = next(_sequence)
    return services.create_customer(
        company, code=code or f"C{number:05d}", name=name or f"Client {number}", **fields
    )


def make_invoice(
    customer,
    amount: str = "1200.00",
    *,
    due_on: date | None = None,
    number: str | None = None,
    **fields,
):
    due_on = due_on or date.today() - timedelta(days=10)
    return services.record_invoice(
        customer.company,
        customer,
        number=number or f"F{next(_sequence):06d}",
        issued_on=due_on - timedelta(days=30),
        due_on=due_on,
        amount=Decimal(amount),
        currency=customer.company.currency,
        **fields,
    )


def make_payment(customer, amount: str = "100.00", **fields):
    return services.record_payment(
        customer.company,
        customer=customer,
        amount=Decimal(amount),
        received_on=date.today(),
        currency=customer.company.currency,
        **fields,
    )


def make_import_batch(company, **fields):
    fields.setdefault("kind", ImportBatch.Kind.INVOICES)
    fields.setdefault("file_name", "factures.csv")
    return import_services.open_import_batch(company, file_sha256="0" * 64, **fields)


def make_scenario(company, name: str = "Standard", **fields):
    scenario = Scenario.objects.create(company=company, name=name, **fields)
    for level, (step_name, offset, channel) in enumerate(
        [("Prévenance", -5, "email"), ("Relance amiable", 5, "email"), ("Appel", 15, "call")],
        start=1,
    ):
        step = Step.objects.create(
            scenario=scenario, level=level, name=step_name, offset_days=offset, channel=channel
        )
        StepTemplate.objects.create(
            step=step, language="fr", subject=f"{step_name} {{{{ customer.name }}}}", body="Bonjour"
        )
    return scenario


def make_reminder(customer, status: str = Reminder.Status.AWAITING_APPROVAL, **fields):
    fields.setdefault("level", 1)
    fields.setdefault("step_name", "Relance amiable")
    fields.setdefault("channel", "email")
    fields.setdefault("currency", customer.company.currency)
    fields.setdefault("amount", Decimal("1200.00"))
    fields.setdefault("overdue_amount", Decimal("1200.00"))
    fields.setdefault("planned_on", date.today())
    fields.setdefault("subject", "Facture impayée")
    fields.setdefault("body_text", "Madame, Monsieur, sauf erreur de notre part...")
    fields.setdefault(
        "recipients", [{"email": "compta@example.fr", "name": "Compta", "kind": "to"}]
    )
    reminder = Reminder.objects.create(
        company=customer.company, customer=customer, status=status, **fields
    )
    ReminderEvent.objects.create(reminder=reminder, status=status)
    return reminder


def make_dunning_records(world) -> None:
    """Dunning records on the world's customer; none touches the ledger."""
    world.scenario = make_scenario(world.company)
    world.step = world.scenario.steps.get(level=1)
    world.run = DunningRun.objects.create(company=world.company, run_on=date.today())
    Exclusion.objects.create(
        run=world.run, customer=world.customer, invoice=world.invoice, currency="EUR", reason="paid"
    )
    world.reminder = make_reminder(world.customer)
    world.foreign_reminder = make_reminder(world.foreign_customer)
    world.sent_reminder = make_reminder(
        world.customer,
        Reminder.Status.SENT,
        body_html="<p>Madame, Monsieur</p>",
        attachments=[{"name": "F-0001.pdf", "sha256": "ab" * 32}],
    )
    world.uncertain_reminder = make_reminder(world.customer, Reminder.Status.UNCERTAIN)
    world.hold = Hold.objects.create(
        company=world.company, customer=world.customer, reason="Accord commercial"
    )
    world.dispute = Dispute.objects.create(
        company=world.company, customer=world.customer, invoice=world.invoice, reason="price"
    )
    world.promise = Promise.objects.create(
        company=world.company,
        customer=world.customer,
        promised_on=date.today() + timedelta(days=7),
        amount=Decimal("500.00"),
    )


def make_call(customer, amount: str = "1200.00", days_late: int = 20, **fields):
    """A pending call reminder due today listing one invoice `days_late` days overdue."""
    item = make_invoice(customer, amount, due_on=date.today() - timedelta(days=days_late))
    fields.setdefault("channel", "call")
    fields.setdefault("step_name", "Appel téléphonique")
    fields.setdefault("subject", "")
    fields.setdefault("body_text", "")
    reminder = make_reminder(
        customer,
        Reminder.Status.PENDING,
        amount=Decimal(amount),
        overdue_amount=Decimal(amount),
        **fields,
    )
    ReminderItem.objects.create(
        reminder=reminder, invoice=item, open_amount=item.open_amount, moved_to_level=1
    )
    return reminder


def make_follow_up(customer, kind: str = FollowUp.Kind.CHECK_PAYMENT, **fields):
    fields.setdefault("due_on", date.today())
    return FollowUp.objects.create(company=customer.company, customer=customer, kind=kind, **fields)


def call_records(world):
    """A call to make and a follow-up on the world's customer, built once per World."""
    if not hasattr(world, "call"):
        world.call = make_call(world.customer)
        world.follow_up = make_follow_up(world.customer)
    return world


def plan_records(world):
    """A payment plan over the world's invoice (two monthly instalments), built once per
    World: in the plan, the invoice is not reminded."""
    if not hasattr(world, "plan"):
        from relance.plans.services import agree_plan

        world.plan = agree_plan(
            world.customer, None, [world.invoice], date.today(), count=2, first_on=date.today()
        )
    return world


class World:
    """One company with a member of every role, a customer in the collector's portfolio and
    one outside it, their records; and an outsider who belongs to another company only."""

    def __init__(self):
        self.company = make_company("acme", "Acme SAS")
        self.users = {role: make_member(self.company, role) for role in Role.values}
        self.other_company = make_company("other", "Other SARL")
        self.outsider = make_member(self.other_company, Role.ADMIN, "outsider")
        collector = self.users[Role.COLLECTOR]
        self.other_collector = make_member(self.company, Role.COLLECTOR, "collector-2")
        self.customer = make_customer(self.company, "C001", "Dupont Bâtiment", collector=collector)
        self.foreign_customer = make_customer(
            self.company, "C002", "Martin Négoce", collector=self.other_collector
        )
        self.invoice = make_invoice(self.customer, number="F-0001")
        self.payment = make_payment(self.customer)
        self.contact = services.save_contact(
            self.customer.contacts.model(customer=self.customer),
            name="Jeanne Dupont",
            email="jeanne@example.fr",
        )
        self.batch = make_import_batch(self.company)
        make_dunning_records(self)

    def user(self, role: str):
        return self.users[role]
