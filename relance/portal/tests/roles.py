"""Role cases of the portal's company pages, added to relance/web/tests/test_roles.py's list
(whose coverage test requires one for every view under /c/<code>/)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

from django.conf import settings

from relance.portal import links
from relance.portal.models import DebtorAction, PlanRequest, Upload
from relance.team.models import Role
from relance.web.tests.roles import RoleCase

C, M, W = Role.COLLECTOR, Role.MANAGER, Role.READ_ONLY


def portal_records(world):
    """A link, a plan request of the world's customer with its agenda line, and a proof of
    payment on disk; built once per World."""
    if hasattr(world, "portal_action"):
        return world
    links.issue_for_customer(world.customer)
    request = PlanRequest.objects.create(
        company=world.company,
        customer=world.customer,
        instalments=3,
        amount=world.invoice.open_amount,
        currency="EUR",
    )
    request.invoices.set([world.invoice])
    world.plan_request = request
    world.portal_action = DebtorAction.objects.create(
        company=world.company,
        customer=world.customer,
        kind=DebtorAction.Kind.PLAN_REQUEST,
        summary="Demande d'échéancier en 3 fois",
        plan_request=request,
        amount=Decimal("1200.00"),
        currency="EUR",
    )
    world.claim_action = DebtorAction.objects.create(
        company=world.company, customer=world.customer, kind="claim", summary="Paiement annoncé"
    )
    path = Path(settings.UPLOAD_ROOT) / "acme" / "portal" / "preuve.pdf"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"%PDF-1.4 preuve")
    world.upload = Upload.objects.create(
        company=world.company,
        action=world.claim_action,
        name="preuve.pdf",
        path=str(path.relative_to(settings.UPLOAD_ROOT)),
        content_type="application/pdf",
        size=15,
        sha256="0" * 64,
    )
    return world


def base(world) -> str:
    return f"/c/{world.company.code}"


def customer_url(world, tail: str = "") -> str:
    return f"{base(world)}/customers/{world.customer.pk}/portal/{tail}"


def action_url(world) -> str:
    return f"{base(world)}/portal/actions/{portal_records(world).claim_action.pk}/"


def decision_url(world, verb: str) -> str:
    return f"{base(world)}/portal/requests/{portal_records(world).plan_request.pk}/{verb}/"


def upload_url(world) -> str:
    return f"{base(world)}/portal/uploads/{portal_records(world).upload.pk}/"


def policy_data(world) -> dict:
    return {
        "link_days": "30",
        "promise_max_days": "15",
        "plan_max_instalments": "4",
        "claim_hold_days": "5",
    }


PORTAL_ROLE_CASES = [
    RoleCase("portal_customer", lambda w: customer_url(portal_records(w)), allowed=C),
    RoleCase("portal_revoke", lambda w: customer_url(w, "revoke/"), reader=None, expect=405),
    RoleCase(
        "portal_revoke",
        lambda w: customer_url(portal_records(w), "revoke/"),
        "post",
        denied=W,
        allowed=C,
    ),
    RoleCase("portal_action", action_url, allowed=C),
    RoleCase("portal_action", action_url, "post", denied=W, allowed=C),
    # A plan request commits the company to a schedule: managers and admins decide.
    RoleCase("portal_plan_accept", lambda w: decision_url(w, "accept"), reader=None, expect=405),
    RoleCase(
        "portal_plan_accept",
        lambda w: decision_url(w, "accept"),
        "post",
        lambda w: {"first_on": date.today().isoformat()},
        denied=C,
        allowed=M,
    ),
    RoleCase("portal_plan_refuse", lambda w: decision_url(w, "refuse"), reader=None, expect=405),
    RoleCase(
        "portal_plan_refuse",
        lambda w: decision_url(w, "refuse"),
        "post",
        lambda w: {"note": "Trop d'échéances"},
        denied=C,
        allowed=M,
    ),
    RoleCase("portal_upload", upload_url, allowed=C),
    RoleCase("portal_policy", lambda w: f"{base(w)}/portal/settings/", allowed=M),
    RoleCase(
        "portal_policy",
        lambda w: f"{base(w)}/portal/settings/",
        "post",
        policy_data,
        denied=M,
        allowed=Role.ADMIN,
    ),
]
