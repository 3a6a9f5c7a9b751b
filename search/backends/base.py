"""Shared parts of the segmenting search backends (SQLite FTS5, PostgreSQL, Elasticsearch).

Stock database backends keep an unbroken run of Chinese characters as one token, so 监督 finds
nothing in 加强对一把手监督. Our backends subclass modelsearch's and

- segments every indexed value (`ObjectIndexer.prepare_value`) into space-separated words;
- rewrites every query (`search.query.rewrite`): words cut the same way, joined with AND,
  synonyms from the editors' Synonym snippets, quoted text kept as a phrase.

Configure with ``WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "search.backends.database"}}``;
like modelsearch's own ``database`` backend it picks the implementation for the database vendor.
"""

from django.utils.encoding import force_str
from modelsearch.backends.base import EmptySearchResults

from search import segmentation
from search.query import rewrite


def _synonyms():
    from search.selectors import synonym_map

    return synonym_map()


class SegmentingPrepareMixin:
    """Segments every string value once per indexed object (title, body and autocomplete reuse it).

    modelsearch's indexers walk all search fields three times (for title, body and autocomplete),
    querying every related field each time; here each field is prepared once per object.
    """

    def prepare_field(self, obj, field):
        if obj is not self.obj:
            yield from super().prepare_field(obj, field)
            return
        cache = self.__dict__.setdefault("_prepared_fields", {})
        if id(field) not in cache:
            cache[id(field)] = list(super().prepare_field(obj, field))
        yield from cache[id(field)]

    def prepare_value(self, value):
        if isinstance(value, str):
            cache = self.__dict__.setdefault("_segmented", {})
            if value not in cache:
                cache[value] = segmentation.segment_for_index(value)
            return cache[value]
        if isinstance(value, list):
            return ", ".join(self.prepare_value(item) for item in value)
        if isinstance(value, dict):
            return ", ".join(self.prepare_value(item) for item in value.values())
        return self.prepare_value(force_str(value))


class SegmentingSearchMixin:
    """Rewrites queries into segmented words before the vendor's query compiler sees them."""

    def _search(self, query_compiler_class, query, model_or_queryset, **kwargs):
        if query == "":
            return EmptySearchResults()
        operator = kwargs.get("operator")
        if isinstance(query, str):
            from modelsearch.query import PlainText

            query = PlainText(query, operator=operator or "and")
        partial = query_compiler_class is self.autocomplete_query_compiler_class
        rewritten = rewrite(query, _synonyms(), partial=partial)
        if rewritten is None:
            return EmptySearchResults()
        return super()._search(query_compiler_class, rewritten, model_or_queryset, **kwargs)
