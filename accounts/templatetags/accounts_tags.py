from datetime import timedelta

from django import template
from django.utils.translation import gettext as _

register = template.Library()


@register.filter
def duration_zh(value) -> str:
    """A timedelta as 「1 小时 30 分钟」 / 「15 分钟」 (the lockout cool-off)."""
    if not isinstance(value, timedelta):
        return ""
    minutes = max(1, round(value.total_seconds() / 60))
    hours, minutes = divmod(minutes, 60)
    parts = []
    if hours:
        parts.append(_("%(n)d 小时") % {"n": hours})
    if minutes:
        parts.append(_("%(n)d 分钟") % {"n": minutes})
    return " ".join(parts)
