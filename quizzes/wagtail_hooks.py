from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from core.navigation import DashboardPanel, NavItem
from quizzes import admin_views
from quizzes.viewsets import QuizzesViewSetGroup


@hooks.register("register_admin_viewset")
def register_quiz_admin():
    return QuizzesViewSetGroup()


@hooks.register("register_admin_urls")
def quiz_admin_urls():
    return [
        path("quizzes/import/", admin_views.import_upload, name="quizzes_import"),
        path("quizzes/import/template.xlsx", admin_views.import_template, name="quizzes_import_template"),
        path("quizzes/export/<int:category_id>/<str:fmt>/", admin_views.export_category, name="quizzes_export"),
        path("quizzes/grading/", admin_views.grading_queue, name="quizzes_grading"),
        path("quizzes/grading/<int:slot_id>/", admin_views.grade_slot, name="quizzes_grade"),
        path("quizzes/results/", admin_views.results_index, name="quizzes_results_index"),
        path("quizzes/results/<int:quiz_id>/", admin_views.quiz_results, name="quizzes_results"),
    ]


class PermissionMenuItem(MenuItem):
    def __init__(self, *args, permission: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.permission = permission

    def is_shown(self, request):
        return request.user.has_perm(self.permission)


@hooks.register("register_admin_menu_item")
def import_menu_item():
    return PermissionMenuItem(
        _("导入导出题库"),
        reverse("quizzes_import"),
        icon_name="upload",
        order=231,
        permission="quizzes.import_questions",
    )


@hooks.register("register_admin_menu_item")
def grading_menu_item():
    return PermissionMenuItem(
        _("简答题批改"), reverse("quizzes_grading"), icon_name="edit", order=232, permission="quizzes.grade_attempts"
    )


@hooks.register("register_admin_menu_item")
def results_menu_item():
    return PermissionMenuItem(
        _("测验成绩"), reverse("quizzes_results_index"), icon_name="table", order=233, permission="quizzes.view_results"
    )


@hooks.register("register_site_nav_item")
def quizzes_nav():
    return NavItem(label=_("测验"), url_name="quizzes:index", order=40)


@hooks.register("register_dashboard_panel")
def quiz_in_progress_panel(request):
    """A quiz the cadre started and has not handed in: 继续答题 (starting and finishing bump the user's stamp)."""
    from quizzes import selectors

    if not request.user.is_authenticated:
        return None
    attempts = list(selectors.attempts_in_progress(request.user)[:3])
    if not attempts:
        return None
    return DashboardPanel(template_name="quizzes/panels/in_progress.html", context={"attempts": attempts}, order=15)


@hooks.register("register_role_permissions")
def quiz_role_permissions():
    from quizzes.permissions import role_permissions

    return role_permissions()
