from django.utils.translation import gettext_lazy as _
from wagtail import hooks

from core.navigation import DashboardPanel, NavItem
from reports import selectors


@hooks.register("register_site_nav_item")
def reports_nav():
    return NavItem(
        label=_("培训报表"),
        url_name="reports:index",
        order=80,
        show=lambda request: selectors.is_report_user(request.user),
    )


@hooks.register("register_dashboard_panel")
def reminder_notices_panel(request):
    """Reminders from trainers about overdue courses still open, until the cadre dismisses them."""
    if not request.user.is_authenticated:
        return None
    notices = list(selectors.notices_for(user=request.user).filter(seen_at__isnull=True)[:10])
    if not notices:
        return None
    return DashboardPanel(template_name="reports/panels/notices.html", context={"notices": notices}, order=5)


@hooks.register("register_dashboard_panel")
def trainer_work_panel(request):
    """Trainers land on their scope's overdue courses and the reflections and essays waiting for them.

    The figures change with counter refreshes, reflections and essay grading, each of which bumps the
    responsible trainers' cache stamps (accounts.selectors.bump_trainers_of)."""
    from accounts import roles
    from accounts.selectors import user_has_role

    if not user_has_role(request.user, roles.TRAINER):
        return None
    return DashboardPanel(
        template_name="reports/panels/trainer_work.html", context=selectors.trainer_work(user=request.user), order=5
    )
