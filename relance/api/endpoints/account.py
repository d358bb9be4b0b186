"""Who the token acts as, and the companies it reaches (with the role in each)."""

from __future__ import annotations

from ninja import Router, Schema

from relance.team.models import Membership

router = Router(tags=["Compte"])


class CompanyOut(Schema):
    code: str
    name: str
    currency: str
    role: str


class MeOut(Schema):
    username: str
    token: str
    companies: list[CompanyOut]


def _companies(user) -> list[dict]:
    memberships = Membership.objects.filter(user=user).select_related("company")
    return [
        {
            "code": m.company.code,
            "name": m.company.name,
            "currency": m.company.currency,
            "role": m.role,
        }
        for m in memberships.order_by("company__code")
    ]


@router.get("/me", response=MeOut, summary="Utilisateur du jeton et ses sociétés")
def me(request):
    return {
        "username": request.user.username,
        "token": request.auth.name,
        "companies": _companies(request.user),
    }


@router.get("/companies", response=list[CompanyOut], summary="Sociétés accessibles")
def companies(request):
    return _companies(request.user)
