"""Case taxonomy in search: facet counts, filters and the labels shown on each case result.

Facet counts run over the cases the query matched among those the user may see (the queryset
passed in is already restricted by `pages_visible_to`), so a hidden case never adds to a count.
"""

from dataclasses import dataclass

from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

FACET_ORDER = ("sector", "violation", "topic", "year")


@dataclass(frozen=True)
class CaseFacetSpec:
    name: str  # query-string parameter
    label: str


def facet_specs() -> dict[str, CaseFacetSpec]:
    return {
        "sector": CaseFacetSpec("sector", _("领域")),
        "violation": CaseFacetSpec("violation", _("违纪违法类型")),
        # 专题: the supervision failure a case illustrates (同级监督弱化 …), the essay's problem list.
        "topic": CaseFacetSpec("topic", _("专题（监督问题）")),
        "year": CaseFacetSpec("year", _("年份")),
    }


def _int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def filter_cases(cases: QuerySet, filters: dict) -> QuerySet:
    """Cases narrowed by the facet values in `filters` (ids for terms, a number for the year)."""
    lookups = {"sector": "sector_id", "violation": "violation_types", "topic": "supervision_failures", "year": "year"}
    for name, lookup in lookups.items():
        if name in filters:
            value = _int(filters[name])
            cases = cases.filter(**{lookup: value}) if value is not None else cases.none()
    return cases.distinct()


@dataclass
class MatchCounts:
    """What one search matched, counted in one SQL statement (database backends)."""

    by_content_type: dict[int, int]  # over every visible match, for the type facet
    total: int  # over the matches in scope (type and facet filters applied)
    facets: dict[str, list[tuple[str, str, int]]]  # (value, label, count) per case facet, over cases in scope


def match_counts(matches: QuerySet, scoped: QuerySet | None) -> MatchCounts:
    """The type facet, the total and the case facets in one statement.

    `matches` is the queryset of the visible pages a query matches (the search backend's filter,
    not ordered); `scoped` the same narrowed by type and facet filters, or None when nothing
    narrows it. Both become materialised CTEs, so the full-text match and the visibility rules
    run once, and every count is over ids the user may see.
    """
    from cases.models import CaseStudyPage

    qn = connection.ops.quote_name
    try:
        match_sql, match_params = matches.order_by().values("pk", "content_type_id").query.sql_with_params()
    except EmptyResultSet:
        return MatchCounts({}, 0, {name: [] for name in FACET_ORDER})
    params = list(match_params)
    ctes = [f"m (id, ct) AS MATERIALIZED ({match_sql})"]
    if scoped is None:
        ctes.append("s (id, ct) AS MATERIALIZED (SELECT id, ct FROM m)")
    else:
        try:
            scoped_sql, scoped_params = scoped.order_by().values("pk", "content_type_id").query.sql_with_params()
        except EmptyResultSet:  # a filter that can match nothing (an unknown facet value)
            scoped_sql, scoped_params = "SELECT id, ct FROM m WHERE 1 = 0", []
        ctes.append(f"s (id, ct) AS MATERIALIZED ({scoped_sql})")
        params += scoped_params
    case_table = qn(CaseStudyPage._meta.db_table)
    case_pk = qn(CaseStudyPage._meta.pk.column)
    sector = CaseStudyPage._meta.get_field("sector")
    # The matching cases with the columns the facets need, read once (a join, not a filter on
    # content type: the planner has no statistics for CTE columns and would guess a handful).
    ctes.append(
        f"c (id, sector_id, year) AS MATERIALIZED (SELECT p.{case_pk}, p.{qn(sector.column)}, p.{qn('year')} "  # noqa: S608 - names from model meta
        f"FROM {case_table} p JOIN s ON s.id = p.{case_pk})"
    )
    parts = [
        "SELECT 'type', ct, '', 0, COUNT(*) FROM m GROUP BY ct",
        "SELECT 'total', 0, '', 0, COUNT(*) FROM s",
        "SELECT 'year', year, '', 0, COUNT(*) FROM c GROUP BY year",
    ]
    sector_table = qn(sector.related_model._meta.db_table)
    parts.append(
        f"SELECT 'sector', t.{qn('id')}, t.{qn('name')}, t.{qn('sort_order')}, COUNT(*) FROM c "  # noqa: S608 - names from model meta
        f"JOIN {sector_table} t ON t.{qn('id')} = c.sector_id GROUP BY t.{qn('id')}, t.{qn('name')}, t.{qn('sort_order')}"
    )
    # A many-to-many table holds each (case, term) pair once: COUNT(*) counts cases.
    for name, field_name in (("violation", "violation_types"), ("topic", "supervision_failures")):
        field = CaseStudyPage._meta.get_field(field_name)
        through = field.remote_field.through._meta
        term_table = qn(field.related_model._meta.db_table)
        source = qn(field.m2m_column_name())
        target = qn(field.m2m_reverse_name())
        parts.append(
            f"SELECT '{name}', t.{qn('id')}, t.{qn('name')}, t.{qn('sort_order')}, COUNT(*) "  # noqa: S608 - names from model meta
            f"FROM {qn(through.db_table)} x JOIN c ON c.id = x.{source} JOIN {term_table} t ON t.{qn('id')} = x.{target} "
            f"GROUP BY t.{qn('id')}, t.{qn('name')}, t.{qn('sort_order')}"
        )
    sql = f"WITH {', '.join(ctes)} " + " UNION ALL ".join(parts)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()

    by_content_type: dict[int, int] = {}
    total = 0
    grouped: dict[str, list[tuple[int, str, int, int]]] = {name: [] for name in FACET_ORDER}
    for kind, value, label, sort_order, count in rows:
        if kind == "type":
            by_content_type[value] = count
        elif kind == "total":
            total = count
        else:
            grouped[kind].append((value, label, sort_order, count))
    facets = {
        name: [(str(v), lbl, n) for v, lbl, _order, n in sorted(terms, key=lambda r: (-r[3], r[2], r[1]))]
        for name, terms in grouped.items()
        if name != "year"
    }
    facets["year"] = [(str(v), str(v), n) for v, _lbl, _order, n in sorted(grouped["year"], key=lambda r: -r[0])]
    return MatchCounts(by_content_type, total, {name: facets[name] for name in FACET_ORDER})


def taxonomy_for(cases: list) -> dict[int, list[tuple[str, list[str]]]]:
    """Per case id, the taxonomy shown under a result: 领域, 违纪违法类型, 监督问题, 年份."""
    from django.db.models import prefetch_related_objects

    if not cases:
        return {}
    prefetch_related_objects(cases, "sector", "violation_types", "supervision_failures")
    labels = facet_specs()
    out = {}
    for case in cases:
        rows = []
        if case.sector_id:
            rows.append((str(labels["sector"].label), [case.sector.name]))
        violations = [v.name for v in case.violation_types.all()]
        if violations:
            rows.append((str(labels["violation"].label), violations))
        failures = [f.name for f in case.supervision_failures.all()]
        if failures:
            rows.append((str(_("监督问题")), failures))
        rows.append((str(labels["year"].label), [str(case.year)]))
        out[case.pk] = rows
    return out
