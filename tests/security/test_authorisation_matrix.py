"""The authorisation matrix: every URL pattern of relance.urls, and every operation of the API's
OpenAPI document, for each role of a company, an outsider and an anonymous visitor, against the
answer this table says they must get.

A new URL or API operation without a row here fails `test_every_url_pattern_has_a_row`, so a
view cannot be added without somebody writing down who may use it; a view whose check is
missing or wrong fails the matrix itself. The requests (URL, data, records they need) are the
role cases the apps already keep (relance/web/tests/test_roles.py ROLE_CASES, which joins the
API's and the portal's pages, and relance/api/tests/test_roles.py CASES); this file adds the
answer of every role instead of one allowed and one refused role.

Letters, one per role in the order admin, manager, collector, sales, accountant, read-only:
O the page or the action (200, or for a POST a 2xx or a redirect elsewhere than the login
page), F 403, H 404 (what they must not know exists: another collector's customer, another
company), M 405 (a POST-only address, to a member who could use it). Outsiders always get 404
and anonymous visitors the login page (company pages) or 401 (API).

The World (relance/web/tests/factories.py): the collector's portfolio holds the customer every
request is about, the sales rep's portfolio is empty, so "H" for sales is the portfolio rule.
Beyond the status, a collector's and a sales rep's pages must not name a customer outside their
portfolio (`test_company_pages`).
"""

from __future__ import annotations

import json
import re
from itertools import count

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import URLPattern, URLResolver, get_resolver

from relance.api.api import api
from relance.api.tests.cases import ApiCase
from relance.api.tests.cases import send as send_api
from relance.api.tests.conftest import ApiClient
from relance.api.tests.test_roles import CASES as API_CASES
from relance.team.models import Role
from relance.web.tests.factories import World
from relance.web.tests.roles import RoleCase
from relance.web.tests.test_roles import ROLE_CASES

from .matrix import (
    ANONYMOUS,
    FORBIDDEN,
    HIDDEN,
    LOGIN,
    OK,
    OUTSIDER,
    ROLES,
    UNAUTHENTICATED,
    Principals,
    web_class,
)

# --- Company pages (/c/<code>/...) ---------------------------------------------------------
# Order: admin, manager, collector, sales, accountant, read-only (team/access.py ALLOWED).
EVERYONE = "OOOOOO"  # Action.VIEW, lists filtered by portfolio
SEES_CUSTOMER = "OOOHOO"  # a page of the collector's customer: the sales rep does not see it
EDITS_CUSTOMER = "OOOFOF"  # Action.EDIT_CUSTOMER
EDITS_LEDGER = "OOFFOF"  # Action.EDIT_LEDGER and Action.IMPORT
DUNS = "OOOFFF"  # Action.DUN and Action.APPROVE
DUNS_POST_ONLY = "MMMFFF"
LEDGER_POST_ONLY = "MMFFMF"
MANAGES = "OOFFFF"  # Action.MANAGE_SCENARIOS, Action.RECEIVE_REPORTS, plan requests
MANAGES_POST_ONLY = "MMFFFF"
ADMIN_ONLY = "OFFFFF"  # Action.MANAGE_COMPANY, webhooks
ANYONE_POST_ONLY = "MMMMMM"

PAGES: dict[tuple[str, str], str] = {
    # Customers, contacts, invoices, payments
    ("customer_list", "get"): EVERYONE,
    ("customer_detail", "get"): SEES_CUSTOMER,
    ("customer_create", "get"): EDITS_CUSTOMER,
    ("customer_create", "post"): EDITS_CUSTOMER,
    ("customer_update", "get"): EDITS_CUSTOMER,
    ("customer_update", "post"): EDITS_CUSTOMER,
    ("contact_create", "get"): EDITS_CUSTOMER,
    ("contact_create", "post"): EDITS_CUSTOMER,
    ("contact_update", "get"): EDITS_CUSTOMER,
    ("contact_update", "post"): EDITS_CUSTOMER,
    ("invoice_list", "get"): EVERYONE,
    ("invoice_detail", "get"): SEES_CUSTOMER,
    ("invoice_create", "get"): EDITS_LEDGER,
    ("invoice_create", "post"): EDITS_LEDGER,
    ("invoice_update", "get"): EDITS_LEDGER,
    ("invoice_update", "post"): EDITS_LEDGER,
    ("payment_list", "get"): EVERYONE,
    ("payment_create", "get"): EDITS_LEDGER,
    ("payment_create", "post"): EDITS_LEDGER,
    ("company_settings", "get"): EVERYONE,
    ("company_settings", "post"): ADMIN_ONLY,
    # Imports
    ("import_list", "get"): EVERYONE,
    ("import_list", "post"): EDITS_LEDGER,
    ("import_preview", "get"): EDITS_LEDGER,
    ("import_preview", "post"): EDITS_LEDGER,
    ("import_detail", "get"): EVERYONE,
    ("import_progress", "get"): EVERYONE,
    # Reminders, runs, scenarios
    ("reminder_approvals", "get"): EVERYONE,
    ("reminder_decision", "get"): DUNS_POST_ONLY,
    ("reminder_decision", "post"): DUNS,
    ("reminder_resolve", "get"): DUNS_POST_ONLY,
    ("reminder_resolve", "post"): DUNS,
    ("reminder_outbox", "get"): EVERYONE,
    ("reminder_detail", "get"): SEES_CUSTOMER,
    ("run_list", "get"): EVERYONE,
    ("run_detail", "get"): EVERYONE,
    ("scenario_list", "get"): EVERYONE,
    ("scenario_detail", "get"): EVERYONE,
    ("scenario_detail", "post"): MANAGES,
    ("step_template", "get"): EVERYONE,
    ("step_template", "post"): MANAGES,
    ("template_preview", "get"): ANYONE_POST_ONLY,
    ("template_preview", "post"): EVERYONE,  # renders a text, writes nothing
    # Holds, disputes, promises, calls, plans
    ("customer_dunning", "get"): SEES_CUSTOMER,
    ("customer_timeline", "get"): SEES_CUSTOMER,
    ("hold_create", "get"): DUNS,
    ("hold_create", "post"): DUNS,
    ("dispute_create", "get"): DUNS,
    ("dispute_create", "post"): DUNS,
    ("promise_create", "get"): DUNS,
    ("promise_create", "post"): DUNS,
    ("hold_lift", "get"): DUNS_POST_ONLY,
    ("hold_lift", "post"): DUNS,
    ("dispute_resolve", "get"): DUNS_POST_ONLY,
    ("dispute_resolve", "post"): DUNS,
    ("agenda", "get"): EVERYONE,
    ("call_sheet", "get"): SEES_CUSTOMER,
    ("call_sheet", "post"): DUNS,
    ("follow_up_done", "get"): ANYONE_POST_ONLY,
    ("follow_up_done", "post"): "OOOFOF",  # the accountant checks announced payments
    ("plan_create", "get"): DUNS,
    ("plan_create", "post"): DUNS,
    ("plan_detail", "get"): SEES_CUSTOMER,
    ("plan_agreement", "get"): SEES_CUSTOMER,
    ("plan_cancel", "get"): DUNS_POST_ONLY,
    ("plan_cancel", "post"): DUNS,
    ("instalment_texts", "get"): EVERYONE,
    ("instalment_text", "get"): EVERYONE,
    ("instalment_text", "post"): MANAGES,
    ("instalment_text_reset", "get"): MANAGES_POST_ONLY,
    ("instalment_text_reset", "post"): MANAGES,
    ("instalment_text_preview", "get"): ANYONE_POST_ONLY,
    ("instalment_text_preview", "post"): EVERYONE,  # renders a text, writes nothing
    # Bank statements and matching
    ("bank_statement_list", "get"): EVERYONE,
    ("bank_line_list", "get"): EVERYONE,
    ("bank_upload", "get"): EDITS_LEDGER,
    ("bank_upload", "post"): EDITS_LEDGER,
    ("einvoice_upload", "get"): EDITS_LEDGER,
    ("einvoice_upload", "post"): EDITS_LEDGER,
    ("bank_reconciliation", "get"): EVERYONE,
    ("bank_matching_run", "get"): LEDGER_POST_ONLY,
    ("bank_matching_run", "post"): EDITS_LEDGER,
    ("bank_proposal_accept", "get"): LEDGER_POST_ONLY,
    ("bank_proposal_accept", "post"): EDITS_LEDGER,
    ("bank_proposal_reject", "get"): LEDGER_POST_ONLY,
    ("bank_proposal_reject", "post"): EDITS_LEDGER,
    ("bank_line_match", "get"): EDITS_LEDGER,
    ("bank_line_match", "post"): EDITS_LEDGER,
    ("bank_match_undo", "get"): LEDGER_POST_ONLY,
    ("bank_match_undo", "post"): EDITS_LEDGER,
    ("bank_alert_resolve", "get"): DUNS_POST_ONLY,  # a returned payment: those who dun act
    ("bank_alert_resolve", "post"): DUNS,
    # Dashboard, scores
    ("dashboard", "get"): EVERYONE,
    ("forecast", "get"): EVERYONE,  # the cash-in calendar, by portfolio
    ("dashboard_report", "get"): MANAGES_POST_ONLY,
    ("dashboard_report", "post"): MANAGES,
    ("scoring", "get"): EVERYONE,
    ("scoring_compute", "get"): MANAGES_POST_ONLY,
    ("scoring_compute", "post"): MANAGES,
    ("profile_suggestion", "get"): MANAGES_POST_ONLY,
    ("profile_suggestion", "post"): MANAGES,
    ("risk_alert_seen", "get"): DUNS_POST_ONLY,
    ("risk_alert_seen", "post"): DUNS,
    # Letters, statements, evidence
    ("letter_queue", "get"): EVERYONE,
    ("letter_print", "get"): ANYONE_POST_ONLY,
    ("letter_print", "post"): DUNS,
    ("letter_post", "get"): ANYONE_POST_ONLY,
    ("letter_post", "post"): DUNS,
    ("letter_detail", "get"): SEES_CUSTOMER,
    ("letter_detail", "post"): DUNS,
    ("letter_pdf", "get"): SEES_CUSTOMER,
    ("letter_receipt", "get"): SEES_CUSTOMER,
    ("letter_send", "get"): ANYONE_POST_ONLY,
    ("letter_send", "post"): DUNS,
    ("customer_statement", "get"): SEES_CUSTOMER,
    ("customer_evidence", "get"): DUNS,
    # Notes: every role but read-only writes, on the customers it sees
    ("customer_notes", "get"): SEES_CUSTOMER,
    ("customer_notes", "post"): "OOOHOF",
    ("note_detail", "get"): SEES_CUSTOMER,
    ("note_seen", "get"): ANYONE_POST_ONLY,
    ("note_seen", "post"): SEES_CUSTOMER,  # one's own mention marked read
    # API tokens (one's own) and webhooks (administrators)
    ("api_tokens", "get"): EVERYONE,
    ("api_tokens", "post"): EVERYONE,  # a token carries its user's rights, no more
    ("api_token_revoke", "get"): ANYONE_POST_ONLY,
    ("api_token_revoke", "post"): "OHHHHH",  # the administrator's token: nobody else's
    ("webhook_list", "get"): ADMIN_ONLY,
    ("webhook_list", "post"): ADMIN_ONLY,
    ("webhook_detail", "get"): ADMIN_ONLY,
    ("webhook_detail", "post"): ADMIN_ONLY,
    ("webhook_test", "get"): "MFFFFF",
    ("webhook_test", "post"): ADMIN_ONLY,
    ("webhook_secret", "get"): "MFFFFF",
    ("webhook_secret", "post"): ADMIN_ONLY,
    ("webhook_delete", "get"): "MFFFFF",
    ("webhook_delete", "post"): ADMIN_ONLY,
    # The debtor's page, the company's side
    ("portal_customer", "get"): SEES_CUSTOMER,
    ("portal_revoke", "get"): DUNS_POST_ONLY,
    ("portal_revoke", "post"): DUNS,
    ("portal_action", "get"): SEES_CUSTOMER,
    ("portal_action", "post"): DUNS,
    ("portal_plan_accept", "get"): DUNS_POST_ONLY,
    ("portal_plan_accept", "post"): MANAGES,
    ("portal_plan_refuse", "get"): DUNS_POST_ONLY,
    ("portal_plan_refuse", "post"): MANAGES,
    ("portal_upload", "get"): SEES_CUSTOMER,
    ("portal_policy", "get"): EVERYONE,
    ("portal_policy", "post"): ADMIN_ONLY,
}

# The only POSTs a read-only member may make, and why none changes the company's data.
READ_ONLY_POSTS = {
    "template_preview": "renders a reminder text, writes nothing",
    "instalment_text_preview": "renders an instalment text, writes nothing",
    "api_tokens": "a token of their own, with their own read-only rights",
    "note_seen": "marks a mention of themselves as read",
}

# The customer of another collector; the sales rep's portfolio is empty.
STRANGERS = {Role.COLLECTOR: ["Martin Négoce"], Role.SALES: ["Martin Négoce", "Dupont Bâtiment"]}

_uploads = count()


def _send_page(case: RoleCase, world, url: str, tmp_path):
    """The request of `case`; a case that needs files on disk gets its own upload folder."""

    def send(client):
        if case.before_allowed is None and not _has_file(case, world):
            return _request(client, case, world, url)
        with override_settings(UPLOAD_ROOT=tmp_path / f"uploads-{next(_uploads)}"):
            if case.before_allowed:
                case.before_allowed(client, world)
            return _request(client, case, world, url)

    return send


def _request(client, case: RoleCase, world, url: str):
    if case.method == "post":
        return client.post(url, case.data(world) if case.data else {})
    return client.get(url)


def _has_file(case: RoleCase, world) -> bool:
    if case.data is None:
        return False
    values = case.data(world).values()
    return any(
        isinstance(value, SimpleUploadedFile)
        or (isinstance(value, list) and any(isinstance(v, SimpleUploadedFile) for v in value))
        for value in values
    )


def _names_strangers(response, role: str) -> list[str]:
    if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
        return []
    text = response.content.decode()
    return [name for name in STRANGERS.get(role, []) if name in text]


@pytest.mark.django_db
@pytest.mark.parametrize("case", ROLE_CASES, ids=[case.id for case in ROLE_CASES])
def test_company_pages(case, tmp_path, settings):
    """Each role gets its row's answer, the outsider 404, the anonymous visitor the login
    page; no portfolio role reads the name of a customer outside its portfolio."""
    settings.UPLOAD_ROOT = tmp_path / "uploads"
    world = World()
    url = case.url(world)  # builds the records the case needs, outside the savepoints
    expected = PAGES[(case.name, case.method)]
    who = Principals(world)
    send = _send_page(case, world, url, tmp_path)
    seen, leaks = [], []
    for role in ROLES:
        response = who.ask(role, send)
        seen.append(web_class(response, case.method))
        leaks += [f"{role} reads {name}" for name in _names_strangers(response, role)]
    outsider = web_class(who.ask(OUTSIDER, send), case.method)
    anonymous = web_class(who.ask(ANONYMOUS, send), case.method)
    assert (" ".join(seen), outsider, anonymous) == (" ".join(expected), HIDDEN, LOGIN), url
    assert not leaks, f"{url}: {leaks}"


@pytest.mark.django_db
def test_the_portfolio_check_reads_names_where_they_are_shown(client):
    """The check of test_company_pages is not blind: the administrator's customer list names
    both customers, which a sales rep's page must not."""
    world = World()
    client.force_login(world.user(Role.ADMIN))
    response = client.get(f"/c/{world.company.code}/customers/")
    assert _names_strangers(response, Role.SALES) == ["Martin Négoce", "Dupont Bâtiment"]


def test_read_only_members_succeed_in_no_other_post():
    """The table itself: a POST a read-only member may make is one of READ_ONLY_POSTS."""
    allowed = {name for (name, method), row in PAGES.items() if method == "post" and row[5] == OK}
    assert allowed == set(READ_ONLY_POSTS)


# --- API operations (/api/v1/companies/<code>/...), from the OpenAPI document --------------
API: dict[str, str] = {
    "list_customers": EVERYONE,
    "get_customer": SEES_CUSTOMER,
    "create_customer": EDITS_CUSTOMER,
    "update_customer": EDITS_CUSTOMER,
    "list_contacts": EVERYONE,
    "get_contact": SEES_CUSTOMER,
    "create_contact": EDITS_CUSTOMER,
    "update_contact": EDITS_CUSTOMER,
    "list_invoices": EVERYONE,
    "get_invoice": SEES_CUSTOMER,
    "create_invoice": EDITS_LEDGER,
    "update_invoice": EDITS_LEDGER,
    "list_credit_notes": EVERYONE,
    "get_credit_note": SEES_CUSTOMER,
    "create_credit_note": EDITS_LEDGER,
    "list_payments": EVERYONE,
    "get_payment": SEES_CUSTOMER,
    "create_payment": EDITS_LEDGER,
    "list_allocations": EVERYONE,
    "create_allocation": EDITS_LEDGER,
    "list_imports": EVERYONE,
    "get_import": EVERYONE,
    "create_import": EDITS_LEDGER,
    "list_reminders": EVERYONE,
    "get_reminder": SEES_CUSTOMER,
    "approve_reminder": DUNS,
    "reject_reminder": DUNS,
    "list_holds": EVERYONE,
    "create_hold": DUNS,
    "lift_hold": DUNS,
    "list_disputes": EVERYONE,
    "get_dispute": SEES_CUSTOMER,
    "create_dispute": DUNS,
    "resolve_dispute": DUNS,
    "list_promises": EVERYONE,
    "get_promise": SEES_CUSTOMER,
    "create_promise": DUNS,
    "list_plans": EVERYONE,
    "get_plan": SEES_CUSTOMER,
    "create_plan": DUNS,
    "cancel_plan": DUNS,
    "kpis": EVERYONE,
    "credit_check": SEES_CUSTOMER,
}
# Not under a company: the token's own user and its companies (relance/api/tests/test_tokens).
ACCOUNT_OPERATIONS = {"me": EVERYONE, "companies": EVERYONE}
# Known defects, asserted as they are so that a fix shows here: (operation, role) -> status.
# (A collector creating a customer outside their portfolio got a 500: fixed, 201.)
KNOWN_DEFECTS: dict[tuple[str, str], int] = {}

API_STATUS = {FORBIDDEN: {403}, HIDDEN: {404}, OK: {200, 201}}


def _api_class(response, operation: str, role: str) -> str:
    defect = KNOWN_DEFECTS.get((operation, role))
    if defect is not None and response.status_code == defect:
        return "defect"
    for letter, statuses in API_STATUS.items():
        if response.status_code in statuses:
            return letter
    return {401: UNAUTHENTICATED}.get(response.status_code, f"<{response.status_code}>")


def _expected_api(operation: str, row: str) -> list[str]:
    return [
        "defect" if (operation, role) in KNOWN_DEFECTS else letter
        for role, letter in zip(ROLES, row, strict=True)
    ]


def _api_send(case: ApiCase, world, tmp_path):
    has_files = case.body is not None and "files" in case.body(world)

    def send(client):
        if not has_files:
            return send_api(client, case, world)
        with override_settings(UPLOAD_ROOT=tmp_path / f"uploads-{next(_uploads)}"):
            return send_api(client, case, world)

    return send


@pytest.mark.django_db
@pytest.mark.parametrize("case", API_CASES, ids=[f"{c.method.upper()} {c.name}" for c in API_CASES])
def test_api_operations(case, tmp_path, settings):
    """Each role's token gets its row's answer; another company's token 404, no token 401;
    a portfolio role's JSON never names a customer outside its portfolio."""
    settings.UPLOAD_ROOT = tmp_path / "uploads"
    settings.RELANCE_API_RATE_LIMIT = ""
    world = World()
    case.path(world)  # builds the records the case needs, outside the savepoints
    if case.body:
        case.body(world)
    who = Principals(world)
    tokens = {role: ApiClient(world.user(role)) for role in ROLES}
    tokens |= {OUTSIDER: ApiClient(world.outsider), ANONYMOUS: ApiClient()}
    send = _api_send(case, world, tmp_path)
    seen, leaks = {}, []
    for principal, api_client in tokens.items():
        response = who.ask(principal, lambda _client, c=api_client: send(c))
        seen[principal] = _api_class(response, case.name, principal)
        text = json.dumps(response.json(), ensure_ascii=False) if response.content else ""
        leaks += [f"{principal} reads {n}" for n in STRANGERS.get(principal, []) if n in text]
    expected = _expected_api(case.name, API[case.name]) + [HIDDEN, UNAUTHENTICATED]
    assert list(seen.values()) == expected, case.id
    assert not leaks, f"{case.id}: {leaks}"


def test_every_operation_of_the_openapi_document_has_a_row_and_a_case():
    schema = api.get_openapi_schema()
    operations = {op["operationId"] for path in schema["paths"].values() for op in path.values()}
    assert operations == set(API) | set(ACCOUNT_OPERATIONS)
    assert {case.name for case in API_CASES} == set(API)


@pytest.mark.django_db
@pytest.mark.parametrize("operation", sorted(ACCOUNT_OPERATIONS))
def test_account_operations_answer_every_member_and_nobody_else(operation, settings):
    settings.RELANCE_API_RATE_LIMIT = ""
    world = World()
    for role in ROLES:
        assert ApiClient(world.user(role)).get(f"/api/v1/{operation}").status_code == 200
    anonymous = ApiClient().get(f"/api/v1/{operation}")
    assert anonymous.status_code == 401
    if operation == "companies":  # the outsider's token lists its own company only
        codes = [row["code"] for row in ApiClient(world.outsider).get("/api/v1/companies").json()]
        assert codes == ["other"]


# --- Every other address ------------------------------------------------------------------
# Addresses outside /c/<code>/ and the API's operations, each with the test that checks it.
PUBLIC = {
    "home": "test_the_home_page_sends_each_one_where_they_belong",
    "login": "test_the_login_and_language_pages_are_open_to_all",
    "logout": "test_the_login_and_language_pages_are_open_to_all",
    "set_language": "test_the_login_and_language_pages_are_open_to_all",
    "sms_status_twilio": "test_provider_callbacks_want_the_providers_signature",
    "payment_webhook_stripe": "test_provider_callbacks_want_the_providers_signature",
    "portal_checkout_paid": "test_the_payment_return_pages_name_nobody",
    "portal_checkout_cancelled": "test_the_payment_return_pages_name_nobody",
    "openapi-json": "test_the_api_document_and_its_docs_page_are_public",
    "openapi-view": "test_the_api_document_and_its_docs_page_are_public",
    "api-root": "test_the_api_document_and_its_docs_page_are_public",
    None: "test_the_api_document_and_its_docs_page_are_public",  # JSON 404 of unknown paths
}
DEBTOR_PAGES = {  # the token is the key: a link of one customer, for a limited time
    "portal_page": ("get", ""),
    "portal_promise": ("post", "promise/"),
    "portal_claim": ("post", "claim/"),
    "portal_dispute": ("post", "dispute/"),
    "portal_plan": ("post", "plan/"),
    "portal_pay": ("post", "pay/"),
    "portal_statement": ("get", "statement/"),
    "portal_invoice_pdf": ("get", "invoices/{invoice}/"),
}


def url_patterns(patterns=None, prefix=""):
    """(route, pattern) of every URL pattern, admin included, walking every include()."""
    for entry in get_resolver().url_patterns if patterns is None else patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            yield from url_patterns(entry.url_patterns, route)
        else:
            yield route, entry


def test_every_url_pattern_has_a_row():
    company_pages = {key for key in PAGES}
    missing = []
    for route, pattern in url_patterns():
        if route.startswith("admin/"):
            continue  # test_the_django_admin_is_for_staff_only walks them all
        if route.startswith("c/"):
            methods = ["get", "post"] if _has_post(pattern) else ["get"]
            missing += [(pattern.name, m) for m in methods if (pattern.name, m) not in PAGES]
            company_pages -= {(pattern.name, m) for m in methods}
        elif route.startswith("api/v1/") and pattern.name in API | ACCOUNT_OPERATIONS:
            continue
        elif pattern.name not in PUBLIC and pattern.name not in DEBTOR_PAGES:
            missing.append((pattern.name, route))
    assert not missing, f"addresses without a row in the authorisation matrix: {missing}"
    assert not company_pages, f"rows for addresses that no longer exist: {company_pages}"
    covered = {(case.name, case.method) for case in ROLE_CASES}
    assert set(PAGES) <= covered, f"rows without a role case to run: {set(PAGES) - covered}"


def _has_post(pattern: URLPattern) -> bool:
    view_class = getattr(pattern.callback, "view_class", None)
    return view_class is not None and hasattr(view_class, "post")


def _concrete(route: str) -> str:
    """A URL matching an admin route: "1" for each parameter, the first app of a choice."""
    route = re.sub(r"<(?:\w+:)?\w+>", "1", route)
    route = re.sub(r"\(\?P<\w+>([\w-]+)\|[^)]*\)", r"\1", route)
    route = re.sub(r"\(\?P<\w+>[^)]*\)", "unknown", route)
    return "/" + route.replace("^", "").replace("$", "")


@pytest.mark.django_db
def test_the_django_admin_is_for_staff_only(client, django_user_model):
    """Every admin address, for an anonymous visitor and for a company administrator who is
    not staff: back to the admin's login page. A superuser gets in."""
    world = World()
    member = world.user(Role.ADMIN)
    urls = sorted(
        {_concrete(route) for route, pattern in url_patterns() if route.startswith("admin/")}
        - {"/admin/login/"}
    )
    assert len(urls) > 50
    kept_out = []
    for user in (None, member):
        client.logout()
        if user is not None:
            client.force_login(user)
        for url in urls:
            response = client.get(url)
            location = response.get("Location", "")
            if response.status_code != 302 or not location.startswith("/admin/"):
                kept_out.append(f"{user}: {url} -> {response.status_code} {location}")
            elif location != "/admin/" and not location.startswith("/admin/login/"):
                kept_out.append(f"{user}: {url} -> {location}")
    assert not kept_out, kept_out
    superuser = django_user_model.objects.create_superuser("root", password=None)
    client.force_login(superuser)
    assert client.get("/admin/").status_code == 200
    assert client.get("/admin/ledger/customer/").status_code == 200


@pytest.mark.django_db
def test_the_home_page_sends_each_one_where_they_belong(client):
    world = World()
    assert client.get("/")["Location"].startswith("/login/")
    for user in [*world.users.values(), world.outsider]:
        client.force_login(user)
        response = client.get("/")
        assert response.status_code == 302
        own = "/c/other/" if user == world.outsider else "/c/acme/"
        assert response["Location"].startswith(own), (user, response["Location"])


@pytest.mark.django_db
def test_the_login_and_language_pages_are_open_to_all(client):
    world = World()
    for user in (None, world.user(Role.READ_ONLY), world.outsider):
        client.logout()
        if user is not None:
            client.force_login(user)
        assert client.get("/login/").status_code == (200 if user is None else 302)
        response = client.post("/i18n/setlang/", {"language": "en", "next": "/login/"})
        assert (response.status_code, response["Location"]) == (302, "/login/")
        assert client.post("/logout/").status_code == 302
        assert "_auth_user_id" not in client.session
        assert client.get("/logout/").status_code == 405


@pytest.mark.django_db
def test_provider_callbacks_want_the_providers_signature(client, settings):
    """A session, even an administrator's, signs nothing: without the provider's signature the
    callbacks refuse."""
    settings.TWILIO_AUTH_TOKEN = "twilio-secret"
    settings.STRIPE_WEBHOOK_SECRET = "whsec_secret"
    world = World()
    for user in (None, world.user(Role.ADMIN)):
        client.logout()
        if user is not None:
            client.force_login(user)
        twilio = client.post(
            f"/hooks/sms/twilio/{world.sent_reminder.pk}/",
            {"MessageStatus": "delivered", "MessageSid": "SM1"},
        )
        assert twilio.status_code == 403
        stripe = client.post("/hooks/payments/stripe/", "{}", content_type="application/json")
        assert stripe.status_code == 400


@pytest.mark.django_db
def test_the_payment_return_pages_name_nobody(client):
    for url in ("/p/checkout/paid/", "/p/checkout/cancelled/"):
        response = client.get(url)
        assert response.status_code == 200
        assert "Dupont" not in response.content.decode()


@pytest.mark.django_db
def test_the_api_document_and_its_docs_page_are_public(client):
    """They describe the API and hold no data; the root and unknown paths are 404."""
    assert client.get("/api/v1/openapi.json").status_code == 200
    assert client.get("/api/v1/docs").status_code == 200
    assert client.get("/api/v1/").status_code == 404
    unknown = client.get("/api/v1/nowhere")
    assert (unknown.status_code, unknown.json()["code"]) == (404, "not_found")


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(DEBTOR_PAGES))
def test_the_debtors_pages_open_with_a_live_link_only(name, client, settings):
    """A live link opens its customer's pages to whoever holds it (no login needed, none
    helps); a wrong, forged or revoked one is the same 404 for everybody, a company's
    administrator included; another customer's invoice stays out of reach."""
    from relance.portal import links
    from relance.web.tests.factories import make_invoice

    settings.RELANCE_PORTAL_RATE_FAILURES = 1000
    world = World()
    revoked = links.issue_for_customer(world.customer)
    links.revoke_links(world.customer, world.user(Role.ADMIN))
    live = links.issue_for_customer(world.customer)
    foreign = make_invoice(world.foreign_customer, number="F-ETRANGERE")
    method, tail = DEBTOR_PAGES[name]
    send = client.get if method == "get" else client.post
    for user in (None, world.user(Role.ADMIN)):
        client.logout()
        if user is not None:
            client.force_login(user)
        for token in (revoked, live[:-1] + ("A" if live[-1] != "A" else "B"), "nimportequoi"):
            path = tail.format(invoice=world.invoice.pk)
            assert send(f"/p/{token}/{path}").status_code == 404, (user, token)
        if method == "get":
            path = tail.format(invoice=world.invoice.pk)
            assert send(f"/p/{live}/{path}").status_code == 200
        other = tail.format(invoice=foreign.pk)
        if "{invoice}" in tail:
            assert send(f"/p/{live}/{other}").status_code == 404
