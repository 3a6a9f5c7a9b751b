"""How values are written into every Excel and CSV export: text that a spreadsheet would run as a
formula (starting with = + - @, tab or carriage return) gets a leading apostrophe (OWASP "CSV
injection"). Every export writer passes its cells through `safe_cell` / `safe_row`."""

import datetime
from collections.abc import Iterable
from decimal import Decimal

# Values a spreadsheet writer stores as they are; anything else (a model instance...) is written as text.
PLAIN_TYPES = (str, int, float, Decimal, bool, datetime.date, datetime.time, datetime.timedelta, type(None))

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value):
    """The value to write: text starting with a formula trigger is prefixed with "'"; numbers, dates
    and None as they are; any other object as its text (so a name inside it is neutralised too)."""
    if not isinstance(value, PLAIN_TYPES):
        value = str(value)
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


def safe_row(values: Iterable) -> list:
    return [safe_cell(v) for v in values]


def unsafe_cell(value: str) -> str:
    """The inverse, for our own importers reading our own exports back: "'=x" → "=x"."""
    if isinstance(value, str) and value.startswith("'") and value[1:].startswith(FORMULA_TRIGGERS):
        return value[1:]
    return value
