"""StreamField blocks for lessons."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.blocks import StructBlockValidationError
from wagtail.contrib.table_block.blocks import TableBlock
from wagtail.documents.blocks import DocumentChooserBlock
from wagtail.images.blocks import ImageChooserBlock

VIDEO_EXTENSIONS = ("mp4", "webm")


class ImageBlock(blocks.StructBlock):
    """An illustration with an optional caption."""

    image = ImageChooserBlock(label=_("图片"))
    caption = blocks.CharBlock(label=_("图注"), required=False, max_length=200)

    class Meta:
        icon = "image"
        label = _("图片")
        template = "blocks/lesson_image_block.html"


def video_rules() -> dict:
    """The playback rules the server enforces (settings.LEARNING), for the player and its note."""
    from django.conf import settings

    rules = settings.LEARNING
    return {
        "max_rate": float(rules.get("VIDEO_MAX_PLAYBACK_RATE", 1)),
        "seek_ahead": bool(rules.get("VIDEO_ALLOW_SEEK_AHEAD", False)),
        "tolerance": float(rules.get("VIDEO_SEEK_TOLERANCE_SECONDS", 5)),
    }


class VideoBlock(blocks.StructBlock):
    """A self-hosted video (an mp4 or webm document) whose played ranges count towards completion."""

    document = DocumentChooserBlock(label=_("视频文件"), help_text=_("在文档库上传 mp4 或 webm 文件后选择"))
    duration_seconds = blocks.IntegerBlock(
        label=_("时长（秒）"), min_value=1, help_text=_("视频实际时长；学员须观看其中规定比例才算学完")
    )
    caption = blocks.CharBlock(label=_("说明"), required=False, max_length=200)

    class Meta:
        icon = "media"
        label = _("视频")
        template = "blocks/lesson_video_block.html"

    def get_context(self, value, parent_context=None):
        context = super().get_context(value, parent_context=parent_context)
        context["video_rules"] = video_rules()
        return context

    def clean(self, value):
        value = super().clean(value)
        document = value.get("document")
        if document and document.file_extension.lower() not in VIDEO_EXTENSIONS:
            raise StructBlockValidationError(
                block_errors={"document": ValidationError(_("视频只支持 mp4 或 webm 格式。"))}
            )
        return value


class KeyPointsBlock(blocks.StructBlock):
    """The points a cadre should take away from this part of the lesson."""

    heading = blocks.CharBlock(label=_("标题"), default=_("学习要点"), max_length=50)
    points = blocks.ListBlock(blocks.CharBlock(label=_("要点"), max_length=300), label=_("要点"), min_num=1)

    class Meta:
        icon = "list-ul"
        label = _("学习要点")
        template = "blocks/key_points_block.html"


class ReflectionPromptBlock(blocks.StructBlock):
    """A question that invites the cadre to write a reflection (心得体会) at the end of the lesson."""

    prompt = blocks.TextBlock(label=_("思考题"), max_length=500)

    class Meta:
        icon = "help"
        label = _("心得体会思考题")
        template = "blocks/reflection_prompt_block.html"


class CaseReferenceBlock(blocks.StructBlock):
    """A warning-education case from the case library, studied as part of the lesson."""

    case = blocks.PageChooserBlock(label=_("案例"), page_type="cases.CaseStudyPage")
    note = blocks.TextBlock(
        label=_("研读提示"), required=False, max_length=500, help_text=_("提示学员结合本课重点研读什么")
    )

    class Meta:
        icon = "warning"
        label = _("引用案例")
        template = "blocks/case_reference_block.html"

    def get_context(self, value, parent_context=None):
        from cases.selectors import can_view_case

        context = super().get_context(value, parent_context=parent_context)
        request = (parent_context or {}).get("request")
        case = value.get("case")
        context["case"] = case
        context["visible"] = bool(case and request and can_view_case(request.user, case))
        return context


class LessonStreamBlock(blocks.StreamBlock):
    """The body of a lesson."""

    text = blocks.RichTextBlock(
        label=_("正文"), features=["h2", "h3", "bold", "italic", "ol", "ul", "link", "blockquote"]
    )
    image = ImageBlock()
    video = VideoBlock()
    case = CaseReferenceBlock()
    key_points = KeyPointsBlock()
    reflection_prompt = ReflectionPromptBlock()
    table = TableBlock(label=_("表格"), template="blocks/table_block.html")
