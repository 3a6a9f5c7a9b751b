"""One way to print 学时, marks and percentages, in templates (core/templatetags/mj_formats.py), PDFs
and exports alike: at most two decimals for 学时 and marks, one for percentages, no trailing zeros.

1.50 → "1.5", 1.00 → "1", 0.25 → "0.25", 7.333 → "7.33"; 66.666 % → "66.7%"; None → "—".
"""

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

EMPTY = "—"


def _plain(value, places: str) -> str:
    if value is None or value == "":
        return EMPTY
    try:
        number = Decimal(str(value)).quantize(Decimal(places), rounding=ROUND_HALF_UP)
    except (InvalidOperation, TypeError, ValueError):
        return EMPTY
    text = f"{number.normalize():f}"
    return "0" if text in ("-0", "") else text


def format_hours(value) -> str:
    """学时: 1.5, 2, 0.25."""
    return _plain(value, "0.01")


def format_mark(value) -> str:
    """A mark or score (分): 7.5, 10, 3.33."""
    return _plain(value, "0.01")


def format_percent(value) -> str:
    """A rate or a percentage grade: 66.7%, 100%."""
    text = _plain(value, "0.1")
    return text if text == EMPTY else f"{text}%"
