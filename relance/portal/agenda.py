"""The agenda's "Demandes de l'espace client" kind (relance.dunning.agenda): what debtors did
on their page and nobody has dealt with yet; a plan request stays until a manager decides."""

from __future__ import annotations

from decimal import Decimal

from django.db.models import QuerySet

from relance.dunning.agenda import Entry, Work

from .models import DebtorAction


def open_actions(work: Work) -> QuerySet[DebtorAction]:
    return (
        DebtorAction.objects.filter(
            company=work.company, customer__in=work.customers, handled_at__isnull=True
        )
        .select_related("customer")
        .order_by("created_at", "pk")
    )


def action_entries(work: Work, rows) -> list[Entry]:
    """One line each; the waiting time counts as the days late of its priority."""
    return [
        Entry(
            "self_service",
            action.customer,
            str(action.get_kind_display()),
            action.amount or Decimal(0),
            action.currency or work.company.currency,
            work._days(action.created_at.date()),
            ("portal_action", action.pk),
            detail=action.summary,
        )
        for action in rows
    ]
