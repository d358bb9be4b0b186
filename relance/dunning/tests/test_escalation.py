"""A step's escalation takes effect when its reminder goes out: handed over to collection
(no more amicable reminders), new orders blocked."""

from datetime import timedelta

import pytest

from relance.dunning import actions, sending, services
from relance.dunning.escalation import apply_escalation
from relance.dunning.models import Reminder
from relance.dunning.tests.test_sending import (
    NOW,
    TODAY,
    FakeChannel,
    make_company,
    make_customer,
    make_invoice,
    make_reminder,
    statuses,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def customer():
    return make_customer(make_company("ESC"), "C1")


def test_a_sent_block_orders_step_blocks_the_customer_once(customer):
    reminder = make_reminder(customer, [make_invoice(customer.company, customer, "F1")],
                             escalation="block_orders")  # fmt: skip
    assert sending.send_pending("w1", NOW, channel=FakeChannel()).sent == 1
    customer.refresh_from_db()
    assert customer.is_blocked and not customer.is_handed_over
    assert "nouvelles commandes bloquées" in reminder.events.last().note
    assert apply_escalation(Reminder.objects.get(pk=reminder.pk)) is False  # already blocked


def test_a_collection_step_confirmed_sent_hands_the_customer_over(customer):
    reminder = make_reminder(customer, [make_invoice(customer.company, customer, "F1")],
                             escalation="collection", status="uncertain")  # fmt: skip
    actions.resolve_reminder(reminder, None, "sent")
    customer.refresh_from_db()
    assert customer.is_handed_over
    assert statuses(reminder)[-2:] == ["sent", "sent"]  # the decision, then the escalation


def test_a_handed_over_customer_gets_no_more_amicable_reminders(customer):
    services.seed_default_scenarios(customer.company)
    make_invoice(customer.company, customer, "F9", due_on=TODAY - timedelta(days=20))
    customer.is_handed_over = True
    customer.save()
    result = services.run_dunning(customer.company, TODAY)
    assert result.reminders == []
    assert {e["reason"] for e in result.as_json()["excluded"]} == {"handed_over"}


def test_a_step_without_escalation_changes_nothing(customer):
    make_reminder(customer, [make_invoice(customer.company, customer, "F1")])
    sending.send_pending("w1", NOW, channel=FakeChannel())
    customer.refresh_from_db()
    assert not customer.is_blocked and not customer.is_handed_over


def test_a_person_sees_and_lifts_the_handover_in_the_customer_file(client, customer):
    from django.contrib.auth import get_user_model

    from relance.team.models import Membership, Role

    user = get_user_model().objects.create_user("manager")
    Membership.objects.create(user=user, company=customer.company, role=Role.MANAGER)
    customer.is_handed_over = True
    customer.save()
    client.force_login(user)
    base = f"/c/{customer.company.code}/customers/{customer.pk}/"
    assert "Transmis au contentieux" in client.get(base).content.decode()
    form = client.get(base + "edit/").context["form"]
    data = {k: v for k, v in form.initial.items() if v is not None and k != "is_handed_over"}
    assert client.post(base + "edit/", data).status_code == 302
    customer.refresh_from_db()
    assert not customer.is_handed_over
