"""Question bank, quizzes and attempts.

Nothing here knows about courses or cases: questions link to any Wagtail page, and a graded
attempt is announced with `quizzes.signals.attempt_graded`.
"""

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from modelcluster.contrib.taggit import ClusterTaggableManager
from modelcluster.fields import ParentalKey, ParentalManyToManyField
from modelcluster.models import ClusterableModel
from taggit.models import TaggedItemBase
from treebeard.mp_tree import MP_Node
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, MultiFieldPanel
from wagtail.fields import RichTextField
from wagtail.models import Orderable

from core.widgets import FilterableCheckboxSelectMultiple

PATH_SEPARATOR = "/"
RICH_TEXT_FEATURES = ["bold", "italic", "ol", "ul", "link", "image", "superscript", "subscript"]


class QuestionCategory(MP_Node):
    """A folder of the question bank; categories nest (e.g. 党纪法规/中央八项规定)."""

    name = models.CharField(_("名称"), max_length=100)
    full_path = models.CharField(_("完整路径"), max_length=500, unique=True, editable=False)
    description = models.TextField(_("说明"), blank=True)

    class Meta:
        verbose_name = _("题目分类")
        verbose_name_plural = _("题目分类")
        constraints = [
            models.CheckConstraint(condition=~Q(name=""), name="questioncategory_name_not_empty"),
        ]

    def __str__(self) -> str:
        return self.full_path or self.name

    @property
    def indented_name(self) -> str:
        return "\u3000" * (self.depth - 1) + self.name


class QuestionType(models.TextChoices):
    SINGLE = "single", _("单选")
    MULTIPLE = "multiple", _("多选")
    TRUE_FALSE = "truefalse", _("判断")
    FILL_BLANK = "blank", _("填空")
    ESSAY = "essay", _("简答")


CHOICE_TYPES = (QuestionType.SINGLE, QuestionType.MULTIPLE, QuestionType.TRUE_FALSE)


class TaggedQuestion(TaggedItemBase):
    content_object = ParentalKey("quizzes.Question", on_delete=models.CASCADE, related_name="tagged_items")


class Question(ClusterableModel):
    """One question of the bank, usable in any number of quizzes."""

    category = models.ForeignKey(
        QuestionCategory, on_delete=models.PROTECT, related_name="questions", verbose_name=_("分类")
    )
    qtype = models.CharField(_("题型"), max_length=16, choices=QuestionType.choices, default=QuestionType.SINGLE)
    name = models.CharField(
        _("题目名称"), max_length=255, blank=True, help_text=_("便于在题库中查找；留空则取题干开头")
    )
    stem = RichTextField(_("题干"), features=RICH_TEXT_FEATURES)
    explanation = RichTextField(_("解析"), blank=True, features=RICH_TEXT_FEATURES)
    default_mark = models.DecimalField(
        _("默认分值"),
        max_digits=6,
        decimal_places=2,
        default=Decimal("1"),
        validators=[MinValueValidator(Decimal("0.01"))],
    )
    partial_credit = models.BooleanField(
        _("多选题按比例给分"),
        default=False,
        help_text=_(
            "不勾选时多选题须全部选对才得分。勾选后：每个正确选项得 1/正确项数（或其设定的比例），"
            "每个错误选项扣 1/正确项数（或其设定的负比例），合计不低于 0、不高于满分。"
        ),
    )
    tags = ClusterTaggableManager(through=TaggedQuestion, blank=True, verbose_name=_("标签"))
    linked_pages = ParentalManyToManyField(
        "wagtailcore.Page",
        blank=True,
        related_name="+",
        verbose_name=_("关联案例或课程"),
        help_text=_("本题考查的案例、课程或课时"),
    )
    source_id = models.CharField(_("来源标识"), max_length=255, blank=True, editable=False)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    panels = [
        FieldRowPanel([FieldPanel("category"), FieldPanel("qtype")]),
        FieldPanel("name"),
        FieldPanel("stem"),
        InlinePanel("choices", heading=_("选项（单选、多选、判断）"), label=_("选项")),
        InlinePanel("accepted_answers", heading=_("参考答案（填空）"), label=_("参考答案")),
        FieldPanel("explanation"),
        MultiFieldPanel([FieldPanel("default_mark"), FieldPanel("partial_credit")], heading=_("计分")),
        FieldPanel("tags"),
        FieldPanel("linked_pages", widget=FilterableCheckboxSelectMultiple),
    ]

    class Meta:
        verbose_name = _("题目")
        verbose_name_plural = _("题目")
        ordering = ["category__path", "pk"]
        permissions = [("import_questions", _("可以导入导出题库"))]
        constraints = [
            models.CheckConstraint(condition=Q(qtype__in=QuestionType.values), name="question_qtype_valid"),
            models.CheckConstraint(condition=Q(default_mark__gt=0), name="question_default_mark_positive"),
        ]

    def __str__(self) -> str:
        return self.name or self.stem_text[:40]

    @property
    def stem_text(self) -> str:
        from django.utils.html import strip_tags

        return strip_tags(self.stem or "").strip()

    @property
    def is_choice(self) -> bool:
        return self.qtype in CHOICE_TYPES

    @property
    def is_auto_graded(self) -> bool:
        return self.qtype != QuestionType.ESSAY


class Choice(Orderable):
    """An option of a single-choice, multiple-choice or true/false question."""

    question = ParentalKey(Question, on_delete=models.CASCADE, related_name="choices")
    text = models.TextField(_("选项内容"))
    is_correct = models.BooleanField(_("正确"), default=False)
    fraction = models.DecimalField(
        _("得分比例"),
        max_digits=6,
        decimal_places=5,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("-1")), MaxValueValidator(Decimal("1"))],
        help_text=_("仅用于按比例给分的多选题，-1 到 1；留空则正确项为 1/正确项数，错误项为 -1/正确项数"),
    )

    panels = [FieldPanel("text"), FieldRowPanel([FieldPanel("is_correct"), FieldPanel("fraction")])]

    class Meta(Orderable.Meta):
        verbose_name = _("选项")
        verbose_name_plural = _("选项")
        constraints = [
            models.CheckConstraint(
                condition=Q(fraction__isnull=True) | Q(fraction__gte=-1, fraction__lte=1), name="choice_fraction_range"
            ),
        ]

    def __str__(self) -> str:
        return self.text


class AcceptedAnswer(Orderable):
    """One accepted answer of a fill-in-the-blank question (compared trimmed, width-normalised, case-insensitive)."""

    question = ParentalKey(Question, on_delete=models.CASCADE, related_name="accepted_answers")
    text = models.CharField(_("答案"), max_length=255)

    panels = [FieldPanel("text")]

    class Meta(Orderable.Meta):
        verbose_name = _("参考答案")
        verbose_name_plural = _("参考答案")

    def __str__(self) -> str:
        return self.text


class GradingMethod(models.TextChoices):
    HIGHEST = "highest", _("最高分")
    LAST = "last", _("最后一次")
    FIRST = "first", _("第一次")
    AVERAGE = "average", _("平均分")


class ReviewOption(models.TextChoices):
    SCORE = "score", _("仅显示得分")
    FULL = "full", _("显示得分、答案和解析")
    AFTER_CLOSE = "after_close", _("测验关闭前不显示任何结果")


class Quiz(ClusterableModel):
    """A quiz made of fixed questions and random draws; courses reference it by foreign key."""

    title = models.CharField(_("标题"), max_length=200)
    description = RichTextField(_("说明"), blank=True, features=["bold", "italic", "ol", "ul", "link"])
    shuffle_questions = models.BooleanField(_("打乱题目顺序"), default=False)
    shuffle_choices = models.BooleanField(_("打乱选项顺序"), default=False)
    time_limit_minutes = models.PositiveIntegerField(
        _("限时（分钟）"), null=True, blank=True, validators=[MinValueValidator(1)], help_text=_("留空则不限时")
    )
    open_at = models.DateTimeField(_("开放时间"), null=True, blank=True)
    close_at = models.DateTimeField(_("关闭时间"), null=True, blank=True)
    max_attempts = models.PositiveIntegerField(_("最多作答次数"), default=0, help_text=_("0 表示不限"))
    attempt_delay_minutes = models.PositiveIntegerField(_("两次作答间隔（分钟）"), default=0)
    grading_method = models.CharField(
        _("成绩计算方式"), max_length=16, choices=GradingMethod.choices, default=GradingMethod.HIGHEST
    )
    pass_percent = models.DecimalField(
        _("及格线（%）"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("60"),
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    review = models.CharField(_("交卷后显示"), max_length=16, choices=ReviewOption.choices, default=ReviewOption.FULL)
    pass_text = RichTextField(_("及格提示"), blank=True, features=["bold", "italic", "link"])
    fail_text = RichTextField(_("不及格提示"), blank=True, features=["bold", "italic", "link"])
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    panels = [
        FieldPanel("title"),
        FieldPanel("description"),
        InlinePanel("fixed_questions", heading=_("固定题目"), label=_("题目")),
        InlinePanel("random_draws", heading=_("随机抽题"), label=_("抽题规则")),
        MultiFieldPanel(
            [
                FieldRowPanel([FieldPanel("open_at"), FieldPanel("close_at")]),
                FieldRowPanel(
                    [FieldPanel("time_limit_minutes"), FieldPanel("max_attempts"), FieldPanel("attempt_delay_minutes")]
                ),
                FieldRowPanel([FieldPanel("shuffle_questions"), FieldPanel("shuffle_choices")]),
            ],
            heading=_("时间与次数"),
        ),
        MultiFieldPanel(
            [
                FieldRowPanel([FieldPanel("grading_method"), FieldPanel("pass_percent"), FieldPanel("review")]),
                FieldPanel("pass_text"),
                FieldPanel("fail_text"),
            ],
            heading=_("成绩"),
        ),
    ]

    class Meta:
        verbose_name = _("测验")
        verbose_name_plural = _("测验")
        ordering = ["-created_at", "-pk"]
        permissions = [("grade_attempts", _("可以批改简答题")), ("view_results", _("可以查看测验成绩"))]
        constraints = [
            models.CheckConstraint(
                condition=Q(pass_percent__gte=0, pass_percent__lte=100), name="quiz_pass_percent_range"
            ),
            models.CheckConstraint(
                condition=Q(open_at__isnull=True) | Q(close_at__isnull=True) | Q(close_at__gt=models.F("open_at")),
                name="quiz_close_after_open",
            ),
            models.CheckConstraint(
                condition=Q(grading_method__in=GradingMethod.values), name="quiz_grading_method_valid"
            ),
            models.CheckConstraint(condition=Q(review__in=ReviewOption.values), name="quiz_review_valid"),
        ]

    def __str__(self) -> str:
        return self.title

    def clean(self):
        super().clean()
        if self.open_at and self.close_at and self.close_at <= self.open_at:
            raise ValidationError({"close_at": _("关闭时间必须晚于开放时间。")})


class QuizQuestion(Orderable):
    """A question every attempt of the quiz gets."""

    quiz = ParentalKey(Quiz, on_delete=models.CASCADE, related_name="fixed_questions")
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="+", verbose_name=_("题目"))
    mark = models.DecimalField(
        _("分值"),
        max_digits=6,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0.01"))],
        help_text=_("留空则用题目的默认分值"),
    )

    panels = [FieldPanel("question"), FieldPanel("mark")]

    class Meta(Orderable.Meta):
        verbose_name = _("固定题目")
        verbose_name_plural = _("固定题目")
        constraints = [models.UniqueConstraint(fields=["quiz", "question"], name="quizquestion_unique")]


class QuizRandomDraw(Orderable):
    """ "Draw N questions at random from a category" — each attempt draws its own."""

    quiz = ParentalKey(Quiz, on_delete=models.CASCADE, related_name="random_draws")
    category = models.ForeignKey(QuestionCategory, on_delete=models.PROTECT, related_name="+", verbose_name=_("分类"))
    count = models.PositiveIntegerField(_("抽取题数"), validators=[MinValueValidator(1)])
    include_subcategories = models.BooleanField(_("包含子分类"), default=True)
    mark = models.DecimalField(
        _("每题分值"),
        max_digits=6,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0.01"))],
        help_text=_("留空则用各题的默认分值"),
    )

    panels = [
        FieldRowPanel([FieldPanel("category"), FieldPanel("count")]),
        FieldRowPanel([FieldPanel("include_subcategories"), FieldPanel("mark")]),
    ]

    class Meta(Orderable.Meta):
        verbose_name = _("随机抽题")
        verbose_name_plural = _("随机抽题")
        constraints = [models.CheckConstraint(condition=Q(count__gte=1), name="quizrandomdraw_count_positive")]


class AttemptState(models.TextChoices):
    IN_PROGRESS = "in_progress", _("作答中")
    NEEDS_GRADING = "needs_grading", _("待批改")
    FINISHED = "finished", _("已完成")


class Attempt(models.Model):
    """One cadre's attempt at a quiz, with its question layout frozen at the start."""

    quiz = models.ForeignKey(Quiz, on_delete=models.PROTECT, related_name="attempts", verbose_name=_("测验"))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="quiz_attempts", verbose_name=_("作答人")
    )
    number = models.PositiveIntegerField(_("第几次"))
    state = models.CharField(_("状态"), max_length=16, choices=AttemptState.choices, default=AttemptState.IN_PROGRESS)
    started_at = models.DateTimeField(_("开始时间"))
    deadline = models.DateTimeField(_("截止时间"), null=True, blank=True)
    finished_at = models.DateTimeField(_("交卷时间"), null=True, blank=True)
    finished_by_deadline = models.BooleanField(_("超时自动交卷"), default=False)
    score = models.DecimalField(_("得分"), max_digits=8, decimal_places=2, null=True, blank=True)
    max_score = models.DecimalField(_("满分"), max_digits=8, decimal_places=2, default=Decimal("0"))
    passed = models.BooleanField(_("及格"), null=True, blank=True)
    sequence = models.PositiveIntegerField(_("保存次数"), default=0)

    class Meta:
        verbose_name = _("作答记录")
        verbose_name_plural = _("作答记录")
        ordering = ["-started_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["user", "quiz", "number"], name="attempt_unique_number"),
            models.UniqueConstraint(
                fields=["user", "quiz"], condition=Q(state="in_progress"), name="attempt_one_in_progress"
            ),
            models.CheckConstraint(condition=Q(state__in=AttemptState.values), name="attempt_state_valid"),
            models.CheckConstraint(condition=Q(number__gte=1), name="attempt_number_positive"),
            models.CheckConstraint(
                condition=Q(score__isnull=True) | Q(score__gte=0, score__lte=models.F("max_score")),
                name="attempt_score_range",
            ),
            models.CheckConstraint(
                condition=Q(state="in_progress") | Q(finished_at__isnull=False), name="attempt_finished_has_time"
            ),
        ]
        indexes = [models.Index(fields=["state", "deadline"], name="attempt_state_deadline")]

    def __str__(self) -> str:
        return f"{self.quiz} · {self.user} · 第{self.number}次"

    @property
    def percent(self) -> Decimal | None:
        if self.score is None or not self.max_score:
            return None
        return (self.score / self.max_score * 100).quantize(Decimal("0.1"))


class AttemptSlot(models.Model):
    """One question in an attempt: its position, mark, option order, saved answer and score."""

    attempt = models.ForeignKey(Attempt, on_delete=models.CASCADE, related_name="slots", verbose_name=_("作答记录"))
    position = models.PositiveIntegerField(_("题号"))
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="+", verbose_name=_("题目"))
    mark = models.DecimalField(_("分值"), max_digits=6, decimal_places=2)
    choice_order = models.JSONField(_("选项顺序"), default=list, blank=True)
    answer = models.JSONField(_("作答"), null=True, blank=True)
    sequence = models.PositiveIntegerField(_("保存序号"), default=0)
    answered_at = models.DateTimeField(_("作答时间"), null=True, blank=True)
    score = models.DecimalField(_("得分"), max_digits=6, decimal_places=2, null=True, blank=True)
    graded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("批改人"),
    )
    graded_at = models.DateTimeField(_("批改时间"), null=True, blank=True)
    feedback = models.TextField(_("评语"), blank=True)

    class Meta:
        verbose_name = _("答题")
        verbose_name_plural = _("答题")
        ordering = ["attempt", "position"]
        constraints = [
            models.UniqueConstraint(fields=["attempt", "position"], name="attemptslot_unique_position"),
            models.UniqueConstraint(fields=["attempt", "question"], name="attemptslot_unique_question"),
            models.CheckConstraint(
                condition=Q(score__isnull=True) | Q(score__gte=0, score__lte=models.F("mark")),
                name="attemptslot_score_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.attempt} · {self.position}"
