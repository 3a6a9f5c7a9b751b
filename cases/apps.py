from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _ensure_case_permissions(sender, **kwargs):
    from cases.services import case_permissions_ensure

    case_permissions_ensure()


class CasesConfig(AppConfig):
    name = "cases"
    verbose_name = _("警示教育案例")

    def ready(self):
        # After every migrate, like accounts' roles: the permissions exist only then.
        post_migrate.connect(_ensure_case_permissions, dispatch_uid="cases_permissions_ensure")

        # Cached dashboard fragments (core.cache): recommendations leave out cases read and follow the taxonomies.
        from cases.models import CaseRead, Countermeasure, Sector, SupervisionFailure, ViolationType
        from core import cache

        cache.bump_on_save(CaseRead, user_field="user_id")
        for model in (Sector, ViolationType, SupervisionFailure, Countermeasure):
            cache.bump_on_save(model)
        # Editors' and reviewers' dashboard panels list pages by moderation state (returned, waiting).
        from wagtail.models import TaskState, WorkflowState

        cache.bump_on_save(WorkflowState)
        cache.bump_on_save(TaskState)
