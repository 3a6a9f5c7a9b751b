from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from core.navigation import NavItem
from search.models import Synonym


class SynonymViewSet(SnippetViewSet):
    """Editors extend the synonym list here; searches use it at once."""

    model = Synonym
    icon = "search"
    menu_label = _("搜索同义词")
    menu_order = 290
    add_to_admin_menu = True
    list_display = ["__str__", "note", "updated_at"]
    search_fields = ["terms", "note"]


register_snippet(SynonymViewSet)


@hooks.register("register_site_nav_item")
def search_nav_item():
    return NavItem(label=_("搜索"), url_name="search:search", order=90)


@hooks.register("register_role_permissions")
def synonym_role_permissions():
    from search.apps import synonym_role_permissions

    return synonym_role_permissions()
