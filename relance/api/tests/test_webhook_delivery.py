"""Delivering webhooks to a real HTTP server on 127.0.0.1 (http.server in a thread), which
checks the signature as a receiver would; failures, retries with backoff, the delivery log."""

from __future__ import annotations

import json
import threading
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from django.core.management import call_command

from relance.api.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint
from relance.api.webhooks import delivery, emit, signing
from relance.web.tests.factories import make_company

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
SECRET = "whsec_test-secret"


class Receiver:
    """An endpoint of the company's own software: answers `status`, keeps what it got."""

    def __init__(self):
        self.status = 200
        self.received: list[dict] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.received.append(
                    {"headers": dict(self.headers), "body": body, "path": self.path}
                )
                self.send_response(receiver.status)
                self.end_headers()
                self.wfile.write(b'{"ok": true}')

            def log_message(self, *args):
                pass

        self.server = HTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/relance"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver():
    server = Receiver()
    yield server
    server.close()


@pytest.fixture
def company():
    return make_company("hook", "Hook SAS")


def endpoint(company, url, events=("payment.received",)):
    return WebhookEndpoint.objects.create(
        company=company, url=url, events=list(events), secret=SECRET
    )


def test_an_event_arrives_signed_and_is_logged_as_delivered(company, receiver):
    endpoint(company, receiver.url)
    emit(company, "payment.received", {"payment": 7, "amount": "120.00"})
    WebhookDelivery.objects.update(next_attempt_at=NOW)

    counts = delivery.deliver_pending("w1", NOW)

    assert counts.as_dict() == {"claimed": 1, "delivered": 1, "retried": 0, "failed": 0}
    (request,) = receiver.received
    headers = request["headers"]
    assert headers["Content-Type"] == "application/json"
    assert headers["Relance-Event"] == "payment.received"
    assert signing.verify(SECRET, headers["Relance-Signature"], request["body"])
    assert not signing.verify("another secret", headers["Relance-Signature"], request["body"])
    assert not signing.verify(SECRET, headers["Relance-Signature"], request["body"] + b" ")
    body = json.loads(request["body"])
    assert body["type"] == "payment.received" and body["company"] == "hook"
    assert body["id"].startswith("evt_") and body["data"] == {"payment": 7, "amount": "120.00"}
    sent = WebhookDelivery.objects.get()
    assert (sent.status, sent.attempts, sent.last_status_code) == ("delivered", 1, 200)
    assert WebhookAttempt.objects.get().response_excerpt == '{"ok": true}'
    assert delivery.deliver_pending("w1", NOW).claimed == 0  # delivered once


def test_a_signature_too_old_is_refused_by_the_check():
    body = b'{"id": "evt_1"}'
    header = signing.signature_header(SECRET, body, timestamp=1_000_000)
    assert signing.verify(SECRET, header, body, now=1_000_000 + 299)
    assert not signing.verify(SECRET, header, body, now=1_000_000 + 301)
    assert not signing.verify(SECRET, "t=abc,v1=00", body)


def test_an_error_answer_is_retried_with_backoff_then_delivered(company, receiver):
    endpoint(company, receiver.url)
    emit(company, "payment.received", {"payment": 7})
    WebhookDelivery.objects.update(next_attempt_at=NOW)
    receiver.status = 503

    assert delivery.deliver_pending("w1", NOW).retried == 1
    pending = WebhookDelivery.objects.get()
    assert pending.status == "pending" and pending.next_attempt_at == NOW + timedelta(minutes=1)
    assert pending.last_error == "réponse HTTP 503"
    assert delivery.deliver_pending("w1", NOW + timedelta(seconds=30)).claimed == 0  # not yet

    receiver.status = 204
    assert delivery.deliver_pending("w1", NOW + timedelta(minutes=1)).delivered == 1
    codes = list(WebhookAttempt.objects.order_by("at").values_list("status_code", flat=True))
    assert codes == [503, 204]
    first, second = (json.loads(r["body"])["id"] for r in receiver.received)
    assert first == second  # the same event: the receiver recognises a repeat


def test_an_endpoint_that_never_answers_well_fails_after_the_last_try(company, receiver):
    endpoint(company, receiver.url)
    emit(company, "payment.received", {"payment": 7})
    WebhookDelivery.objects.update(next_attempt_at=NOW)
    receiver.status = 500
    moment = NOW
    for minutes in (*delivery.BACKOFF_MINUTES, None):
        assert delivery.deliver_pending("w1", moment).claimed == 1
        moment += timedelta(minutes=minutes or 0)
    failed = WebhookDelivery.objects.get()
    assert (failed.status, failed.attempts) == ("failed", delivery.MAX_ATTEMPTS)
    assert WebhookAttempt.objects.count() == delivery.MAX_ATTEMPTS


def test_an_unreachable_endpoint_is_retried_and_the_reason_logged(company):
    endpoint(company, "http://127.0.0.1:9/nobody-listens")
    emit(company, "payment.received", {"payment": 7})
    WebhookDelivery.objects.update(next_attempt_at=NOW)
    assert delivery.deliver_pending("w1", NOW).retried == 1
    attempt = WebhookAttempt.objects.get()
    assert attempt.status_code is None and "injoignable" in attempt.error


def test_an_interrupted_claim_is_delivered_again_later(company, receiver):
    endpoint(company, receiver.url)
    emit(company, "payment.received", {"payment": 7})
    WebhookDelivery.objects.update(next_attempt_at=NOW)
    assert len(delivery.claim("dead-worker", NOW)) == 1  # the worker dies here
    assert delivery.deliver_pending("w2", NOW + timedelta(minutes=5)).claimed == 0
    assert delivery.deliver_pending("w2", NOW + timedelta(minutes=16)).delivered == 1


def test_two_workers_never_claim_the_same_delivery(company, receiver):
    endpoint(company, receiver.url)
    for n in range(5):
        emit(company, "payment.received", {"payment": n})
    WebhookDelivery.objects.update(next_attempt_at=NOW)
    first, second = delivery.claim("w1", NOW, 3), delivery.claim("w2", NOW, 10)
    assert len(first) == 3 and len(second) == 2
    assert not {d.pk for d in first} & {d.pk for d in second}


def test_an_inactive_endpoint_receives_nothing(company, receiver):
    hook = endpoint(company, receiver.url)
    emit(company, "payment.received", {"payment": 7})
    hook.is_active = False
    hook.save()
    assert delivery.deliver_pending("w1", NOW + timedelta(minutes=1)).claimed == 0
    assert receiver.received == []


def test_the_test_event_is_tried_once_at_once(company, receiver):
    hook = endpoint(company, receiver.url, events=["dispute.opened"])
    sent = delivery.send_test(hook)
    assert sent.status == "delivered" and sent.last_status_code == 200
    assert json.loads(receiver.received[0]["body"])["type"] == "ping"
    receiver.status = 500
    failed = delivery.send_test(hook)
    assert failed.status == "failed" and failed.last_status_code == 500  # no retry


def test_the_command_delivers_and_prints_the_counts(company, receiver, capsys):
    endpoint(company, receiver.url)
    emit(company, "payment.received", {"payment": 7})
    call_command("webhooks", "deliver", "--format", "json")
    assert json.loads(capsys.readouterr().out)["delivered"] == 1
    assert len(receiver.received) == 1
