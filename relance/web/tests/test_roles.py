"""Every company-scoped view, GET and POST, checked for allowed, read-only and outsider."""

from datetime import date

from django.urls import URLResolver, get_resolver

from relance.api.tests.role_cases import API_ROLE_CASES
from relance.portal.tests.roles import PORTAL_ROLE_CASES
from relance.team.models import Role
from relance.web import uploads
from relance.web.views.imports import SESSION_KEY

from .factories import call_records, plan_records
from .roles import RoleCase, covered_url_names, role_test

TOKEN = "pendingtoken123"


def base(world) -> str:
    return f"/c/{world.company.code}"


def customer_data(world):
    return {
        "code": "N001",
        "name": "Nouveau client",
        "payer_profile": "good",
        "language": "fr",
        "country": "FR",
    }


def contact_data(world):
    return {
        "role": "billing",
        "name": "Paul Martin",
        "phone": "01 23 45 67 89",
        "preferred_channel": "email",
        "country": "FR",
    }


def invoice_data(world):
    return {
        "customer": "C001",
        "number": "F-NEW",
        "kind": "invoice",
        "issued_on": "2026-01-05",
        "due_on": "2026-02-04",
        "amount": "240.00",
        "currency": "EUR",
    }


def company_data(world):
    return {
        "name": "Acme SAS",
        "country": "FR",
        "currency": "EUR",
        "time_zone": "Europe/Paris",
        "default_payment_days": "45",
        "consumer_hours": "10:00-13:00, 14:00-20:00",
    }


def payment_data(world):
    return {
        "customer": "C001",
        "received_on": date.today().isoformat(),
        "amount": "100.00",
        "currency": "EUR",
        "method": "transfer",
        "invoices": [world.invoice.pk],
    }


def upload_data(world):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return {"kind": "customers", "file": SimpleUploadedFile("clients.csv", b"code;nom\nC9;X\n")}


def pending_upload(client, world):
    folder = uploads.pending_folder(world.company.code, TOKEN)
    folder.mkdir(parents=True)
    (folder / "clients.csv").write_text("code;nom\nC9;X\n", encoding="utf-8")
    (folder / "mapping.toml").write_text("", encoding="utf-8")
    session = client.session
    session[SESSION_KEY] = {
        TOKEN: {"kind": "customers", "file_name": "clients.csv", "sha256": "0" * 64}
    }
    session.save()


def customer_url(world):
    return f"{base(world)}/customers/{world.customer.pk}/"


def invoice_url(world):
    return f"{base(world)}/invoices/{world.invoice.pk}/"


def contact_url(world):
    return f"{base(world)}/contacts/{world.contact.pk}/edit/"


def scenario_data(world):
    data = {
        "name": "Standard",
        "send_thanks": "on",
        "steps-TOTAL_FORMS": "4",
        "steps-INITIAL_FORMS": "3",
        "steps-MIN_NUM_FORMS": "0",
        "steps-MAX_NUM_FORMS": "1000",
        "steps-3-min_gap_days": "0",  # the empty extra row, as the browser sends it
        "steps-3-min_amount": "0",
    }
    for index, step in enumerate(world.scenario.steps.order_by("level")):
        data.update(
            {
                f"steps-{index}-id": str(step.pk),
                f"steps-{index}-level": str(step.level),
                f"steps-{index}-name": step.name,
                f"steps-{index}-offset_days": str(step.offset_days),
                f"steps-{index}-min_gap_days": "0",
                f"steps-{index}-channel": step.channel,
                f"steps-{index}-min_amount": "0",
                f"steps-{index}-escalation": "",
            }
        )
    return data


def template_data(world):
    return {"language": "fr", "subject": "Rappel", "body": "Bonjour {{ customer.name }}"}


def decision_data(world):
    return {"decision": "approve", "subject": "Objet revu", "body_text": "Texte revu"}


def hold_data(world):
    return {"reason": "Accord commercial", "ends_on": "2030-01-31"}


def dispute_data(world):
    return {"invoice": world.invoice.pk, "reason": "price", "description": "Prix erroné"}


def promise_data(world):
    return {"promised_on": "2030-01-31", "amount": "300.00", "invoices": [world.invoice.pk]}


def reminder_url(world):
    return f"{base(world)}/reminders/{world.reminder.pk}/"


W = Role.READ_ONLY  # the role refused on every write
C = Role.COLLECTOR
ROLE_CASES = [
    RoleCase("customer_list", lambda w: f"{base(w)}/customers/"),
    RoleCase("customer_detail", customer_url, allowed=Role.COLLECTOR),
    RoleCase("customer_create", lambda w: f"{base(w)}/customers/new/", denied=W),
    RoleCase(
        "customer_create",
        lambda w: f"{base(w)}/customers/new/",
        "post",
        customer_data,
        denied=Role.SALES,
    ),
    RoleCase("customer_update", lambda w: customer_url(w) + "edit/", denied=W),
    RoleCase(
        "customer_update",
        lambda w: customer_url(w) + "edit/",
        "post",
        lambda w: dict(customer_data(w), code="C001"),
        denied=W,
        allowed=Role.COLLECTOR,
    ),
    RoleCase("contact_create", lambda w: customer_url(w) + "contacts/new/", denied=W),
    RoleCase(
        "contact_create",
        lambda w: customer_url(w) + "contacts/new/",
        "post",
        contact_data,
        denied=W,
        allowed=Role.ACCOUNTANT,
    ),
    RoleCase("contact_update", contact_url, denied=W),
    RoleCase("contact_update", contact_url, "post", contact_data, denied=W),
    RoleCase("invoice_list", lambda w: f"{base(w)}/invoices/"),
    RoleCase("invoice_detail", invoice_url, allowed=Role.COLLECTOR),
    RoleCase("invoice_create", lambda w: f"{base(w)}/invoices/new/", denied=Role.COLLECTOR),
    RoleCase(
        "invoice_create",
        lambda w: f"{base(w)}/invoices/new/",
        "post",
        invoice_data,
        denied=Role.COLLECTOR,
        allowed=Role.ACCOUNTANT,
    ),
    RoleCase("invoice_update", lambda w: invoice_url(w) + "edit/", denied=W),
    RoleCase(
        "invoice_update",
        lambda w: invoice_url(w) + "edit/",
        "post",
        lambda w: dict(invoice_data(w), number="F-0001"),
        denied=W,
        allowed=Role.MANAGER,
    ),
    RoleCase("payment_list", lambda w: f"{base(w)}/payments/"),
    RoleCase("payment_create", lambda w: f"{base(w)}/payments/new/", denied=W),
    RoleCase(
        "payment_create",
        lambda w: f"{base(w)}/payments/new/",
        "post",
        payment_data,
        denied=Role.SALES,
    ),
    RoleCase("company_settings", lambda w: f"{base(w)}/settings/"),
    RoleCase(
        "company_settings",
        lambda w: f"{base(w)}/settings/",
        "post",
        company_data,
        denied=Role.MANAGER,
    ),
    RoleCase("import_list", lambda w: f"{base(w)}/imports/"),
    RoleCase(
        "import_list",
        lambda w: f"{base(w)}/imports/",
        "post",
        upload_data,
        denied=Role.COLLECTOR,
        allowed=Role.ACCOUNTANT,
    ),
    RoleCase(
        "import_preview",
        lambda w: f"{base(w)}/imports/preview/{TOKEN}/",
        denied=W,
        before_allowed=pending_upload,
    ),
    RoleCase(
        "import_preview",
        lambda w: f"{base(w)}/imports/preview/{TOKEN}/",
        "post",
        denied=W,
        before_allowed=pending_upload,
    ),
    RoleCase("import_detail", lambda w: f"{base(w)}/imports/{w.batch.pk}/"),
    RoleCase("import_progress", lambda w: f"{base(w)}/imports/{w.batch.pk}/progress/"),
    RoleCase("reminder_approvals", lambda w: f"{base(w)}/reminders/approvals/", allowed=C),
    RoleCase("reminder_decision", lambda w: reminder_url(w) + "decision/", denied=W, expect=405),
    RoleCase(
        "reminder_decision",
        lambda w: reminder_url(w) + "decision/",
        "post",
        decision_data,
        denied=W,
        allowed=C,
    ),
    RoleCase(
        "reminder_resolve",
        lambda w: f"{base(w)}/reminders/{w.uncertain_reminder.pk}/resolve/",
        denied=W,
        expect=405,
    ),
    RoleCase(
        "reminder_resolve",
        lambda w: f"{base(w)}/reminders/{w.uncertain_reminder.pk}/resolve/",
        "post",
        lambda w: {"decision": "sent"},
        denied=W,
        allowed=C,
    ),
    RoleCase("reminder_outbox", lambda w: f"{base(w)}/reminders/outbox/", allowed=C),
    RoleCase("reminder_detail", lambda w: f"{base(w)}/reminders/{w.sent_reminder.pk}/", allowed=C),
    RoleCase("run_list", lambda w: f"{base(w)}/runs/", allowed=C),
    RoleCase("run_detail", lambda w: f"{base(w)}/runs/{w.run.pk}/", allowed=C),
    RoleCase("scenario_list", lambda w: f"{base(w)}/scenarios/", allowed=C),
    RoleCase("scenario_detail", lambda w: f"{base(w)}/scenarios/{w.scenario.pk}/"),
    RoleCase(
        "scenario_detail",
        lambda w: f"{base(w)}/scenarios/{w.scenario.pk}/",
        "post",
        scenario_data,
        denied=C,
        allowed=Role.MANAGER,
    ),
    RoleCase("step_template", lambda w: f"{base(w)}/steps/{w.step.pk}/template/"),
    RoleCase(
        "step_template",
        lambda w: f"{base(w)}/steps/{w.step.pk}/template/",
        "post",
        template_data,
        denied=C,
        allowed=Role.MANAGER,
    ),
    RoleCase(
        "template_preview", lambda w: f"{base(w)}/templates/preview/", reader=None, expect=405
    ),
    RoleCase(
        "template_preview",
        lambda w: f"{base(w)}/templates/preview/",
        "post",
        template_data,
        expect=200,
    ),
    RoleCase("customer_dunning", lambda w: customer_url(w) + "dunning/", allowed=C),
    RoleCase("customer_timeline", lambda w: customer_url(w) + "timeline/", allowed=C),
    RoleCase("hold_create", lambda w: customer_url(w) + "holds/new/", denied=W, allowed=C),
    RoleCase(
        "hold_create",
        lambda w: customer_url(w) + "holds/new/",
        "post",
        hold_data,
        denied=W,
        allowed=C,
    ),
    RoleCase("dispute_create", lambda w: customer_url(w) + "disputes/new/", denied=W, allowed=C),
    RoleCase(
        "dispute_create",
        lambda w: customer_url(w) + "disputes/new/",
        "post",
        dispute_data,
        denied=W,
        allowed=C,
    ),
    RoleCase("promise_create", lambda w: customer_url(w) + "promises/new/", denied=W, allowed=C),
    RoleCase(
        "promise_create",
        lambda w: customer_url(w) + "promises/new/",
        "post",
        promise_data,
        denied=W,
        allowed=C,
    ),
    RoleCase("hold_lift", lambda w: f"{base(w)}/holds/{w.hold.pk}/lift/", denied=W, expect=405),
    RoleCase(
        "hold_lift", lambda w: f"{base(w)}/holds/{w.hold.pk}/lift/", "post", denied=W, allowed=C
    ),
    RoleCase(
        "dispute_resolve",
        lambda w: f"{base(w)}/disputes/{w.dispute.pk}/resolve/",
        denied=W,
        expect=405,
    ),
    RoleCase(
        "dispute_resolve",
        lambda w: f"{base(w)}/disputes/{w.dispute.pk}/resolve/",
        "post",
        lambda w: {"resolution": "credit_note", "note": "Avoir émis"},
        denied=W,
        allowed=C,
    ),
]


def bank_upload_data(world):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return {"file": SimpleUploadedFile("releve.txt", b"pas un releve")}


def einvoice_upload_data(world):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return {"files": [SimpleUploadedFile("facture.txt", b"pas une facture")]}


ROLE_CASES += [
    RoleCase("bank_statement_list", lambda w: f"{base(w)}/bank/statements/"),
    RoleCase("bank_line_list", lambda w: f"{base(w)}/bank/lines/", allowed=Role.ACCOUNTANT),
    RoleCase("bank_upload", lambda w: f"{base(w)}/bank/upload/", denied=W),
    RoleCase(
        "bank_upload",
        lambda w: f"{base(w)}/bank/upload/",
        "post",
        bank_upload_data,
        denied=Role.COLLECTOR,
        allowed=Role.ACCOUNTANT,
        expect=200,  # the result (here the refusal) is shown on the page
    ),
    RoleCase("einvoice_upload", lambda w: f"{base(w)}/einvoices/upload/", denied=Role.SALES),
    RoleCase(
        "einvoice_upload",
        lambda w: f"{base(w)}/einvoices/upload/",
        "post",
        einvoice_upload_data,
        denied=W,
        allowed=Role.MANAGER,
        expect=200,
    ),
]


def bank(world):
    from relance.banking.tests.factories import reconciliation_records

    return reconciliation_records(world)


def reconciliation(world) -> str:
    return f"{base(world)}/bank/reconciliation/"


def proposal_url(world, decision: str) -> str:
    return f"{base(world)}/bank/proposals/{bank(world).proposals[0].pk}/{decision}/"


def line_match_url(world) -> str:
    return f"{base(world)}/bank/lines/{bank(world).unmatched_line.pk}/match/"


def undo_url(world) -> str:
    return f"{base(world)}/bank/matches/{bank(world).match.pk}/undo/"


def alert_url(world) -> str:
    return f"{base(world)}/bank/alerts/{bank(world).alert.pk}/resolve/"


def hand_match_data(world):
    return {"customer": world.customer.code, f"amount_{world.invoice.pk}": "300,00"}


A = Role.ACCOUNTANT
ROLE_CASES += [
    RoleCase("bank_reconciliation", lambda w: reconciliation(w) + "?tab=matched"),
    RoleCase("bank_matching_run", lambda w: f"{base(w)}/bank/matching/run/", denied=W, expect=405),
    RoleCase(
        "bank_matching_run",
        lambda w: f"{base(w)}/bank/matching/run/",
        "post",
        denied=C,
        allowed=A,
    ),
    RoleCase("bank_proposal_accept", lambda w: proposal_url(w, "accept"), denied=W, expect=405),
    RoleCase(
        "bank_proposal_accept", lambda w: proposal_url(w, "accept"), "post", denied=C, allowed=A
    ),
    RoleCase("bank_proposal_reject", lambda w: proposal_url(w, "reject"), denied=W, expect=405),
    RoleCase(
        "bank_proposal_reject",
        lambda w: proposal_url(w, "reject"),
        "post",
        denied=W,
        allowed=Role.MANAGER,
    ),
    RoleCase("bank_line_match", line_match_url, denied=W),
    RoleCase(
        "bank_line_match", line_match_url, "post", hand_match_data, denied=Role.SALES, allowed=A
    ),
    RoleCase("bank_match_undo", undo_url, denied=W, expect=405),
    RoleCase("bank_match_undo", undo_url, "post", denied=C),
    RoleCase("bank_alert_resolve", alert_url, denied=W, expect=405),
    RoleCase("bank_alert_resolve", alert_url, "post", denied=A, allowed=C),
]


def call_url(world) -> str:
    return f"{base(world)}/calls/{call_records(world).call.pk}/"


def follow_up_url(world) -> str:
    return f"{base(world)}/follow-ups/{call_records(world).follow_up.pk}/done/"


ROLE_CASES += [
    RoleCase("agenda", lambda w: f"{base(w)}/agenda/", allowed=C),
    RoleCase("call_sheet", call_url, allowed=C),
    RoleCase(
        "call_sheet", call_url, "post", lambda w: {"outcome": "no_answer"}, denied=W, allowed=C
    ),
    RoleCase("follow_up_done", follow_up_url, reader=None, expect=405),
    RoleCase("follow_up_done", follow_up_url, "post", denied=Role.SALES, allowed=A),
]

# Cash-in forecast: every member reads it (collectors and sales their portfolio), in Excel too.
ROLE_CASES += [
    RoleCase("forecast", lambda w: f"{base(w)}/forecast/", allowed=Role.MANAGER),
    RoleCase("forecast", lambda w: f"{base(w)}/forecast/?period=month&format=xlsx", allowed=C),
]

# Dashboard: every member reads it (collectors and sales their portfolio), in Excel too.
ROLE_CASES += [
    RoleCase("dashboard", lambda w: f"{base(w)}/dashboard/", allowed=Role.MANAGER),
    RoleCase(
        "dashboard", lambda w: f"{base(w)}/dashboard/?as_of=2026-01-31&format=xlsx", allowed=C
    ),
    RoleCase(
        "dashboard", lambda w: f"{base(w)}/dashboard/?collector={w.other_collector.pk}", allowed=C
    ),
    # The weekly e-mail report: managers and administrators choose (POST only).
    RoleCase(
        "dashboard_report",
        lambda w: f"{base(w)}/dashboard/report/",
        denied=C,
        allowed=Role.MANAGER,
        expect=405,
    ),  # fmt: skip
    RoleCase(
        "dashboard_report",
        lambda w: f"{base(w)}/dashboard/report/",
        "post",
        lambda w: {"weekly": "on", "language": "en"},
        denied=C,
        allowed=Role.MANAGER,
    ),  # fmt: skip
]


# Payment plans: collectors and managers agree and cancel them, read-only roles see them.
def plan_url(world) -> str:
    return f"{base(world)}/plans/{plan_records(world).plan.pk}/"


def plan_data(world):
    return {
        "invoices": [world.invoice.pk],
        "agreed_on": "2026-11-02",
        "count": "3",
        "first_on": "2026-11-20",
    }


ROLE_CASES += [
    RoleCase("plan_create", lambda w: customer_url(w) + "plans/new/", denied=W, allowed=C),
    RoleCase(
        "plan_create",
        lambda w: customer_url(w) + "plans/new/",
        "post",
        plan_data,
        denied=W,
        allowed=C,
    ),
    RoleCase("plan_detail", plan_url, allowed=C),
    RoleCase("plan_agreement", lambda w: plan_url(w) + "agreement/", allowed=C),
    RoleCase("plan_cancel", lambda w: plan_url(w) + "cancel/", denied=W, expect=405),
    RoleCase("plan_cancel", lambda w: plan_url(w) + "cancel/", "post", denied=W, allowed=C),
]


def letter_url(world, suffix: str = "") -> str:
    from relance.letters.tests.factories import letter_records

    return f"{base(world)}/letters/{letter_records(world).letter.reminder_id}/{suffix}"


# Letters: everybody who sees the customer reads the queue and the kept PDFs; those who dun
# print, post and record the delivery.
ROLE_CASES += [
    RoleCase("letter_queue", lambda w: f"{base(w)}/letters/?channel=letter", allowed=C),
    RoleCase("letter_print", lambda w: f"{base(w)}/letters/print/", reader=None, expect=405),
    RoleCase("letter_print", lambda w: f"{base(w)}/letters/print/", "post", denied=W, allowed=C),
    RoleCase("letter_post", lambda w: f"{base(w)}/letters/post/", reader=None, expect=405),
    RoleCase("letter_post", lambda w: f"{base(w)}/letters/post/", "post", denied=W, allowed=C),
    RoleCase("letter_detail", letter_url, allowed=C),
    RoleCase(
        "letter_detail",
        letter_url,
        "post",
        lambda w: {"status": "delivered", "on": "2026-03-02"},
        denied=W,
        allowed=C,
    ),
    RoleCase("letter_pdf", lambda w: letter_url(w, "pdf/"), allowed=C),
    RoleCase("letter_receipt", lambda w: letter_url(w, "receipt/"), allowed=Role.MANAGER),
    RoleCase("letter_send", lambda w: letter_url(w, "send/"), reader=None, expect=405),
    RoleCase("letter_send", lambda w: letter_url(w, "send/"), "post", denied=W, allowed=C),
    RoleCase("customer_statement", lambda w: customer_url(w) + "statement/", allowed=C),
]

# Evidence export: those who dun the customer (admin, manager, its collector) hand it over.
ROLE_CASES += [
    RoleCase("customer_evidence", lambda w: customer_url(w) + "evidence/", denied=W, allowed=C),
    RoleCase(
        "customer_evidence",
        lambda w: customer_url(w) + "evidence/",
        denied=Role.SALES,
        allowed=Role.MANAGER,
    ),
]


def note_url(world, suffix: str = "") -> str:
    from relance.notes.tests.factories import note_records

    return f"{base(world)}/notes/{note_records(world).note.pk}/{suffix}"


# Notes: whoever sees the customer reads them; every role but read-only writes one; anyone
# mentioned marks the mention seen.
ROLE_CASES += [
    RoleCase("customer_notes", lambda w: customer_url(w) + "notes/", allowed=C),
    RoleCase(
        "customer_notes",
        lambda w: customer_url(w) + "notes/",
        "post",
        lambda w: {"text": "Rappeler lundi, @collector-acme"},
        denied=W,
        allowed=Role.ACCOUNTANT,
    ),
    RoleCase("note_detail", note_url, allowed=C),
    RoleCase("note_seen", lambda w: note_url(w, "seen/"), reader=None, expect=405),
    RoleCase("note_seen", lambda w: note_url(w, "seen/"), "post", reader=None),
]


def text_data(world):
    return {"language": "fr", "subject": "Échéance {{ instalments.0.due_on }}", "body": "Bonjour"}


# Instalment reminder texts: everybody reads them and previews; managers and admins edit.
ROLE_CASES += [
    RoleCase("instalment_texts", lambda w: f"{base(w)}/plan-texts/", allowed=C),
    RoleCase("instalment_text", lambda w: f"{base(w)}/plan-texts/before/?language=en", allowed=C),
    RoleCase(
        "instalment_text",
        lambda w: f"{base(w)}/plan-texts/overdue/",
        "post",
        text_data,
        denied=C,
        allowed=Role.MANAGER,
    ),
    RoleCase(
        "instalment_text_reset",
        lambda w: f"{base(w)}/plan-texts/before/reset/",
        reader=None,
        expect=405,
    ),
    RoleCase(
        "instalment_text_reset",
        lambda w: f"{base(w)}/plan-texts/before/reset/",
        "post",
        lambda w: {"language": "fr"},
        denied=W,
        allowed=Role.MANAGER,
    ),
    RoleCase(
        "instalment_text_preview",
        lambda w: f"{base(w)}/plan-texts/before/preview/",
        reader=None,
        expect=405,
    ),
    RoleCase(
        "instalment_text_preview",
        lambda w: f"{base(w)}/plan-texts/before/preview/",
        "post",
        text_data,
        reader=None,
        allowed=W,
        expect=200,
    ),
]


def risk(world):
    from relance.scoring.tests.factories import risk_records

    return risk_records(world)


def suggestion_url(world) -> str:
    return customer_url(risk(world)) + "profile-suggestion/"


def alert_seen_url(world) -> str:
    return f"{base(world)}/risk-alerts/{risk(world).alert.pk}/seen/"


# Risk scores: everybody reads them (collectors and sales reps their portfolio); managers and
# admins decide suggested payer profiles and recompute; those who dun mark an alert seen.
ROLE_CASES += [
    RoleCase("scoring", lambda w: f"{base(w)}/scoring/", allowed=C),
    RoleCase("scoring", lambda w: f"{base(w)}/scoring/?band=high&format=xlsx", allowed=Role.SALES),
    RoleCase("scoring_compute", lambda w: f"{base(w)}/scoring/compute/", denied=W, expect=405),
    RoleCase(
        "scoring_compute",
        lambda w: f"{base(w)}/scoring/compute/",
        "post",
        denied=C,
        allowed=Role.MANAGER,
    ),
    RoleCase("profile_suggestion", suggestion_url, denied=W, expect=405),
    RoleCase(
        "profile_suggestion",
        suggestion_url,
        "post",
        lambda w: {"decision": "accept", "profile": "bad"},
        denied=W,
        allowed=Role.MANAGER,
    ),
    RoleCase(
        "profile_suggestion",
        suggestion_url,
        "post",
        lambda w: {"decision": "reject", "profile": "bad"},
        denied=C,
    ),
    RoleCase("risk_alert_seen", alert_seen_url, denied=W, expect=405),
    RoleCase("risk_alert_seen", alert_seen_url, "post", denied=W, allowed=C),
]

# API tokens and webhooks: their cases live with relance.api.
ROLE_CASES += API_ROLE_CASES

# The debtors' self-service pages, the company's side: their cases live with relance.portal.
ROLE_CASES += PORTAL_ROLE_CASES

test_every_view_follows_the_role_rules = role_test(ROLE_CASES)


def company_scoped_views(patterns=None, prefix=""):
    """(url name, method) of every view under /c/<code>/, POST only where the view has one."""
    for entry in get_resolver().url_patterns if patterns is None else patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            yield from company_scoped_views(entry.url_patterns, route)
        elif route.startswith("c/"):
            yield from _methods(entry)


def _methods(pattern):
    view_class = getattr(pattern.callback, "view_class", None)
    yield pattern.name, "get"
    if view_class is not None and hasattr(view_class, "post"):
        yield pattern.name, "post"


def test_every_company_view_has_role_tests():
    views = set(company_scoped_views())
    assert len(views) > 10
    missing = views - covered_url_names(ROLE_CASES)
    assert not missing, f"views without role tests: {sorted(missing)}"
