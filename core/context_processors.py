from core.navigation import nav_items


def navigation(request):
    """The main navigation, built from entries each app registers."""
    user = getattr(request, "user", None)
    show_admin = bool(user and user.is_authenticated and user.has_perm("wagtailadmin.access_admin"))
    return {"main_nav": nav_items(request), "show_admin_link": show_admin}
