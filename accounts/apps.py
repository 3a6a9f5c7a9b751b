from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _
from wagtail.users.apps import WagtailUsersAppConfig


class AccountsConfig(AppConfig):
    default = True
    name = "accounts"
    verbose_name = _("用户与组织")

    def ready(self):
        from accounts import checks, signals, tokens  # noqa: F401 - checks registers itself

        signals.connect()
        tokens.connect()


class MingjianUsersAppConfig(WagtailUsersAppConfig):
    """Wagtail's user admin with our name field and cadre profile."""

    default = False
    user_viewset = "accounts.viewsets.MingjianUserViewSet"
