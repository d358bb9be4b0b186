"""Puts the current membership (set by the company-scoped views) and the user's companies
into every template."""

from .access import companies_for


def membership(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "membership": getattr(request, "membership", None),
        "my_companies": companies_for(user),
    }
