from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SearchConfig(AppConfig):
    name = "search"
    # Wagtail's own search app already uses the label "wagtailsearch"; ours must not clash.
    label = "mingjian_search"
    verbose_name = _("站内搜索")
    default_auto_field = "django.db.models.BigAutoField"
