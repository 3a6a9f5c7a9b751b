"""Courses, lessons, assignments, enrolments, progress evidence, 学时 ledger, certificates, reflections."""

import math
from decimal import Decimal

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminPageForm
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.contrib.settings.models import BaseSiteSetting, register_setting
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Page
from wagtail.search import index
from wagtail.snippets.models import register_snippet

from accounts.models import OrgUnit
from accounts.roles import Rank
from cases.vocabulary import SECTORS
from core.access import SignedInPageMixin
from core.conditional import ConditionalPageMixin
from core.page_forms import wants_to_go_live
from core.widgets import FilterableCheckboxSelectMultiple
from learning.blocks import LessonStreamBlock


def learning_setting(name: str):
    return settings.LEARNING[name]


@register_snippet
class Topic(models.Model):
    """A course topic (权力观, 政绩观, 监督观, ...), edited as a snippet."""

    name = models.CharField(_("名称"), max_length=50, unique=True)
    sort_order = models.PositiveSmallIntegerField(_("排序"), default=100)

    panels = [FieldPanel("name"), FieldPanel("sort_order")]

    class Meta:
        verbose_name = _("课程专题")
        verbose_name_plural = _("课程专题")
        ordering = ["sort_order", "name"]
        constraints = [models.CheckConstraint(condition=~Q(name=""), name="topic_name_not_empty")]

    def __str__(self) -> str:
        return self.name


class CourseKind(models.TextChoices):
    REQUIRED = "required", _("必修")
    ELECTIVE = "elective", _("选修")


class CourseIndexPage(SignedInPageMixin, Page):
    """课程中心: lists the published courses."""

    intro = RichTextField(_("简介"), blank=True, features=["bold", "italic", "link"])

    content_panels = [*Page.content_panels, FieldPanel("intro")]
    parent_page_types = ["core.HomePage"]
    subpage_types = ["learning.CoursePage"]
    max_count = 1

    class Meta:
        verbose_name = _("课程中心")

    def get_context(self, request, *args, **kwargs):
        from learning import selectors

        context = super().get_context(request, *args, **kwargs)
        filters = {
            "topic": request.GET.get("topic", "").strip(),
            "status": request.GET.get("status", "").strip(),
            "q": request.GET.get("q", "").strip()[:100],
        }
        context["rows"] = selectors.course_catalogue(
            user=request.user, request=request, topic_id=filters["topic"], status=filters["status"], q=filters["q"]
        )
        context["topics"] = Topic.objects.all()
        context["statuses"] = list(selectors.CATALOGUE_STATUS_LABELS.items())
        context["filters"] = filters
        context["filtered"] = any(filters.values())
        return context


class CoursePageForm(WagtailAdminPageForm):
    target_ranks = forms.TypedMultipleChoiceField(
        label=_("面向职级"),
        choices=Rank.choices,
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("不选表示面向所有职级"),
    )
    target_sectors = forms.MultipleChoiceField(
        label=_("面向领域"),
        choices=[(s, s) for s in SECTORS],
        required=False,
        widget=FilterableCheckboxSelectMultiple,
        help_text=_("不选表示面向所有领域"),
    )


class LessonPageForm(WagtailAdminPageForm):
    """Refuses to submit or publish a lesson whose body says nothing (drafts may be empty)."""

    def clean(self):
        from learning.selectors import lesson_body_is_empty

        cleaned_data = super().clean()
        if wants_to_go_live(self.data) and "body" in cleaned_data and lesson_body_is_empty(body=cleaned_data["body"]):
            self.add_error(
                "body",
                ValidationError(
                    _("提交审核或发布前，课时内容不能为空：请至少添加一段正文、图片、视频或案例并填写内容。")
                ),
            )
        return cleaned_data


class CoursePage(SignedInPageMixin, Page):
    """A course (课程): 学时, required or elective, lessons beneath it, optionally a final quiz."""

    topic = models.ForeignKey(Topic, on_delete=models.PROTECT, related_name="courses", verbose_name=_("专题"))
    credit_hours = models.DecimalField(
        _("学时"), max_digits=5, decimal_places=2, validators=[MinValueValidator(Decimal("0.25"))]
    )
    kind = models.CharField(_("类别"), max_length=10, choices=CourseKind.choices, default=CourseKind.REQUIRED)
    target_ranks = models.JSONField(_("面向职级"), default=list, blank=True)
    target_sectors = models.JSONField(_("面向领域"), default=list, blank=True)
    cover_image = models.ForeignKey(
        "wagtailimages.Image",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("封面图片"),
    )
    introduction = RichTextField(_("课程简介"), features=["bold", "italic", "link", "ol", "ul"])
    learning_goals = RichTextField(_("学习目标"), features=["bold", "italic", "ol", "ul"], blank=True)
    final_quiz = models.ForeignKey(
        "quizzes.Quiz",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="courses",
        verbose_name=_("结业测验"),
        help_text=_("选填；设置后须学完全部课时并通过该测验才算完成课程"),
    )

    base_form_class = CoursePageForm
    content_panels = [
        *Page.content_panels,
        MultiFieldPanel([FieldPanel("topic"), FieldPanel("kind"), FieldPanel("credit_hours")], heading=_("课程属性")),
        MultiFieldPanel([FieldPanel("target_ranks"), FieldPanel("target_sectors")], heading=_("面向对象")),
        FieldPanel("cover_image"),
        FieldPanel("introduction"),
        FieldPanel("learning_goals"),
        FieldPanel("final_quiz"),
    ]
    search_fields = [*Page.search_fields, index.SearchField("introduction"), index.SearchField("learning_goals")]
    parent_page_types = ["learning.CourseIndexPage"]
    subpage_types = ["learning.LessonPage"]

    class Meta:
        verbose_name = _("课程")
        constraints = [
            models.CheckConstraint(condition=Q(credit_hours__gt=0), name="course_credit_hours_positive"),
            models.CheckConstraint(condition=Q(kind__in=CourseKind.values), name="course_kind_valid"),
        ]

    @property
    def is_required(self) -> bool:
        return self.kind == CourseKind.REQUIRED

    @property
    def target_rank_labels(self) -> list[str]:
        return [str(Rank(r).label) for r in self.target_ranks if r in Rank.values]

    def lessons(self):
        return LessonPage.objects.child_of(self).live().order_by("path")

    def get_context(self, request, *args, **kwargs):
        from learning import selectors

        context = super().get_context(request, *args, **kwargs)
        context.update(selectors.course_page_state(user=request.user, course=self))
        return context


class LessonPage(ConditionalPageMixin, SignedInPageMixin, Page):
    """A lesson (课时) of a course: text, images, videos, key points and a reflection prompt."""

    body = StreamField(LessonStreamBlock(), verbose_name=_("内容"))
    estimated_minutes = models.PositiveSmallIntegerField(
        _("预计学习时长（分钟）"),
        validators=[MinValueValidator(1), MaxValueValidator(600)],
        help_text=_("学员须在页面可见状态下学习其中规定比例的时长，才算学完"),
    )

    base_form_class = LessonPageForm
    content_panels = [*Page.content_panels, FieldPanel("estimated_minutes"), FieldPanel("body")]
    search_fields = [*Page.search_fields, index.SearchField("body")]
    parent_page_types = ["learning.CoursePage"]
    subpage_types: list[str] = []

    class Meta:
        verbose_name = _("课时")
        constraints = [models.CheckConstraint(condition=Q(estimated_minutes__gte=1), name="lesson_minutes_positive")]

    @property
    def required_seconds(self) -> int:
        return math.ceil(self.estimated_minutes * 60 * learning_setting("REQUIRED_TIME_RATIO"))

    @property
    def time_cap_seconds(self) -> int:
        cap = min(
            math.ceil(self.estimated_minutes * 60 * learning_setting("LESSON_TIME_CAP_RATIO")),
            learning_setting("LESSON_TIME_CAP_SECONDS"),
        )
        return max(cap, self.required_seconds)

    @cached_property
    def videos(self) -> dict[str, int]:
        """Video block id → duration in seconds (from the stored JSON: no document is loaded)."""
        return {
            block["id"]: int(block["value"]["duration_seconds"])
            for block in self.body.raw_data
            if block["type"] == "video"
        }

    @property
    def video_required_seconds(self) -> int:
        ratio = learning_setting("VIDEO_REQUIRED_RATIO")
        return sum(math.ceil(d * ratio) for d in self.videos.values())

    @property
    def case_ids(self) -> set[int]:
        return {block.value["case"].pk for block in self.body if block.block_type == "case" and block.value.get("case")}

    @cached_property
    def reflection_prompt(self) -> str:
        for block in self.body.raw_data:
            if block["type"] == "reflection_prompt":
                return block["value"]["prompt"]
        return ""

    @property
    def has_case_blocks(self) -> bool:
        return any(block["type"] == "case" for block in self.body.raw_data)

    def get_context(self, request, *args, **kwargs):
        from learning import selectors

        context = super().get_context(request, *args, **kwargs)
        context.update(selectors.lesson_page_state(user=request.user, lesson=self, request=request))
        context["body_html"] = selectors.lesson_body_html(lesson=self, request=request)
        return context


class LessonCase(models.Model):
    """That a lesson references a case (kept in step on publish), so a case page can list its courses in one query."""

    lesson = models.ForeignKey(LessonPage, on_delete=models.CASCADE, related_name="case_links", verbose_name=_("课时"))
    course = models.ForeignKey(CoursePage, on_delete=models.CASCADE, related_name="+", verbose_name=_("课程"))
    case = models.ForeignKey("cases.CaseStudyPage", on_delete=models.CASCADE, related_name="+", verbose_name=_("案例"))

    class Meta:
        verbose_name = _("课时引用案例")
        verbose_name_plural = _("课时引用案例")
        constraints = [models.UniqueConstraint(fields=["lesson", "case"], name="lessoncase_unique")]

    def __str__(self) -> str:
        return f"{self.lesson_id} → {self.case_id}"


class CourseAssignment(models.Model):
    """A trainer's order: a course for the cadres of some units (and their sub-units), for a year."""

    course = models.ForeignKey(CoursePage, on_delete=models.CASCADE, related_name="assignments", verbose_name=_("课程"))
    org_units = models.ManyToManyField(OrgUnit, related_name="+", verbose_name=_("单位（含下级）"))
    ranks = models.JSONField(_("限定职级"), default=list, blank=True)
    year = models.PositiveSmallIntegerField(_("年度"), validators=[MinValueValidator(2000), MaxValueValidator(2100)])
    due_date = models.DateField(_("截止日期"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("指派人")
    )
    created_at = models.DateTimeField(_("指派时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("课程指派")
        verbose_name_plural = _("课程指派")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=Q(year__gte=2000, year__lte=2100), name="assignment_year_range"),
        ]

    def __str__(self) -> str:
        return f"{self.course.title}（{self.year}）"

    @property
    def rank_labels(self) -> list[str]:
        return [str(Rank(r).label) for r in self.ranks if r in Rank.values]


class EnrolmentSource(models.TextChoices):
    ASSIGNED = "assigned", _("指派")
    SELF = "self", _("自选")


class Enrolment(models.Model):
    """One cadre taking one course in one year; completed_at is set the moment the evidence suffices."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="enrolments", verbose_name=_("学员")
    )
    course = models.ForeignKey(CoursePage, on_delete=models.CASCADE, related_name="enrolments", verbose_name=_("课程"))
    year = models.PositiveSmallIntegerField(_("年度"))
    source = models.CharField(_("来源"), max_length=10, choices=EnrolmentSource.choices)
    assignment = models.ForeignKey(
        CourseAssignment,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="enrolments",
        verbose_name=_("指派"),
    )
    due_date = models.DateField(_("截止日期"), null=True, blank=True)
    enrolled_at = models.DateTimeField(_("选课时间"), auto_now_add=True)
    completed_at = models.DateTimeField(_("完成时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("选课记录")
        verbose_name_plural = _("选课记录")
        constraints = [
            models.UniqueConstraint(fields=["user", "course", "year"], name="enrolment_unique_user_course_year"),
            models.CheckConstraint(condition=Q(source__in=EnrolmentSource.values), name="enrolment_source_valid"),
        ]
        indexes = [models.Index(fields=["user", "year"], name="enrolment_user_year")]

    def __str__(self) -> str:
        return f"{self.user} · {self.course.title}（{self.year}）"


class LessonProgress(models.Model):
    """What the server has seen of one cadre in one lesson: credited seconds and played video ranges."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="lesson_progress", verbose_name=_("学员")
    )
    lesson = models.ForeignKey(LessonPage, on_delete=models.CASCADE, related_name="progress", verbose_name=_("课时"))
    # Denormalised so per-course progress is one aggregate query.
    course = models.ForeignKey(CoursePage, on_delete=models.CASCADE, related_name="+", verbose_name=_("课程"))
    time_seconds = models.PositiveIntegerField(_("有效学习秒数"), default=0)
    # {video block id: [[start, end], ...]} merged, sorted, clamped to the video's duration.
    video_ranges = models.JSONField(_("已播放区间"), default=dict, blank=True)
    watched_seconds = models.PositiveIntegerField(_("有效观看秒数"), default=0)
    video_position = models.FloatField(_("视频播放位置"), default=0)
    first_seen_at = models.DateTimeField(_("首次学习"), auto_now_add=True)
    last_seen_at = models.DateTimeField(_("最近学习"), auto_now=True)
    completed_at = models.DateTimeField(_("完成时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("课时进度")
        verbose_name_plural = _("课时进度")
        constraints = [
            models.UniqueConstraint(fields=["user", "lesson"], name="lessonprogress_unique_user_lesson"),
        ]
        indexes = [models.Index(fields=["user", "course"], name="lessonprogress_user_course")]

    def __str__(self) -> str:
        return f"{self.user_id} · {self.lesson_id}"


class ActiveLesson(models.Model):
    """No longer used (since December 2026 every beat uses `core.StudyClock`); kept one release so that
    servers still on the previous release during a rolling upgrade find their table, and so that deleting a
    user or a lesson still removes these rows. The next release's migration drops it."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="active_lesson",
        verbose_name=_("学员"),
    )
    lesson = models.ForeignKey(
        LessonPage, on_delete=models.CASCADE, null=True, blank=True, related_name="+", verbose_name=_("课时")
    )
    last_beat_at = models.DateTimeField(_("最近心跳"), null=True, blank=True)

    class Meta:
        verbose_name = _("正在学习")
        verbose_name_plural = _("正在学习")

    def __str__(self) -> str:
        return f"{self.user_id} → {self.lesson_id}"


class CreditLedger(models.Model):
    """学时 credited for a completed course, once per (cadre, course, year of completion)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="credits", verbose_name=_("学员")
    )
    course = models.ForeignKey(CoursePage, on_delete=models.PROTECT, related_name="+", verbose_name=_("课程"))
    year = models.PositiveSmallIntegerField(_("年度"))
    hours = models.DecimalField(_("学时"), max_digits=5, decimal_places=2)
    enrolment = models.ForeignKey(
        Enrolment, on_delete=models.PROTECT, related_name="credits", verbose_name=_("选课记录")
    )
    created_at = models.DateTimeField(_("记入时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("学时记录")
        verbose_name_plural = _("学时记录")
        constraints = [
            models.UniqueConstraint(fields=["user", "course", "year"], name="creditledger_unique_user_course_year"),
            models.CheckConstraint(condition=Q(hours__gt=0), name="creditledger_hours_positive"),
        ]
        indexes = [models.Index(fields=["user", "year"], name="creditledger_user_year")]

    def __str__(self) -> str:
        return f"{self.user_id} · {self.course_id} · {self.year}: {self.hours}"


class Certificate(models.Model):
    """A completion certificate with a public verification code."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="certificates", verbose_name=_("学员")
    )
    course = models.ForeignKey(CoursePage, on_delete=models.PROTECT, related_name="+", verbose_name=_("课程"))
    enrolment = models.OneToOneField(
        Enrolment, on_delete=models.PROTECT, related_name="certificate", verbose_name=_("选课记录")
    )
    code = models.CharField(_("验证码"), max_length=20, unique=True)
    hours = models.DecimalField(_("学时"), max_digits=5, decimal_places=2)
    issued_at = models.DateTimeField(_("颁发时间"))

    class Meta:
        verbose_name = _("结业证书")
        verbose_name_plural = _("结业证书")
        constraints = [models.UniqueConstraint(fields=["user", "course"], name="certificate_unique_user_course")]

    def __str__(self) -> str:
        return self.code


class ReflectionStatus(models.TextChoices):
    SUBMITTED = "submitted", _("待审阅")
    RETURNED = "returned", _("退回修改")
    ACCEPTED = "accepted", _("已通过")


class Reflection(models.Model):
    """以案促改: a cadre's 心得体会 on a lesson or case, reviewed by a trainer in scope."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reflections", verbose_name=_("学员")
    )
    page = models.ForeignKey(
        "wagtailcore.Page", on_delete=models.CASCADE, related_name="+", verbose_name=_("课时或案例")
    )
    prompt = models.TextField(_("思考题"), blank=True)
    body = models.TextField(_("心得体会"))
    status = models.CharField(
        _("状态"), max_length=10, choices=ReflectionStatus.choices, default=ReflectionStatus.SUBMITTED
    )
    submitted_at = models.DateTimeField(_("提交时间"))
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("审阅人"),
    )
    reviewed_at = models.DateTimeField(_("审阅时间"), null=True, blank=True)
    review_comment = models.TextField(_("审阅意见"), blank=True)

    class Meta:
        verbose_name = _("心得体会")
        verbose_name_plural = _("心得体会")
        ordering = ["-submitted_at"]
        constraints = [
            models.UniqueConstraint(fields=["user", "page"], name="reflection_unique_user_page"),
            models.CheckConstraint(condition=Q(status__in=ReflectionStatus.values), name="reflection_status_valid"),
            models.CheckConstraint(condition=~Q(body=""), name="reflection_body_not_empty"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} · {self.page_id}"


# --- 防挂机: activity and attention checks (learning/attention.py) ----------------------------


def _attention_default_activity_required():
    return settings.LEARNING_ATTENTION["activity_required"]


def _attention_default_quiet_seconds():
    return settings.LEARNING_ATTENTION["quiet_seconds"]


def _attention_default_checks_enabled():
    return settings.LEARNING_ATTENTION["checks_enabled"]


def _attention_default_check_mean_seconds():
    return settings.LEARNING_ATTENTION["check_mean_seconds"]


def _attention_default_check_min_gap_seconds():
    return settings.LEARNING_ATTENTION["check_min_gap_seconds"]


def _attention_default_answer_seconds():
    return settings.LEARNING_ATTENTION["answer_seconds"]


@register_setting(icon="view")
class AttentionRules(BaseSiteSetting):
    """Per site: when a visible lesson tab stops earning (防挂机). Defaults for new sites: ``LEARNING_ATTENTION``."""

    activity_required = models.BooleanField(
        _("无操作时暂停计时"),
        default=_attention_default_activity_required,
        help_text=_("页面在静默时长内未检测到键盘、鼠标、滚动、触摸或有声常速视频播放时，心跳不计时。"),
    )
    quiet_seconds = models.PositiveIntegerField(
        _("静默时长（秒）"),
        default=_attention_default_quiet_seconds,
        validators=[MinValueValidator(30), MaxValueValidator(3600)],
    )
    checks_enabled = models.BooleanField(
        _("随机在线确认"),
        default=_attention_default_checks_enabled,
        help_text=_("学习中随机弹出确认，学员点击指定数字前不计时。"),
    )
    check_mean_seconds = models.PositiveIntegerField(
        _("平均确认间隔（秒）"),
        default=_attention_default_check_mean_seconds,
        validators=[MinValueValidator(1), MaxValueValidator(86400)],
        help_text=_("按计时时长随机出现，平均每隔这么久一次。"),
    )
    check_min_gap_seconds = models.PositiveIntegerField(
        _("两次确认最短间隔（秒）"),
        default=_attention_default_check_min_gap_seconds,
        validators=[MaxValueValidator(86400)],
    )
    answer_seconds = models.PositiveIntegerField(
        _("确认限时（秒）"),
        default=_attention_default_answer_seconds,
        validators=[MinValueValidator(5), MaxValueValidator(600)],
        help_text=_("超时后再确认，确认前的时间不计入学时。"),
    )

    panels = [
        MultiFieldPanel([FieldPanel("activity_required"), FieldPanel("quiet_seconds")], heading=_("操作检测")),
        MultiFieldPanel(
            [
                FieldPanel("checks_enabled"),
                FieldPanel("check_mean_seconds"),
                FieldPanel("check_min_gap_seconds"),
                FieldPanel("answer_seconds"),
            ],
            heading=_("随机在线确认"),
        ),
    ]

    class Meta:
        verbose_name = _("防挂机规则")

    def __str__(self) -> str:
        return str(self._meta.verbose_name)


class AttentionOutcome(models.TextChoices):
    PENDING = "pending", _("待确认")
    PASSED = "passed", _("按时确认")
    LATE = "late", _("超时确认")


class AttentionCheck(models.Model):
    """One 'are you still studying?' prompt the server issued to a cadre in a lesson, and its answer."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="attention_checks", verbose_name=_("学员")
    )
    lesson = models.ForeignKey(
        LessonPage, on_delete=models.CASCADE, related_name="attention_checks", verbose_name=_("课时")
    )
    nonce = models.CharField(_("确认编号"), max_length=32, unique=True)
    answer = models.PositiveSmallIntegerField(_("正确数字"))
    choices = models.JSONField(_("备选数字"))
    issued_at = models.DateTimeField(_("弹出时间"))
    deadline = models.DateTimeField(_("确认截止"))
    answered_at = models.DateTimeField(_("确认时间"), null=True, blank=True)
    wrong_answers = models.PositiveSmallIntegerField(_("错误次数"), default=0)
    # Seconds the clock ran while this check waited; credited only if it is answered in time.
    withheld_seconds = models.PositiveIntegerField(_("暂扣秒数"), default=0)
    outcome = models.CharField(
        _("结果"), max_length=10, choices=AttentionOutcome.choices, default=AttentionOutcome.PENDING
    )

    class Meta:
        verbose_name = _("在线确认")
        verbose_name_plural = _("在线确认")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "lesson"], condition=Q(outcome="pending"), name="attentioncheck_one_pending"
            ),
            models.CheckConstraint(
                condition=(Q(outcome="pending") & Q(answered_at__isnull=True))
                | (Q(outcome__in=["passed", "late"]) & Q(answered_at__isnull=False)),
                name="attentioncheck_answered_iff_resolved",
            ),
            models.CheckConstraint(
                condition=Q(deadline__gt=F("issued_at")), name="attentioncheck_deadline_after_issue"
            ),
            models.CheckConstraint(
                condition=Q(answered_at__isnull=True) | Q(answered_at__gte=F("issued_at")),
                name="attentioncheck_answer_after_issue",
            ),
            models.CheckConstraint(
                condition=~Q(outcome="passed") | (Q(answered_at__lte=F("deadline")) & Q(wrong_answers=0)),
                name="attentioncheck_passed_in_time",
            ),
        ]
        indexes = [models.Index(fields=["user", "issued_at"], name="attentioncheck_user_issued")]

    def __str__(self) -> str:
        return f"{self.user_id} · {self.lesson_id} · {self.issued_at:%Y-%m-%d %H:%M}"
