"""The SMS a reminder sends, with its segments and estimated cost, for the pages that show
it before (and after) sending: {% load relance_sms %}{% sms_preview reminder as sms %}."""

from django import template

from relance.dunning.channels.sms import Preview, preview
from relance.dunning.render import TemplateTextError

register = template.Library()


@register.simple_tag
def sms_preview(reminder) -> Preview | None:
    """The preview of an SMS reminder; None for the other channels, or when its step's
    template cannot be rendered (the scenario editor says why)."""
    if reminder.channel != "sms":
        return None
    try:
        return preview(reminder)
    except TemplateTextError:
        return None
