"""The weekly report by e-mail: the dashboard of the whole company (its currency) as of a day,
with the charts as PNG images inside the HTML (cid: parts) and a plain-text alternative,
in each recipient's language.

Recipients: the company's managers with an e-mail address, unless they unsubscribed, and the
administrators who subscribed (ReportSubscription, on the dashboard). The worker sends it once
a week, on the first daily run of the week (Monday, or the next day it runs), at most once
per company and week whatever the number of workers (WeeklyReport, unique per week);
`relance report weekly` sends it at once.
"""

from __future__ import annotations

import logging
import smtplib
from dataclasses import dataclass, field
from datetime import date, timedelta
from email.mime.image import MIMEImage

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from relance.ledger.models import Company
from relance.team.access import ALLOWED, Action
from relance.team.models import Membership, Role

from . import services
from .charts import ChartImage, chart_images
from .labels import aging_rows, collection_rows, cost_rows, kpi_rows, step_label
from .models import ReportSubscription, WeeklyReport

log = logging.getLogger(__name__)
# Whole-company figures: the same cache entry as a manager's unfiltered dashboard.
WHOLE_COMPANY = ("all", "", "", "")


@dataclass(frozen=True)
class Recipient:
    email: str
    name: str
    language: str


def recipients(company: Company) -> list[Recipient]:
    """Managers (unless unsubscribed) and subscribed administrators, with an address."""
    found = []
    memberships = Membership.objects.filter(
        company=company, role__in=ALLOWED[Action.RECEIVE_REPORTS]
    ).select_related("user", "report_subscription")
    for membership in memberships.order_by("user__email"):
        choice = subscription_of(membership)
        if membership.user.email and choice.weekly:
            name = membership.user.get_full_name() or membership.user.get_username()
            found.append(Recipient(membership.user.email, name, choice.language))
    return found


def subscription_of(membership: Membership) -> ReportSubscription:
    """The member's choice, or the default: managers receive it in French, administrators
    only if they ask."""
    try:
        return membership.report_subscription
    except ReportSubscription.DoesNotExist:
        return ReportSubscription(membership=membership, weekly=membership.role == Role.MANAGER)


@transaction.atomic
def subscribe(membership: Membership, *, weekly: bool, language: str) -> ReportSubscription:
    """Record whether the member receives the weekly report, and in which language."""
    choice, _created = ReportSubscription.objects.update_or_create(
        membership=membership, defaults={"weekly": weekly, "language": language}
    )
    return choice


@dataclass
class Outcome:
    as_of: date
    sent: list[str] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)  # "address: reason"


def send_weekly(company: Company, as_of: date) -> Outcome:
    """Send the report as of `as_of` to every recipient (one message each, one SMTP
    connection); an address the server refuses does not stop the others."""
    outcome = Outcome(as_of)
    chosen = recipients(company)
    if not chosen:
        return outcome
    if settings.EMAIL_BACKEND.endswith("smtp.EmailBackend") and not settings.EMAIL_HOST:
        outcome.refused = [f"{r.email}: {_('aucun serveur SMTP (EMAIL_HOST)')}" for r in chosen]
        return outcome
    board = services.dashboard(company, as_of, company.currency, cache_scope=WHOLE_COMPANY)
    images: dict[str, list[ChartImage]] = {}
    with get_connection() as connection:
        for recipient in chosen:
            with translation.override(recipient.language):
                if recipient.language not in images:
                    images[recipient.language] = chart_images(board)
                message = weekly_message(company, board, images[recipient.language], recipient)
            message.connection = connection
            _send(message, recipient, outcome)
    return outcome


def _send(message, recipient: Recipient, outcome: Outcome) -> None:
    try:
        message.send()
    except smtplib.SMTPRecipientsRefused as error:
        reason = "; ".join(f"{code} {text!r}" for code, text in error.recipients.values())
        outcome.refused.append(f"{recipient.email}: {reason}")
    else:
        outcome.sent.append(recipient.email)


def weekly_message(company, board, images: list[ChartImage], recipient: Recipient):
    """The e-mail of one recipient, in the active language: text, HTML and inline charts."""
    context = {
        "company": company,
        "board": board,
        "kpis": board.kpis,
        "kpi_rows": kpi_rows(board.kpis),
        "collection_rows": collection_rows(board.now),
        "aging_rows": aging_rows(board.kpis),
        "steps": [(step_label(step), step.amount) for step in board.now.recovery.steps],
        "cost_rows": cost_rows(board.now, board.unit_costs),
        "images": images,
        "others": [code for code in board.currencies if code != board.currency],
        "url": _dashboard_url(company),
        "recipient": recipient,
    }
    subject = _("Rapport hebdomadaire %(company)s : situation au %(day)s") % {
        "company": company.name,
        "day": board.kpis.as_of.strftime("%d/%m/%Y"),
    }
    text = render_to_string("reports/weekly.txt", context)
    message = EmailMultiAlternatives(subject, text, None, [recipient.email])
    message.attach_alternative(render_to_string("reports/weekly.html", context), "text/html")
    message.mixed_subtype = "related"  # the images belong with the HTML that shows them
    for image in images:
        part = MIMEImage(image.png, "png")
        part.add_header("Content-ID", f"<{image.content_id}>")
        part.add_header("Content-Disposition", "inline", filename=f"{image.content_id}.png")
        message.attach(part)
    return message


def _dashboard_url(company: Company) -> str:
    if not settings.RELANCE_PUBLIC_URL:
        return ""
    return settings.RELANCE_PUBLIC_URL + reverse("dashboard", kwargs={"code": company.code})


def week_of(day: date) -> date:
    """The Monday of the week of `day`."""
    return day - timedelta(days=day.weekday())


def send_if_due(company: Company, today: date) -> WeeklyReport | None:
    """The week's report of the company, unless some worker already took it: the first to
    insert the week's row sends it (a failure is kept on the row, not retried)."""
    try:
        with transaction.atomic():
            report = WeeklyReport.objects.create(
                company=company, week_of=week_of(today), as_of=today
            )
    except IntegrityError:
        return None
    try:
        outcome = send_weekly(company, today)
    except (OSError, smtplib.SMTPException) as error:
        outcome = Outcome(today, refused=[f"{error}"])
    report.recipients = outcome.sent
    report.error = "\n".join(outcome.refused)
    report.sent_at = timezone.now() if outcome.sent else None
    report.save(update_fields=["recipients", "error", "sent_at"])
    return report


def send_due_reports(local_today) -> None:
    """The worker's weekly step: every company's report of the week, if not sent yet;
    `local_today(company)` is the company's today. One company failing does not stop the
    others."""
    for company in Company.objects.all():
        try:
            report = send_if_due(company, local_today(company))
        except Exception:
            log.exception("weekly report of %s failed", company.code)
            continue
        if report is not None:
            log.info("weekly report of %s: %s", company.code, report.recipients or report.error)
