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
        # A start draws from the quiz's cached plan and an attempt page shows cached questions
        # (quizzes.selectors.quiz_plan / question_views): any change to the bank bumps `quizbank`.
        from django.db.models.signals import post_delete, post_save

        from quizzes import models, selectors

        def bump_bank(sender, **kwargs):
            cache.bump(selectors.BANK)

        for model in (
            models.Quiz,
            models.QuizQuestion,
            models.QuizRandomDraw,
            models.Question,
            models.Choice,
            models.AcceptedAnswer,
            models.QuestionCategory,
        ):
            cache.REGISTRY.setdefault(model._meta.label_lower, selectors.BANK)
            uid = f"quizzes_bank_{model._meta.model_name}"
            post_save.connect(bump_bank, sender=model, weak=False, dispatch_uid=uid + "_save")
            post_delete.connect(bump_bank, sender=model, weak=False, dispatch_uid=uid + "_delete")
