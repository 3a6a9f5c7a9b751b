"""Plain text of indexed objects and highlighted snippets around the words a user searched for."""

import re
from collections.abc import Iterable

from django.utils.html import escape, strip_tags
from django.utils.safestring import SafeString, mark_safe
from modelsearch.index import RelatedFields, SearchField

SNIPPET_LENGTH = 120
_SPACE_RE = re.compile(r"\s+")


def _flatten(value) -> Iterable[str]:
    if value is None:
        return
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _flatten(item)
    elif isinstance(value, (list, tuple)):
        for item in value:
            yield from _flatten(item)
    else:
        yield str(value)


def plain_text(obj, *, exclude_title: bool = True, related: bool = True) -> str:
    """The searchable text of an object (its SearchFields), without markup, in field order.

    `related=False` leaves out the text of related objects (taxonomy names, tags), which costs
    a query per relation unless prefetched.
    """
    parts: list[str] = []
    for field in obj.get_search_fields():
        if isinstance(field, SearchField) and not (exclude_title and field.field_name == "title"):
            parts.extend(_flatten(field.get_value(obj)))
        elif related and isinstance(field, RelatedFields):
            value = field.get_value(obj)
            if value is None:
                continue
            items = value.all() if hasattr(value, "all") else [value]
            for item in items:
                for sub in field.fields:
                    if isinstance(sub, SearchField):
                        parts.extend(_flatten(sub.get_value(item)))
    text = " ".join(strip_tags(p) for p in parts if p)
    return _SPACE_RE.sub(" ", text).strip()


def has_term(text: str, terms: Iterable[str]) -> bool:
    pattern = _term_pattern(terms)
    return bool(pattern and pattern.search(text))


def _term_pattern(terms: Iterable[str]) -> re.Pattern | None:
    terms = sorted({t for t in terms if t}, key=len, reverse=True)
    if not terms:
        return None
    return re.compile("|".join(re.escape(t) for t in terms), re.IGNORECASE)


def highlight(text: str, terms: Iterable[str]) -> SafeString:
    """`text` HTML-escaped, with each occurrence of a term wrapped in <mark>.

    Matching happens on the raw text and every piece is escaped on its own, so a term can never
    match inside an entity such as &amp; and user text can never inject markup.
    """
    pattern = _term_pattern(terms)
    if pattern is None:
        return mark_safe(escape(text))  # noqa: S308 - escaped just now
    out, pos = [], 0
    for match in pattern.finditer(text):
        out.append(escape(text[pos : match.start()]))
        out.append(f"<mark>{escape(match.group(0))}</mark>")
        pos = match.end()
    out.append(escape(text[pos:]))
    return mark_safe("".join(out))  # noqa: S308 - every piece escaped above


def snippet(text: str, terms: Iterable[str], *, length: int = SNIPPET_LENGTH) -> SafeString:
    """A window of `text` around the first matching term, highlighted; the start of the text if none match."""
    terms = list(terms)
    pattern = _term_pattern(terms)
    match = pattern.search(text) if pattern else None
    if match is None:
        window = text[:length]
        suffix = "…" if len(text) > length else ""
        return mark_safe(highlight(window, terms) + suffix)  # noqa: S308 - highlight() escapes
    start = max(0, match.start() - length // 3)
    end = min(len(text), start + length)
    prefix = "…" if start > 0 else ""
    suffix = "…" if end < len(text) else ""
    return mark_safe(prefix + highlight(text[start:end], terms) + suffix)  # noqa: S308 - highlight() escapes
