from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel
from wagtail.fields import RichTextField
from wagtail.models import Page

from core.conditional import ConditionalPageMixin
from core.navigation import dashboard_html


class HomePage(ConditionalPageMixin, Page):
    """The site root: a welcome for visitors and each cadre's personal dashboard once signed in."""

    intro = RichTextField(_("欢迎语"), blank=True, features=["bold", "italic", "link"])

    content_panels = [*Page.content_panels, FieldPanel("intro")]
    parent_page_types = ["wagtailcore.Page"]
    max_count = 1

    class Meta:
        verbose_name = _("首页")

    def etag_parts(self, request) -> tuple:
        # Signed in, the page shows only the user's name and the dashboard (cached under the generations):
        # no published revision is needed, only what the page row itself shows.
        return (self.pk, self.title, self.seo_title, request.get_full_path())

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        if request.user.is_authenticated:
            context["dashboard"] = dashboard_html(request)
        return context


class StudyClock(models.Model):
    """The one item (a lesson or a case) earning a cadre's study time now (core.study_clock)."""

    user = models.OneToOneField("accounts.User", on_delete=models.CASCADE, related_name="study_clock")
    page = models.ForeignKey("wagtailcore.Page", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    last_beat_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("学习计时")

    def __str__(self):
        return f"{self.user_id} → {self.page_id}"
