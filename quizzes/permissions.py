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


def role_permissions() -> dict[str, list[str]]:
    """For accounts.services.roles_ensure (hook `register_role_permissions`)."""
    return {role: [f"quizzes.{codename}" for codename in codenames] for role, codenames in ROLE_PERMISSIONS.items()}


def grant_role_permissions() -> None:
    """Bring the role groups to their declared permissions (these included)."""
    from accounts.services import roles_ensure

    roles_ensure()
