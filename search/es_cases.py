"""Faceted case search on Elasticsearch through `elasticsearch.dsl` (used when ELASTICSEARCH_URL is set).

The query part is the one Wagtail's backend builds from the segmented words (so both paths
agree on what matches); the facets are Elasticsearch aggregations over the fields our mapping
adds (`…_ids` keyword lists for many-to-many taxonomies) and Wagtail's filter fields.
Visibility is the database's rule: the search is restricted to the ids of cases the user may
see, computed by `pages_visible_to` / `cases.selectors.case_list_visible_to`.
"""

from elasticsearch.dsl import A, Q, Search
from wagtail.models import Page
from wagtail.search.backends import get_search_backend


def _fields(backend):
    from modelsearch.index import FilterField, RelatedFields

    from cases.models import CaseStudyPage

    mapping = backend.mapping_class(CaseStudyPage)
    by_name = {f.field_name: f for f in CaseStudyPage.get_search_fields()}
    related = {
        f.field_name: mapping.related_ids_field_name(f) for f in by_name.values() if isinstance(f, RelatedFields)
    }
    filters = {
        f.field_name: mapping.get_field_column_name(f)
        for f in CaseStudyPage.get_search_fields()
        if isinstance(f, FilterField)
    }
    return {
        "sector": filters["sector"],
        "year": filters["year"],
        "violation": related["violation_types"],
        "topic": related["supervision_failures"],
    }


def case_facet_search(*, query: str, case_ids: list[int], backend=None, size: int = 50) -> Search:
    """The dsl Search: cases among `case_ids` matching `query`, no hits, one aggregation per facet."""
    from cases.models import CaseStudyPage
    from search.selectors import parse_query

    backend = backend or get_search_backend()
    # Filter on Page ids: Wagtail's Elasticsearch compiler drops an id filter on a Page subclass
    # queryset (the column belongs to the parent table), which would ignore visibility.
    results = backend.search(parse_query(query), Page.objects.filter(id__in=case_ids), operator="and")
    index = backend.get_index_for_model(CaseStudyPage).name
    content_type = f"{CaseStudyPage._meta.app_label}.{CaseStudyPage.__name__}"
    search = (
        Search(using=backend.es, index=index)
        .query(Q(results.query_compiler.get_query()))
        .filter("match", _django_content_type=content_type)
        .extra(size=0)
    )
    for name, field in _fields(backend).items():
        search.aggs.bucket(name, A("terms", field=field, size=size))
    return search


def facet_counts(*, user, query: str, cases) -> dict[str, list[tuple[str, str, int]]]:
    """(value, label, count) per facet, like `case_facets.facet_counts`, from Elasticsearch."""
    from cases.models import Sector, SupervisionFailure, ViolationType

    case_ids = list(cases.values_list("pk", flat=True))
    if not case_ids:
        return {}
    response = case_facet_search(query=query, case_ids=case_ids).execute()
    names = {
        "sector": dict(Sector.objects.values_list("pk", "name")),
        "violation": dict(ViolationType.objects.values_list("pk", "name")),
        "topic": dict(SupervisionFailure.objects.values_list("pk", "name")),
    }
    out = {}
    for facet in ("sector", "violation", "topic", "year"):
        buckets = getattr(response.aggregations, facet).buckets
        rows = []
        for bucket in buckets:
            key = str(bucket.key)
            label = key if facet == "year" else names[facet].get(int(key))
            if label is not None:
                rows.append((key, label, bucket.doc_count))
        out[facet] = sorted(rows, key=lambda r: -int(r[0]) if facet == "year" else -r[2])
    return out
