from django import template

from relance.team.access import Action, can

register = template.Library()


@register.filter
def can_export_evidence(membership) -> bool:
    """Whether the member may export a customer's evidence (those who dun it)."""
    return can(membership, Action.DUN)
