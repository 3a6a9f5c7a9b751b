"""Site skeleton: the question bank permissions of the role groups."""

from quizzes.permissions import grant_role_permissions


def ensure(*, stdout=None) -> list[str]:
    grant_role_permissions()
    return []
