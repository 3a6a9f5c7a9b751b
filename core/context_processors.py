from core.navigation import admin_link_shown, nav_items


def navigation(request):
    """The main navigation, built from entries each app registers."""
    return {"main_nav": nav_items(request), "show_admin_link": admin_link_shown(request)}
