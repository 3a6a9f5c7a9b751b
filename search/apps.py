from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _

# Roles (group names from accounts.roles) that maintain the synonym list.
SYNONYM_EDITOR_ROLES = ("编辑", "审核", "系统管理员")
SYNONYM_PERMISSIONS = ("add_synonym", "change_synonym", "delete_synonym", "view_synonym")


def _grant_synonym_permissions(sender, using="default", **kwargs):
    """After every migrate: editors, reviewers and administrators may maintain synonyms."""
    from django.contrib.auth.models import Group, Permission

    perms = list(
        Permission.objects.using(using).filter(
            content_type__app_label="mingjian_search", codename__in=SYNONYM_PERMISSIONS
        )
    )
    if not perms:
        return
    for group in Group.objects.using(using).filter(name__in=SYNONYM_EDITOR_ROLES):
        group.permissions.add(*perms)


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

        post_migrate.connect(_grant_synonym_permissions, dispatch_uid="search_grant_synonym_permissions")
        page_published.connect(_index_on_publish, dispatch_uid="search_index_on_publish")

        # Cached synonym groups (search.selectors.synonym_map).
        from core import cache
        from search.models import Synonym
        from search.selectors import SYNONYMS

        cache.bump_on_save(Synonym, name=SYNONYMS)
