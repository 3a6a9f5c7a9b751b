from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

# Roles (group names from accounts.roles) that maintain the synonym list.
SYNONYM_EDITOR_ROLES = ("编辑", "审核", "系统管理员")
SYNONYM_PERMISSIONS = ("add_synonym", "change_synonym", "delete_synonym", "view_synonym")


def synonym_role_permissions() -> dict[str, list[str]]:
    """Editors, reviewers and administrators maintain synonyms (applied by accounts.services.roles_ensure
    after every migrate, through the hook `register_role_permissions` in wagtail_hooks)."""
    return {role: [f"mingjian_search.{codename}" for codename in SYNONYM_PERMISSIONS] for role in SYNONYM_EDITOR_ROLES}


def _index_on_publish(sender, instance, **kwargs):
    """Index a page the moment it is published, so searches find it without waiting for a task worker."""
    from wagtail.search import index

    index.insert_or_update_object(instance.specific)


class SearchConfig(AppConfig):
    name = "search"
    # Wagtail's own search app already uses the label "wagtailsearch"; ours must not clash.
    label = "mingjian_search"
    verbose_name = _("站内搜索")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from wagtail.signals import page_published

        page_published.connect(_index_on_publish, dispatch_uid="search_index_on_publish")

        # Cached synonym groups (search.selectors.synonym_map).
        from core import cache
        from search.models import Synonym
        from search.selectors import SYNONYMS

        cache.bump_on_save(Synonym, name=SYNONYMS)
