import functools

from django.contrib.sessions.base_session import AbstractBaseSession
from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel
from wagtail.fields import RichTextField
from wagtail.models import Page, get_page_models

from core import cache, page_cache
from core.navigation import dashboard_html


@functools.cache
def _plain_routing() -> bool:
    return all(model.route is Page.route for model in get_page_models() if model is not HomePage)


def snapshot_for_serving(page: Page) -> Page:
    """The specific page, noting whether it or an ancestor has a privacy setting, for the cache.

    Pages cached for serving (the site root, routes below it) live under the global stamp, which
    every page and privacy setting change bumps (core.cache).
    """
    page = page.specific
    page._unrestricted = not page.get_view_restrictions().exists()
    return page


def served_from_snapshot(page: Page) -> Page:
    """Let Wagtail's privacy check skip its query for a page known to have no restriction."""
    if page.__dict__.get("_unrestricted"):
        # Only Wagtail's serve hook asks a served page; it iterates. (Even an empty QuerySet costs ~100 µs.)
        page.get_view_restrictions = tuple
    return page


class HomePage(Page):
    """The site root: a welcome for visitors and each cadre's personal dashboard once signed in."""

    intro = RichTextField(_("欢迎语"), blank=True, features=["bold", "italic", "link"])

    content_panels = [*Page.content_panels, FieldPanel("intro")]
    parent_page_types = ["wagtailcore.Page"]
    max_count = 1

    class Meta:
        verbose_name = _("首页")

    def route(self, request, path_components):
        """Find a page below by its URL path in one query (cached under the global stamp), not one query per level.

        Only while no page type overrides `route` (then walking the tree is the only correct way);
        anything not found here is left to Wagtail's walk, which raises Http404 the usual way.
        """
        if not path_components:
            served_from_snapshot(self)  # the site root comes from the cache (core.middleware.CachedSiteMiddleware)
        elif _plain_routing():
            url_path = self.url_path + "/".join(path_components) + "/"

            def find():
                page = Page.objects.filter(
                    path__startswith=self.path, depth=self.depth + len(path_components), url_path=url_path
                ).first()
                return None if page is None else snapshot_for_serving(page)

            page = cache.data(("route", self.pk, url_path, cache.request_global_stamp(request)), find)
            if page is not None:
                return served_from_snapshot(page).route(request, [])
        return super().route(request, path_components)

    def serve(self, request, *args, **kwargs):
        return page_cache.serve(request, lambda: super(HomePage, self).serve(request, *args, **kwargs))

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        if request.user.is_authenticated:
            context["dashboard"] = dashboard_html(request)
        return context


class UserSession(AbstractBaseSession):
    """A browser's session: Django's database session plus the user it is signed in as.

    The user column lets the read every request makes fetch the user's cache stamps in the same
    statement (core.sessions), and lets an administrator see or end a user's sessions.
    """

    user_id = models.BigIntegerField(_("用户"), null=True, blank=True, db_index=True)

    class Meta(AbstractBaseSession.Meta):
        verbose_name = _("会话")
        verbose_name_plural = _("会话")

    @classmethod
    def get_session_store_class(cls):
        from core.sessions.db import SessionStore

        return SessionStore


class CacheStamp(models.Model):
    """A version token for cached fragments (see core.cache); bumped in the transaction of each write it covers."""

    key = models.CharField(_("键"), max_length=64, primary_key=True)
    token = models.BigIntegerField(_("版本"))

    class Meta:
        verbose_name = _("缓存版本")
        verbose_name_plural = _("缓存版本")

    def __str__(self) -> str:
        return f"{self.key}={self.token}"


class StudyClock(models.Model):
    """The one item (a lesson or a case) earning a cadre's study time now (core.study_clock)."""

    user = models.OneToOneField("accounts.User", on_delete=models.CASCADE, related_name="study_clock")
    page = models.ForeignKey("wagtailcore.Page", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    last_beat_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("学习计时")

    def __str__(self):
        return f"{self.user_id} → {self.page_id}"
