from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import Menu, MenuItem, SubmenuMenuItem
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from accounts import roles
from accounts.selectors import user_has_role
from cases import selectors, views, views_word
from cases.models import Countermeasure, Sector, SupervisionFailure, ViolationType
from core.navigation import DashboardPanel, NavItem


class _TermViewSet(SnippetViewSet):
    list_display = ["name", "sort_order"]
    search_fields = ["name"]
    ordering = ["sort_order", "name"]
    copy_view_enabled = False


class SectorViewSet(_TermViewSet):
    model = Sector
    icon = "site"


class ViolationTypeViewSet(_TermViewSet):
    model = ViolationType
    icon = "warning"


class SupervisionFailureViewSet(_TermViewSet):
    model = SupervisionFailure
    icon = "view"


class CountermeasureViewSet(_TermViewSet):
    model = Countermeasure
    icon = "success"


class CaseTaxonomyGroup(SnippetViewSetGroup):
    menu_label = _("案例分类")
    menu_icon = "tag"
    menu_order = 250
    items = (SectorViewSet, ViolationTypeViewSet, SupervisionFailureViewSet, CountermeasureViewSet)


register_snippet(CaseTaxonomyGroup)


@hooks.register("after_create_page")
def case_library_gets_its_workflow(request, page):
    """A case library added by hand in the admin gets the 案例审核 workflow, as setup_site's does."""
    from cases.models import CaseIndexPage
    from cases.services import case_workflow_ensure

    if isinstance(page.specific, CaseIndexPage):
        case_workflow_ensure(index=page.specific)


@hooks.register("register_admin_urls")
def case_import_urls():
    return [path("cases/import/", views.case_import_upload, name="cases_import_upload")]


class CaseImportMenuItem(MenuItem):
    def is_shown(self, request):
        return views.import_index_for(request.user) is not None


@hooks.register("register_admin_menu_item")
def case_import_menu_item():
    return CaseImportMenuItem(_("导入案例"), reverse("cases_import_upload"), icon_name="upload", order=255)


@hooks.register("register_admin_urls")
def word_import_urls():
    return [
        path("cases/word-import/", views_word.word_import_upload, name="cases_word_import"),
        path("cases/word-import/<str:token>/", views_word.word_import_preview, name="cases_word_import_preview"),
    ]


class WordImportMenuItem(MenuItem):
    def is_shown(self, request):
        return views_word.can_word_import(request.user)


@hooks.register("register_case_library_menu_item")
def word_import_menu_item():
    return WordImportMenuItem(_("从 Word 导入"), reverse("cases_word_import"), icon_name="doc-full", order=10)


@hooks.register("register_admin_menu_item")
def case_library_menu():
    """案例库 in the admin menu: what editors do with the case library beyond the page tree."""
    return SubmenuMenuItem(
        _("案例库"), Menu(register_hook_name="register_case_library_menu_item"), icon_name="doc-full", order=254
    )


@hooks.register("register_site_nav_item")
def case_library_nav():
    return NavItem(label=_("案例库"), url_name="cases:library", order=20, section=selectors.library_path)


@hooks.register("register_dashboard_panel")
def recommended_cases_panel(request):
    """Cases that fit the cadre's own sector and rank (一把手 cases first for principals)."""
    recommended = selectors.cases_recommended_for(request.user)
    if not recommended:
        return None
    return DashboardPanel(
        template_name="cases/panels/recommended.html",
        context={"cases": recommended, "sector": selectors.sector_for_user(request.user)},
        order=30,
    )


@hooks.register("register_dashboard_panel")
def editor_work_panel(request):
    """Editors land on their drafts, the pages review returned to them and those waiting in review."""
    if not user_has_role(request.user, roles.EDITOR):
        return None
    return DashboardPanel(
        template_name="cases/panels/editor_work.html", context=selectors.editor_work(request.user), order=5
    )


@hooks.register("register_dashboard_panel")
def reviewer_work_panel(request):
    """Reviewers land on the cases waiting for their decision."""
    if not (user_has_role(request.user, roles.REVIEWER) or request.user.is_superuser):
        return None
    return DashboardPanel(
        template_name="cases/panels/reviewer_work.html", context=selectors.reviewer_work(request.user), order=6
    )


@hooks.register("register_role_permissions")
def case_role_permissions():
    from cases.services import case_role_permissions

    return case_role_permissions()
