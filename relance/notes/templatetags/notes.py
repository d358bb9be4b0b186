from django import template
from django.utils.html import conditional_escape, format_html, linebreaks
from django.utils.safestring import mark_safe

from relance.core.mentions import MENTION

register = template.Library()


@register.filter
def note_text(text: str):
    """The note's text as escaped paragraphs, its @mentions set apart."""
    escaped = str(conditional_escape(text))
    marked = MENTION.sub(lambda m: format_html('<b class="mention">@{}</b>', m.group(1)), escaped)
    return mark_safe(linebreaks(marked, autoescape=False))  # escaped above
