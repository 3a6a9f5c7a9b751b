"""Wagtail's Elasticsearch 8 backend, fed with pre-segmented Chinese text.

Elasticsearch's standard analyzer makes every Chinese character a token, so 督导 would match
监督 (both contain 督). Here the text is cut into words in Python with the same segmenter and
dictionary as the database backend, and every text field is analysed with a whitespace
tokenizer (`mingjian_words`); autocomplete uses edge n-grams of those words. Queries go through
the same rewrite (AND of words, synonyms, phrases), so both backends answer alike.

Configure with::

    WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "search.backends.elasticsearch",
                                          "URLS": [ELASTICSEARCH_URL], "INDEX_PREFIX": "mingjian_"}}
"""

from copy import deepcopy

from modelsearch.backends.base import EmptySearchResults
from modelsearch.backends.elasticsearch8 import (
    Elasticsearch8AutocompleteQueryCompiler,
    Elasticsearch8Index,
    Elasticsearch8Mapping,
    Elasticsearch8SearchBackend,
    Elasticsearch8SearchQueryCompiler,
    Elasticsearch8SearchResults,
)
from modelsearch.index import AutocompleteField, RelatedFields, SearchField
from modelsearch.query import Phrase, PlainText
from modelsearch.utils import deep_update

from search import segmentation
from search.backends.base import SegmentingSearchMixin

WORDS_ANALYZER = "mingjian_words"
WORDS_EDGENGRAM_ANALYZER = "mingjian_words_edgengram"

ANALYSIS_SETTINGS = {
    "settings": {
        "analysis": {
            "analyzer": {
                # The text arrives cut into words separated by spaces: split on whitespace only.
                WORDS_ANALYZER: {"type": "custom", "tokenizer": "whitespace", "filter": ["lowercase"]},
                WORDS_EDGENGRAM_ANALYZER: {
                    "type": "custom",
                    "tokenizer": "whitespace",
                    "filter": ["lowercase", "edgengram"],
                },
            }
        }
    }
}


def _segment(value):
    if isinstance(value, str):
        return segmentation.segment_for_index(value)
    if isinstance(value, (list, tuple)):
        return [_segment(item) for item in value]
    if isinstance(value, dict):
        return {key: _segment(item) for key, item in value.items()}
    return value


def _use_words_analyzer(properties: dict) -> None:
    for mapping in properties.values():
        if mapping.get("type") == "nested":
            _use_words_analyzer(mapping["properties"])
        elif mapping.get("type") == "text" and "analyzer" not in mapping:
            mapping["analyzer"] = WORDS_ANALYZER


class SegmentingElasticsearch8Mapping(Elasticsearch8Mapping):
    edgengram_analyzer_config = {"analyzer": WORDS_EDGENGRAM_ANALYZER, "search_analyzer": WORDS_ANALYZER}

    def related_ids_field_name(self, field: RelatedFields) -> str:
        """Keyword field with the ids of a many-to-many relation (violation types …), for facets."""
        return self.get_field_column_name(field) + "_ids"

    def _many_to_many_fields(self):
        return [
            field
            for field in self.model.get_search_fields()
            if isinstance(field, RelatedFields) and getattr(field.get_field(self.model), "many_to_many", False)
        ]

    def get_mapping(self):
        mapping = super().get_mapping()
        _use_words_analyzer(mapping["properties"])
        for field in self._many_to_many_fields():
            mapping["properties"][self.related_ids_field_name(field)] = {"type": "keyword"}
        return mapping

    def get_document(self, obj):
        doc = super().get_document(obj)
        for field in self._many_to_many_fields():
            doc[self.related_ids_field_name(field)] = [
                str(pk) for pk in field.get_value(obj).values_list("pk", flat=True)
            ]
        return doc

    def _get_document_field_data(self, field, obj):
        name, value, edgengrams = super()._get_document_field_data(field, obj)
        if isinstance(field, (SearchField, AutocompleteField)):
            value = _segment(value)
            edgengrams = [_segment(item) for item in edgengrams]
        return name, value, edgengrams


class SegmentingElasticsearch8Index(Elasticsearch8Index):
    pass


class SegmentingElasticsearch8SearchQueryCompiler(Elasticsearch8SearchQueryCompiler):
    mapping_class = SegmentingElasticsearch8Mapping


class SegmentingElasticsearch8AutocompleteQueryCompiler(Elasticsearch8AutocompleteQueryCompiler):
    mapping_class = SegmentingElasticsearch8Mapping


def _typed_text(query) -> str:
    """What the user typed, from a string or a parsed query (words and phrases alike)."""
    if isinstance(query, str):
        return query
    if isinstance(query, (PlainText, Phrase)):
        return query.query_string
    return " ".join(_typed_text(sub) for sub in getattr(query, "subqueries", ()))


class SegmentingElasticsearch8SearchBackend(SegmentingSearchMixin, Elasticsearch8SearchBackend):
    mapping_class = SegmentingElasticsearch8Mapping
    index_class = SegmentingElasticsearch8Index
    query_compiler_class = SegmentingElasticsearch8SearchQueryCompiler
    autocomplete_query_compiler_class = SegmentingElasticsearch8AutocompleteQueryCompiler
    results_class = Elasticsearch8SearchResults
    settings = deep_update(deepcopy(Elasticsearch8SearchBackend.settings), ANALYSIS_SETTINGS)

    def autocomplete(self, query, model_or_queryset, fields=None, operator=None, order_by_relevance=True):
        # Wagtail's Elasticsearch autocomplete takes one plain text only: the words, space-separated,
        # each matched against the edge n-grams of the indexed words.
        words = segmentation.query_terms(_typed_text(query), partial=True)
        if not words:
            return EmptySearchResults()
        return Elasticsearch8SearchBackend._search(
            self,
            self.autocomplete_query_compiler_class,
            PlainText(" ".join(words), operator="and"),
            model_or_queryset,
            fields=fields,
            operator="and",
            order_by_relevance=order_by_relevance,
        )


SearchBackend = SegmentingElasticsearch8SearchBackend
