"""The access rules: which role may do what, and which customers a member sees.

Every view and command goes through `membership_for` and `visible_customers`; nobody
sees another company, collectors and sales reps see only their portfolio.
"""

from enum import StrEnum

from django.db.models import QuerySet

from relance.ledger.models import Company, Customer

from .models import Membership, Role


class Action(StrEnum):
    VIEW = "view"
    EDIT_CUSTOMER = "edit_customer"  # customers and contacts
    EDIT_LEDGER = "edit_ledger"  # invoices, credit notes, payments
    IMPORT = "import"
    MANAGE_COMPANY = "manage_company"
    APPROVE = "approve"  # approve, edit or reject a reminder before it is sent
    MANAGE_SCENARIOS = "manage_scenarios"
    DUN = "dun"  # holds, disputes, promises to pay
    WRITE_NOTE = "write_note"  # internal notes on a customer, mentioning colleagues
    RECEIVE_REPORTS = "receive_reports"  # the weekly e-mail report (relance.reports.weekly)


ALLOWED: dict[Action, frozenset[str]] = {
    Action.VIEW: frozenset(Role.values),
    Action.EDIT_CUSTOMER: frozenset({Role.ADMIN, Role.MANAGER, Role.COLLECTOR, Role.ACCOUNTANT}),
    Action.EDIT_LEDGER: frozenset({Role.ADMIN, Role.MANAGER, Role.ACCOUNTANT}),
    Action.IMPORT: frozenset({Role.ADMIN, Role.MANAGER, Role.ACCOUNTANT}),
    Action.MANAGE_COMPANY: frozenset({Role.ADMIN}),
    Action.APPROVE: frozenset({Role.ADMIN, Role.MANAGER, Role.COLLECTOR}),
    Action.MANAGE_SCENARIOS: frozenset({Role.ADMIN, Role.MANAGER}),
    Action.DUN: frozenset({Role.ADMIN, Role.MANAGER, Role.COLLECTOR}),
    Action.WRITE_NOTE: frozenset(Role.values) - {Role.READ_ONLY},
    Action.RECEIVE_REPORTS: frozenset({Role.ADMIN, Role.MANAGER}),
}

# Roles limited to the customers they collect from or sell to.
PORTFOLIO_FIELD = {Role.COLLECTOR: "collector", Role.SALES: "sales_rep"}


def membership_for(user, company_code: str) -> Membership | None:
    """The user's membership of the company, or None (unknown company or outsider alike)."""
    if not user.is_authenticated:
        return None
    return (
        Membership.objects.select_related("company")
        .filter(user=user, company__code=company_code)
        .first()
    )


def can(membership: Membership | None, action: Action) -> bool:
    return membership is not None and membership.role in ALLOWED[action]


def visible_customers(membership: Membership) -> QuerySet[Customer]:
    customers = Customer.objects.filter(company=membership.company)
    field = PORTFOLIO_FIELD.get(Role(membership.role))
    return customers.filter(**{field: membership.user}) if field else customers


def companies_for(user) -> QuerySet[Company]:
    return Company.objects.filter(memberships__user=user).order_by("code")
