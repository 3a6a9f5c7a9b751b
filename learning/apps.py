from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LearningConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "learning"
    verbose_name = _("课程学习")

    def ready(self):
        from learning import checks, signals  # noqa: F401 (checks register themselves)

        signals.connect()
