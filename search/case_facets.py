"""Case taxonomy in search: facet counts, filters and the labels shown on each case result.

Facet counts run over the cases the query matched among those the user may see (the queryset
passed in is already restricted by `pages_visible_to`), so a hidden case never adds to a count.
"""

from dataclasses import dataclass, field

from django.core.exceptions import EmptyResultSet
from django.db import connection, transaction
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
    """What one search matched, counted and ranked in one SQL statement (database backends)."""

    by_content_type: dict[int, int]  # over every visible match, for the type facet
    total: int  # over the matches in scope (type and facet filters applied)
    facets: dict[str, list[tuple[str, str, int]]]  # (value, label, count) per case facet, over cases in scope
    hits: list[tuple[int, int]] = field(default_factory=list)  # (id, content type) of the page asked for, best first


def _sql(queryset: QuerySet, *fields: str) -> tuple[str, list] | None:
    try:
        sql, params = queryset.order_by().values(*fields).query.sql_with_params()
    except EmptyResultSet:  # a filter that can match nothing (an unknown facet value)
        return None
    return sql, list(params)


def match_counts(
    visible: QuerySet,
    scored: tuple[str, list],
    narrowing: QuerySet | None,
    *,
    offset: int,
    limit: int,
    facets: bool = True,
) -> MatchCounts:
    """The type facet, the total, the case facets and one page of ranked ids in one statement.

    `visible` is the queryset of pages the user may see (`pages_visible_to`); `scored` the SQL
    of `(object_id, content_type_id, score)` rows for every index entry the query matches,
    before any visibility (the search backend's `scored_matches`); `narrowing` the pages the type and
    facet filters allow (no visibility, no match) or None when nothing narrows the search.

    The visible matches with their scores become a materialised CTE, so the full-text match,
    the ranking and the visibility rules run once; the matches in scope are a subset of it,
    and every count and every ranked id is over ids the user may see. `facets=False` counts
    only the total (no type or case facets).
    """
    visible_sql = _sql(visible, "pk", "content_type_id")
    if visible_sql is None:
        return MatchCounts({}, 0, {name: [] for name in FACET_ORDER})
    scored_sql, scored_params = scored
    params = [*visible_sql[1], *scored_params]
    # v and e are folded into m's join (NOT MATERIALIZED; PostgreSQL does so anyway for a CTE
    # read once): SQLite then reads the matches first and looks each page up by id instead of
    # building both sides (a word that matches nothing: 9 ms -> 0; 监督: 36 -> 30 ms).
    ctes = [
        f"v (id, ct) AS NOT MATERIALIZED ({visible_sql[0]})",
        f"e (object_id, ct, score) AS NOT MATERIALIZED ({scored_sql})",
        # A page's index entry is the one of its own type: one row per page.
        "m (id, ct, score) AS MATERIALIZED (SELECT v.id, v.ct, e.score FROM v JOIN e ON e.object_id = v.id AND e.ct = v.ct)",
    ]
    scope = "m"
    if narrowing is not None:
        narrowing_sql = _sql(narrowing, "pk")
        if narrowing_sql is None:
            ctes.append("s (id, ct, score) AS MATERIALIZED (SELECT id, ct, score FROM m WHERE 1 = 0)")
        else:
            ctes.append(
                f"s (id, ct, score) AS MATERIALIZED (SELECT id, ct, score FROM m WHERE id IN ({narrowing_sql[0]}))"  # noqa: S608 - SQL from the ORM
            )
            params += narrowing_sql[1]
        scope = "s"
    parts = [f"SELECT 'total', 0, '', 0, COUNT(*) FROM {scope}"]  # noqa: S608 - a constant name
    if facets:
        parts += _facet_parts(ctes, scope)
    # One page of results, best first (ties: the newest page first): position, content type.
    parts.append(
        "SELECT 'hit', id, '', ROW_NUMBER() OVER (ORDER BY score DESC, id DESC), ct "  # noqa: S608 - a constant name
        f"FROM (SELECT id, ct, score FROM {scope} ORDER BY score DESC, id DESC LIMIT %s OFFSET %s) h"
    )
    params += [limit, offset]
    sql = f"WITH {', '.join(ctes)} " + " UNION ALL ".join(parts)
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Statements are prepared on PostgreSQL (settings: DB_PREPARED_STATEMENTS); a generic plan
            # for this one, made without knowing how common the words are, doubled the time of common
            # words. Plan it for each search's own words.
            cursor.execute("SET LOCAL plan_cache_mode = force_custom_plan")
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    return _read_rows(rows)


def _facet_parts(ctes: list[str], scope: str) -> list[str]:
    """SELECTs of the type facet (over `m`, every visible match) and the case facets (over the
    cases in `scope`), for `match_counts`; adds the CTE of the cases in scope to `ctes`."""
    from cases.models import CaseStudyPage

    qn = connection.ops.quote_name
    case_table = qn(CaseStudyPage._meta.db_table)
    case_pk = qn(CaseStudyPage._meta.pk.column)
    sector = CaseStudyPage._meta.get_field("sector")
    # The matching cases with the columns the facets need, read once (a join, not a filter on
    # content type: the planner has no statistics for CTE columns and would guess a handful).
    ctes.append(
        f"c (id, sector_id, year) AS MATERIALIZED (SELECT p.{case_pk}, p.{qn(sector.column)}, p.{qn('year')} "  # noqa: S608 - names from model meta
        f"FROM {case_table} p JOIN {scope} s ON s.id = p.{case_pk})"
    )
    parts = [
        "SELECT 'type', ct, '', 0, COUNT(*) FROM m GROUP BY ct",
        "SELECT 'year', year, '', 0, COUNT(*) FROM c GROUP BY year",
    ]
    sector_table = qn(sector.related_model._meta.db_table)
    parts.append(
        f"SELECT 'sector', t.{qn('id')}, t.{qn('name')}, t.{qn('sort_order')}, COUNT(*) FROM c "  # noqa: S608 - names from model meta
        f"JOIN {sector_table} t ON t.{qn('id')} = c.sector_id GROUP BY t.{qn('id')}, t.{qn('name')}, t.{qn('sort_order')}"
    )
    # A many-to-many table holds each (case, term) pair once: COUNT(*) counts cases.
    for name, field_name in (("violation", "violation_types"), ("topic", "supervision_failures")):
        m2m = CaseStudyPage._meta.get_field(field_name)
        through = m2m.remote_field.through._meta
        term_table = qn(m2m.related_model._meta.db_table)
        source = qn(m2m.m2m_column_name())
        target = qn(m2m.m2m_reverse_name())
        parts.append(
            f"SELECT '{name}', t.{qn('id')}, t.{qn('name')}, t.{qn('sort_order')}, COUNT(*) "  # noqa: S608 - names from model meta
            f"FROM {qn(through.db_table)} x JOIN c ON c.id = x.{source} JOIN {term_table} t ON t.{qn('id')} = x.{target} "
            f"GROUP BY t.{qn('id')}, t.{qn('name')}, t.{qn('sort_order')}"
        )
    return parts


def _read_rows(rows) -> MatchCounts:
    by_content_type: dict[int, int] = {}
    total = 0
    hits: list[tuple[int, int, int]] = []
    grouped: dict[str, list[tuple[int, str, int, int]]] = {name: [] for name in FACET_ORDER}
    for kind, value, label, sort_order, count in rows:
        if kind == "type":
            by_content_type[value] = count
        elif kind == "total":
            total = count
        elif kind == "hit":
            hits.append((sort_order, value, count))
        else:
            grouped[kind].append((value, label, sort_order, count))
    facets = {
        name: [(str(v), lbl, n) for v, lbl, _order, n in sorted(terms, key=lambda r: (-r[3], r[2], r[1]))]
        for name, terms in grouped.items()
        if name != "year"
    }
    facets["year"] = [(str(v), str(v), n) for v, _lbl, _order, n in sorted(grouped["year"], key=lambda r: -r[0])]
    return MatchCounts(
        by_content_type, total, {name: facets[name] for name in FACET_ORDER}, [(pk, ct) for _n, pk, ct in sorted(hits)]
    )


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
