"""The scoring page and the score block of the customer file in headless Chromium: a manager
reads the factors, accepts the suggested profile in one click, and marks an alert seen; no
console error (a Content-Security-Policy violation would be one)."""

import pytest

from relance.scoring.models import RiskAlert
from relance.team.models import Role
from relance.web.tests.factories import World

from .factories import risk_records


def login(page, live_server, user):
    user.set_password("secret-pass-1")
    user.save()
    page.goto(live_server.url + "/login/")
    page.fill("input[name=username]", user.username)
    page.fill("input[name=password]", "secret-pass-1")
    page.click(".login-form button[type=submit]")
    page.wait_for_load_state()


@pytest.mark.browser
def test_a_manager_reads_the_score_and_accepts_the_suggestion(
    page, artifacts_dir, live_server, transactional_db
):
    world = risk_records(World())
    errors = []  # the Content-Security-Policy allows no inline style or script
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))
    missing = []  # the stylesheet is served (the browser asks for a favicon nobody has)
    page.on(
        "response", lambda r: r.status >= 400 and "favicon" not in r.url and missing.append(r.url)
    )
    login(page, live_server, world.user(Role.MANAGER))
    page.goto(live_server.url + "/c/acme/scoring/")
    row = page.locator('tr[data-customer="C001"]')
    assert row.locator("[data-score]").inner_text() == "35/100"
    assert "Jours de retard" in row.inner_text()
    page.screenshot(path=str(artifacts_dir / "scoring-list.png"), full_page=True)
    row.get_by_role("link", name="Dupont Bâtiment").click()
    page.wait_for_load_state()
    page.locator("#risk summary").click()
    assert page.locator('#risk tr[data-factor="days_late"]').is_visible()
    page.screenshot(path=str(artifacts_dir / "scoring-customer.png"), full_page=True)
    page.locator('#risk button[value="accept"]').click()
    page.wait_for_load_state()
    assert "Profil payeur modifié." in page.locator(".flash").first.inner_text()
    world.customer.refresh_from_db()
    assert world.customer.payer_profile == "bad"
    page.locator('#risk [data-alert="credit_limit"] button').click()
    page.wait_for_load_state()
    assert RiskAlert.objects.get(pk=world.alert.pk).seen_at is not None
    assert [e for e in errors if not e.startswith("Failed to load resource")] == []
    assert missing == []
