from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "cases"
    verbose_name = _("警示教育案例")

    def ready(self):
        # The roles' rights on the taxonomies: cases.services.case_role_permissions, applied by
        # accounts.services.roles_ensure after every migrate (hook in wagtail_hooks).

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
