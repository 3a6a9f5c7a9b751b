from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from accounts import roles, selectors, views
from accounts.viewsets import PeopleViewSetGroup
from core.navigation import DashboardPanel


@hooks.register("register_admin_viewset")
def register_people():
    return PeopleViewSetGroup()


@hooks.register("register_admin_urls")
def roster_urls():
    return [
        path("roster/import/", views.roster_upload, name="accounts_roster_upload"),
        path("roster/import/<int:job_id>/", views.roster_job, name="accounts_roster_job"),
    ]


class RosterMenuItem(MenuItem):
    def is_shown(self, request):
        return request.user.has_perm("accounts.import_roster")


@hooks.register("register_admin_menu_item")
def roster_menu_item():
    return RosterMenuItem(_("导入花名册"), reverse("accounts_roster_upload"), icon_name="upload", order=260)


@hooks.register("register_dashboard_panel")
def profile_panel(request):
    """Name, unit, rank and this year's 学时 against the rank's target."""
    from django.utils import timezone

    from accounts.models import TrainingTargets

    profile = selectors.cadre_profile_for(request.user)
    if profile is None and (
        request.user.is_superuser or any(selectors.user_has_role(request.user, r) for r in roles.ADMIN_ROLES)
    ):
        return None  # staff without a cadre record land on their own work panels instead
    year = timezone.localdate().year
    earned = sum((fn(request.user, year) for fn in hooks.get_hooks("credit_hours_for_year")), 0)
    target = TrainingTargets.load(request_or_site=request).target_for(profile.rank) if profile else None
    percent = min(100, round(float(earned) / float(target) * 100)) if target else 0
    return DashboardPanel(
        template_name="accounts/panels/profile.html",
        context={"profile": profile, "year": year, "earned": earned, "target": target, "percent": percent},
        order=10,
    )


@hooks.register("register_user_listing_buttons")
def second_factor_reset_button(user, request_user):
    """安全管理员: "重置双因素认证" in the admin's user list (the page confirms, audits and resets)."""
    from wagtail.admin.widgets import ListingButton

    from accounts.otp import can_reset_second_factor

    if can_reset_second_factor(request_user, user):
        yield ListingButton(_("重置双因素认证"), reverse("accounts:otp_reset", args=[user.pk]), priority=90)
