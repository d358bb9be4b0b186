"""The agenda, the collector's home page: today's work, highest priority first
(relance.dunning.agenda), filtered by collector and by kind of work."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.shortcuts import render
from django.urls import reverse

from relance.core.agenda import MAX_DAYS_LATE, RISK_WEIGHTS
from relance.dunning.agenda import KINDS, agenda
from relance.team.access import PORTFOLIO_FIELD, Action
from relance.team.models import Role

from .base import CompanyView

COLLECTING_ROLES = (Role.COLLECTOR, Role.MANAGER, Role.ADMIN)


class AgendaView(CompanyView):
    """Collectors and sales reps see their portfolio; the others may pick one collector."""

    def get(self, request):
        customers = self.customers()
        collectors = self.collectors()
        collector = request.GET.get("collector", "")
        if collectors and collector.isdigit():
            customers = customers.filter(collector_id=int(collector))
        kind = request.GET.get("type", "")
        kind = kind if kind in KINDS else ""
        work = agenda(self.company, customers, self.today, kind, request.user)
        context = {
            "agenda": work,
            "entries": [(entry, self.link(entry)) for entry in work.entries],
            "kinds": [(name, label, work.counts[name]) for name, label in KINDS.items()],
            "kind": kind,
            "collectors": collectors,
            "collector": collector,
            "can_dun": self.can(Action.DUN),
            "can_follow_up": self.can(Action.DUN) or self.can(Action.EDIT_LEDGER),
            "today": self.today,
            "weights": sorted(RISK_WEIGHTS.items(), key=lambda pair: pair[1]),
            "max_days_late": MAX_DAYS_LATE,
        }
        return render(request, "web/agenda.html", context)

    def collectors(self):
        """The members a manager may filter on; none for a member limited to a portfolio."""
        if Role(self.membership.role) in PORTFOLIO_FIELD:
            return []
        return list(
            get_user_model()
            .objects.filter(
                memberships__company=self.company, memberships__role__in=COLLECTING_ROLES
            )
            .order_by("username")
        )

    def link(self, entry) -> str:
        name, pk = entry.link
        args = [self.company.code] if pk is None else [self.company.code, pk]
        return reverse(name, args=args)
