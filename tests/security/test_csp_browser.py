"""Every main page in headless Chromium under the real Content-Security-Policy: no violation
(no inline script or style, nothing from another site), no console error, no uncaught
exception; and the dashboard's charts are still drawn, now by a static script."""

from __future__ import annotations

import pytest

from relance.banking.tests.factories import reconciliation_records
from relance.dunning.render import render_reminder
from relance.portal import links
from relance.team.models import Role
from relance.web.tests.factories import World, call_records, make_invoice, plan_records

from .browser import PageWatch, charts_with_ink, log_in

CHARTS = ["chart-aging", "chart-amounts", "chart-dso", "chart-delays", "chart-rates"]


def pages(world) -> dict[str, str]:
    base = f"/c/{world.company.code}"
    customer = f"{base}/customers/{world.customer.pk}/"
    return {
        "dashboard": f"{base}/dashboard/",
        "agenda": f"{base}/agenda/",
        "customers": f"{base}/customers/",
        "customer file": customer,
        "customer notes": f"{customer}notes/",
        "call sheet": f"{base}/calls/{world.call.pk}/",
        "reconciliation": f"{base}/bank/reconciliation/",
        "outbox": f"{base}/reminders/outbox/",
        "reminder with its e-mail": f"{base}/reminders/{world.sent_reminder.pk}/",
        "payment form": f"{base}/payments/new/",
        "payment plan agreement": f"{base}/plans/{world.plan.pk}/agreement/",
        "API tokens": f"{base}/api-tokens/",
        "API documentation": "/api/v1/docs",
    }


def prepared_world():
    world = call_records(plan_records(World()))
    make_invoice(world.customer, "3450.50", number="F-0002")
    reconciliation_records(world)
    render_reminder(world.sent_reminder)  # the e-mail's HTML as sent, with its stylesheet
    world.sent_reminder.save(update_fields=["subject", "body_text", "body_html"])
    return world


@pytest.mark.browser
def test_the_main_pages_respect_the_content_security_policy(
    page, artifacts_dir, live_server, transactional_db
):
    world = prepared_world()
    watch = PageWatch(page)
    log_in(page, live_server, world.user(Role.ADMIN))
    problems = {}
    for name, path in pages(world).items():
        problems[name] = watch.visit(live_server.url + path)
        if name == "dashboard":
            page.wait_for_function("() => window.Chart && Chart.getChart('chart-aging')")
            assert charts_with_ink(page, CHARTS) == CHARTS
        page.screenshot(path=str(artifacts_dir / f"csp-{name.replace(' ', '-')}.png"))
    assert_clean(problems)


@pytest.mark.browser
def test_the_debtors_page_and_the_login_page_respect_it_too(
    page, live_server, transactional_db, settings
):
    settings.RELANCE_PUBLIC_URL = live_server.url
    world = World()
    token = links.issue_for_customer(world.customer)
    watch = PageWatch(page)
    problems = {
        "login": watch.visit(live_server.url + "/login/"),
        "debtor's page": watch.visit(live_server.url + f"/p/{token}/"),
        "admin login": watch.visit(live_server.url + "/admin/login/"),
    }
    assert_clean(problems)


def assert_clean(problems: dict[str, list[str]]) -> None:
    report = [f"{name}: {line}" for name, found in problems.items() for line in found]
    assert not report, "\n".join(report)


@pytest.mark.browser
def test_the_django_admin_respects_it_too(page, live_server, transactional_db, django_user_model):
    """Superusers keep the rate tables there (Taux légaux par semestre)."""
    root = django_user_model.objects.create_superuser("root", password=None)
    watch = PageWatch(page)
    log_in(page, live_server, root)
    problems = {
        name: watch.visit(live_server.url + path)
        for name, path in {
            "admin index": "/admin/",
            "rate table": "/admin/legal/halfyearrate/",
            "new rate": "/admin/legal/halfyearrate/add/",
            "customers": "/admin/ledger/customer/",
        }.items()
    }
    assert_clean(problems)
