from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from audit import selectors
from core.navigation import NavItem


@hooks.register("register_site_nav_item")
def audit_nav():
    return NavItem(
        label=_("审计日志"),
        url_name="audit:log",
        order=95,
        show=lambda request: selectors.can_view_audit_log(request.user),
    )


class AuditMenuItem(MenuItem):
    def is_shown(self, request):
        return selectors.can_view_audit_log(request.user)


@hooks.register("register_admin_menu_item")
def audit_admin_menu():
    return AuditMenuItem(_("审计日志"), "/audit/", icon_name="list-ul", order=9000)
