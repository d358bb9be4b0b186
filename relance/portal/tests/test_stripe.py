"""Stripe Checkout at the HTTP boundary: the exact request that opens a payment page (the one
HTTP call patched, never the network), and signed webhook payloads replayed: valid, badly
signed, too old, the same event twice, two events for one session."""

import json
import time
from decimal import Decimal
from unittest import mock
from urllib.parse import parse_qsl

import pytest

from relance.dunning.channels import TemporaryFailure
from relance.dunning.channels.http import Response
from relance.ledger.models import Invoice, Payment
from relance.portal.models import CheckoutSession, DebtorAction, ProviderEvent
from relance.portal.providers import PaymentUnavailable
from relance.portal.providers.stripe import (
    CheckoutRequest,
    StripeCheckout,
    signature,
    verified_event,
)

from .conftest import PUBLIC

pytestmark = pytest.mark.django_db
POST = "relance.portal.providers.http.post"
SECRET = "whsec_test_secret"
SESSION = {
    "id": "cs_test_a1b2c3",
    "object": "checkout.session",
    "url": "https://checkout.stripe.com/c/pay/cs_test_a1b2c3",
}


def answer(status, payload):
    return Response(status, json.dumps(payload).encode())


@pytest.fixture
def stripe_on(settings):
    settings.STRIPE_SECRET_KEY = "sk_test_123"
    settings.STRIPE_WEBHOOK_SECRET = SECRET
    return settings


def test_the_checkout_request_is_exactly_stripes_documented_one():
    checkout = StripeCheckout("sk_test_123", timeout=7)
    request = CheckoutRequest(
        reference="42",
        idempotency_key="key-42",
        amount_cents=156000,
        currency="EUR",
        description="Factures F-0001, F-0002",
        success_url=f"{PUBLIC}/p/checkout/paid/",
        cancel_url=f"{PUBLIC}/p/checkout/cancelled/",
        email="compta@dupont.fr",
        locale="fr",
        metadata=(("company", "acme"), ("customer", "C001")),
    )
    with mock.patch(POST, return_value=answer(200, SESSION)) as post:
        opened = checkout.open(request)
    assert (opened.id, opened.url) == (SESSION["id"], SESSION["url"])
    (url,), kwargs = post.call_args
    assert url == "https://api.stripe.com/v1/checkout/sessions"
    assert kwargs["headers"] == {
        "Authorization": "Bearer sk_test_123",
        "Content-Type": "application/x-www-form-urlencoded",
        "Idempotency-Key": "key-42",
    }
    assert kwargs["timeout"] == 7
    assert parse_qsl(kwargs["body"].decode()) == [
        ("mode", "payment"),
        ("line_items[0][quantity]", "1"),
        ("line_items[0][price_data][currency]", "eur"),
        ("line_items[0][price_data][unit_amount]", "156000"),
        ("line_items[0][price_data][product_data][name]", "Factures F-0001, F-0002"),
        ("client_reference_id", "42"),
        ("success_url", f"{PUBLIC}/p/checkout/paid/"),
        ("cancel_url", f"{PUBLIC}/p/checkout/cancelled/"),
        ("locale", "fr"),
        ("customer_email", "compta@dupont.fr"),
        ("metadata[company]", "acme"),
        ("metadata[customer]", "C001"),
    ]


@pytest.mark.parametrize(
    ("failure", "message"),
    [
        (answer(400, {"error": {"type": "invalid_request_error", "message": "Bad currency"}}),
         "Stripe 400 (invalid_request_error) : Bad currency"),
        (answer(401, {"error": {"type": "invalid_request_error", "message": "Invalid API Key"}}),
         "Invalid API Key"),
        (answer(500, {}), "Stripe 500 (?) : réponse inattendue"),
        (TemporaryFailure("refused", is_outage=True), "Stripe : refused"),
    ],
)  # fmt: skip
def test_a_refused_or_unreachable_stripe_is_unavailable_with_the_reason(failure, message):
    kind = {"side_effect": failure} if isinstance(failure, Exception) else {"return_value": failure}
    with mock.patch(POST, **kind), pytest.raises(PaymentUnavailable) as raised:
        StripeCheckout("sk").open(
            CheckoutRequest("1", "k", 100, "eur", "F", "https://s", "https://c")
        )
    assert message in str(raised.value)


def test_the_pay_button_opens_a_session_for_the_ticked_invoices(client, debtor, stripe_on):
    f1, f2 = debtor.invoices[:2]
    with mock.patch(POST, return_value=answer(200, SESSION)) as post:
        html = client.get(debtor.url(), {"items": [f1.pk, f2.pk]}).content.decode()
        assert "Payer en ligne" in html
        response = client.post(debtor.url("pay/"), {"pay-invoices": [f1.pk, f2.pk]})
    assert response.status_code == 303 and response["Location"] == SESSION["url"]
    session = CheckoutSession.objects.get()
    assert session.provider_id == SESSION["id"] and session.amount == Decimal("1560.00")
    assert set(session.invoices.all()) == {f1, f2}
    body = dict(parse_qsl(post.call_args.kwargs["body"].decode()))
    assert body["line_items[0][price_data][unit_amount]"] == "156000"
    assert body["client_reference_id"] == str(session.pk)
    assert post.call_args.kwargs["headers"]["Idempotency-Key"] == session.idempotency_key
    assert debtor.token not in json.dumps(body)  # the link never goes to the provider


def test_stripe_down_leaves_the_transfer_and_says_so(client, debtor, stripe_on):
    with mock.patch(POST, return_value=answer(503, {})):
        response = client.post(debtor.url("pay/"), {"pay-invoices": [debtor.invoices[0].pk]})
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "paiement en ligne n&#x27;est pas disponible" in page
    assert CheckoutSession.objects.get().status == "failed"


def test_without_a_key_there_is_no_online_payment(client, debtor):
    assert "Payer en ligne" not in client.get(debtor.url()).content.decode()
    assert (
        client.post(debtor.url("pay/"), {"pay-invoices": [debtor.invoices[0].pk]}).status_code
        == 404
    )


# --- The webhook ----------------------------------------------------------------------------


def opened_session(debtor, invoices, amount="1560.00"):
    session = CheckoutSession.objects.create(
        company=debtor.company,
        customer=debtor.customer,
        provider="stripe",
        provider_id=SESSION["id"],
        idempotency_key="k1",
        amount=Decimal(amount),
        currency="EUR",
    )
    session.invoices.set(invoices)
    return session


def event(kind="checkout.session.completed", event_id="evt_1", status="paid", amount=156000):
    return {
        "id": event_id,
        "object": "event",
        "type": kind,
        "data": {
            "object": {
                "id": SESSION["id"],
                "object": "checkout.session",
                "amount_total": amount,
                "currency": "eur",
                "payment_status": status,
                "payment_intent": "pi_123",
            }
        },
    }


def deliver(client, payload: dict, *, secret=SECRET, offset=0, sign=None):
    body = json.dumps(payload).encode()
    at = int(time.time()) + offset
    header = sign if sign is not None else f"t={at},v1={signature(secret, at, body)}"
    return client.post(
        "/hooks/payments/stripe/",
        body,
        content_type="application/json",
        HTTP_STRIPE_SIGNATURE=header,
    )


def test_a_signed_completed_session_records_the_payment_on_its_invoices(
    client, debtor, stripe_on, django_capture_on_commit_callbacks, mailoutbox
):
    f1, f2 = debtor.invoices[:2]
    session = opened_session(debtor, [f1, f2])
    with django_capture_on_commit_callbacks(execute=True):
        response = deliver(client, event())
    assert response.status_code == 200 and response.json()["outcome"] == "paid"
    payment = Payment.objects.get(reference="pi_123")
    assert payment.amount == Decimal("1560.00") and payment.method == "card"
    assert payment.unallocated_amount == 0
    assert Invoice.objects.get(pk=f1.pk).open_amount == 0
    assert Invoice.objects.get(pk=f2.pk).open_amount == 0
    session.refresh_from_db()
    assert session.status == "paid" and session.payment == payment
    action = DebtorAction.objects.get(kind="card_payment")
    assert action.payment == payment and "paiement en ligne de 1\u00a0560,00" in mailoutbox[-1].body


def test_a_replayed_event_records_nothing_twice(client, debtor, stripe_on):
    opened_session(debtor, debtor.invoices[:2])
    assert deliver(client, event()).json()["outcome"] == "paid"
    assert deliver(client, event()).json()["outcome"] == "replayed"
    # Another event for the same session (Stripe retries, or a later async success).
    later = event("checkout.session.async_payment_succeeded", event_id="evt_2")
    assert deliver(client, later).json()["outcome"] == "already paid"
    assert Payment.objects.filter(reference="pi_123").count() == 1
    assert ProviderEvent.objects.count() == 2


@pytest.mark.parametrize(
    "spoil",
    [
        {"secret": "whsec_other"},  # signed with another secret
        {"sign": ""},  # no signature
        {"sign": "t=123"},  # no v1
        {"offset": -400},  # signed more than 5 minutes ago: a replay
        {"offset": 400},  # from the future
    ],
)
def test_an_unsigned_badly_signed_or_stale_call_changes_nothing(client, debtor, stripe_on, spoil):
    opened_session(debtor, debtor.invoices[:2])
    response = deliver(client, event(), **spoil)
    assert response.status_code == 400
    assert not Payment.objects.filter(reference="pi_123").exists()
    assert not ProviderEvent.objects.exists()


def test_a_body_changed_after_signing_is_refused(client, debtor, stripe_on):
    opened_session(debtor, debtor.invoices[:2])
    at = int(time.time())
    signed = signature(SECRET, at, json.dumps(event()).encode())
    response = deliver(client, event(amount=1), sign=f"t={at},v1={signed}")
    assert response.status_code == 400
    assert not Payment.objects.filter(reference="pi_123").exists()


def test_a_rolled_secret_still_verifies_with_either_signature(debtor):
    body = json.dumps(event()).encode()
    now = int(time.time())
    header = f"t={now},v1={'0' * 64},v1={signature(SECRET, now, body)}"
    assert verified_event(body, header, SECRET, now)["id"] == "evt_1"


def test_a_debit_still_pending_is_recorded_when_it_succeeds(client, debtor, stripe_on):
    opened_session(debtor, debtor.invoices[:1], "1200.00")
    pending = event(status="unpaid", amount=120000)
    assert deliver(client, pending).json()["outcome"] == "ignored"
    assert not Payment.objects.filter(reference="pi_123").exists()
    succeeded = event("checkout.session.async_payment_succeeded", "evt_2", amount=120000)
    assert deliver(client, succeeded).json()["outcome"] == "paid"
    assert Payment.objects.get(reference="pi_123").method == "direct_debit"


def test_an_expired_session_is_marked_failed(client, debtor, stripe_on):
    session = opened_session(debtor, debtor.invoices[:1])
    assert (
        deliver(client, event("checkout.session.expired", status="unpaid")).json()["outcome"]
        == "failed"
    )
    session.refresh_from_db()
    assert session.status == "failed"


def test_a_session_opened_elsewhere_is_ignored(client, debtor, stripe_on):
    assert deliver(client, event()).json()["outcome"] == "ignored"
    assert not Payment.objects.filter(reference="pi_123").exists()


def test_the_webhook_takes_only_posts(client, stripe_on):
    assert client.get("/hooks/payments/stripe/").status_code == 405
