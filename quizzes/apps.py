from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class QuizzesConfig(AppConfig):
    default = True
    name = "quizzes"
    verbose_name = _("测验")

    def ready(self):
        from quizzes import permissions

        post_migrate.connect(permissions.grant_role_permissions, sender=self)
