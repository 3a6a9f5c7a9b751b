from decimal import Decimal, InvalidOperation

from django import template

register = template.Library()


@register.filter
def hours(value) -> str:
    """学时 without trailing zeros: 1.50 → 1.5, 2.00 → 2, 0.25 → 0.25."""
    try:
        number = Decimal(str(value))
    except (InvalidOperation, TypeError, ValueError):
        return ""
    text = f"{number.normalize():f}"
    return text
