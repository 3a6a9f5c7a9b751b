"""Case taxonomy in search: facet counts, filters and the labels shown on each case result.

Facet counts run over the cases the query matched among those the user may see (the queryset
passed in is already restricted by `pages_visible_to`), so a hidden case never adds to a count.
"""

from dataclasses import dataclass

from django.db.models import Count, QuerySet
from django.db.models.functions import Coalesce
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


def facet_counts(case_ids) -> dict[str, list[tuple[str, str, int]]]:
    """(value, label, count) per facet for the cases whose ids are `case_ids` (a list or subquery)."""
    from cases.models import CaseStudyPage

    cases = CaseStudyPage.objects.filter(pk__in=case_ids)
    sector_rows = (
        cases.exclude(sector__isnull=True)
        .values("sector_id", "sector__name", "sector__sort_order")
        .annotate(n=Count("pk"))
        .order_by("-n", "sector__sort_order", "sector__name")
    )
    violation_through = CaseStudyPage.violation_types.through
    violation_rows = (
        violation_through.objects.filter(casestudypage_id__in=case_ids)
        .values("violationtype_id", "violationtype__name", "violationtype__sort_order")
        .annotate(n=Count("casestudypage_id", distinct=True))
        .order_by("-n", "violationtype__sort_order", "violationtype__name")
    )
    topic_through = CaseStudyPage.supervision_failures.through
    topic_rows = (
        topic_through.objects.filter(casestudypage_id__in=case_ids)
        .values("supervisionfailure_id", "supervisionfailure__name", "supervisionfailure__sort_order")
        .annotate(n=Count("casestudypage_id", distinct=True))
        .order_by("-n", "supervisionfailure__sort_order", "supervisionfailure__name")
    )
    year_rows = cases.values("year").annotate(n=Coalesce(Count("pk"), 0)).order_by("-year")
    return {
        "sector": [(str(r["sector_id"]), r["sector__name"], r["n"]) for r in sector_rows],
        "violation": [(str(r["violationtype_id"]), r["violationtype__name"], r["n"]) for r in violation_rows],
        "topic": [(str(r["supervisionfailure_id"]), r["supervisionfailure__name"], r["n"]) for r in topic_rows],
        "year": [(str(r["year"]), str(r["year"]), r["n"]) for r in year_rows],
    }


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
