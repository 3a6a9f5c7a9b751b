from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel
from wagtail.fields import RichTextField
from wagtail.models import Page

from core.navigation import dashboard_html


class HomePage(Page):
    """The site root: a welcome for visitors and each cadre's personal dashboard once signed in."""

    intro = RichTextField(_("欢迎语"), blank=True, features=["bold", "italic", "link"])

    content_panels = [*Page.content_panels, FieldPanel("intro")]
    parent_page_types = ["wagtailcore.Page"]
    max_count = 1

    class Meta:
        verbose_name = _("首页")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        if request.user.is_authenticated:
            context["dashboard"] = dashboard_html(request)
        return context


class CacheStamp(models.Model):
    """A version token for cached fragments (see core.cache); bumped in the transaction of each write it covers."""

    key = models.CharField(_("键"), max_length=64, primary_key=True)
    token = models.BigIntegerField(_("版本"))

    class Meta:
        verbose_name = _("缓存版本")
        verbose_name_plural = _("缓存版本")

    def __str__(self) -> str:
        return f"{self.key}={self.token}"
