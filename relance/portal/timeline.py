"""The debtor's doings in the customer's timeline (relance.web.views.dunning
.customer_timeline): each action on the page, and each link's first opening."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from .models import AccessToken, DebtorAction


def debtor_entries(customer) -> list:
    from relance.web.views.dunning import TimelineEntry  # the web app shows the timeline

    code = customer.company.code
    entries = [
        TimelineEntry(
            action.created_at,
            _("Espace client"),
            str(action.get_kind_display()),
            action.summary,
            _status(action),
            reverse("portal_action", args=[code, action.pk]),
        )
        for action in DebtorAction.objects.filter(customer=customer).select_related("plan_request")
    ]
    opened = AccessToken.objects.filter(customer=customer, first_used_at__isnull=False)
    entries += [
        TimelineEntry(at, _("Espace client"), _("Page ouverte par le client"))
        for at in opened.values_list("first_used_at", flat=True)
    ]
    return entries


def _status(action: DebtorAction) -> str:
    if action.plan_request is not None:
        return str(action.plan_request.get_status_display())
    return _("traité") if action.handled_at else _("à traiter")
