"""Company scoping of the API: the same rules as the web pages (relance.web.views.base).

The company is explicit in the path (/api/v1/companies/{company}/...). A user who is not a
member gets the same 404 as for a company that does not exist; a member whose role does not
allow the action gets 403; customers and what hangs off them are reached only through
`visible_customers`, so a collector sees their portfolio alone.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from zoneinfo import ZoneInfo

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from relance.ledger.models import Contact, Customer, Invoice, Payment
from relance.team.access import PORTFOLIO_FIELD, Action, can, membership_for, visible_customers
from relance.team.models import Membership, Role

from .errors import Forbidden, NotFound


@dataclass
class Scope:
    """What one member of one company may reach."""

    membership: Membership

    @property
    def company(self):
        return self.membership.company

    @property
    def user(self):
        return self.membership.user

    @property
    def today(self) -> date:
        """Today in the company's time zone, as the web pages compute it."""
        return timezone.localdate(timezone=ZoneInfo(self.company.time_zone))

    def can(self, action: Action) -> bool:
        return can(self.membership, action)

    def require(self, action: Action) -> None:
        if not self.can(action):
            raise Forbidden(_("Votre rôle ne permet pas cette action."))

    @property
    def portfolio_field(self) -> str | None:
        return PORTFOLIO_FIELD.get(Role(self.membership.role))

    def portfolio(self) -> QuerySet[Customer] | None:
        """The customers of a collector's or sales rep's portfolio; None for the others."""
        return self.customers() if self.portfolio_field else None

    def customers(self) -> QuerySet[Customer]:
        return visible_customers(self.membership)

    def customer(self, code: str) -> Customer:
        found = self.customers().filter(code=code).first()
        if found is None:
            raise NotFound(_("Client introuvable : %(code)s") % {"code": code})
        return found

    def scoped(self, queryset: QuerySet) -> QuerySet:
        """Records hanging off a customer (invoices, payments, contacts, dunning records)."""
        company_field = "customer__company" if queryset.model is Contact else "company"
        queryset = queryset.filter(**{company_field: self.company})
        if self.portfolio_field:
            queryset = queryset.filter(**{f"customer__{self.portfolio_field}": self.user})
        return queryset

    def invoices(self) -> QuerySet[Invoice]:
        return self.scoped(Invoice.objects.all())

    def payments(self) -> QuerySet[Payment]:
        return self.scoped(Payment.objects.all())

    def get(self, queryset: QuerySet, pk: int, label: str):
        found = self.scoped(queryset).filter(pk=pk).first()
        if found is None:
            raise NotFound(_("%(what)s introuvable : %(id)s") % {"what": label, "id": pk})
        return found


def scope_for(request, company: str, action: Action = Action.VIEW) -> Scope:
    """The caller's scope in `company`, checked for `action` (404, then 403)."""
    membership = membership_for(request.user, company)
    if membership is None:
        raise NotFound(_("Société introuvable : %(code)s") % {"code": company})
    scope = Scope(membership)
    scope.require(action)
    return scope
