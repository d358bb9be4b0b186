"""The promise and dispute forms of the customer dunning page: channel and optional amount,
reason, partial amount and owner told by e-mail, resolution chosen from the list."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core import mail

from relance.dunning.models import Dispute, Promise
from relance.team.models import Role

from .factories import make_member

pytestmark = pytest.mark.django_db


def login(client, world, role=Role.COLLECTOR):
    client.force_login(world.user(role))


def dunning_page(client, world) -> str:
    return client.get(f"/c/acme/customers/{world.customer.pk}/dunning/").content.decode()


def test_a_promise_without_an_amount_is_for_what_its_invoices_owe(client, world):
    login(client, world)
    day = date.today() + timedelta(days=10)
    response = client.post(
        f"/c/acme/customers/{world.customer.pk}/promises/new/",
        {"promised_on": day.isoformat(), "invoices": [world.invoice.pk], "channel": "letter"},
    )
    assert response.status_code == 302
    promise = Promise.objects.exclude(pk=world.promise.pk).get()
    assert (promise.amount, promise.channel) == (world.invoice.open_amount, "letter")
    assert promise.made_on is not None


def test_an_unknown_promise_channel_is_shown_back_as_an_error(client, world):
    login(client, world)
    day = date.today() + timedelta(days=10)
    response = client.post(
        f"/c/acme/customers/{world.customer.pk}/promises/new/",
        {"promised_on": day.isoformat(), "amount": "100", "channel": "fax"},
    )
    assert response.status_code == 200 and Promise.objects.count() == 1


def test_a_broken_promise_is_marked_on_the_customer_file(client, world):
    login(client, world)
    Promise.objects.filter(pk=world.promise.pk).update(status="broken", decided_on=date.today())
    assert "<mark>Non tenue</mark>" in dunning_page(client, world)


def test_a_partial_dispute_assigned_to_the_sales_rep_emails_them(
    client, world, django_capture_on_commit_callbacks
):
    login(client, world)
    rep = make_member(world.company, Role.SALES, "rep")
    rep.email = "rep@acme.fr"
    rep.save()
    world.customer.sales_rep = rep
    world.customer.save()
    assert f'value="{rep.pk}"' in dunning_page(client, world)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            f"/c/acme/customers/{world.customer.pk}/disputes/new/",
            {"invoice": world.invoice.pk, "reason": "not_received", "amount": "100.00",
             "owner": rep.pk},
        )  # fmt: skip
    dispute = Dispute.objects.get(reason="not_received")
    assert (dispute.owner, dispute.amount) == (rep, Decimal("100.00"))
    assert [m.to for m in mail.outbox] == [["rep@acme.fr"]]


def test_a_disputed_amount_above_what_is_owed_is_an_error(client, world):
    login(client, world)
    response = client.post(
        f"/c/acme/customers/{world.customer.pk}/disputes/new/",
        {"invoice": world.invoice.pk, "reason": "price", "amount": "99999.00"},
    )
    assert response.status_code == 200 and Dispute.objects.count() == 1


def test_the_resolution_is_chosen_from_the_list_with_a_note(client, world):
    login(client, world)
    page = dunning_page(client, world)
    assert 'value="credit_note"' in page and 'value="rejected"' in page
    client.post(
        f"/c/acme/disputes/{world.dispute.pk}/resolve/",
        {"resolution": "rejected", "note": "Prix conforme au devis"},
    )
    world.dispute.refresh_from_db()
    assert (world.dispute.resolution, world.dispute.resolution_note) == (
        "rejected", "Prix conforme au devis"
    )  # fmt: skip
    assert "Litige rejeté" in dunning_page(client, world)


def test_a_resolution_outside_the_list_changes_nothing(client, world):
    login(client, world)
    client.post(f"/c/acme/disputes/{world.dispute.pk}/resolve/", {"resolution": "Avoir"})
    world.dispute.refresh_from_db()
    assert world.dispute.status == "open"
