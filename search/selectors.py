"""Reads for search: what a user may find, the search itself, facets, suggestions, popular searches."""

import importlib
import math
from collections import defaultdict
from dataclasses import dataclass, field

from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import EmptyResultSet
from django.db.models import Q, QuerySet, prefetch_related_objects
from django.utils.translation import gettext_lazy as _
from modelsearch.index import RelatedFields
from wagtail.models import Page
from wagtail.search.backends import get_search_backend
from wagtail.search.utils import parse_query_string

from core import access
from search import segmentation, snippets
from search.models import SearchQueryLog, Synonym

PER_PAGE = 10
MAX_PAGE = 100
MAX_QUERY_LENGTH = 100

# Content types that have a short name in URLs and the API (`type=case`), where the rule lives that
# says which of them a user may see, and the key that is equal for users the rule treats alike (for
# the result cache: `search_visibility_key`). Types of apps not installed are skipped.
KNOWN_TYPES: list[tuple[str, str, str | None, str | None]] = [
    ("case", "cases.CaseStudyPage", "cases.selectors.case_visibility_q", "cases.selectors.case_visibility_key"),
    ("course", "learning.CoursePage", None, None),
    ("lesson", "learning.LessonPage", None, None),
]


@dataclass(frozen=True)
class SearchType:
    slug: str
    model: type
    visible_to: str | None = None
    visibility_key: str | None = None

    @property
    def label(self) -> str:
        return str(self.model._meta.verbose_name)


def search_types() -> list[SearchType]:
    types = []
    for slug, label, visible_to, visibility_key in KNOWN_TYPES:
        app_label, model_name = label.split(".")
        if apps.is_installed(app_label) or any(c.label == app_label for c in apps.get_app_configs()):
            try:
                types.append(SearchType(slug, apps.get_model(app_label, model_name), visible_to, visibility_key))
            except LookupError:
                continue
    return types


def _type_for_model(model) -> SearchType:
    for search_type in search_types():
        if issubclass(model, search_type.model):
            return search_type
    return SearchType(model._meta.model_name, model)


def _import(path: str):
    module, name = path.rsplit(".", 1)
    return getattr(importlib.import_module(module), name)


# Visibility ----------------------------------------------------------------------------------


def pages_visible_to(user) -> QuerySet[Page]:
    """Live pages below the home page that this user may open: view restrictions and each type's own rule."""
    # Privacy settings (core.access, the one rule for every door): password-protected pages are
    # left out, since search cannot ask for the password and snippets would show the text.
    queryset = access.visible_pages(Page.objects.live().filter(depth__gt=2), user, passed_passwords=())
    for search_type in search_types():
        if search_type.visible_to:
            # The type's rule is a condition on its own fields (None: every live one is visible);
            # the pages breaking it (a few rank-restricted cases) are excluded by id, in SQL.
            rule = _import(search_type.visible_to)(user)
            if rule is not None:
                hidden_of_type = search_type.model._default_manager.exclude(rule)
                queryset = queryset.exclude(pk__in=hidden_of_type.values("pk"))
    return queryset


def search_visibility_key(user) -> str:
    """Equal for users to whom `pages_visible_to` gives the same pages: the privacy settings they pass
    (signed in, groups, superuser) and each type's own rule (a case's rank: rank or "all cases")."""
    parts = [access.privacy_key(user)]
    for search_type in search_types():
        if search_type.visible_to:
            if not search_type.visibility_key:  # a rule without a key: no result is shared
                return f"user:{getattr(user, 'pk', None)}"
            parts.append(f"{search_type.slug}={_import(search_type.visibility_key)(user)}")
    return "|".join(parts)


def _content_type_ids(model) -> list[int]:
    models = [m for m in apps.get_models() if issubclass(m, model)]
    return [ct.pk for ct in ContentType.objects.get_for_models(*models).values()]


# Synonyms and suggestions --------------------------------------------------------------------


def synonym_map() -> dict[str, frozenset[str]]:
    """Each term editors put in a synonym group, mapped to every other term it is grouped with.

    Read on every search: cached under the ``search`` generation, which every synonym change bumps
    (search/apps.py)."""
    from core import cache

    token = cache.generations(SYNONYMS)[SYNONYMS]
    return cache.data(("synonym-map", token), _synonym_map)


SYNONYMS = "search-synonyms"


def _synonym_map() -> dict[str, frozenset[str]]:
    groups: dict[str, set[str]] = defaultdict(set)
    for synonym in Synonym.objects.only("terms"):
        terms = synonym.term_list
        for term in terms:
            groups[term].update(terms)
    return {term: frozenset(others - {term}) for term, others in groups.items()}


def highlight_terms_for(query: str, synonyms: dict[str, frozenset[str]] | None = None) -> list[str]:
    """Words to mark in snippets: the query's words and their synonyms."""
    synonyms = synonym_map() if synonyms is None else synonyms
    terms = set(segmentation.highlight_terms(query))
    for word in list(terms):
        terms.update(synonyms.get(word, ()))
    return sorted(terms, key=len, reverse=True)


def related_terms(query: str, *, limit: int = 8) -> list[str]:
    """Terms near the query: its synonyms and dictionary words that contain or share its words."""
    words = segmentation.query_terms(query)
    synonyms = synonym_map()
    seg = segmentation.get_segmenter()
    related: list[str] = []
    for word in words:
        related.extend(sorted(synonyms.get(word, ())))
    for word in words:
        for term in sorted(seg.domain_words):
            if term != word and (word in term or (len(term) >= 2 and term in word)):
                related.append(term)
    seen = set(words)
    unique = []
    for term in related:
        if term not in seen:
            seen.add(term)
            unique.append(term)
    return unique[: limit * 3]


def popular_queries(*, limit: int = 8) -> list[str]:
    return list(SearchQueryLog.objects.order_by("-hits", "query").values_list("query", flat=True)[:limit])


# The search ----------------------------------------------------------------------------------


@dataclass
class SearchHit:
    id: int
    type: str
    type_label: str
    title: str
    url: str
    snippet: str
    taxonomy: list[tuple[str, list[str]]] = field(default_factory=list)


@dataclass
class FacetOption:
    value: str
    label: str
    count: int
    selected: bool = False


@dataclass
class Facet:
    name: str
    label: str
    options: list[FacetOption]


@dataclass
class SearchOutcome:
    query: str
    total: int = 0
    page: int = 1
    num_pages: int = 0
    hits: list[SearchHit] = field(default_factory=list)
    facets: list[Facet] = field(default_factory=list)
    suggestions: list[str] = field(default_factory=list)
    popular: list[str] = field(default_factory=list)
    error: str = ""

    @property
    def has_previous(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.num_pages


def clean_query(query: str | None) -> str:
    return " ".join((query or "").split())[:MAX_QUERY_LENGTH]


def query_too_long(query: str | None) -> str | None:
    """The message for a search longer than MAX_QUERY_LENGTH characters (spaces collapsed), else None.

    One rule for the search page and the API: a long search is explained, never cut silently."""
    length = len(" ".join((query or "").split()))
    if length <= MAX_QUERY_LENGTH:
        return None
    return _(
        "搜索词过长：最多 %(limit)d 个字，您输入了 %(length)d 个字。请只输入关键词（如案例名称、人名、违纪类型）后重试。"
    ) % {"limit": MAX_QUERY_LENGTH, "length": length}


def _without_filter_syntax(query: str) -> str:
    """The query with Wagtail's `field:value` filter syntax taken apart into plain words.

    Users have no filters to name: `title:监督` means the words title and 监督. Left to Wagtail's
    parser, `a:b` became a filter and left nothing to search, which compiled to an empty WHERE
    (EmptyResultSet, a 500 on both databases)."""
    return query.replace(":", " ")


def has_search_words(query: str) -> bool:
    """Whether anything searchable is left in the query (not only punctuation or filter syntax)."""
    return bool(segmentation.query_terms(_without_filter_syntax(query).replace('"', " ")))


def parse_query(query: str):
    """Quoted text becomes a phrase, the rest words that must all match (Wagtail's own parser)."""
    _filters, parsed = parse_query_string(_without_filter_syntax(query), operator="and")
    return parsed


def _search(queryset, query: str, *, order_by_relevance: bool = True):
    return get_search_backend().search(
        parse_query(query), _search_scope(queryset), operator="and", order_by_relevance=order_by_relevance
    )


def matching_pages(queryset, query: str) -> QuerySet:
    """The pages in `queryset` that match `query`, unordered, as SQL to build on (database backends)."""
    return _search(queryset, query, order_by_relevance=False).get_queryset().order_by()


def _scored_matches(query: str) -> tuple[str, list]:
    """SQL of `(object_id, content_type_id, score)` rows, one per page the query matches, before
    visibility (database backends; `case_facets.match_counts` joins them to the visible pages)."""
    results = _search(Page.objects.all(), query)
    if not hasattr(results, "scored_matches"):  # no results object: nothing left to search for
        return "SELECT 0, 0, 0.0 WHERE 1 = 0", []
    try:
        scored = results.scored_matches()
        if scored is not None:
            return scored
        # A query the backends cannot rank in SQL (none that the search page builds): unranked.
        sql, params = matching_pages(Page.objects.all(), query).values("pk", "content_type_id").query.sql_with_params()
    except EmptyResultSet:  # a query that can match nothing (Wagtail's MATCH_NONE)
        return "SELECT 0, 0, 0.0 WHERE 1 = 0", []
    return f"SELECT *, 0.0 FROM ({sql}) unranked", list(params)  # noqa: S608 - SQL from the ORM


def search_count(user, query: str) -> int:
    query = clean_query(query)
    if not has_search_words(query):
        return 0
    return _search(pages_visible_to(user), query, order_by_relevance=False).count()


def _uses_database_backend() -> bool:
    return getattr(get_search_backend(), "database_backed", False)


def _search_scope(queryset):
    """The queryset in a form every backend can filter on: Elasticsearch gets the page ids."""
    if _uses_database_backend():
        return queryset
    return Page.objects.filter(id__in=list(queryset.values_list("pk", flat=True)))


def site_search(
    *,
    user,
    query: str,
    type: str = "",  # noqa: A002
    page: int = 1,
    filters: dict | None = None,
    details: bool = True,
) -> SearchOutcome:
    """One page of results the user may see, with facets; suggestions when nothing matches.

    `details=False` is for callers that show only the total and the results (the API): no
    facets, no case taxonomy on the results, no suggestions, and none of the work for them.
    """
    from search import case_facets

    query = clean_query(query)
    filters = {k: v for k, v in (filters or {}).items() if v not in (None, "")}
    outcome = SearchOutcome(query=query)
    if not query:
        outcome.popular = popular_queries()
        return outcome
    if not has_search_words(query):
        outcome.error = str(_("请输入要搜索的词语。"))
        outcome.popular = popular_queries()
        return outcome

    types = {t.slug: t for t in search_types()}
    case_type = types.get("case")
    visible = pages_visible_to(user)

    # What the type and facet filters allow, as a condition on pages (visibility apart).
    narrow = Q()
    if type in types:
        narrow &= Q(content_type_id__in=_content_type_ids(types[type].model))
    elif type:
        # Page types without a short name are filtered by model name (as the type facet shows them).
        narrow &= Q(content_type__model=type)
    if filters:
        if case_type is None:
            narrow &= Q(pk__in=[])
        else:
            narrow &= Q(pk__in=case_facets.filter_cases(case_type.model.objects.all(), filters).values("pk"))
    scoped = visible.filter(narrow) if narrow else visible

    page = min(max(1, page), MAX_PAGE)
    hits: list[tuple[int, int | None]] = []
    if _uses_database_backend():
        # One statement for the type facet, the total, the case facets and the page of results.
        narrowing = Page.objects.filter(narrow) if narrow else None
        scored = _scored_matches(query)

        def counted(page):
            return case_facets.match_counts(
                visible, scored, narrowing, offset=(page - 1) * PER_PAGE, limit=PER_PAGE, facets=details
            )

        counts = counted(page)
        last_page = max(1, math.ceil(counts.total / PER_PAGE))
        if page > last_page:  # past the end (a page number typed by hand): the last page instead
            page = last_page
            counts = counted(page)
        type_counts, outcome.total, taxonomy_counts = counts.by_content_type, counts.total, counts.facets
        hits = counts.hits
    else:
        # Elasticsearch: the type facet from the backend, the case facets from an aggregation query.
        type_counts = _search(visible, query, order_by_relevance=False).facet("content_type_id") if details else {}
        outcome.total = _search(scoped, query).count()
        taxonomy_counts = {}
        if details and case_type is not None and type in ("", "case") and outcome.total:
            from search import es_cases

            cases_scope = scoped.filter(content_type_id__in=_content_type_ids(case_type.model))
            taxonomy_counts = es_cases.facet_counts(user=user, query=query, cases=cases_scope)
        page = min(page, max(1, math.ceil(outcome.total / PER_PAGE)))
        if outcome.total:
            # Only the page shown is ranked and loaded.
            start = (page - 1) * PER_PAGE
            hits = [(hit.pk, None) for hit in _search(scoped, query)[start : start + PER_PAGE]]

    # Facet: type, over everything the query matches (other filters would hide the other types).
    by_type: dict[str, FacetOption] = {}
    for content_type_id, count in type_counts.items():
        model = ContentType.objects.get_for_id(content_type_id).model_class()
        if model is None:
            continue
        search_type = _type_for_model(model)
        option = by_type.setdefault(search_type.slug, FacetOption(search_type.slug, search_type.label, 0))
        option.count += count
        option.selected = search_type.slug == type
    if by_type:
        outcome.facets.append(Facet("type", str(_("类型")), sorted(by_type.values(), key=lambda o: -o.count)))

    outcome.num_pages = max(1, math.ceil(outcome.total / PER_PAGE)) if outcome.total else 0
    outcome.page = page
    outcome.hits = _hits(hits, query, taxonomy=details)

    # Facets of the case taxonomy, over the matching cases (drill-down: current filters apply).
    if case_type is not None and type in ("", "case") and outcome.total:
        specs = case_facets.facet_specs()
        for name in case_facets.FACET_ORDER:
            options = [
                FacetOption(value, label, count, selected=str(filters.get(name, "")) == value)
                for value, label, count in taxonomy_counts.get(name, [])
            ]
            if options:
                outcome.facets.append(Facet(name, str(specs[name].label), options))

    if outcome.total == 0 and details:
        outcome.suggestions = _suggestions(user, query)
        outcome.popular = popular_queries()
    return outcome


def site_search_cached(
    *,
    user,
    query: str,
    type: str = "",  # noqa: A002
    page: int = 1,
    filters: dict | None = None,
    details: bool = True,
) -> SearchOutcome:
    """`site_search`, cached per query, type, page, filters, the user's visibility class
    (`search_visibility_key`: users who may see the same pages share results), language and the
    generations of what results show: `global` (every publish, unpublish, move or delete, privacy settings,
    case taxonomies) and the synonym groups. The popular searches (counted by every search) are read fresh."""
    from django.utils.translation import get_language

    from core import cache

    gens = cache.generations(cache.GLOBAL, SYNONYMS)
    parts = (
        "search",
        clean_query(query),
        type,
        page,
        sorted((k, str(v)) for k, v in (filters or {}).items() if v not in (None, "")),
        details,
        search_visibility_key(user),
        gens[cache.GLOBAL],
        gens[SYNONYMS],
        get_language(),
    )

    def compute() -> SearchOutcome:
        outcome = site_search(user=user, query=query, type=type, page=page, filters=filters, details=details)
        outcome.popular = []
        return outcome

    outcome = cache.data(parts, compute)
    if not outcome.query or outcome.error or (outcome.total == 0 and details):
        outcome.popular = popular_queries()
    return outcome


def _suggestions(user, query: str, *, limit: int = 8) -> list[str]:
    """Related terms that find something for this user, stopping at `limit`."""
    found = []
    for term in related_terms(query):
        if search_count(user, term) > 0:
            found.append(term)
            if len(found) == limit:
                break
    return found


def _specific_pages(hits: list[tuple[int, int | None]]) -> dict[int, Page]:
    """The pages of `(id, content type id)` pairs as their specific classes, one query per type
    (Wagtail's `specific()` reads the base pages first when the types are not known)."""
    by_type: dict[int, list[int]] = defaultdict(list)
    unknown = []
    for pk, content_type_id in hits:
        model = ContentType.objects.get_for_id(content_type_id).model_class() if content_type_id else None
        if model is None:
            unknown.append(pk)
        else:
            by_type[content_type_id].append(pk)
    pages = {}
    for content_type_id, pks in by_type.items():
        model = ContentType.objects.get_for_id(content_type_id).model_class()
        pages.update(model._default_manager.in_bulk(pks))
    if unknown:
        pages.update({p.pk: p for p in Page.objects.filter(pk__in=unknown).specific()})
    return pages


def _hits(hits: list[tuple[int, int | None]], query: str, *, taxonomy: bool = True) -> list[SearchHit]:
    """Result entries for `(id, content type id)` pairs (the type may be None), in that order.

    The snippet comes from a page's own text when a searched word is in it; only the pages
    whose match is elsewhere (a tag, a taxonomy name) load their related objects, per type in
    bulk. `taxonomy=False` (the API) skips the case taxonomy shown on the search page.
    """
    if not hits:
        return []
    from search import case_facets

    terms = highlight_terms_for(query)
    specific = _specific_pages(hits)
    texts = {pk: snippets.plain_text(obj, related=False) for pk, obj in specific.items()}
    by_class = defaultdict(list)
    for pk, obj in specific.items():
        if not snippets.has_term(texts[pk], terms):
            by_class[type(obj)].append(obj)
    for model, objs in by_class.items():
        related = [f.field_name for f in model.get_search_fields() if isinstance(f, RelatedFields)]
        if related:
            prefetch_related_objects(objs, *related)
        for obj in objs:
            texts[obj.pk] = snippets.plain_text(obj)
    case_type = next((t for t in search_types() if t.slug == "case"), None)
    cases = [obj for obj in specific.values() if case_type and isinstance(obj, case_type.model)]
    case_taxonomy = case_facets.taxonomy_for(cases) if taxonomy and cases else {}
    out = []
    for pk, _content_type_id in hits:
        obj = specific.get(pk)
        if obj is None:  # deleted since it was ranked
            continue
        search_type = _type_for_model(type(obj))
        text = texts[pk]
        out.append(
            SearchHit(
                id=obj.pk,
                type=search_type.slug,
                type_label=search_type.label,
                title=obj.title,
                url=obj.get_url() or "",
                snippet=snippets.snippet(text, terms) if text else snippets.highlight(obj.title, terms),
                taxonomy=case_taxonomy.get(obj.pk, []),
            )
        )
    return out


def autocomplete_titles(*, user, query: str, limit: int = 8) -> list[dict]:
    """Titles of pages the user may see that start to match what they are typing."""
    query = clean_query(query)
    if not has_search_words(query):
        return []
    results = get_search_backend().autocomplete(query, _search_scope(pages_visible_to(user)), operator="and")
    out = []
    for page in results[:limit]:
        specific_type = _type_for_model(page.specific_class or Page)
        out.append({"id": page.pk, "title": page.title, "url": page.get_url() or "", "type": specific_type.slug})
    return out
