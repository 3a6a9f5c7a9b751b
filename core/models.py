import functools

from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel
from wagtail.fields import RichTextField
from wagtail.models import Page, get_page_models

from core.navigation import dashboard_html


@functools.cache
def _plain_routing() -> bool:
    return all(model.route is Page.route for model in get_page_models() if model is not HomePage)


class HomePage(Page):
    """The site root: a welcome for visitors and each cadre's personal dashboard once signed in."""

    intro = RichTextField(_("欢迎语"), blank=True, features=["bold", "italic", "link"])

    content_panels = [*Page.content_panels, FieldPanel("intro")]
    parent_page_types = ["wagtailcore.Page"]
    max_count = 1

    class Meta:
        verbose_name = _("首页")

    def route(self, request, path_components):
        """Find a page below in one query by its URL path instead of one child lookup per level.

        Only while no page type overrides `route` (then walking the tree is the only correct way);
        anything not found here is left to Wagtail's walk, which raises Http404 the usual way.
        """
        if path_components and _plain_routing():
            url_path = self.url_path + "/".join(path_components) + "/"
            page = Page.objects.filter(
                path__startswith=self.path, depth=self.depth + len(path_components), url_path=url_path
            ).first()
            if page is not None:
                return page.specific.route(request, [])
        return super().route(request, path_components)

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
