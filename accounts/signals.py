from django.db.models.signals import post_migrate


def _ensure_roles(sender, using="default", **kwargs):
    from accounts.services import roles_ensure

    roles_ensure()


def connect():
    # After every migrate: the permissions the roles need exist only then.
    post_migrate.connect(_ensure_roles, dispatch_uid="accounts_roles_ensure")
