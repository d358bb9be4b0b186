"""Every API operation for the allowed, read-only (or refused) and outsider roles, and a check
that the table covers every operation of the OpenAPI document."""

from __future__ import annotations

from datetime import date, timedelta

from django.core.files.uploadedfile import SimpleUploadedFile

from relance.api.api import api
from relance.team.models import Role
from relance.web.tests.factories import make_invoice, plan_records

from .cases import ApiCase, api_role_test

R, C, A, M, S = Role.READ_ONLY, Role.COLLECTOR, Role.ACCOUNTANT, Role.MANAGER, Role.SALES


def records(world):
    """A credit note and a payment plan on the world's customer, built once per World."""
    if not hasattr(world, "credit_note"):
        world.credit_note = make_invoice(
            world.customer, "50.00", number="AV-0001", kind="credit_note", is_credit=True
        )
        plan_records(world)
        world.free_invoice = make_invoice(world.customer, "600.00", number="F-0002")
    return world


def later(days: int) -> str:
    return (date.today() + timedelta(days=days)).isoformat()


def customer_in(world):
    return {"code": "N001", "name": "Nouveau client", "payer_profile": "bad"}


def invoice_in(world):
    return {
        "customer": "C001",
        "number": "F-NEW",
        "issued_on": "2026-01-05",
        "due_on": "2026-02-04",
        "amount": "240.00",
    }


def payment_in(world):
    return {
        "customer": "C001",
        "received_on": date.today().isoformat(),
        "amount": "100.00",
        "invoices": [world.invoice.pk],
    }


def upload(world):
    data = b"code;nom\nC9;Client neuf\n"
    return {"files": {"kind": "customers", "file": SimpleUploadedFile("clients.csv", data)}}


def plan_in(world):
    return {
        "invoices": [records(world).free_invoice.pk],
        "agreed_on": date.today().isoformat(),
        "count": 3,
        "first_on": later(20),
    }


CASES = [
    # Customers and contacts: every member reads (collectors and sales their portfolio);
    # those who edit customers write.
    ApiCase("list_customers", "get", lambda w: "customers", allowed=S),
    ApiCase("get_customer", "get", lambda w: "customers/C001", allowed=C),
    ApiCase("create_customer", "post", lambda w: "customers", customer_in, denied=R, expect=201),
    ApiCase("create_customer", "post", lambda w: "customers", customer_in, denied=S, expect=201),
    ApiCase(
        "update_customer",
        "patch",
        lambda w: "customers/C001",
        lambda w: {"city": "Lyon"},
        denied=R,
        allowed=C,
    ),
    ApiCase("list_contacts", "get", lambda w: "contacts", allowed=C),
    ApiCase("get_contact", "get", lambda w: f"contacts/{w.contact.pk}", allowed=C),
    ApiCase(
        "create_contact",
        "post",
        lambda w: "customers/C001/contacts",
        lambda w: {"name": "Paul Martin", "phone": "01 23 45 67 89"},
        denied=R,
        allowed=A,
        expect=201,
    ),
    ApiCase(
        "update_contact",
        "patch",
        lambda w: f"contacts/{w.contact.pk}",
        lambda w: {"mobile": "06 12 34 56 78"},
        denied=R,
        allowed=C,
    ),
    # Invoices, credit notes, payments, allocations: accountants, managers and admins write.
    ApiCase("list_invoices", "get", lambda w: "invoices?status=open", allowed=C),
    ApiCase("get_invoice", "get", lambda w: f"invoices/{w.invoice.pk}", allowed=C),
    ApiCase(
        "create_invoice", "post", lambda w: "invoices", invoice_in, denied=C, allowed=A, expect=201
    ),
    ApiCase(
        "update_invoice",
        "patch",
        lambda w: f"invoices/{w.invoice.pk}",
        lambda w: {"po_reference": "BC-77"},
        denied=R,
        allowed=M,
    ),
    ApiCase("list_credit_notes", "get", lambda w: "credit-notes", allowed=C),
    ApiCase(
        "get_credit_note", "get", lambda w: f"credit-notes/{records(w).credit_note.pk}", allowed=C
    ),
    ApiCase(
        "create_credit_note",
        "post",
        lambda w: "credit-notes",
        lambda w: dict(invoice_in(w), number="AV-NEW"),
        denied=S,
        allowed=A,
        expect=201,
    ),
    ApiCase("list_payments", "get", lambda w: "payments", allowed=C),
    ApiCase("get_payment", "get", lambda w: f"payments/{w.payment.pk}", allowed=C),
    ApiCase(
        "create_payment", "post", lambda w: "payments", payment_in, denied=C, allowed=A, expect=201
    ),
    ApiCase("list_allocations", "get", lambda w: "allocations", allowed=C),
    ApiCase(
        "create_allocation",
        "post",
        lambda w: "allocations",
        lambda w: {"invoice": w.invoice.pk, "payment": w.payment.pk, "amount": "50.00"},
        denied=C,
        allowed=A,
        expect=201,
    ),
    # Imports: everybody reads the reports; accountants, managers and admins import.
    ApiCase("list_imports", "get", lambda w: "imports", allowed=C),
    ApiCase("get_import", "get", lambda w: f"imports/{w.batch.pk}", allowed=S),
    ApiCase("create_import", "post", lambda w: "imports", upload, denied=C, allowed=A, expect=201),
    # Reminders: read by all, approved or rejected by those who approve.
    ApiCase("list_reminders", "get", lambda w: "reminders?status=awaiting_approval", allowed=C),
    ApiCase("get_reminder", "get", lambda w: f"reminders/{w.sent_reminder.pk}", allowed=C),
    ApiCase(
        "approve_reminder",
        "post",
        lambda w: f"reminders/{w.reminder.pk}/approve",
        lambda w: {"subject": "Objet revu"},
        denied=R,
        allowed=C,
    ),
    ApiCase(
        "reject_reminder",
        "post",
        lambda w: f"reminders/{w.reminder.pk}/reject",
        lambda w: {"note": "Client au téléphone"},
        denied=S,
        allowed=M,
    ),
    # Holds, disputes, promises: those who dun (admin, manager, collector).
    ApiCase("list_holds", "get", lambda w: "holds?active=true", allowed=C),
    ApiCase(
        "create_hold",
        "post",
        lambda w: "customers/C001/holds",
        lambda w: {"reason": "Accord commercial", "ends_on": later(30)},
        denied=R,
        allowed=C,
        expect=201,
    ),
    ApiCase("lift_hold", "post", lambda w: f"holds/{w.hold.pk}/lift", denied=A, allowed=C),
    ApiCase("list_disputes", "get", lambda w: "disputes?status=open", allowed=C),
    ApiCase("get_dispute", "get", lambda w: f"disputes/{w.dispute.pk}", allowed=C),
    ApiCase(
        "create_dispute",
        "post",
        lambda w: "customers/C001/disputes",
        lambda w: {"invoice": w.invoice.pk, "reason": "price", "description": "Prix erroné"},
        denied=R,
        allowed=C,
        expect=201,
    ),
    ApiCase(
        "resolve_dispute",
        "post",
        lambda w: f"disputes/{w.dispute.pk}/resolve",
        lambda w: {"resolution": "rejected", "note": "Prix conforme au devis"},
        denied=S,
        allowed=C,
    ),
    ApiCase("list_promises", "get", lambda w: "promises", allowed=C),
    ApiCase("get_promise", "get", lambda w: f"promises/{w.promise.pk}", allowed=C),
    ApiCase(
        "create_promise",
        "post",
        lambda w: "customers/C001/promises",
        lambda w: {"promised_on": later(10), "amount": "300.00", "invoices": [w.invoice.pk]},
        denied=R,
        allowed=C,
        expect=201,
    ),
    # Payment plans: agreed and cancelled by those who dun.
    ApiCase("list_plans", "get", lambda w: records(w) and "plans?customer=C001", allowed=C),
    ApiCase("get_plan", "get", lambda w: f"plans/{records(w).plan.pk}", allowed=C),
    ApiCase(
        "create_plan",
        "post",
        lambda w: "customers/C001/plans",
        plan_in,
        denied=R,
        allowed=C,
        expect=201,
    ),
    ApiCase(
        "cancel_plan",
        "post",
        lambda w: f"plans/{records(w).plan.pk}/cancel",
        lambda w: {"note": "Client soldé par virement"},
        denied=A,
        allowed=C,
    ),
    # KPIs and the credit check: every member, on their scope.
    ApiCase("kpis", "get", lambda w: "kpis?as_of=2026-01-31", allowed=S),
    ApiCase("credit_check", "get", lambda w: "customers/C001/credit-check", allowed=C),
]

test_every_operation_follows_the_role_rules = api_role_test(CASES)

ACCOUNT_OPERATIONS = {"me", "companies"}  # not company-scoped: tested in test_tokens.py


def test_every_operation_of_the_openapi_document_has_role_cases():
    schema = api.get_openapi_schema()
    operations = {
        operation["operationId"] for path in schema["paths"].values() for operation in path.values()
    }
    assert len(operations) > 40
    missing = operations - ACCOUNT_OPERATIONS - {case.name for case in CASES}
    assert not missing, f"operations without role cases: {sorted(missing)}"
