"""The debtor's four actions through the page: each goes through the collectors' service for
the same thing, lands in the timeline and the agenda, and is acknowledged on the page and by
e-mail; limits, uploads and CSRF are checked."""

import hashlib
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from relance.dunning.agenda import agenda
from relance.dunning.models import Dispute, FollowUp, Hold, Promise
from relance.ledger.models import Customer, Invoice
from relance.plans.models import PaymentPlan
from relance.portal import services
from relance.portal.models import DebtorAction, PaymentClaim, PlanRequest, PortalPolicy, Upload
from relance.team.models import Role
from relance.web.views.dunning import customer_timeline

pytestmark = pytest.mark.django_db
TODAY = date.today()
PDF = b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """Runs the on-commit mails (the test's transaction never commits)."""
    return django_capture_on_commit_callbacks


def post(client, debtor, action, data, files=None):
    payload = {f"{action}-{key}": value for key, value in data.items()}
    for key, value in (files or {}).items():
        payload[f"{action}-{key}"] = value
    return client.post(debtor.url(f"{action}/"), payload)


def test_a_promise_pauses_the_invoices_as_one_taken_by_phone(client, debtor, mailoutbox, committed):
    f1, f2 = debtor.invoices[:2]
    promised_on = TODAY + timedelta(days=10)
    data = {"invoices": [f1.pk, f2.pk], "promised_on": promised_on.isoformat(), "amount": "1560"}
    with committed(execute=True):
        response = post(client, debtor, "promise", data)
    assert response.status_code == 302 and response["Location"].endswith("#messages")
    promise = Promise.objects.get(customer=debtor.customer)
    assert promise.channel == Promise.Channel.SELF_SERVICE and promise.created_by is None
    assert promise.promised_on == promised_on and promise.amount == Decimal("1560.00")
    assert set(promise.invoices.all()) == {f1, f2} and promise.made_on == TODAY
    action = DebtorAction.objects.get(promise=promise)
    assert action.kind == "promise" and "Promesse de 1\u00a0560,00\u00a0€ pour le" in action.summary
    page = client.get(response["Location"]).content.decode()
    assert "votre promesse de règlement est enregistrée" in page
    (mail,) = mailoutbox
    assert mail.to == ["compta@dupont.fr"] and mail.reply_to == ["chloe@acme.fr"]
    assert "promesse de règlement de 1\u00a0560,00\u00a0€" in mail.body
    assert mail.subject == "Acme SAS : nous avons bien reçu votre demande"


def test_a_promise_beyond_the_companys_limit_is_refused_with_the_reason(client, debtor):
    PortalPolicy.objects.create(company=debtor.company, promise_max_days=15)
    late = TODAY + timedelta(days=16)
    response = post(client, debtor, "promise", {"promised_on": late.isoformat(), "amount": "10"})
    assert response.status_code == 400
    html = response.content.decode()
    latest = (TODAY + timedelta(days=15)).strftime("%d/%m/%Y")
    assert f"Choisissez une date entre aujourd&#x27;hui et le {latest}." in html
    assert '<details id="promise" open>' in html  # the form comes back open, with its error
    assert not Promise.objects.exists() and not DebtorAction.objects.exists()


@pytest.mark.parametrize(
    ("days", "amount", "message"),
    [
        (-1, "10", "entre aujourd&#x27;hui"),
        (5, "5000.00", "Au plus 1\u00a0650,50\u00a0€"),
        (5, "0", "supérieure ou égale à 0.01"),
    ],
)
def test_a_promise_in_the_past_or_above_what_is_owed_is_refused(
    client, debtor, days, amount, message
):
    day = (TODAY + timedelta(days=days)).isoformat()
    response = post(client, debtor, "promise", {"promised_on": day, "amount": amount})
    assert response.status_code == 400 and message in response.content.decode()
    assert not Promise.objects.exists()


def test_i_have_paid_holds_the_items_and_asks_the_accountant_to_check(
    client, debtor, mailoutbox, committed
):
    f1 = debtor.invoices[0]
    proof = SimpleUploadedFile("avis.pdf", PDF, content_type="application/pdf")
    data = {"invoices": [f1.pk], "paid_on": (TODAY - timedelta(days=2)).isoformat()}
    with committed(execute=True):
        response = post(client, debtor, "claim", {**data, "amount": "1200"}, {"files": proof})
    assert response.status_code == 302
    hold = Hold.objects.get(customer=debtor.customer, invoice=f1)
    assert hold.ends_on == TODAY + timedelta(days=7) and "espace client" in hold.reason
    follow_up = FollowUp.objects.get(customer=debtor.customer)
    assert follow_up.kind == FollowUp.Kind.CHECK_PAYMENT and list(follow_up.invoices.all()) == [f1]
    claim = PaymentClaim.objects.get()
    assert claim.amount == Decimal("1200") and claim.follow_up == follow_up
    (upload,) = Upload.objects.all()
    stored = Path(settings.UPLOAD_ROOT) / upload.path
    assert stored.read_bytes() == PDF and upload.content_type == "application/pdf"
    assert "static" not in upload.path and not upload.path.startswith("/")
    assert upload.sha256 == hashlib.sha256(PDF).hexdigest()
    # The accountant's agenda shows the check; the collector's the debtor's action.
    work = agenda(debtor.company, Customer.objects.filter(pk=debtor.customer.pk), TODAY)
    assert work.counts["follow_ups"] == 1 and work.counts["self_service"] == 1
    assert len(mailoutbox) == 1 and "recherchons sur nos relevés" in mailoutbox[0].body


def test_a_claimed_payment_must_be_in_the_past(client, debtor):
    tomorrow = (TODAY + timedelta(days=1)).isoformat()
    response = post(client, debtor, "claim", {"paid_on": tomorrow, "amount": "100"})
    assert response.status_code == 400 and "doit être passée" in response.content.decode()
    assert not Hold.objects.filter(customer=debtor.customer).exists()


def test_a_dispute_goes_to_the_collector_with_its_attachments(
    client, debtor, mailoutbox, committed
):
    f2 = debtor.invoices[1]
    files = [
        SimpleUploadedFile("bl.pdf", PDF),
        SimpleUploadedFile("photo.png", PNG),
    ]
    data = {"invoice": f2.pk, "reason": "quality", "description": "Livré cassé"}
    with committed(execute=True):
        response = post(client, debtor, "dispute", data, {"files": files})
    assert response.status_code == 302
    dispute = Dispute.objects.get(invoice=f2)
    assert dispute.reason == "quality" and dispute.description == "Livré cassé"
    assert dispute.owner == debtor.customer.collector
    assert Invoice.objects.get(pk=f2.pk).is_disputed
    action = DebtorAction.objects.get(dispute=dispute)
    assert sorted(action.uploads.values_list("name", flat=True)) == ["bl.pdf", "photo.png"]
    # The collector (the owner) is told, the debtor acknowledged.
    assert {tuple(m.to) for m in mailoutbox} == {("chloe@acme.fr",), ("compta@dupont.fr",)}


def test_an_invoice_already_disputed_is_not_disputed_twice(client, debtor):
    f2 = debtor.invoices[1]
    data = {"invoice": f2.pk, "reason": "price", "description": "Prix"}
    assert post(client, debtor, "dispute", data).status_code == 302
    response = post(client, debtor, "dispute", data)
    assert response.status_code == 400 and "déjà en litige" in response.content.decode()
    assert Dispute.objects.filter(invoice=f2).count() == 1


@pytest.mark.parametrize(
    ("files", "message"),
    [
        ([("facture.pdf", b"MZ\x90\x00 a program")], "ce n&#x27;est ni un PDF"),  # disguised
        ([("photo.jpg", b"GIF89a")], "ce n&#x27;est ni un PDF"),
        ([("gros.pdf", b"%PDF-" + b"0" * 2048)], "fichier trop lourd"),
        ([(f"p{n}.pdf", PDF) for n in range(4)], "4 fichiers : 3 au plus."),
    ],
)
def test_uploads_are_checked_by_content_size_and_count(client, debtor, settings, files, message):
    settings.RELANCE_PORTAL_UPLOAD_MAX_BYTES = 1024
    settings.RELANCE_PORTAL_UPLOAD_MAX_FILES = 3
    uploads = [SimpleUploadedFile(name, content) for name, content in files]
    response = post(
        client,
        debtor,
        "dispute",
        {"invoice": debtor.invoices[0].pk, "reason": "other", "description": "x"},
        {"files": uploads},
    )
    assert response.status_code == 400 and message in response.content.decode()
    assert not Dispute.objects.exists() and not Upload.objects.exists()  # nothing half-written


def test_a_plan_request_waits_for_a_manager_who_accepts_it(
    client, debtor, world, mailoutbox, committed
):
    response = post(client, debtor, "plan", {"instalments": "3", "note": "Trésorerie tendue"})
    assert response.status_code == 302
    request = PlanRequest.objects.get()
    assert request.instalments == 3 and request.status == PlanRequest.Status.REQUESTED
    assert request.amount == Decimal("1650.50") and request.invoices.count() == 3
    action = DebtorAction.objects.get(plan_request=request)
    assert action.note == "Trésorerie tendue"
    work = agenda(debtor.company, Customer.objects.filter(pk=debtor.customer.pk), TODAY)
    (entry,) = [e for e in work.entries if e.kind == "self_service"]
    assert entry.label == "Demande d'échéancier" and entry.link == ("portal_action", action.pk)
    mailoutbox.clear()
    manager = world.user(Role.MANAGER)
    with committed(execute=True):
        plan = services.accept_plan_request(request, manager, TODAY + timedelta(days=5), TODAY)
    assert plan.customer == debtor.customer and plan.instalments.count() == 3
    assert sum(plan.instalments.values_list("amount", flat=True)) == Decimal("1650.50")
    request.refresh_from_db()
    assert request.status == "accepted" and request.plan == plan and request.decided_by == manager
    assert DebtorAction.objects.get(pk=action.pk).handled_at is not None
    (mail,) = mailoutbox
    assert mail.subject == "Acme SAS : votre échéancier est accepté" and "1. " in mail.body


def test_a_refused_plan_request_tells_the_debtor_why(debtor, world, client, mailoutbox, committed):
    post(client, debtor, "plan", {"instalments": "2"})
    request = PlanRequest.objects.get()
    mailoutbox.clear()
    with committed(execute=True):
        services.refuse_plan_request(request, world.user(Role.MANAGER), "Montant trop élevé")
    assert PlanRequest.objects.get().status == "refused"
    assert not PaymentPlan.objects.exists()
    assert "Montant trop élevé" in mailoutbox[0].body


def test_plan_requests_are_limited_by_the_company(client, debtor):
    PortalPolicy.objects.create(company=debtor.company, plan_max_instalments=4)
    response = post(client, debtor, "plan", {"instalments": "5"})
    assert response.status_code == 400
    assert "inférieure ou égale à 4" in response.content.decode()
    assert post(client, debtor, "plan", {"instalments": "4"}).status_code == 302
    again = post(client, debtor, "plan", {"instalments": "2"})
    assert again.status_code == 400 and "déjà à l&#x27;étude" in again.content.decode()


def test_every_form_of_the_page_requires_the_csrf_token(debtor):
    client = Client(enforce_csrf_checks=True)
    day = (TODAY + timedelta(days=3)).isoformat()
    data = {"promise-promised_on": day, "promise-amount": "10"}
    for action in ("promise", "claim", "dispute", "plan"):
        assert client.post(debtor.url(f"{action}/"), data).status_code == 403
    assert not Promise.objects.exists()
    html = client.get(debtor.url()).content.decode()
    assert html.count('name="csrfmiddlewaretoken"') == 4
    token = client.cookies["csrftoken"].value
    response = client.post(debtor.url("promise/"), {**data, "csrfmiddlewaretoken": token})
    assert response.status_code == 302 and Promise.objects.count() == 1


def test_free_text_is_escaped_for_the_collector(client, debtor, world):
    text = '<img src=x onerror="alert(1)">'
    post(
        client,
        debtor,
        "dispute",
        {"invoice": debtor.invoices[0].pk, "reason": "other", "description": text},
    )
    action = DebtorAction.objects.get()
    client.force_login(world.user(Role.COLLECTOR))
    html = client.get(f"/c/acme/portal/actions/{action.pk}/").content.decode()
    assert (
        "<img src=x onerror" not in html
        and "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;" in html
    )
    block = client.get(f"/c/acme/customers/{debtor.customer.pk}/portal/").content.decode()
    assert 'onerror="alert' not in block


def test_everything_the_debtor_does_lands_in_the_timeline(client, debtor):
    client.get(debtor.url())
    post(client, debtor, "plan", {"instalments": "2"})
    entries = customer_timeline(debtor.customer)
    labels = [(e.kind, e.label) for e in entries if e.kind == "Espace client"]
    assert ("Espace client", "Demande d'échéancier") in labels
    assert ("Espace client", "Page ouverte par le client") in labels


def test_the_collector_marks_an_action_dealt_with(client, debtor, world):
    post(client, debtor, "claim", {"paid_on": TODAY.isoformat(), "amount": "50"})
    action = DebtorAction.objects.get()
    client.force_login(world.user(Role.COLLECTOR))
    assert client.post(f"/c/acme/portal/actions/{action.pk}/").status_code == 302
    action.refresh_from_db()
    assert action.handled_by == world.user(Role.COLLECTOR)
    work = agenda(debtor.company, Customer.objects.filter(pk=debtor.customer.pk), TODAY)
    assert work.counts["self_service"] == 0


def test_revoking_from_the_customer_file_closes_the_page(client, debtor, world):
    client.force_login(world.user(Role.COLLECTOR))
    block = client.get(f"/c/acme/customers/{debtor.customer.pk}/portal/").content.decode()
    assert "1 lien actif" in block
    client.post(f"/c/acme/customers/{debtor.customer.pk}/portal/revoke/")
    client.logout()
    assert Client().get(debtor.url()).status_code == 404
