"""Writes about cases: the review workflow, reading records and the JSONL import."""

import json
import logging
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.html import escape
from django.utils.text import slugify
from django.utils.translation import gettext as _

from accounts import roles
from accounts.roles import Rank
from cases.models import (
    CaseIndexPage,
    CaseRead,
    CaseStudyPage,
    Countermeasure,
    Outcome,
    Sector,
    SupervisionFailure,
    ViolationType,
    read_threshold_seconds,
)
from core import access, cache, study_clock

logger = logging.getLogger(__name__)

WORKFLOW_NAME = "案例审核"
WORKFLOW_TASK_NAME = "审核组审批"

# ---------------------------------------------------------------- roles and workflow

TAXONOMY_MODELS = ("sector", "violationtype", "supervisionfailure", "countermeasure")
ROLE_CASE_PERMISSIONS = {
    roles.EDITOR: ["add", "change", "view"],
    roles.REVIEWER: ["add", "change", "view"],
    roles.ADMINISTRATOR: ["add", "change", "delete", "view"],
}


def case_role_permissions() -> dict[str, list[str]]:
    """Editors and reviewers maintain the case taxonomies (snippets); administrators may also delete.
    Applied by accounts.services.roles_ensure (hook `register_role_permissions`)."""
    return {
        role: [f"cases.{action}_{model}" for action in actions for model in TAXONOMY_MODELS]
        for role, actions in ROLE_CASE_PERMISSIONS.items()
    }


def case_permissions_ensure() -> None:
    """Bring the role groups to their declared permissions (the case taxonomies included)."""
    from accounts.services import roles_ensure

    roles_ensure()


@transaction.atomic
def case_workflow_ensure(*, index: CaseIndexPage):
    """The 案例审核 workflow (one approval step by the 审核 group) on the case library subtree; idempotent."""
    from wagtail.models import GroupApprovalTask, Workflow, WorkflowPage, WorkflowTask

    from accounts.services import roles_ensure

    reviewers = roles_ensure()[roles.REVIEWER]
    workflow, _created = Workflow.objects.get_or_create(name=WORKFLOW_NAME, defaults={"active": True})
    if not workflow.active:
        workflow.active = True
        workflow.save(update_fields=["active"])
    task = GroupApprovalTask.objects.filter(name=WORKFLOW_TASK_NAME).first()
    if task is None:
        task = GroupApprovalTask.objects.create(name=WORKFLOW_TASK_NAME)
    task.groups.add(reviewers)
    WorkflowTask.objects.get_or_create(workflow=workflow, task=task, defaults={"sort_order": 0})
    WorkflowPage.objects.update_or_create(page=index, defaults={"workflow": workflow})
    return workflow


@transaction.atomic
def case_index_ensure(*, parent, title: str = "警示教育案例库", slug: str = "cases", intro: str = "") -> CaseIndexPage:
    """The case library under `parent` (the home page), published, with its review workflow."""
    index = CaseIndexPage.objects.child_of(parent).first()
    if index is None:
        index = CaseIndexPage(title=title, slug=slug, intro=intro)
        parent.add_child(instance=index)
        index.save_revision().publish()
    case_workflow_ensure(index=index)
    return index


# ---------------------------------------------------------------- reading records

READ_BEAT_MAX_SECONDS = 30


def case_read_record(*, user, case: CaseStudyPage, seconds: int, now=None, pause: bool = False) -> CaseRead:
    """Record that `user` has `case` open in a visible tab for `seconds` more.

    Each beat credits at most READ_BEAT_MAX_SECONDS and never more than the wall time since
    the previous beat, so a script cannot inflate the time. The first beat (page opened)
    credits nothing. Two tabs or retries of a beat take the record's row lock in turn: only the
    first is credited, and the clock's answer and the credit are one decision. One item earns time at a time per cadre
    (`core.study_clock`, shared with lessons); `pause` (the tab turned hidden) frees the clock.
    """
    now = now or timezone.now()
    access.require_page_visible(user=user, page=case)  # page privacy (the API checks passwords too)
    seconds = max(0, int(seconds))
    read = CaseRead.objects.filter(user=user, case=case).first()
    if read is None:
        # One item at a time per cadre, lessons and cases alike: opening a case claims the clock.
        study_clock.claim(user=user, page_id=case.pk, now=now, pause=pause)
        try:
            with transaction.atomic():
                return CaseRead.objects.create(user=user, case=case, first_read_at=now, last_read_at=now)
        except IntegrityError:  # another tab created it first
            read = CaseRead.objects.get(user=user, case=case)
    # Two tabs or retries of one beat: the row lock makes the clock's answer and the credit one decision,
    # taken by whichever beat holds the lock; the others then find the beat already counted.
    with transaction.atomic():
        read = CaseRead.objects.select_for_update().get(pk=read.pk)
        clock = study_clock.claim(user=user, page_id=case.pk, now=now, pause=pause)
        if now <= read.last_read_at:
            return read
        elapsed = max(0, int((now - read.last_read_at).total_seconds()))
        credit = min(seconds, READ_BEAT_MAX_SECONDS, elapsed) if clock.may_credit else 0
        CaseRead.objects.filter(pk=read.pk).update(seconds_visible=F("seconds_visible") + credit, last_read_at=now)
        if read.seconds_visible < read_threshold_seconds() <= read.seconds_visible + credit:
            cache.bump_users([user.pk])  # read enough now: the case leaves the dashboard's recommendations
    read.refresh_from_db()
    return read


# ---------------------------------------------------------------- JSONL import

SECTION_KEYS_BY_LABEL = {
    "基本案情": "facts",
    "主要问题": "problems",
    "原因剖析": "causes",
    "警示启示": "lessons",
    "对策建议": "countermeasures",
    "相关规定": "rules",
}
OUTCOMES_BY_LABEL = {"党纪处分": Outcome.PARTY, "政务处分": Outcome.GOVERNMENT, "刑事处罚": Outcome.CRIMINAL}
REQUIRED_KEYS = (
    "external_id",
    "title",
    "summary",
    "year",
    "region",
    "sector",
    "subject_rank",
    "is_top_leader",
    "sections",
)
LIST_KEYS = ("violation_types", "supervision_failures", "countermeasures", "tags")
OPTIONAL_KEYS = (*LIST_KEYS, "outcome", "sentence_years", "min_rank", "is_anonymised")
STRING_LIMITS = {"external_id": 64, "title": 255, "summary": 500, "region": 100, "sector": 50}
TERM_LIMIT = {"violation_types": 50, "supervision_failures": 50, "countermeasures": 50, "tags": 100}
SECTION_LIMIT = 50_000
TAXONOMY_FOR_KEY = {
    "violation_types": ViolationType,
    "supervision_failures": SupervisionFailure,
    "countermeasures": Countermeasure,
}


class CaseImportError(Exception):
    """A file that cannot be imported; `errors` is a list of (line number, reason). Nothing was written."""

    def __init__(self, errors: list[tuple[int, str]]):
        self.errors = errors
        super().__init__("; ".join(f"第 {line} 行：{msg}" if line else msg for line, msg in errors))


@dataclass
class CaseLine:
    line: int
    external_id: str
    title: str
    summary: str
    year: int
    region: str
    sector: str
    subject_rank: Rank
    is_top_leader: bool
    sections: dict[str, str]
    violation_types: list[str] = field(default_factory=list)
    supervision_failures: list[str] = field(default_factory=list)
    countermeasures: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    outcome: str = ""
    sentence_years: Decimal | None = None
    min_rank: Rank | None = None
    is_anonymised: bool | None = None


@dataclass
class CaseImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    published: int = 0
    terms_created: dict[str, list[str]] = field(default_factory=dict)

    @property
    def summary(self) -> str:
        text = _("导入完成：新增 %(c)d 个，更新 %(u)d 个，未变 %(n)d 个，发布 %(p)d 个。") % {
            "c": self.created,
            "u": self.updated,
            "n": self.unchanged,
            "p": self.published,
        }
        new_terms = [f"{label}：{'、'.join(names)}" for label, names in self.terms_created.items() if names]
        if new_terms:
            text += _("新建分类词：%(terms)s。") % {"terms": "；".join(new_terms)}
        return text


def _is_str(value) -> bool:
    return isinstance(value, str)


class _NotJSONNumber(ValueError):
    pass


def _refuse_constant(name: str):
    # Python's json accepts NaN, Infinity and -Infinity; JSON does not.
    raise _NotJSONNumber(name)


def _parse_line(number: int, text: str) -> tuple[CaseLine | None, list[str]]:
    try:
        data = json.loads(text, parse_constant=_refuse_constant)
    except json.JSONDecodeError as exc:
        return None, [_("不是有效的 JSON（第 %(col)d 列：%(msg)s）") % {"col": exc.colno, "msg": exc.msg}]
    except _NotJSONNumber as exc:
        return None, [_("不是有效的 JSON：%(v)s 不是数字") % {"v": exc}]
    except RecursionError:
        return None, [_("不是有效的 JSON：嵌套层数过多")]
    if not isinstance(data, dict):
        return None, [_("每行应是一个 JSON 对象")]
    problems: list[str] = []
    unknown = sorted(set(data) - set(REQUIRED_KEYS) - set(OPTIONAL_KEYS))
    if unknown:
        problems.append(_("未知字段：%(keys)s") % {"keys": "、".join(unknown)})
    missing = [key for key in REQUIRED_KEYS if key not in data or data[key] is None]
    if missing:
        problems.append(_("缺少必填字段：%(keys)s") % {"keys": "、".join(missing)})
        return None, problems

    for key, limit in STRING_LIMITS.items():
        value = data[key]
        if not _is_str(value) or not value.strip():
            problems.append(_("%(key)s 应为非空字符串") % {"key": key})
        elif len(value.strip()) > limit:
            problems.append(
                _("%(key)s 过长（%(n)d 字，最多 %(max)d 字）") % {"key": key, "n": len(value.strip()), "max": limit}
            )
    year = data["year"]
    if isinstance(year, bool) or not isinstance(year, int):
        problems.append(_("year 应为整数"))
    elif not 1949 <= year <= 2100:
        problems.append(_("year %(v)d 超出范围（1949–2100）") % {"v": year})
    rank = Rank.from_label(data["subject_rank"]) if _is_str(data["subject_rank"]) else None
    if rank is None:
        problems.append(
            _("subject_rank“%(v)s”不是已知职级，应为：%(choices)s")
            % {"v": data["subject_rank"], "choices": "、".join(str(r.label) for r in Rank)}
        )
    if not isinstance(data["is_top_leader"], bool):
        problems.append(_("is_top_leader 应为 true 或 false"))

    lists: dict[str, list[str]] = {}
    for key in LIST_KEYS:
        value = data.get(key) or []
        if not isinstance(value, list) or not all(_is_str(v) for v in value):
            problems.append(_("%(key)s 应为字符串数组") % {"key": key})
            continue
        names = []
        for name in (v.strip() for v in value):
            if not name:
                problems.append(_("%(key)s 中有空字符串") % {"key": key})
            elif len(name) > TERM_LIMIT[key]:
                problems.append(
                    _("%(key)s 中“%(v)s”过长（最多 %(max)d 字）") % {"key": key, "v": name[:20], "max": TERM_LIMIT[key]}
                )
            elif name not in names:
                names.append(name)
        lists[key] = names

    sections = data["sections"]
    clean_sections: dict[str, str] = {}
    if not isinstance(sections, dict):
        problems.append(_('sections 应为对象，如 {"基本案情": "……"}'))
    else:
        for label, text_value in sections.items():
            if label not in SECTION_KEYS_BY_LABEL:
                problems.append(
                    _("未知章节“%(v)s”，应为：%(choices)s") % {"v": label, "choices": "、".join(SECTION_KEYS_BY_LABEL)}
                )
            elif not _is_str(text_value):
                problems.append(_("章节“%(v)s”的内容应为字符串") % {"v": label})
            elif len(text_value) > SECTION_LIMIT:
                problems.append(_("章节“%(v)s”过长（最多 %(max)d 字）") % {"v": label, "max": SECTION_LIMIT})
            elif text_value.strip():
                clean_sections[label] = text_value
        if not clean_sections and not problems:
            problems.append(_("sections 中至少要有一个非空章节"))

    outcome = ""
    raw_outcome = data.get("outcome")
    if raw_outcome not in (None, ""):
        outcome = OUTCOMES_BY_LABEL.get(raw_outcome, "") if _is_str(raw_outcome) else ""
        if not outcome:
            problems.append(
                _("outcome“%(v)s”无效，应为：%(choices)s") % {"v": raw_outcome, "choices": "、".join(OUTCOMES_BY_LABEL)}
            )
    sentence = data.get("sentence_years")
    sentence_years = None
    if sentence is not None:
        if isinstance(sentence, bool) or not isinstance(sentence, int | float):
            problems.append(_("sentence_years 应为数字"))
        else:
            try:
                sentence_years = Decimal(str(sentence)).quantize(Decimal("0.1"))
            except InvalidOperation:
                problems.append(_("sentence_years 应为数字"))
            else:
                if not 0 <= sentence_years <= 99:
                    problems.append(_("sentence_years 超出范围（0–99）"))
    if outcome == Outcome.CRIMINAL and sentence_years is None:
        problems.append(_("刑事处罚须填写 sentence_years"))
    if outcome != Outcome.CRIMINAL and sentence is not None:
        problems.append(_("只有刑事处罚才填写 sentence_years"))
    min_rank = None
    if data.get("min_rank") not in (None, ""):
        min_rank = Rank.from_label(data["min_rank"]) if _is_str(data["min_rank"]) else None
        if min_rank is None:
            problems.append(_("min_rank“%(v)s”不是已知职级") % {"v": data["min_rank"]})
    anonymised = data.get("is_anonymised")
    if anonymised is not None and not isinstance(anonymised, bool):
        problems.append(_("is_anonymised 应为 true 或 false"))

    if problems:
        return None, problems
    return CaseLine(
        line=number,
        external_id=data["external_id"].strip(),
        title=data["title"].strip(),
        summary=data["summary"].strip(),
        year=year,
        region=data["region"].strip(),
        sector=data["sector"].strip(),
        subject_rank=rank,
        is_top_leader=data["is_top_leader"],
        sections=clean_sections,
        outcome=outcome,
        sentence_years=sentence_years,
        min_rank=min_rank,
        is_anonymised=anonymised,
        **lists,
    ), []


def case_import_parse(*, lines) -> list[CaseLine]:
    """Validate every line of a JSONL file (an iterable of str); raise CaseImportError listing each bad line."""
    errors: list[tuple[int, str]] = []
    parsed: list[CaseLine] = []
    seen: dict[str, int] = {}
    for number, raw in enumerate(lines, start=1):
        text = raw.strip().lstrip("\ufeff") if number == 1 else raw.strip()
        if not text:
            continue
        case_line, problems = _parse_line(number, text)
        if case_line is not None:
            if case_line.external_id in seen:
                problems = [
                    _("external_id %(v)s 与第 %(n)d 行重复")
                    % {"v": case_line.external_id, "n": seen[case_line.external_id]}
                ]
            else:
                seen[case_line.external_id] = number
        if problems:
            errors.append((number, "；".join(problems)))
        elif case_line is not None:
            parsed.append(case_line)
    if errors:
        raise CaseImportError(errors)
    if not parsed:
        raise CaseImportError([(0, _("文件中没有案例。"))])
    return parsed


def plain_text_to_rich_text(text: str) -> str:
    """Plain text with blank lines between paragraphs → escaped <p> paragraphs (line breaks kept)."""
    paragraphs = [p.strip() for p in re.split(r"\n\s*\n", text.replace("\r\n", "\n")) if p.strip()]
    return "".join("<p>" + "<br/>".join(escape(line.strip()) for line in p.split("\n")) + "</p>" for p in paragraphs)


def _body_data(sections: dict[str, str]) -> list[dict]:
    ordered = sorted(sections.items(), key=lambda item: list(SECTION_KEYS_BY_LABEL).index(item[0]))
    return [
        {
            "type": "section",
            "value": {
                "section": SECTION_KEYS_BY_LABEL[label],
                "content": [{"type": "paragraph", "value": plain_text_to_rich_text(text)}],
            },
        }
        for label, text in ordered
    ]


def _strip_ids(data):
    if isinstance(data, dict):
        return {k: _strip_ids(v) for k, v in data.items() if k != "id"}
    if isinstance(data, list):
        return [_strip_ids(v) for v in data]
    return data


def _snapshot(page: CaseStudyPage) -> tuple:
    """What the import controls, to tell an unchanged line from an update."""
    return (
        page.title,
        page.summary,
        page.year,
        page.region,
        page.sector_id,
        int(page.subject_rank),
        page.is_top_leader,
        page.outcome or "",
        page.sentence_years,
        page.min_rank,
        page.is_anonymised,
        tuple(sorted(t.pk for t in page.violation_types.all())),
        tuple(sorted(t.pk for t in page.supervision_failures.all())),
        tuple(sorted(t.pk for t in page.countermeasures.all())),
        tuple(sorted(t.name for t in page.tags.all())),
        json.dumps(_strip_ids(list(page.body.raw_data)), ensure_ascii=False, sort_keys=True),
    )


def _terms(model, names: set[str], created: list[str]) -> dict[str, object]:
    existing = {t.name: t for t in model.objects.filter(name__in=names)}
    order = (model.objects.order_by("-sort_order").values_list("sort_order", flat=True).first() or 0) + 10
    for name in sorted(names - set(existing)):
        term = model(name=name, sort_order=order)
        term.full_clean()
        term.save()
        existing[name] = term
        created.append(name)
        order += 10
    return existing


def _unique_slug(base: str, taken: set[str]) -> str:
    slug = base or "case"
    counter = 2
    while slug in taken:
        slug = f"{base}-{counter}"
        counter += 1
    taken.add(slug)
    return slug


def _apply(page: CaseStudyPage, row: CaseLine, sector, terms: dict, publish: bool) -> None:
    page.title = row.title
    page.draft_title = row.title
    page.summary = row.summary
    page.year = row.year
    page.region = row.region
    page.sector = sector
    page.subject_rank = int(row.subject_rank)
    page.is_top_leader = row.is_top_leader
    page.outcome = row.outcome
    page.sentence_years = row.sentence_years
    page.min_rank = int(row.min_rank) if row.min_rank is not None else None
    # Absent from the line, "is_anonymised" is confirmed by whoever publishes with --publish.
    page.is_anonymised = row.is_anonymised if row.is_anonymised is not None else (publish or page.is_anonymised)
    page.violation_types = [terms["violation_types"][n] for n in row.violation_types]
    page.supervision_failures = [terms["supervision_failures"][n] for n in row.supervision_failures]
    page.countermeasures = [terms["countermeasures"][n] for n in row.countermeasures]
    page.tags.set(row.tags)
    page.body = _body_data(row.sections)


@transaction.atomic
def case_import(*, lines, publish: bool = False, user=None, index: CaseIndexPage | None = None) -> CaseImportResult:
    """Create or update cases from JSONL lines, by external_id, all or nothing.

    Every line is validated before anything is written. New cases are created as drafts under
    `index` (the first case library by default) or published with `publish`; a changed case
    gets a new revision (published with `publish`); unchanged lines are counted as such.
    Unknown taxonomy terms are created and listed in the result.
    """
    rows = case_import_parse(lines=lines)
    errors: list[tuple[int, str]] = []
    if publish:
        for row in rows:
            if row.is_anonymised is False:
                errors.append((row.line, _("未确认脱敏（is_anonymised 为 false）的案例不能发布")))
    if errors:
        raise CaseImportError(errors)
    if index is None:
        index = CaseIndexPage.objects.order_by("path").first()
        if index is None:
            raise CaseImportError([(0, _("还没有案例库页面，请先在管理后台创建“案例库”。"))])
    if publish and user is not None and not index.permissions_for_user(user).can_publish_subpage():
        raise CaseImportError([(0, _("您没有发布案例的权限，请去掉“直接发布”后导入为草稿，再提交审核。"))])

    result = CaseImportResult()
    sectors_created: list[str] = []
    sectors = _terms(Sector, {r.sector for r in rows}, sectors_created)
    terms = {}
    created_terms: dict[str, list[str]] = {}
    for key, model in TAXONOMY_FOR_KEY.items():
        created_terms[key] = []
        terms[key] = _terms(model, {n for r in rows for n in getattr(r, key)}, created_terms[key])
    result.terms_created = {
        str(Sector._meta.verbose_name): sectors_created,
        **{str(TAXONOMY_FOR_KEY[k]._meta.verbose_name): v for k, v in created_terms.items()},
    }

    existing = {
        p.external_id: p
        for p in CaseStudyPage.objects.filter(external_id__in=[r.external_id for r in rows]).select_related(
            "latest_revision"
        )
    }
    taken_slugs = set(index.get_children().values_list("slug", flat=True))
    for row in rows:
        try:
            _import_row(
                row,
                existing.get(row.external_id),
                index,
                sectors[row.sector],
                terms,
                publish,
                user,
                taken_slugs,
                result,
            )
        except ValidationError as exc:
            messages = (
                [f"{k}: {'；'.join(v)}" for k, v in exc.message_dict.items()]
                if hasattr(exc, "error_dict")
                else exc.messages
            )
            raise CaseImportError([(row.line, "；".join(messages))]) from exc
    logger.info("case import: %s", result.summary)
    return result


def _import_row(row, page, index, sector, terms, publish, user, taken_slugs, result) -> None:
    if page is None:
        page = CaseStudyPage(external_id=row.external_id, live=False)
        page.slug = _unique_slug(slugify(row.external_id, allow_unicode=True)[:200], taken_slugs)
        _apply(page, row, sector, terms, publish)
        index.add_child(instance=page)
        revision = page.save_revision(user=user, log_action=True)
        result.created += 1
        if publish:
            revision.publish(user=user)
            result.published += 1
        return

    page = page.specific
    current = page.get_latest_revision_as_object() if page.latest_revision_id else page
    before = _snapshot(current)
    if not page.live:
        # A draft keeps its content on the page row too (as the admin editor does).
        _apply(page, row, sector, terms, publish)
        target = page
    else:
        target = current
        _apply(target, row, sector, terms, publish)
    changed = _snapshot(target) != before
    if not changed and not (publish and (not page.live or page.has_unpublished_changes)):
        result.unchanged += 1
        return
    if changed:
        if not page.live:
            page.save()
        revision = target.save_revision(user=user, log_action=True)
        result.updated += 1
    else:
        revision = page.latest_revision
    if publish:
        revision.publish(user=user)
        result.published += 1


def case_import_file(
    *, data: bytes, publish: bool = False, user=None, index: CaseIndexPage | None = None
) -> CaseImportResult:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise CaseImportError([(0, _("文件不是 UTF-8 编码。"))]) from exc
    return case_import(lines=text.splitlines(), publish=publish, user=user, index=index)
