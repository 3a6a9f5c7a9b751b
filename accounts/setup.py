"""Site skeleton: the five role groups with their permissions."""

from accounts.services import roles_ensure


def ensure(*, stdout=None) -> list[str]:
    groups = roles_ensure()
    return [f"角色组：{'、'.join(groups)}"]
