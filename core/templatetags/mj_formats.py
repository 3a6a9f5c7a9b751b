"""{% load mj_formats %}: {{ x|hours }}, {{ x|mark }}, {{ x|percent }} (core.formats)."""

from django import template

from core import formats

register = template.Library()


@register.filter
def hours(value) -> str:
    return formats.format_hours(value)


@register.filter
def mark(value) -> str:
    return formats.format_mark(value)


@register.filter
def percent(value) -> str:
    return formats.format_percent(value)
