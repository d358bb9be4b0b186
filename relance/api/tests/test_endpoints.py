"""What the endpoints answer: portfolios, the web forms' validation, pages, filters, imports,
KPIs, the credit check, errors and the documentation."""

import json
from datetime import date, timedelta
from decimal import Decimal
from io import StringIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command

from relance.imports.models import ImportBatch
from relance.ledger.models import Allocation, Customer
from relance.team.models import Role
from relance.web.tests.factories import make_customer, make_invoice

from .conftest import ApiClient

pytestmark = pytest.mark.django_db
ACME = "/api/v1/companies/acme"


@pytest.fixture
def admin(world):
    return ApiClient(world.user(Role.ADMIN))


@pytest.fixture
def collector(world):
    return ApiClient(world.user(Role.COLLECTOR))


# --- Scope -------------------------------------------------------------------------------


def test_a_collector_reaches_their_portfolio_only(world, collector):
    codes = [c["code"] for c in collector.get(f"{ACME}/customers").json()["items"]]
    assert codes == ["C001"]
    foreign = make_invoice(world.foreign_customer, number="F-FOREIGN")
    for path in ("customers/C002", f"invoices/{foreign.pk}", "customers/C002/credit-check"):
        answer = collector.get(f"{ACME}/{path}")
        assert answer.status_code == 404 and answer.json()["code"] == "not_found", path
    numbers = [i["number"] for i in collector.get(f"{ACME}/invoices").json()["items"]]
    assert "F-FOREIGN" not in numbers and "F-0001" in numbers
    promise = {"promised_on": (date.today() + timedelta(5)).isoformat()}
    assert collector.post(f"{ACME}/customers/C002/promises", promise).status_code == 404


def test_an_outsider_cannot_tell_a_company_exists(world):
    outsider = ApiClient(world.outsider)
    known, unknown = outsider.get(f"{ACME}/customers"), outsider.get("/api/v1/companies/zz/kpis")
    assert known.status_code == unknown.status_code == 404
    assert known.json()["message"].replace("acme", "zz") == unknown.json()["message"]


# --- Writes validated by the web UI's forms -------------------------------------------------


def test_a_customer_is_validated_as_the_form_does(admin):
    duplicate = admin.post(f"{ACME}/customers", {"code": "C001", "name": "Doublon"})
    assert duplicate.status_code == 422
    assert duplicate.json()["details"] == {"code": ["Ce code client existe déjà."]}
    bad_siren = admin.post(f"{ACME}/customers", {"code": "N1", "name": "X", "siren": "123"})
    assert bad_siren.json()["code"] == "validation" and "siren" in bad_siren.json()["details"]
    assert "siren" in bad_siren.json()["message"]
    unknown_collector = admin.post(
        f"{ACME}/customers", {"code": "N1", "name": "X", "collector": "nobody"}
    )
    assert "collector" in unknown_collector.json()["details"]
    assert not Customer.objects.filter(code="N1").exists()


def test_a_customer_is_created_and_patched_with_members_by_username(world, admin):
    created = admin.post(
        f"{ACME}/customers",
        {"code": "N1", "name": "Nouveau", "collector": "collector-acme", "credit_limit": "5000"},
    )
    assert created.status_code == 201
    body = created.json()
    assert body["collector"] == "collector-acme" and body["credit_limit"] == "5000.00"
    assert body["balance"] == "0.00" and body["payer_profile"] == "good"
    patched = admin.patch(f"{ACME}/customers/N1", {"city": "Lyon", "is_blocked": True}).json()
    assert patched["city"] == "Lyon" and patched["is_blocked"] is True
    assert patched["collector"] == "collector-acme"  # untouched fields stay


def test_a_schema_error_says_which_field(admin):
    answer = admin.post(
        f"{ACME}/invoices",
        {"customer": "C001", "number": "F9", "issued_on": "hier", "due_on": "2026-01-01",
         "amount": "12.345"},
    )  # fmt: skip
    assert answer.status_code == 422
    details = answer.json()["details"]
    assert set(details) == {"body.issued_on", "body.amount"}
    assert answer.json()["message"].startswith("Requête invalide : body.issued_on")


def test_invoices_credit_notes_and_a_locked_invoice(world, admin):
    invoice = {"customer": "C001", "number": "F9", "issued_on": "2026-01-05",
               "due_on": "2026-02-04", "amount": "240.00"}  # fmt: skip
    assert admin.post(f"{ACME}/invoices", dict(invoice, customer="ZZZ")).json()["details"] == {
        "customer": ["Client inconnu : ZZZ"]
    }
    late = admin.post(f"{ACME}/invoices", dict(invoice, due_on="2025-12-01")).json()
    assert late["details"] == {"due_on": ["L'échéance précède la date de facture."]}
    created = admin.post(f"{ACME}/invoices", invoice).json()
    assert created["kind"] == "invoice" and created["open_amount"] == "240.00"
    note = admin.post(f"{ACME}/credit-notes", dict(invoice, number="AV9")).json()
    assert note["kind"] == "credit_note" and note["is_credit"] is True
    assert [n["number"] for n in admin.get(f"{ACME}/credit-notes").json()["items"]] == ["AV9"]
    allocation = {"invoice": created["id"], "credit_note": note["id"], "amount": "40.00"}
    assert admin.post(f"{ACME}/allocations", allocation).status_code == 201
    locked = admin.patch(f"{ACME}/invoices/{created['id']}", {"amount": "300.00"})
    assert locked.status_code == 409 and locked.json()["code"] == "conflict"
    assert admin.patch(f"{ACME}/invoices/{created['id']}", {"label": "Chantier"}).status_code == 200


def test_a_payment_is_lettered_to_the_invoices_given(world, admin):
    payment = admin.post(
        f"{ACME}/payments",
        {"customer": "C001", "received_on": date.today().isoformat(), "amount": "1500.00",
         "invoices": [world.invoice.pk], "reference": "VIR 88"},
    )  # fmt: skip
    assert payment.status_code == 201
    assert payment.json()["unallocated_amount"] == "300.00"
    world.invoice.refresh_from_db()
    assert world.invoice.open_amount == 0
    other = make_invoice(world.foreign_customer, number="F-OTHER")
    refused = admin.post(
        f"{ACME}/payments",
        {
            "customer": "C001",
            "received_on": "2026-03-01",
            "amount": "10.00",
            "invoices": [other.pk],
        },
    )
    assert refused.status_code == 422 and "invoices" in refused.json()["details"]


def test_an_allocation_takes_one_source_of_the_same_customer(world, admin):
    both = {"invoice": world.invoice.pk, "payment": world.payment.pk,
            "credit_note": world.invoice.pk, "amount": "10.00"}  # fmt: skip
    assert admin.post(f"{ACME}/allocations", both).status_code == 422
    foreign = make_invoice(world.foreign_customer, number="F-OTHER")
    other = {"invoice": foreign.pk, "payment": world.payment.pk, "amount": "10.00"}
    assert "autre client" in admin.post(f"{ACME}/allocations", other).json()["message"]
    too_much = {"invoice": world.invoice.pk, "payment": world.payment.pk, "amount": "150.00"}
    assert (
        "supérieur au disponible" in admin.post(f"{ACME}/allocations", too_much).json()["message"]
    )
    assert not Allocation.objects.exists()


def test_dunning_actions_through_the_api(world, collector):
    approved = collector.post(
        f"{ACME}/reminders/{world.reminder.pk}/approve", {"body_text": "Texte revu"}
    ).json()
    assert approved["status"] == "pending" and approved["body_text"] == "Texte revu"
    assert approved["events"][-1]["note"] == "Validée, texte modifié"
    again = collector.post(f"{ACME}/reminders/{world.reminder.pk}/approve", {})
    assert again.status_code == 409
    dispute = collector.post(
        f"{ACME}/customers/C001/disputes",
        {"invoice": world.invoice.pk, "reason": "quality", "amount": "99999.00"},
    )
    assert dispute.status_code == 422 and "au plus le reste dû" in dispute.json()["message"]
    resolved = collector.post(
        f"{ACME}/disputes/{world.dispute.pk}/resolve", {"resolution": "rejected"}
    )
    assert resolved.json()["status"] == "resolved"
    assert (
        collector.post(
            f"{ACME}/disputes/{world.dispute.pk}/resolve", {"resolution": "rejected"}
        ).status_code
        == 409
    )
    hold = collector.post(f"{ACME}/customers/C001/holds", {"reason": "Accord"}).json()
    assert collector.post(f"{ACME}/holds/{hold['id']}/lift").json()["lifted_at"] is not None


def test_a_formal_notice_is_approved_by_a_manager_only(world, collector):
    world.reminder.escalation = "formal_notice"
    world.reminder.save()
    refused = collector.post(f"{ACME}/reminders/{world.reminder.pk}/approve", {})
    assert refused.status_code == 403 and "mise en demeure" in refused.json()["message"]
    manager = ApiClient(world.user(Role.MANAGER))
    assert manager.post(f"{ACME}/reminders/{world.reminder.pk}/approve", {}).status_code == 200


def test_a_payment_plan_is_agreed_with_its_instalments(world, collector):
    invoice = make_invoice(world.customer, "900.00", number="F-PLAN")
    first_on = date.today() + timedelta(days=40)
    plan = collector.post(
        f"{ACME}/customers/C001/plans",
        {"invoices": [invoice.pk], "agreed_on": date.today().isoformat(),
         "schedule": [{"due_on": first_on.isoformat(), "amount": "400.00"},
                      {"due_on": (first_on + timedelta(35)).isoformat(), "amount": "500.00"}]},
    )  # fmt: skip
    assert plan.status_code == 201, plan.content
    body = plan.json()
    assert [i["amount"] for i in body["instalments"]] == ["400.00", "500.00"]
    assert {i["status"] for i in body["instalments"]} == {"upcoming"}
    short = collector.post(
        f"{ACME}/customers/C001/plans",
        {"invoices": [world.invoice.pk], "agreed_on": date.today().isoformat(),
         "schedule": [{"due_on": first_on.isoformat(), "amount": "1.00"}]},
    )  # fmt: skip
    assert short.status_code == 422  # the schedule does not add up to what is owed
    cancelled = collector.post(f"{ACME}/plans/{body['id']}/cancel", {"note": "Payé"}).json()
    assert cancelled["status"] == "cancelled"


# --- Pages and filters ----------------------------------------------------------------------


def test_pages_link_to_their_neighbours(world, admin):
    for n in range(5):
        make_customer(world.company, f"P{n}", f"Page {n}")
    first = admin.get(f"{ACME}/customers", limit=3).json()
    assert first["count"] == 7 and len(first["items"]) == 3 and first["previous"] is None
    assert first["next"].endswith("limit=3&offset=3")
    last = admin.client.get(first["next"].replace("http://testserver", ""), headers=admin.headers)
    second = last.json()
    assert second["previous"].endswith("limit=3&offset=0") and second["next"].endswith("offset=6")
    assert admin.get(f"{ACME}/customers", limit=501).status_code == 422
    assert admin.get(f"{ACME}/customers", limit=0).json()["code"] == "validation"


def test_filters(world, admin):
    paid = make_invoice(world.customer, "50.00", number="F-PAID")
    admin.post(
        f"{ACME}/payments",
        {"customer": "C001", "received_on": "2026-03-01", "amount": "50.00", "invoices": [paid.pk]},
    )
    later = make_invoice(
        world.customer, "70.00", number="F-LATER", due_on=date.today() + timedelta(3)
    )

    def numbers(**query):
        return [i["number"] for i in admin.get(f"{ACME}/invoices", **query).json()["items"]]

    assert numbers(status="settled") == ["F-PAID"]
    assert numbers(status="overdue") == ["F-0001"]
    assert numbers(status="due_soon") == ["F-LATER"]
    assert numbers(due_after=later.due_on.isoformat()) == ["F-LATER"]
    assert numbers(customer="C002") == []
    world.foreign_customer.is_blocked = True
    world.foreign_customer.save()
    customers = admin.get(f"{ACME}/customers", blocked="true").json()["items"]
    assert [c["code"] for c in customers] == ["C002"]
    assert admin.get(f"{ACME}/customers", q="Négoce").json()["count"] == 1
    assert admin.get(f"{ACME}/customers", payer_profile="bad").json()["count"] == 0
    assert admin.get(f"{ACME}/reminders", status="uncertain").json()["count"] == 1


# --- Imports ------------------------------------------------------------------------------


def test_an_upload_answers_with_the_import_report(admin):
    data = b"code;nom\nC10;Client dix\n;Sans code\n"
    answer = admin.post(
        f"{ACME}/imports",
        files={"kind": "customers", "file": SimpleUploadedFile("clients.csv", data)},
    )
    assert answer.status_code == 201
    report = answer.json()
    assert report["status"] == "done" and report["created"] == {"customers": 1}
    assert [r["line"] for r in report["rejected"]] == [3]
    assert Customer.objects.filter(code="C10").exists()
    assert admin.get(f"{ACME}/imports/{report['batch']}").json() == report


def test_an_unreadable_file_is_refused_whole_and_the_attempt_kept(admin):
    data = b"colonne;autre\n1;2\n"
    answer = admin.post(
        f"{ACME}/imports",
        files={"kind": "invoices", "file": SimpleUploadedFile("factures.csv", data)},
    )
    assert answer.status_code == 422
    error = answer.json()
    assert "colonnes obligatoires introuvables" in error["message"]
    batch = ImportBatch.objects.get(pk=error["details"]["batch"])
    assert batch.status == ImportBatch.Status.FAILED
    listed = admin.get(f"{ACME}/imports").json()["items"]
    assert listed[0]["status"] == "failed" and listed[0]["batch"] == batch.pk


# --- KPIs and the credit check ----------------------------------------------------------------


def test_kpis_are_the_commands_json(world, admin):
    out = StringIO()
    call_command(
        "report", "kpis", "--company", "acme", "--as-of", "2026-01-31", "--format", "json",
        stdout=out,
    )  # fmt: skip
    answer = admin.get(f"{ACME}/kpis", as_of="2026-01-31")
    assert answer.json() == json.loads(out.getvalue())
    assert admin.get(f"{ACME}/kpis", currency="EURO").json()["code"] == "validation"


def test_the_credit_check_says_whether_to_ship(world, admin):
    world.customer.credit_limit = Decimal("1000.00")
    world.customer.save()
    check = admin.get(f"{ACME}/customers/C001/credit-check").json()
    assert check["customer"] == "C001" and check["credit_limit"] == "1000.00"
    assert check["outstanding"] == "1100.00"  # 1,200 invoiced, 100 paid and not lettered
    assert check["decision"] == "block" and check["reason"] == "over_limit"


# --- Errors and documentation ---------------------------------------------------------------


def test_unknown_paths_and_methods_answer_json(admin):
    missing = admin.get("/api/v1/companies/acme/nothing")
    assert missing.status_code == 404 and missing.json()["code"] == "not_found"
    wrong = admin.client.delete(f"{ACME}/customers", headers=admin.headers)
    assert wrong.status_code == 405 and wrong.json()["code"] == "method_not_allowed"
    assert wrong["Allow"] == "GET, POST" or set(wrong["Allow"].split(", ")) == {"GET", "POST"}


def test_the_openapi_document_and_its_docs_page_are_served_locally(client):
    schema = client.get("/api/v1/openapi.json").json()
    assert schema["info"]["version"] == "1"
    assert "/api/v1/companies/{company}/customers/{code}/credit-check" in schema["paths"]
    assert schema["components"]["securitySchemes"]["TokenAuth"]["scheme"] == "bearer"
    page = client.get("/api/v1/docs").content.decode()
    assert "/static/ninja/swagger-ui-bundle.js" in page
    assert "cdn" not in page.lower() and "https://" not in page


def test_a_collector_handing_a_customer_to_a_colleague_gets_what_was_written(world, collector):
    created = collector.post(
        f"{ACME}/customers", {"code": "N1", "name": "Pour un collègue", "collector": "collector-2"}
    )
    assert created.status_code == 201 and created.json()["collector"] == "collector-2"
    assert collector.get(f"{ACME}/customers/N1").status_code == 404  # not in their portfolio
    given = collector.patch(f"{ACME}/customers/C001", {"collector": "collector-2"})
    assert given.status_code == 200 and given.json()["collector"] == "collector-2"
    assert collector.get(f"{ACME}/customers/C001").status_code == 404
