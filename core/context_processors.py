from django.utils.functional import SimpleLazyObject

from core.navigation import admin_link_shown, nav_items


def navigation(request):
    """The main navigation, built from entries each app registers; computed only if the template shows it
    (a page without the site header, such as the quiz attempt page, costs nothing)."""
    return {
        "main_nav": SimpleLazyObject(lambda: nav_items(request)),
        "show_admin_link": SimpleLazyObject(lambda: admin_link_shown(request)),
    }
