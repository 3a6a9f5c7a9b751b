"""Elasticsearch 8: the generated mapping, documents and query bodies (always), and a live
round trip when ELASTICSEARCH_URL points at a server (skipped otherwise; no mock server)."""

import os

import pytest
from wagtail.models import Page
from wagtail.search.backends import get_search_backend

from search.backends.elasticsearch import WORDS_ANALYZER, WORDS_EDGENGRAM_ANALYZER, SegmentingElasticsearch8Mapping
from search.selectors import parse_query

ES_URL = os.environ.get("ELASTICSEARCH_URL", "")


@pytest.fixture
def es_backend():
    # Building the client does not connect; nothing here talks to a server.
    return get_search_backend(
        "search.backends.elasticsearch", URLS=[ES_URL or "http://localhost:9200"], INDEX_PREFIX="test_mingjian_"
    )


def test_index_settings_define_the_whitespace_analyzers(es_backend):
    analyzers = es_backend.settings["settings"]["analysis"]["analyzer"]
    assert analyzers[WORDS_ANALYZER] == {"type": "custom", "tokenizer": "whitespace", "filter": ["lowercase"]}
    assert analyzers[WORDS_EDGENGRAM_ANALYZER]["tokenizer"] == "whitespace"
    assert "edgengram" in analyzers[WORDS_EDGENGRAM_ANALYZER]["filter"]


def test_case_mapping_analyses_every_text_field_as_words():
    from cases.models import CaseStudyPage

    properties = SegmentingElasticsearch8Mapping(CaseStudyPage).get_mapping()["properties"]
    text_fields = {name: m for name, m in properties.items() if m.get("type") == "text"}
    assert text_fields["title"]["analyzer"] == WORDS_ANALYZER
    assert text_fields["_all_text"]["analyzer"] == WORDS_ANALYZER
    assert text_fields["cases_casestudypage__summary"]["analyzer"] == WORDS_ANALYZER
    assert properties["_edgengrams"]["analyzer"] == WORDS_EDGENGRAM_ANALYZER
    assert properties["_edgengrams"]["search_analyzer"] == WORDS_ANALYZER
    nested = properties["cases_casestudypage__violation_types"]
    assert nested["type"] == "nested" and nested["properties"]["name"]["analyzer"] == WORDS_ANALYZER
    # Keyword id lists for the many-to-many facets, and Wagtail's filter fields for the rest.
    assert properties["cases_casestudypage__violation_types_ids"] == {"type": "keyword"}
    assert properties["cases_casestudypage__supervision_failures_ids"] == {"type": "keyword"}
    assert properties["cases_casestudypage__year_filter"]["type"] == "integer"


@pytest.mark.django_db
def test_document_carries_segmented_text_and_taxonomy_ids(corpus):
    case = corpus["S01"]
    doc = SegmentingElasticsearch8Mapping(type(case)).get_document(case)
    assert doc["cases_casestudypage__summary"].split()[:4] == ["张", "某某", "担任", "局长"]
    assert any("同级监督弱化" in f["name"] for f in doc["cases_casestudypage__supervision_failures"])
    assert set(doc["cases_casestudypage__violation_types_ids"]) == {str(v.pk) for v in case.violation_types.all()}
    assert doc["title_filter"] == case.title  # filters keep the raw value


@pytest.mark.django_db
def test_query_body_is_and_of_words_with_synonyms_and_phrases(es_backend):
    results = es_backend.search(parse_query('一把手 监督 "对一把手监督"'), Page.objects.live())
    body = results.query_compiler.get_query()
    text = str(body)
    assert "'query': '监督', 'operator': 'and'" in text
    assert "'query': '主要负责人'" in text and "'query': '党政正职'" in text  # synonyms, any of them
    assert "'match_phrase': {'_all_text': '对 一把手 监督'}" in text
    must = body["bool"]["must"]["dis_max"]["queries"][0]["bool"]["must"]
    assert len(must) == 2  # the words part and the phrase part must both match


@pytest.mark.django_db
def test_query_for_dudao_never_asks_for_jiandu(es_backend):
    body = str(es_backend.search(parse_query("督导"), Page.objects.live()).query_compiler.get_query())
    assert "督导" in body and "监督" not in body


@pytest.mark.django_db
def test_autocomplete_body_matches_word_prefixes(es_backend):
    body = es_backend.autocomplete(parse_query("同级监"), Page.objects.live()).query_compiler.get_query()
    assert body["bool"]["must"] == {"match": {"_edgengrams": {"query": "同级 监", "operator": "and"}}}


@pytest.mark.django_db
def test_faceted_case_search_body_through_elasticsearch_dsl(es_backend, corpus):
    from search.es_cases import case_facet_search

    ids = [corpus["S01"].pk, corpus["S07"].pk]
    search = case_facet_search(query="同级监督", case_ids=ids, backend=es_backend)
    body = search.to_dict()
    assert body["size"] == 0
    assert set(body["aggs"]) == {"sector", "year", "violation", "topic"}
    assert body["aggs"]["violation"] == {"terms": {"field": "cases_casestudypage__violation_types_ids", "size": 50}}
    assert body["aggs"]["year"]["terms"]["field"] == "cases_casestudypage__year_filter"
    assert "同级监督" in str(body["query"])
    assert {"terms": {"id_filter": ids}} in body["query"]["bool"]["filter"]  # only cases this user may see
    assert {"match": {"_django_content_type": "cases.CaseStudyPage"}} in body["query"]["bool"]["filter"]
    assert search._index == ["test_mingjian_wagtailcore_page"]


@pytest.mark.elasticsearch
@pytest.mark.django_db
@pytest.mark.skipif(not ES_URL, reason="ELASTICSEARCH_URL is not set")
def test_live_index_and_search(es_backend, corpus):
    from cases.models import CaseStudyPage
    from search.es_cases import case_facet_search

    index = es_backend.get_index_for_model(CaseStudyPage)
    index.delete()
    index.put()
    index.add_model(CaseStudyPage)
    index.add_items(CaseStudyPage, list(CaseStudyPage.objects.live()))
    index.refresh()
    try:

        def found(query):
            return {p.external_id for p in es_backend.search(parse_query(query), CaseStudyPage.objects.live())}

        assert {"S01", "S16"} <= found("监督")
        assert "S06" not in found("监督")
        assert found("督导") == {"S06"}
        assert {"S02", "S01"} <= found("三重一大") and "S22" not in found("三重一大")
        response = case_facet_search(
            query="受贿", case_ids=[p.pk for p in corpus.values()], backend=es_backend
        ).execute()
        assert response.hits.total.value >= 5
        assert any(b.doc_count >= 1 for b in response.aggregations.sector.buckets)
    finally:
        index.delete()
