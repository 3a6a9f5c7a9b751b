"""Give the editor, trainer and administrator roles their rights on the question bank and quizzes."""

from accounts import roles

ROLE_PERMISSIONS = {
    roles.EDITOR: [
        "add_questioncategory",
        "change_questioncategory",
        "view_questioncategory",
        "add_question",
        "change_question",
        "delete_question",
        "view_question",
        "add_quiz",
        "change_quiz",
        "view_quiz",
        "import_questions",
    ],
    roles.TRAINER: [
        "view_questioncategory",
        "add_question",
        "change_question",
        "view_question",
        "add_quiz",
        "change_quiz",
        "view_quiz",
        "import_questions",
        "grade_attempts",
        "view_results",
    ],
    roles.ADMINISTRATOR: [
        "add_questioncategory",
        "change_questioncategory",
        "delete_questioncategory",
        "view_questioncategory",
        "add_question",
        "change_question",
        "delete_question",
        "view_question",
        "add_quiz",
        "change_quiz",
        "delete_quiz",
        "view_quiz",
        "import_questions",
        "grade_attempts",
        "view_results",
    ],
}


def grant_role_permissions(sender=None, using=None, **kwargs) -> None:
    from django.apps import apps
    from django.contrib.auth.management import create_permissions
    from django.contrib.auth.models import Group, Permission
    from django.db import DEFAULT_DB_ALIAS

    # Our apps come before django.contrib.auth in INSTALLED_APPS, so this post_migrate handler runs before
    # auth's own: on a fresh database the permissions would not exist yet and no role would get them.
    create_permissions(apps.get_app_config("quizzes"), verbosity=0, using=using or DEFAULT_DB_ALIAS)

    for role, codenames in ROLE_PERMISSIONS.items():
        group = Group.objects.filter(name=role).first()
        if group is None:
            continue
        group.permissions.add(*Permission.objects.filter(content_type__app_label="quizzes", codename__in=codenames))
