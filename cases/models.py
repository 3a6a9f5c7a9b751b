"""Warning-education case studies: the case library page, case pages, their taxonomies and reading records."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from modelcluster.contrib.taggit import ClusterTaggableManager
from modelcluster.fields import ParentalKey, ParentalManyToManyField
from taggit.models import TaggedItemBase
from wagtail.admin.forms import WagtailAdminPageForm
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, MultiFieldPanel
from wagtail.fields import StreamField
from wagtail.models import Orderable, Page
from wagtail.search import index

from accounts.roles import Rank
from cases.blocks import SECTIONS, CaseBodyBlock
from core.access import SignedInPageMixin
from core.conditional import ConditionalPageMixin
from core.page_forms import wants_to_go_live
from core.widgets import FilterableCheckboxSelectMultiple

# ---------------------------------------------------------------- taxonomies


class CaseTerm(models.Model):
    """A term in one of the case taxonomies; editors extend them as snippets."""

    name = models.CharField(_("名称"), max_length=50, unique=True)
    sort_order = models.IntegerField(_("排序"), default=0, help_text=_("数字小的排在前面"))

    panels = [FieldPanel("name"), FieldPanel("sort_order")]

    class Meta:
        abstract = True
        ordering = ["sort_order", "name"]

    def __str__(self) -> str:
        return self.name


class Sector(CaseTerm):
    """领域: the field a case happened in (交通, 教育 …), used to match cases to cadres."""

    class Meta(CaseTerm.Meta):
        verbose_name = _("领域")
        verbose_name_plural = _("领域")
        constraints = [models.CheckConstraint(condition=~Q(name=""), name="sector_name_not_empty")]


class ViolationType(CaseTerm):
    """违纪违法类型 (受贿, 滥用职权 …)."""

    class Meta(CaseTerm.Meta):
        verbose_name = _("违纪违法类型")
        verbose_name_plural = _("违纪违法类型")
        constraints = [models.CheckConstraint(condition=~Q(name=""), name="violationtype_name_not_empty")]


class SupervisionFailure(CaseTerm):
    """监督问题: where supervision of the subject failed (同级监督弱化 …)."""

    class Meta(CaseTerm.Meta):
        verbose_name = _("监督问题")
        verbose_name_plural = _("监督问题")
        constraints = [models.CheckConstraint(condition=~Q(name=""), name="supervisionfailure_name_not_empty")]


class Countermeasure(CaseTerm):
    """对策: the countermeasure a case teaches (强化分权制衡 …)."""

    class Meta(CaseTerm.Meta):
        verbose_name = _("对策")
        verbose_name_plural = _("对策")
        constraints = [models.CheckConstraint(condition=~Q(name=""), name="countermeasure_name_not_empty")]


# ---------------------------------------------------------------- pages


class CaseIndexPage(ConditionalPageMixin, SignedInPageMixin, Page):
    """The case library: lists the cases a signed-in user may see, with filters."""

    intro = models.TextField(_("简介"), blank=True)

    content_panels = [*Page.content_panels, FieldPanel("intro")]
    parent_page_types = ["core.HomePage"]
    subpage_types = ["cases.CaseStudyPage"]

    class Meta:
        verbose_name = _("案例库")
        verbose_name_plural = _("案例库")

    def get_context(self, request, *args, **kwargs):
        from cases.selectors import case_library_html

        context = super().get_context(request, *args, **kwargs)
        context["library_html"] = case_library_html(index=self, request=request)
        return context


class Outcome(models.TextChoices):
    PARTY = "party", _("党纪处分")
    GOVERNMENT = "government", _("政务处分")
    CRIMINAL = "criminal", _("刑事处罚")


class CaseStudyTag(TaggedItemBase):
    content_object = ParentalKey("cases.CaseStudyPage", on_delete=models.CASCADE, related_name="tagged_items")

    class Meta:
        verbose_name = _("案例标签")
        verbose_name_plural = _("案例标签")


class CaseStudyPageForm(WagtailAdminPageForm):
    """Refuses to submit or publish a case until it is anonymised and its required sections are written.

    Drafts (保存草稿) may be incomplete; the check runs when the editor submits, publishes, restarts review
    or a reviewer approves (core.page_forms.wants_to_go_live).
    """

    def clean(self):
        from cases.selectors import case_missing_sections

        cleaned_data = super().clean()
        if not wants_to_go_live(self.data):
            return cleaned_data
        if not cleaned_data.get("is_anonymised"):
            self.add_error(
                "is_anonymised",
                ValidationError(_("提交审核或发布前，请先确认案例已完成脱敏处理（人名、单位等已替换为“某某”）。")),
            )
        if "body" in cleaned_data:  # a body with block errors has already been refused
            missing = case_missing_sections(body=cleaned_data["body"])
            if missing:
                self.add_error(
                    "body",
                    ValidationError(
                        _("提交审核或发布前，正文须写好以下章节：%(sections)s。请添加“章节”并填写内容。"),
                        params={"sections": "、".join(missing)},
                    ),
                )
        return cleaned_data


class CaseStudyPage(ConditionalPageMixin, SignedInPageMixin, Page):
    """A warning-education case study (警示教育案例) in the standard sections, anonymised."""

    summary = models.TextField(_("摘要"), max_length=500)
    year = models.PositiveSmallIntegerField(
        _("案发年份"), validators=[MinValueValidator(1949), MaxValueValidator(2100)], db_index=True
    )
    region = models.CharField(_("地区"), max_length=100, help_text=_("已脱敏的地区，如：某省某县"))
    sector = models.ForeignKey(
        Sector, on_delete=models.PROTECT, null=True, blank=False, related_name="cases", verbose_name=_("领域")
    )
    subject_rank = models.PositiveSmallIntegerField(_("当事人职级"), choices=Rank.choices, db_index=True)
    is_top_leader = models.BooleanField(_("一把手案例"), default=False, help_text=_("当事人是单位主要负责人（一把手）"))
    violation_types = ParentalManyToManyField(
        ViolationType, blank=True, related_name="cases", verbose_name=_("违纪违法类型")
    )
    supervision_failures = ParentalManyToManyField(
        SupervisionFailure, blank=True, related_name="cases", verbose_name=_("监督问题")
    )
    countermeasures = ParentalManyToManyField(Countermeasure, blank=True, related_name="cases", verbose_name=_("对策"))
    outcome = models.CharField(
        _("处理结果"), max_length=20, choices=Outcome.choices, blank=True, help_text=_("所受最重的处理")
    )
    sentence_years = models.DecimalField(
        _("刑期（年）"),
        max_digits=4,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(99)],
        help_text=_("仅刑事处罚时填写，如 10.5 表示十年六个月"),
    )
    tags = ClusterTaggableManager(through=CaseStudyTag, blank=True, verbose_name=_("标签"))
    hero_image = models.ForeignKey(
        "wagtailimages.Image",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("题图"),
    )
    body = StreamField(CaseBodyBlock(), verbose_name=_("正文"), blank=True)
    is_anonymised = models.BooleanField(
        _("已脱敏"), default=False, help_text=_("确认人名、单位等可识别信息已替换为“某某”；提交审核或发布前必须勾选")
    )
    min_rank = models.PositiveSmallIntegerField(
        _("最低可见职级"),
        choices=Rank.choices,
        null=True,
        blank=True,
        help_text=_("留空表示所有登录用户可见；如选县处级，则仅县处级及以上可见"),
    )
    external_id = models.CharField(
        _("外部编号"), max_length=64, unique=True, null=True, blank=True, help_text=_("批量导入时用于识别同一案例")
    )

    base_form_class = CaseStudyPageForm
    parent_page_types = ["cases.CaseIndexPage"]
    subpage_types: list[str] = []

    content_panels = [
        *Page.content_panels,
        FieldPanel("summary"),
        MultiFieldPanel(
            [
                FieldRowPanel([FieldPanel("year"), FieldPanel("region")]),
                FieldRowPanel([FieldPanel("sector"), FieldPanel("subject_rank"), FieldPanel("is_top_leader")]),
                FieldRowPanel([FieldPanel("outcome"), FieldPanel("sentence_years")]),
            ],
            heading=_("基本信息"),
        ),
        MultiFieldPanel(
            [
                FieldPanel("violation_types", widget=FilterableCheckboxSelectMultiple),
                FieldPanel("supervision_failures", widget=FilterableCheckboxSelectMultiple),
                FieldPanel("countermeasures", widget=FilterableCheckboxSelectMultiple),
                FieldPanel("tags"),
            ],
            heading=_("分类"),
        ),
        FieldPanel("hero_image"),
        FieldPanel("body"),
        InlinePanel("attachments", label=_("附件")),
        MultiFieldPanel(
            [FieldPanel("is_anonymised"), FieldPanel("min_rank"), FieldPanel("external_id")],
            heading=_("脱敏与可见范围"),
        ),
    ]

    search_fields = [
        *Page.search_fields,
        index.SearchField("summary"),
        index.SearchField("region"),
        index.SearchField("body"),
        index.FilterField("year"),
        index.FilterField("subject_rank"),
        index.FilterField("is_top_leader"),
        index.FilterField("min_rank"),
        index.FilterField("sector"),
        index.RelatedFields("sector", [index.SearchField("name")]),
        index.RelatedFields("violation_types", [index.SearchField("name")]),
        index.RelatedFields("supervision_failures", [index.SearchField("name")]),
        index.RelatedFields("countermeasures", [index.SearchField("name")]),
        index.RelatedFields("tags", [index.SearchField("name")]),
    ]

    class Meta:
        verbose_name = _("警示教育案例")
        verbose_name_plural = _("警示教育案例")
        constraints = [
            models.CheckConstraint(
                condition=(Q(outcome=Outcome.CRIMINAL) & Q(sentence_years__isnull=False))
                | (~Q(outcome=Outcome.CRIMINAL) & Q(sentence_years__isnull=True)),
                name="casestudy_sentence_only_when_criminal",
            ),
            models.CheckConstraint(condition=Q(subject_rank__in=Rank.values), name="casestudy_subject_rank_valid"),
            models.CheckConstraint(
                condition=Q(min_rank__isnull=True) | Q(min_rank__in=Rank.values), name="casestudy_min_rank_valid"
            ),
            models.CheckConstraint(condition=Q(year__gte=1949) & Q(year__lte=2100), name="casestudy_year_range"),
        ]
        indexes = [
            # The few rank-restricted cases, which every search of a cadre excludes by id
            # (search.selectors.pages_visible_to): read from this index, not the whole table.
            models.Index(fields=["min_rank"], condition=Q(min_rank__isnull=False), name="casestudy_min_rank_idx"),
        ]

    def clean(self):
        super().clean()
        if self.outcome == Outcome.CRIMINAL and self.sentence_years is None:
            raise ValidationError({"sentence_years": _("刑事处罚的案例须填写刑期。")})
        if self.outcome != Outcome.CRIMINAL and self.sentence_years is not None:
            raise ValidationError({"sentence_years": _("只有刑事处罚的案例才填写刑期。")})

    def user_can_view(self, user) -> bool:
        """The case visibility rule (cases.selectors.can_view_case), also applied to the case's documents."""
        from cases.selectors import can_view_case

        return can_view_case(user, self)

    def serve(self, request, *args, **kwargs):
        from cases.selectors import can_view_case

        if request.user.is_authenticated and not can_view_case(request.user, self, request=request):
            raise Http404
        return super().serve(request, *args, **kwargs)

    def get_context(self, request, *args, **kwargs):
        from cases.selectors import case_page_context

        context = super().get_context(request, *args, **kwargs)
        context.update(case_page_context(case=self, request=request))
        return context

    @property
    def sections(self):
        """(key, label, block) for each body section, in order; used for the table of contents."""
        labels = dict(SECTIONS)
        return [
            (block.value["section"], labels.get(block.value["section"], ""), block)
            for block in self.body
            if block.block_type == "section"
        ]


class CaseAttachment(Orderable):
    """A document attached to a case (notice of sanction, judgment excerpt …)."""

    page = ParentalKey(CaseStudyPage, on_delete=models.CASCADE, related_name="attachments")
    document = models.ForeignKey(
        "wagtaildocs.Document", on_delete=models.CASCADE, related_name="+", verbose_name=_("文档")
    )
    title = models.CharField(_("显示名称"), max_length=200, blank=True)

    panels = [FieldPanel("document"), FieldPanel("title")]

    class Meta(Orderable.Meta):
        verbose_name = _("附件")
        verbose_name_plural = _("附件")

    def display_title(self) -> str:
        return self.title or self.document.title


# ---------------------------------------------------------------- reading


class CaseRead(models.Model):
    """That a user opened a case and how long it was on screen in a visible tab."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="case_reads", verbose_name=_("用户")
    )
    case = models.ForeignKey(CaseStudyPage, on_delete=models.CASCADE, related_name="reads", verbose_name=_("案例"))
    first_read_at = models.DateTimeField(_("首次阅读"))
    last_read_at = models.DateTimeField(_("最近阅读"))
    seconds_visible = models.PositiveIntegerField(_("阅读时长（秒）"), default=0)

    class Meta:
        verbose_name = _("案例阅读记录")
        verbose_name_plural = _("案例阅读记录")
        constraints = [
            models.UniqueConstraint(fields=["user", "case"], name="caseread_unique_user_case"),
            models.CheckConstraint(
                condition=Q(last_read_at__gte=models.F("first_read_at")), name="caseread_times_ordered"
            ),
        ]
        indexes = [models.Index(fields=["user", "-last_read_at"], name="caseread_user_recent")]

    def __str__(self) -> str:
        return f"{self.user} · {self.case_id}"

    @property
    def is_read(self) -> bool:
        """Counts as read once the visible time reaches CASE_READ_MIN_SECONDS."""
        return self.seconds_visible >= read_threshold_seconds()


def read_threshold_seconds() -> int:
    return int(getattr(settings, "CASE_READ_MIN_SECONDS", 60))
