from django.db.models.signals import post_migrate
from django.dispatch import Signal

# Sent by bulk writes of cadres that send no model signals (the roster import's bulk_create and
# bulk_update): cadres_changed(sender=CadreProfile, user_ids=[...]) for cadres created, moved,
# re-ranked or renamed. Learning enrols them, reports recount them, each for the whole set at once.
cadres_changed = Signal()


def _ensure_roles(sender, using="default", **kwargs):
    from accounts.services import roles_ensure

    roles_ensure()


def _guard_separation(sender, instance, action, pk_set, model, reverse, **kwargs):
    """Every way of adding a role (admin forms, services, shell) keeps 三员分立."""
    if action != "pre_add" or not pk_set:
        return
    from django.contrib.auth.models import Group

    from accounts.models import User
    from accounts.services import roles_check_separation

    if reverse:  # group.user_set.add(users)
        for user in User.objects.filter(pk__in=pk_set):
            roles_check_separation([*user.groups.values_list("name", flat=True), instance.name])
    else:
        added = Group.objects.filter(pk__in=pk_set).values_list("name", flat=True)
        roles_check_separation([*instance.groups.values_list("name", flat=True), *added])


def _forget_groups(sender, instance, action, reverse, **kwargs):
    """`user.groups.add(...)`: the groups read earlier through this user object (accounts.selectors) are stale."""
    if action.startswith("post_") and not reverse:
        for name in ("_role_names_cache", "_group_ids_cache"):
            instance.__dict__.pop(name, None)


def connect():
    from django.contrib.auth.signals import user_logged_in
    from django.db.models.signals import m2m_changed

    from accounts.middleware import stamp_sign_in
    from accounts.models import User as _User

    user_logged_in.connect(stamp_sign_in, dispatch_uid="accounts_session_clock")
    from accounts.otp import on_sign_in

    user_logged_in.connect(on_sign_in, dispatch_uid="accounts_otp_sign_in")
    m2m_changed.connect(_guard_separation, sender=_User.groups.through, dispatch_uid="accounts_separation")
    m2m_changed.connect(_forget_groups, sender=_User.groups.through, dispatch_uid="accounts_forget_groups")
    # After every migrate: the permissions the roles need exist only then.
    post_migrate.connect(_ensure_roles, dispatch_uid="accounts_roles_ensure")

    # Cached dashboard fragments (core.cache): who a cadre is, where, and with which roles.
    from django.contrib.auth.models import Group

    from accounts.models import CadreProfile, OrgUnit, TrainingTargets, User
    from core import cache

    cache.bump_on_save(User, user_field="pk")
    cache.bump_on_save(CadreProfile, user_field="user_id")
    cache.bump_on_m2m(User.groups.through, user_side=True)
    cache.bump_on_m2m(User.user_permissions.through, user_side=True)
    cache.bump_on_m2m(Group.permissions.through, user_side=False)
    cache.bump_on_save(OrgUnit)
    cache.bump_on_save(TrainingTargets)
