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
        _load_groups(user)
        cache = user._role_names_cache
    return role in cache


def _load_groups(user) -> None:
    """The user's groups, read once per user object (one request): role names and ids (core.access) from one
    query. A change of the user's groups through this object forgets them (accounts/signals.py)."""
    remember_groups(user, list(user.groups.values_list("pk", "name")))


def remember_groups(user, pairs) -> None:
    """Keep the user's groups, (id, name) pairs, on this user object (also filled by accounts.backends)."""
    user._role_names_cache = {name for _pk, name in pairs}
    user._group_ids_cache = frozenset(pk for pk, _name in pairs)


def user_group_ids(user) -> frozenset[int]:
    if not user or not user.is_authenticated:
        return frozenset()
    if getattr(user, "_group_ids_cache", None) is None:
        _load_groups(user)
    return user._group_ids_cache


def user_sees_all_units(user) -> bool:
    return bool(user and user.is_authenticated and (user.is_superuser or user_has_role(user, roles.ADMINISTRATOR)))


def user_manages_all_accounts(user) -> bool:
    """安全管理员 (and superusers) administer every cadre's account and record, whatever the unit."""
    return bool(
        user and user.is_authenticated and (user.is_superuser or user_has_role(user, roles.SECURITY_ADMINISTRATOR))
    )


def org_units_for_accounts(user) -> QuerySet[OrgUnit]:
    """The units whose people's accounts and records this user administers: every unit for 安全管理员,
    a trainer's subtrees, every unit for those who see all (their permissions decide what they may do)."""
    if user_manages_all_accounts(user):
        return OrgUnit.objects.all()
    return org_units_visible_to(user)


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


# ---------------------------------------------------------------- who may write a cadre's unit and rank


def unit_path_in_scope(user, full_path: str) -> bool:
    """Whether a unit named by its full path (existing or not yet created) lies in this user's scope."""
    if user_sees_all_units(user) or user_manages_all_accounts(user):
        return True
    roots = scope_root_units(user).values_list("full_path", flat=True)
    return any(full_path == root or full_path.startswith(root + "/") for root in roots)


def cadre_write_refusal(user, *, profile: CadreProfile | None, unit_path: str, rank: int) -> str | None:
    """The one rule for every door that creates or updates a cadre's unit or rank.

    `user` None is the operator at the command line (the organisation department's own import).
    Administrators may do anything. A trainer may create and update only cadres who are in their
    scope now (`profile`) and stay in it (`unit_path`); a trainer never changes an existing cadre's
    rank (ranks come from the organisation department), and gives a new cadre at most
    settings.ROSTER_TRAINER_MAX_NEW_RANK. Returns the reason (Chinese) or None when allowed.
    """
    from django.conf import settings
    from django.utils.translation import gettext as _

    from accounts.roles import Rank

    if user is None or user_sees_all_units(user) or user_manages_all_accounts(user):
        return None
    if not user_has_role(user, roles.TRAINER):
        return _("您无权修改干部档案。")
    if profile is not None and not can_view_unit(user, profile.org_unit):
        return _("干部 %(no)s 不在您的管理范围内，不能修改。") % {"no": profile.employee_no}
    if not unit_path_in_scope(user, unit_path):
        return _("单位“%(v)s”不在您的管理范围内") % {"v": unit_path}
    if profile is not None and int(rank) != int(profile.rank):
        return _("不能修改干部 %(no)s 的职级（%(old)s → %(new)s）：职级以组织部门花名册为准，请联系系统管理员。") % {
            "no": profile.employee_no,
            "old": Rank(profile.rank).label,
            "new": Rank(rank).label,
        }
    cap = Rank(getattr(settings, "ROSTER_TRAINER_MAX_NEW_RANK", Rank.TOWNSHIP))
    if profile is None and int(rank) > int(cap):
        return _("培训管理员新增干部的职级最高为%(cap)s；更高职级须由组织部门（系统管理员）导入。") % {"cap": cap.label}
    return None


def trainer_ids_covering(*, user_ids=(), unit_ids=()) -> set[int]:
    """Trainers whose scope holds these cadres (or these units): whose dashboards show their pending work."""
    from accounts.models import TrainerScope

    paths = set(OrgUnit.objects.filter(pk__in=list(unit_ids)).values_list("path", flat=True))
    if user_ids:
        paths |= set(CadreProfile.objects.filter(user_id__in=list(user_ids)).values_list("org_unit__path", flat=True))
    if not paths:
        return set()
    steplen = OrgUnit.steplen
    ancestors = {p[:i] for p in paths for i in range(steplen, len(p) + 1, steplen)}
    return set(TrainerScope.objects.filter(org_unit__path__in=ancestors).values_list("user_id", flat=True))


def bump_trainers_of(*, user_ids=(), unit_ids=()) -> None:
    """Invalidate the cached dashboards of the trainers responsible for these cadres or units."""
    from core import cache

    ids = trainer_ids_covering(user_ids=user_ids, unit_ids=unit_ids)
    if ids:
        cache.bump_users(sorted(ids))


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
