from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class QuizzesConfig(AppConfig):
    default = True
    name = "quizzes"
    verbose_name = _("测验")

    def ready(self):
        # The roles' rights on the question bank: quizzes.permissions, applied by accounts.services.roles_ensure
        # after every migrate (hook `register_role_permissions` in wagtail_hooks).

        # The dashboard shows the cadre's attempt in progress (继续答题): starting and grading save the row.
        from core import cache
        from quizzes.models import Attempt, Quiz

        cache.bump_on_save(Attempt, user_field="user_id")
        # ... under the quiz's title, which editors may change (a snippet, not a page).
        cache.bump_on_save(Quiz)
