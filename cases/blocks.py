"""StreamField blocks for the body of a case study: the standard sections and what goes inside them."""

from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.contrib.table_block.blocks import TableBlock
from wagtail.documents.blocks import DocumentChooserBlock
from wagtail.images.blocks import ImageChooserBlock

# The standard sections of a warning-education case, in reading order. Keys are stable
# identifiers (used as anchors); labels are what readers and editors see.
SECTIONS = [
    ("facts", _("基本案情")),
    ("problems", _("主要问题")),
    ("causes", _("原因剖析")),
    ("lessons", _("警示启示")),
    ("countermeasures", _("对策建议")),
    ("rules", _("相关规定")),
]
SECTION_KEYS = [key for key, _label in SECTIONS]
# A case goes to review (or live) only with these sections written: what happened and what to learn from
# it, without which it is no warning-education case. The others are often merged into these in real
# reports (a Word report without 原因剖析), so they stay optional.
REQUIRED_SECTION_KEYS = ("facts", "lessons")
RICH_TEXT_FEATURES = ["bold", "italic", "ol", "ul", "link", "document-link"]


class RuleQuoteBlock(blocks.StructBlock):
    """A quotation of the rule or law the case touches, with where it comes from."""

    text = blocks.TextBlock(label=_("条文内容"))
    source = blocks.CharBlock(label=_("出处"), max_length=200, help_text=_("如：《中国共产党纪律处分条例》第二十八条"))

    class Meta:
        label = _("规定原文")
        icon = "openquote"
        template = "blocks/rule_quote_block.html"


class KeyPointBlock(blocks.StructBlock):
    """A highlighted key point (警示要点) that readers should remember."""

    title = blocks.CharBlock(label=_("要点标题"), max_length=100, required=False)
    text = blocks.TextBlock(label=_("要点内容"))

    class Meta:
        label = _("要点提示")
        icon = "warning"
        template = "blocks/key_point_block.html"


class CaseImageBlock(blocks.StructBlock):
    """An illustration inside a section, shown in phone and desktop sizes."""

    image = ImageChooserBlock(label=_("图片"))
    caption = blocks.CharBlock(label=_("图注"), max_length=200, required=False)

    class Meta:
        label = _("图片")
        icon = "image"
        template = "blocks/case_image_block.html"


class CaseDocumentBlock(blocks.StructBlock):
    """A link to a document (judgment excerpt, notice, rule text) inside a section."""

    document = DocumentChooserBlock(label=_("文档"))
    title = blocks.CharBlock(label=_("显示名称"), max_length=200, required=False)

    class Meta:
        label = _("文档")
        icon = "doc-full"
        template = "blocks/case_document_block.html"


class SectionContentBlock(blocks.StreamBlock):
    """What a section may contain."""

    paragraph = blocks.RichTextBlock(
        label=_("正文"), features=RICH_TEXT_FEATURES, template="blocks/paragraph_block.html"
    )
    rule_quote = RuleQuoteBlock()
    key_point = KeyPointBlock()
    image = CaseImageBlock()
    document = CaseDocumentBlock()
    table = TableBlock(label=_("表格"), template="blocks/table_block.html")

    class Meta:
        label = _("内容")


class CaseSectionBlock(blocks.StructBlock):
    """One standard section of a case (基本案情, 主要问题 …) with its content."""

    section = blocks.ChoiceBlock(choices=SECTIONS, label=_("章节"))
    content = SectionContentBlock()

    def get_context(self, value, parent_context=None):
        context = super().get_context(value, parent_context=parent_context)
        context["label"] = dict(SECTIONS).get(value["section"], "")
        return context

    class Meta:
        label = _("章节")
        icon = "list-ul"
        template = "blocks/case_section_block.html"


class CaseBodyBlock(blocks.StreamBlock):
    """The body of a case study: a sequence of standard sections."""

    section = CaseSectionBlock()

    class Meta:
        label = _("正文")
