from django.db.models.signals import post_migrate


def _ensure_roles(sender, using="default", **kwargs):
    from accounts.services import roles_ensure

    roles_ensure()


def connect():
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
