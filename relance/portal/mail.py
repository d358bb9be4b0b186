"""The e-mails the debtor gets from the page: an acknowledgement of each thing they did, and
the company's decision on a payment-plan request. Sent once the transaction committed, in
the customer's language, to the billing contact (and the accounting one in copy), through
Django's mail framework.

A mail that cannot leave (no SMTP server, server down) is logged, never raised: what the
debtor did is recorded and acknowledged on the page whatever happens to the mail.
"""

from __future__ import annotations

import logging

from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.utils import translation

from relance.dunning.services import recipients_of

from .models import DebtorAction, PlanRequest

log = logging.getLogger(__name__)


def acknowledge(action_id: int) -> bool:
    """Tell the debtor what was recorded; False when nobody could be mailed."""
    action = (
        DebtorAction.objects.select_related("customer__company", "customer__collector")
        .filter(pk=action_id)
        .first()
    )
    if action is None:
        return False
    return _send(action.customer, "portal/mail/acknowledgement.txt", {"action": action})


def tell_decision(request_id: int) -> bool:
    """Tell the debtor whether their payment-plan request was accepted, and the schedule."""
    request = (
        PlanRequest.objects.select_related("customer__company", "customer__collector", "plan")
        .filter(pk=request_id)
        .first()
    )
    if request is None:
        return False
    instalments = request.plan.instalments.order_by("number") if request.plan else []
    context = {"request": request, "instalments": instalments}
    return _send(request.customer, "portal/mail/plan_decision.txt", context)


def _send(customer, template: str, context: dict) -> bool:
    recipients = recipients_of(customer)
    to = [r["email"] for r in recipients if r["kind"] == "to"]
    cc = [r["email"] for r in recipients if r["kind"] == "cc"]
    if not to:
        return False
    language = "en" if customer.language.startswith("en") else "fr"
    with translation.override(language):
        subject, _blank, body = render_to_string(
            template, {"customer": customer, "company": customer.company, **context}
        ).partition("\n\n")
    message = EmailMessage(" ".join(subject.split()), body.strip() + "\n", to=to, cc=cc)
    collector = customer.collector
    if collector is not None and collector.email:
        message.reply_to = [collector.email]
    try:
        message.send()
    except Exception:  # noqa: BLE001 - a mail server's failure never undoes the debtor's action
        log.warning("%s: e-mail to %s not sent", customer.company.code, to, exc_info=True)
        return False
    return True
