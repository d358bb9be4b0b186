"""The weekly e-mail report: a real SMTP round trip (aiosmtpd in the test process), the
recipients and their languages, the charts as inline PNG images, the worker's once a week,
and the managers' choice on the dashboard."""

import email
import json
from datetime import date, datetime
from decimal import Decimal
from email import policy
from io import StringIO

import pytest
from django.core import mail
from django.core.management import CommandError, call_command
from django.utils import timezone

from relance.dunning.management.commands import worker
from relance.ledger import services as ledger
from relance.reports.models import ReportSubscription, WeeklyReport
from relance.reports.weekly import send_if_due, week_of
from relance.team.models import Membership, Role
from relance.web.tests.factories import make_member, make_user
from tests.smtp import smtp_server

pytestmark = pytest.mark.django_db
AS_OF = date(2026, 3, 31)  # a Tuesday
IMAGES = {"chart-amounts", "chart-dso", "chart-delays", "chart-rates", "chart-recovered",
          "chart-cost", "chart-aging"}  # fmt: skip


@pytest.fixture
def smtp(settings):
    with smtp_server(settings) as inbox:
        yield inbox


def member(company, role, username, email_address="", language=None, weekly=None):
    user = make_user(username, email=email_address, first_name=username.title())
    membership = Membership.objects.create(user=user, company=company, role=role)
    if language is not None:
        ReportSubscription.objects.create(
            membership=membership, language=language, weekly=weekly if weekly is not None else True
        )
    return membership


@pytest.fixture
def company():
    company = ledger.create_company("HEBDO", "Hebdo SAS")
    debtor = ledger.create_customer(company, code="C1", name="Client Un")
    ledger.record_invoice(
        company, debtor, number="F1", amount=Decimal("9500.00"), issued_on=date(2026, 2, 1),
        due_on=date(2026, 3, 3), currency="EUR",
    )  # fmt: skip
    member(company, Role.MANAGER, "claire", "claire@hebdo.fr")  # no choice yet: French
    member(company, Role.MANAGER, "john", "john@hebdo.fr", language="en")
    member(company, Role.MANAGER, "paul", "paul@hebdo.fr", language="fr", weekly=False)
    member(company, Role.MANAGER, "nomail")  # no address: nobody to write to
    member(company, Role.ADMIN, "alice", "alice@hebdo.fr")  # administrators opt in
    member(company, Role.COLLECTOR, "colette", "colette@hebdo.fr")
    return company


def report(*args):
    out = StringIO()
    call_command("report", "weekly", "--company", "HEBDO", *args, stdout=out)
    return out.getvalue()


def parts_of(envelope):
    message = email.message_from_bytes(envelope.content, policy=policy.default)
    return message, list(message.walk())


def test_the_report_goes_through_smtp_with_its_charts(smtp, company):
    result = json.loads(report("--as-of", AS_OF.isoformat(), "--format", "json"))
    assert result == {"as_of": "2026-03-31", "sent": ["claire@hebdo.fr", "john@hebdo.fr"],
                      "refused": []}  # fmt: skip
    by_address = {envelope.rcpt_tos[0]: envelope for envelope in smtp.envelopes}
    assert sorted(by_address) == ["claire@hebdo.fr", "john@hebdo.fr"]
    french, parts = parts_of(by_address["claire@hebdo.fr"])
    assert french["Subject"] == "Rapport hebdomadaire Hebdo SAS : situation au 31/03/2026"
    assert french["From"] == "Relance <relance@relance.example>"
    assert french.get_content_type() == "multipart/related"
    text = next(p for p in parts if p.get_content_type() == "text/plain").get_content()
    html = next(p for p in parts if p.get_content_type() == "text/html").get_content()
    assert "Encours : 9\u00a0500,00\u00a0€" in text
    assert "Taux d'impayés" in text and "Balance âgée" in text
    images = [p for p in parts if p.get_content_type() == "image/png"]
    assert {p["Content-ID"].strip("<>") for p in images} == IMAGES
    assert all(p.get_content()[:8] == b"\x89PNG\r\n\x1a\n" for p in images)
    assert all(f'src="cid:{cid}"' in html for cid in IMAGES)
    english, parts = parts_of(by_address["john@hebdo.fr"])
    assert english["Subject"] == "Weekly report Hebdo SAS: position on 31/03/2026"
    text = next(p for p in parts if p.get_content_type() == "text/plain").get_content()
    assert "Outstanding" in text and "€9,500.00" in text


def test_a_refused_address_does_not_stop_the_others(smtp, company):
    member(company, Role.MANAGER, "refuse", "refuse@hebdo.fr")
    result = json.loads(report("--as-of", AS_OF.isoformat(), "--format", "json"))
    assert result["sent"] == ["claire@hebdo.fr", "john@hebdo.fr"]
    assert result["refused"][0].startswith("refuse@hebdo.fr: 550")


def test_without_smtp_server_nobody_receives_it_and_the_command_says_so(settings, company):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = ""
    with pytest.raises(CommandError, match="rapport envoyé à personne"):
        report("--as-of", AS_OF.isoformat())


def test_a_company_without_manager_address_is_an_error(company):
    Membership.objects.filter(company=company).delete()
    with pytest.raises(CommandError, match="aucun responsable avec une adresse e-mail"):
        report()


def test_the_worker_sends_it_once_a_week(company, monkeypatch):
    monkeypatch.setattr("relance.dunning.services.run_dunning", lambda company, today: None)
    monday = timezone.make_aware(datetime(2026, 3, 30, 7, 0))
    monkeypatch.setattr(worker, "local_now", lambda: monday)
    call_command("worker", "--once", "--run-at", "06:00", "--sending-hours", "8-9",
                 stdout=StringIO())  # fmt: skip
    assert sorted(m.to[0] for m in mail.outbox) == ["claire@hebdo.fr", "john@hebdo.fr"]
    sent = WeeklyReport.objects.get(company=company)
    assert (sent.week_of, sent.as_of, sent.recipients) == (
        date(2026, 3, 30), date(2026, 3, 30), ["claire@hebdo.fr", "john@hebdo.fr"],
    )  # fmt: skip
    tuesday = timezone.make_aware(datetime(2026, 3, 31, 7, 0))
    monkeypatch.setattr(worker, "local_now", lambda: tuesday)
    call_command("worker", "--once", "--run-at", "06:00", "--sending-hours", "8-9",
                 "--id", "other-worker", stdout=StringIO())  # fmt: skip
    assert len(mail.outbox) == 2  # the week's report is already out
    assert send_if_due(company, date(2026, 4, 5)) is None  # Sunday: the same week
    assert send_if_due(company, date(2026, 4, 6)) is not None  # next Monday
    assert len(mail.outbox) == 4


def test_week_of_is_the_monday():
    assert week_of(date(2026, 3, 30)) == date(2026, 3, 30)
    assert week_of(date(2026, 4, 5)) == date(2026, 3, 30)


def test_a_manager_chooses_language_and_whether_to_receive_it(client, company):
    manager = Membership.objects.get(user__username="claire")
    client.force_login(manager.user)
    page = client.get("/c/HEBDO/dashboard/").content.decode()
    assert (
        "Rapport hebdomadaire par e-mail" in page and 'action="/c/HEBDO/dashboard/report/"' in page
    )
    response = client.post("/c/HEBDO/dashboard/report/", {"weekly": "on", "language": "en"})
    assert response["Location"] == "/c/HEBDO/dashboard/"
    choice = ReportSubscription.objects.get(membership=manager)
    assert (choice.weekly, choice.language) == (True, "en")
    client.post("/c/HEBDO/dashboard/report/", {"language": "fr"})
    choice.refresh_from_db()
    assert (choice.weekly, choice.language) == (False, "fr")
    client.post("/c/HEBDO/dashboard/report/", {"weekly": "on", "language": "de"})
    choice.refresh_from_db()
    assert choice.language == "fr"  # refused, unchanged


def test_collectors_have_no_weekly_report_form(client, company):
    collector = make_member(company, Role.COLLECTOR, "coll-2")
    client.force_login(collector)
    assert (
        "Rapport hebdomadaire par e-mail" not in client.get("/c/HEBDO/dashboard/").content.decode()
    )
    assert client.post("/c/HEBDO/dashboard/report/", {"language": "fr"}).status_code == 403
