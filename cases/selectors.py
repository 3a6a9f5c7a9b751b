"""Reads about cases. Who may see which case is decided in ONE place: `case_visibility_q`.

Search, learning and reports reuse `case_list_visible_to(user)` / `can_view_case(user, case)`
rather than re-implementing the rule.
"""

import re

from django.core.paginator import Paginator
from django.db.models import Case, Count, F, IntegerField, OuterRef, Prefetch, Q, QuerySet, Subquery, Value, When
from django.db.models.functions import Coalesce
from wagtail import hooks
from wagtail.images import get_image_model

from accounts import roles
from accounts.selectors import cadre_profile_for, user_has_role
from cases.blocks import REQUIRED_SECTION_KEYS, SECTIONS
from cases.models import CaseIndexPage, CaseRead, CaseStudyPage, Sector, read_threshold_seconds
from core import access
from core.page_forms import block_has_content

STAFF_ROLES = (roles.EDITOR, roles.REVIEWER, roles.ADMINISTRATOR)
PAGE_SIZE = 12
RELATED_LIMIT = 5
CARD_RENDITION = "fill-480x270"

# ---------------------------------------------------------------- visibility


def user_sees_all_cases(user) -> bool:
    """Editors, reviewers and administrators see every live case, whatever its rank restriction."""
    if not user or not user.is_authenticated:
        return False
    return user.is_superuser or any(user_has_role(user, role) for role in STAFF_ROLES)


def user_rank(user) -> int | None:
    """The cadre's rank, cached on the user object for the request; None without a cadre profile."""
    if not user or not user.is_authenticated:
        return None
    if not hasattr(user, "_case_rank_cache"):
        profile = cadre_profile_for(user)
        user._case_profile_cache = profile
        user._case_rank_cache = profile.rank if profile else None
    return user._case_rank_cache


def _rank_q(rank: int | None) -> Q:
    if rank is None:
        return Q(min_rank__isnull=True)
    return Q(min_rank__isnull=True) | Q(min_rank__lte=rank)


def case_visibility_q(user) -> Q | None:
    """The rule of `case_list_visible_to` as a condition on CaseStudyPage fields, for live cases
    (search applies it in SQL joins over all page types): None when every live case is visible."""
    if not user or not user.is_authenticated:
        return Q(pk__in=[])
    if user_sees_all_cases(user):
        return None
    return _rank_q(user_rank(user))


def case_list_visible_to(user, *, request=None) -> QuerySet[CaseStudyPage]:
    """Live cases this user may read: none for anonymous users, all for staff roles, otherwise
    those without a rank restriction or restricted to the user's rank or below; in every case
    only where the pages' privacy settings admit the user (`core.access`; with `request`, the
    passwords its session entered count, without one password-protected cases are left out)."""
    if not user or not user.is_authenticated:
        return CaseStudyPage.objects.none()
    cases = access.visible_pages(CaseStudyPage.objects.live(), user, request=request)
    rule = case_visibility_q(user)
    return cases if rule is None else cases.filter(rule)


def can_view_case(user, case: CaseStudyPage, *, request=None) -> bool:
    """The same rule as `case_list_visible_to`, for a page already in hand (no extra query for the page)."""
    if not user or not user.is_authenticated:
        return False
    if not access.page_visible_to(user, case, request=request, passed_passwords=()):
        return False
    if user_sees_all_cases(user):
        return True
    if not case.live:
        return False
    if case.min_rank is None:
        return True
    rank = user_rank(user)
    return rank is not None and rank >= case.min_rank


def case_visibility_key(user) -> str:
    """Users with the same key see the same cases under `can_view_case` (for cache keys of rendered case links)."""
    if not user or not user.is_authenticated:
        return "anonymous"
    privacy = access.privacy_key(user)  # page privacy settings by group
    if user_sees_all_cases(user):
        return f"all:{privacy}"
    return f"rank:{user_rank(user)}:{privacy}"


# ---------------------------------------------------------------- a cadre's sector

# A cadre's sector is derived from the name of their org unit (CadreProfile has no sector):
# the first rule whose pattern matches the unit name wins. Towns, townships and sub-districts
# come first so that "某某镇" is not read as a government office. Units that match nothing
# (a county or city committee, a finance bureau …) count as 党政机关.
UNIT_SECTOR_RULES: list[tuple[str, str]] = [
    (r"(镇|乡|街道|街道办事处)$", "乡镇街道"),
    (r"交通|公路|运输|港航", "交通"),
    (r"自然资源|国土|规划|不动产", "国土资源"),
    (r"教育|学校|中学|小学|大学|学院", "教育"),
    (r"卫生|健康|医院|医保|疾控", "医疗卫生"),
    (r"住房|城乡建设|住建|建设局|建筑|重点项目", "工程建设"),
    (r"公安|法院|检察|司法|政法", "政法"),
    (r"银行|金融|信用社|保险|证券", "金融"),
    (r"国资|集团|公司|国企", "国有企业"),
    (r"招商|投资促进|开发区|园区|商务", "招商引资"),
]
DEFAULT_UNIT_SECTOR = "党政机关"


def sector_name_for_unit_name(name: str) -> str:
    for pattern, sector in UNIT_SECTOR_RULES:
        if re.search(pattern, name or ""):
            return sector
    return DEFAULT_UNIT_SECTOR


def sector_for_user(user) -> Sector | None:
    user_rank(user)
    profile = getattr(user, "_case_profile_cache", None)
    if profile is None:
        return None
    return Sector.objects.filter(name=sector_name_for_unit_name(profile.org_unit.name)).first()


# ---------------------------------------------------------------- listing


def case_filter(cases: QuerySet[CaseStudyPage], filters: dict) -> QuerySet[CaseStudyPage]:
    """Apply the library filters (keys of CaseFilterForm.cleaned_data)."""
    if filters.get("sector"):
        cases = cases.filter(sector=filters["sector"])
    if filters.get("violation"):
        cases = cases.filter(violation_types=filters["violation"])
    if filters.get("failure"):
        cases = cases.filter(supervision_failures=filters["failure"])
    if filters.get("measure"):
        cases = cases.filter(countermeasures=filters["measure"])
    if filters.get("rank"):
        cases = cases.filter(subject_rank=filters["rank"])
    if filters.get("year"):
        cases = cases.filter(year=filters["year"])
    if filters.get("top_leader"):
        cases = cases.filter(is_top_leader=True)
    return cases


def _with_cards(cases: QuerySet[CaseStudyPage]) -> QuerySet[CaseStudyPage]:
    """What a case card shows, batch-loaded: sector, violation types and the hero image rendition."""
    images = get_image_model().objects.prefetch_renditions(CARD_RENDITION)
    return cases.select_related("sector").prefetch_related("violation_types", Prefetch("hero_image", queryset=images))


NEWEST = F("first_published_at").desc(nulls_last=True)
SORTS = {"newest": (NEWEST, "-pk"), "year": ("-year", NEWEST, "-pk")}


def case_library_context(*, index, request) -> dict:
    from cases.forms import CaseFilterForm

    visible = case_list_visible_to(request.user, request=request).descendant_of(index)
    years = sorted(set(visible.values_list("year", flat=True)), reverse=True)
    form = CaseFilterForm(request.GET or None, years=years)
    filters = form.active_filters()
    sort = request.GET.get("sort") if request.GET.get("sort") in SORTS else "newest"
    cases = _with_cards(case_filter(visible, filters).distinct().order_by(*SORTS[sort]))
    page = Paginator(cases, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return {
        "filter_form": form,
        "filters": filters,
        "sort": sort,
        "cases": page,
        "query_string": query.urlencode(),
    }


# ---------------------------------------------------------------- one case


def _shared(through, owner: str, term: str, ids: list[int]):
    if not ids:
        return Value(0)
    counts = (
        through.objects.filter(**{owner: OuterRef("pk"), f"{term}__in": ids})
        .order_by()
        .values(owner)
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(counts, output_field=IntegerField()), Value(0))


def related_cases(
    *, case: CaseStudyPage, user, terms: dict | None = None, limit: int = RELATED_LIMIT
) -> list[CaseStudyPage]:
    """Visible cases sharing the most taxonomy terms with `case` (violation types, supervision
    failures, countermeasures, sector), newest first among equals. One query."""
    if terms is None:
        terms = case_terms(case)
    ids = {key: [t.pk for t in terms[key]] for key in ("violation_types", "supervision_failures", "countermeasures")}
    score = (
        _shared(CaseStudyPage.violation_types.through, "casestudypage", "violationtype", ids["violation_types"])
        + _shared(
            CaseStudyPage.supervision_failures.through,
            "casestudypage",
            "supervisionfailure",
            ids["supervision_failures"],
        )
        + _shared(CaseStudyPage.countermeasures.through, "casestudypage", "countermeasure", ids["countermeasures"])
        + Case(When(sector_id=case.sector_id, then=Value(1)), default=Value(0), output_field=IntegerField())
    )
    return list(
        case_list_visible_to(user)
        .exclude(pk=case.pk)
        .annotate(shared_terms=score)
        .filter(shared_terms__gt=0)
        .select_related("sector")
        .order_by("-shared_terms", NEWEST, "-pk")[:limit]
    )


def case_terms(case: CaseStudyPage) -> dict:
    return {
        "sector": case.sector,
        "violation_types": list(case.violation_types.all()),
        "supervision_failures": list(case.supervision_failures.all()),
        "countermeasures": list(case.countermeasures.all()),
        "tags": list(case.tags.all()),
    }


def courses_using_case(*, request, case: CaseStudyPage) -> list[dict]:
    """Courses that use this case, from the `case_used_in_courses` hook: each function takes
    (request, case_page) and returns a list of {"title", "url"} the user may open."""
    courses = []
    for fn in hooks.get_hooks("case_used_in_courses"):
        courses.extend(fn(request, case) or [])
    return courses


def _fragments_allowed(request, page) -> bool:
    """Cached parts are keyed by the published revision: never for a preview (a draft) or an unpublished page."""
    return not getattr(request, "is_preview", False) and bool(page.pk and page.live and page.live_revision_id)


def case_library_html(*, index, request) -> str:
    """The case library's filters and list, cached per query string, case visibility of the user, published
    state (global generation: any publish, unpublish, move or delete; taxonomies) and images (media)."""
    from django.template.loader import render_to_string
    from django.utils.safestring import mark_safe
    from django.utils.translation import get_language

    from core import cache

    def render() -> str:
        context = {"page": index, **case_library_context(index=index, request=request)}
        return render_to_string("cases/includes/case_library_body.html", context, request=request)

    if not _fragments_allowed(request, index):
        return mark_safe(render())  # noqa: S308 - our own template
    parts = (
        "case-library",
        index.pk,
        sorted(request.GET.lists()),
        case_visibility_key(request.user),
        cache.request_global_stamp(request),
        cache.request_media_stamp(request),
        get_language(),
    )
    return mark_safe(cache.fragment(parts, render))  # noqa: S308 - our own template


def _extra_sections(request, case) -> list[dict]:
    return [section for fn in hooks.get_hooks("case_page_sections") if (section := fn(request, case)) is not None]


def case_page_context(*, case: CaseStudyPage, request) -> dict:
    """What a case page shows besides the page itself. Cached (not in previews): the terms and attachments per
    published revision (and the global and media generations: taxonomy names, documents); related cases per case
    visibility; the courses using it per user (the hook may check what the user may open)."""
    from core import cache

    if not _fragments_allowed(request, case):
        terms = case_terms(case)
        return {
            "terms": terms,
            "attachments": list(case.attachments.select_related("document")),
            "related_cases": related_cases(case=case, user=request.user, terms=terms),
            "courses": courses_using_case(request=request, case=case),
            "library_url": case.get_parent().url if case.depth else "",
            "fragment_key": None,
            "reading": reading_state(user=request.user, case=case),
            # Other apps add sections (learning: the 心得体会 form) through the "case_page_sections" hook:
            # fn(request, case) -> {"template": name, "context": {...}} or None.
            "extra_sections": _extra_sections(request, case),
        }
    gens = cache.request_generations(request)
    published = (case.pk, case.live_revision_id, gens[cache.GLOBAL], gens[cache.MEDIA])
    terms, attachments, library_url = cache.data(
        ("case-page", *published),
        lambda: (
            case_terms(case),
            list(case.attachments.select_related("document")),
            case.get_parent().url if case.depth else "",
        ),
    )
    return {
        "terms": terms,
        "attachments": attachments,
        "related_cases": cache.data(
            ("case-related", case.pk, case_visibility_key(request.user), gens[cache.GLOBAL]),
            lambda: related_cases(case=case, user=request.user, terms=terms),
        ),
        "courses": cache.data(
            ("case-courses", case.pk, cache.request_stamp(request)),
            lambda: courses_using_case(request=request, case=case),
        ),
        "library_url": library_url,
        # the rendered sections ({% cache %} in the template): this revision, images and documents, language
        "fragment_key": f"{case.pk}.{case.live_revision_id}.{gens[cache.MEDIA]}",
        "reading": reading_state(user=request.user, case=case),
        # Other apps add sections (learning: the 心得体会 form) through the "case_page_sections" hook:
        # fn(request, case) -> {"template": name, "context": {...}} or None.
        "extra_sections": _extra_sections(request, case),
    }


def reading_state(*, user, case: CaseStudyPage) -> dict | None:
    """已阅读 or how far the reading time is from counting (None for visitors without a record)."""
    if not getattr(user, "is_authenticated", False):
        return None
    threshold = read_threshold_seconds()
    read = CaseRead.objects.filter(user=user, case=case).first()
    seconds = read.seconds_visible if read else 0
    return {"seconds": seconds, "threshold": threshold, "is_read": seconds >= threshold, "record": read}


# ---------------------------------------------------------------- recommendations


def cases_recommended_for(user, *, limit: int = 4) -> list[CaseStudyPage]:
    """Cases that fit this cadre: their sector (from the unit name) and rank first; for a
    一把手 (is_principal), 一把手 cases come first. Cases already read are left out."""
    visible = case_list_visible_to(user)
    rank = user_rank(user)
    profile = getattr(user, "_case_profile_cache", None)
    if profile is None:
        return []
    sector = sector_for_user(user)
    read_ids = CaseRead.objects.filter(user=user, seconds_visible__gte=read_threshold_seconds()).values("case_id")
    cases = visible.exclude(pk__in=read_ids).annotate(
        sector_match=Case(When(sector=sector, then=Value(1)), default=Value(0), output_field=IntegerField())
        if sector
        else Value(0, output_field=IntegerField()),
        rank_match=Case(When(subject_rank=rank, then=Value(1)), default=Value(0), output_field=IntegerField()),
        leader_match=Case(When(is_top_leader=True, then=Value(1)), default=Value(0), output_field=IntegerField())
        if profile.is_principal
        else Value(0, output_field=IntegerField()),
    )
    order = ["-leader_match", "-sector_match", "-rank_match", NEWEST, "-pk"]
    return list(_with_cards(cases).order_by(*order)[:limit])


# ---------------------------------------------------------------- reading records


def case_reads_for(user) -> QuerySet[CaseRead]:
    """A user's reading records, most recent first, each with `.is_read` (threshold reached);
    for the learning archive. Only cases still visible to the user are listed."""
    return (
        CaseRead.objects.filter(user=user, case__in=case_list_visible_to(user))
        .select_related("case")
        .order_by("-last_read_at")
    )


# --- the editors' and reviewers' own work on the dashboard ------------------------------------


def editor_work(user, *, limit: int = 10) -> dict:
    """Pages the editor owns or last edited: drafts not yet submitted, pages returned by review (需修改),
    pages waiting in review. Page saves and moderation steps bump the global cache stamp."""
    from django.contrib.contenttypes.models import ContentType
    from wagtail.models import Page, WorkflowState

    mine = Page.objects.filter(Q(owner=user) | Q(latest_revision__user=user), depth__gt=2)
    page_type = ContentType.objects.get_for_model(Page)
    states = {
        int(object_id): status
        for object_id, status in WorkflowState.objects.filter(
            base_content_type=page_type,
            object_id__in=[str(pk) for pk in mine.values_list("pk", flat=True)],
            status__in=[WorkflowState.STATUS_IN_PROGRESS, WorkflowState.STATUS_NEEDS_CHANGES],
        ).values_list("object_id", "status")
    }
    returned_ids = [pk for pk, status in states.items() if status == WorkflowState.STATUS_NEEDS_CHANGES]
    reviewing_ids = [pk for pk, status in states.items() if status == WorkflowState.STATUS_IN_PROGRESS]
    drafts = (
        mine.filter(Q(live=False) | Q(has_unpublished_changes=True))
        .exclude(pk__in=returned_ids + reviewing_ids)
        .order_by("-latest_revision_created_at")
    )
    returned = Page.objects.filter(pk__in=returned_ids).order_by("-latest_revision_created_at")
    reviewing = Page.objects.filter(pk__in=reviewing_ids).order_by("-latest_revision_created_at")
    return {
        "drafts": list(drafts[:limit]),
        "drafts_count": drafts.count(),
        "returned": list(returned[:limit]),
        "reviewing": list(reviewing[:limit]),
    }


def reviewer_work(user, *, limit: int = 10) -> dict:
    """Moderation steps waiting for this user (Wagtail's own rule: each active task's reviewers)."""
    from wagtail.models import Task, TaskState

    states = TaskState.objects.none()
    for task in Task.objects.filter(active=True).specific():
        states = states | task.get_task_states_user_can_moderate(user)
    states = states.select_related("workflow_state", "workflow_state__requested_by").order_by("started_at")
    rows = []
    for state in states[:limit]:
        page = state.workflow_state.content_object
        if page is not None:
            rows.append({"page": page, "since": state.started_at, "by": state.workflow_state.requested_by})
    return {"waiting": rows, "waiting_count": states.count()}


def library_path() -> str | None:
    """The path of the (first) live case library page: the navigation marks 案例库 current below it."""
    index = CaseIndexPage.objects.live().order_by("path").first()
    return index.url if index else None


# ---------------------------------------------------------------- ready for review


def case_missing_sections(*, body) -> list[str]:
    """The labels of the required sections (基本案情, 警示启示) a case body lacks or leaves empty, in order.

    `body` is the case's StreamValue (or a form's cleaned value). An empty list means ready for review.
    """
    written = {
        block.value["section"]
        for block in body or []
        if block.block_type == "section" and block_has_content(block.value.get("content"))
    }
    labels = dict(SECTIONS)
    return [str(labels[key]) for key in REQUIRED_SECTION_KEYS if key not in written]
