from django import template

from core import formats

register = template.Library()


@register.filter
def hours(value) -> str:
    """学时 in the site's one format (core.formats.format_hours): 1.50 → 1.5, 2.00 → 2, 0.25 → 0.25."""
    return formats.format_hours(value)
