"""Reads about people and org units. Every report asks `org_units_visible_to` first."""

from functools import reduce
from operator import or_

from django.db.models import Q, QuerySet

from accounts import roles
from accounts.models import CadreProfile, OrgUnit, User


def user_has_role(user, role: str) -> bool:
    if not user or not user.is_authenticated:
        return False
    cache = getattr(user, "_role_names_cache", None)
    if cache is None:
        cache = set(user.groups.values_list("name", flat=True))
        user._role_names_cache = cache
    return role in cache


def user_sees_all_units(user) -> bool:
    return bool(user and user.is_authenticated and (user.is_superuser or user_has_role(user, roles.ADMINISTRATOR)))


def _subtree_q(paths) -> Q:
    return reduce(or_, (Q(path__startswith=p) for p in paths), Q(pk__in=[]))


def scope_root_units(user) -> QuerySet[OrgUnit]:
    """The tops of the subtrees a user is responsible for (every root for administrators)."""
    if user_sees_all_units(user):
        return OrgUnit.get_root_nodes()
    if not user_has_role(user, roles.TRAINER):
        return OrgUnit.objects.none()
    return OrgUnit.objects.filter(pk__in=user.trainer_scopes.values("org_unit")).order_by("path")


def org_units_visible_to(user) -> QuerySet[OrgUnit]:
    """Which org units this user may see in reports: administrators all, trainers their subtrees, others none."""
    if user_sees_all_units(user):
        return OrgUnit.objects.all()
    paths = list(scope_root_units(user).values_list("path", flat=True))
    if not paths:
        return OrgUnit.objects.none()
    return OrgUnit.objects.filter(_subtree_q(paths))


def can_view_unit(user, unit: OrgUnit) -> bool:
    if user_sees_all_units(user):
        return True
    return org_units_visible_to(user).filter(pk=unit.pk).exists()


def cadres_visible_to(user) -> QuerySet[CadreProfile]:
    """Cadre profiles in the units this user may see."""
    return CadreProfile.objects.filter(org_unit__in=org_units_visible_to(user)).select_related("user", "org_unit")


def can_view_cadre(user, cadre_user: User) -> bool:
    """A person may see their own record; trainers those in their scope; administrators everyone."""
    if not user or not user.is_authenticated:
        return False
    if user.pk == cadre_user.pk or user_sees_all_units(user):
        return True
    profile = getattr(cadre_user, "cadre_profile", None)
    return profile is not None and can_view_unit(user, profile.org_unit)


def cadre_profile_for(user) -> CadreProfile | None:
    if not user or not user.is_authenticated:
        return None
    try:
        return CadreProfile.objects.select_related("org_unit").get(user=user)
    except CadreProfile.DoesNotExist:
        return None


def can_manage_cadre_account(user, target: User) -> bool:
    """May `user` reset `target`'s password or unlock it? Holders of accounts.reset_cadre_password
    (培训管理员, 安全管理员), for a cadre — never a staff account, never themselves — in their scope
    (org_units_visible_to; 安全管理员 see every unit)."""
    if not user or not user.is_authenticated or user.pk == target.pk:
        return False
    if not user.has_perm("accounts.reset_cadre_password"):
        return False
    if target.is_superuser or target.is_staff:
        return False
    if set(target.groups.values_list("name", flat=True)) - {roles.CADRE}:
        return False
    profile = getattr(target, "cadre_profile", None)
    if profile is None:
        return False
    if user_has_role(user, roles.SECURITY_ADMINISTRATOR):
        return True
    return org_units_visible_to(user).filter(pk=profile.org_unit_id).exists()


def account_locked(user: User) -> bool:
    """Is this account locked out by django-axes now (from any address)?"""
    from axes.helpers import get_cool_off
    from axes.models import AccessAttempt
    from django.conf import settings
    from django.utils import timezone

    attempts = AccessAttempt.objects.filter(
        username=user.get_username(), failures_since_start__gte=settings.AXES_FAILURE_LIMIT
    )
    cool_off = get_cool_off()
    if cool_off:
        attempts = attempts.filter(attempt_time__gte=timezone.now() - cool_off)
    return attempts.exists()


def accounts_holding_several_administrator_roles() -> list[tuple[str, list[str]]]:
    """(username, role names) of every account holding two or more of the separated administrator roles."""
    from django.contrib.auth.models import Group

    held: dict[str, list[str]] = {}
    pairs = Group.objects.filter(name__in=roles.SEPARATED_ADMINISTRATORS).values_list("user__username", "name")
    for username, name in pairs:
        if username:
            held.setdefault(username, []).append(name)
    return sorted((u, sorted(n)) for u, n in held.items() if len(n) > 1)
