"""Audit entries for events other code announces: sign-in and sign-out (Django auth, django-axes),
role, permission and scope changes, Wagtail's page log (workflow and publishing), settings saves."""

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db.models.signals import m2m_changed, post_delete, post_save

from audit.models import Action, Result

PAGE_ACTIONS = {
    "wagtail.workflow.start": Action.CASE_SUBMIT,
    "wagtail.workflow.approve": Action.CASE_APPROVE,
    "wagtail.workflow.reject": Action.CASE_REJECT,
    "wagtail.publish": Action.CASE_PUBLISH,
    "wagtail.unpublish": Action.CASE_UNPUBLISH,
}


def _record(**kwargs):
    from audit.services import audit_record

    audit_record(**kwargs)


def _logged_in(sender, request, user, **kwargs):
    _record(action=Action.LOGIN_SUCCESS, request=request, actor=user, target=user)


def _logged_out(sender, request, user, **kwargs):
    if user is not None:
        _record(action=Action.LOGOUT, request=request, actor=user, target=user)


def _login_failed(sender, credentials, request=None, **kwargs):
    username = (credentials or {}).get("username", "") or ""
    if request is not None and getattr(request, "axes_locked_out", False):
        return  # recorded once as a lockout
    _record(
        action=Action.LOGIN_FAILURE,
        request=request,
        actor_username=str(username),
        object_repr=str(username),
        result=Result.FAILURE,
    )


def _locked_out(sender, request, username, ip_address, **kwargs):
    _record(
        action=Action.LOCKOUT,
        request=request,
        actor_username=str(username or ""),
        object_repr=str(username or ""),
        result=Result.FAILURE,
        detail={"ip_address": ip_address},
    )


def _groups_changed(sender, instance, action, pk_set, model, reverse, **kwargs):
    from django.contrib.auth import get_user_model

    if action not in ("post_add", "post_remove", "post_clear"):
        return
    User = get_user_model()
    if reverse:  # group.user_set changed: one entry per user
        users = list(User.objects.filter(pk__in=pk_set or []))
        names = [instance.name]
    else:
        users = [instance]
        names = sorted(model.objects.filter(pk__in=pk_set or []).values_list("name", flat=True))
    for user in users:
        _record(
            action=Action.ROLE_CHANGE,
            target=user,
            detail={"change": action[5:], "roles": names, "now": sorted(user.groups.values_list("name", flat=True))},
        )


def _permissions_changed(sender, instance, action, pk_set, model, reverse, **kwargs):
    if action not in ("post_add", "post_remove", "post_clear") or reverse:
        return
    codenames = sorted(model.objects.filter(pk__in=pk_set or []).values_list("codename", flat=True))
    _record(action=Action.PERMISSION_CHANGE, target=instance, detail={"change": action[5:], "permissions": codenames})


def _group_permissions_changed(sender, instance, action, pk_set, model, reverse, **kwargs):
    if action not in ("post_add", "post_remove", "post_clear") or reverse:
        return
    from audit.context import current_request

    if current_request() is None:
        # The role definitions in code (accounts.services.roles_ensure, run after every migrate), not a
        # person's change; a grant in the admin always has a request. (Rows written during migrate would
        # also land in the test database's serialized copy, which the append-only table cannot reload.)
        return
    codenames = sorted(model.objects.filter(pk__in=pk_set or []).values_list("codename", flat=True))
    _record(
        action=Action.PERMISSION_CHANGE,
        object_type="auth.group",
        object_id=instance.pk,
        object_repr=instance.name,
        detail={"change": action[5:], "permissions": codenames},
    )


def _scope_saved(sender, instance, created, **kwargs):
    _record(
        action=Action.SCOPE_CHANGE,
        target=instance.user,
        unit_path=instance.org_unit.full_path,
        detail={"change": "add" if created else "change", "unit": instance.org_unit.full_path},
    )


def _scope_deleted(sender, instance, **kwargs):
    from accounts.models import OrgUnit

    unit = OrgUnit.objects.filter(pk=instance.org_unit_id).values_list("full_path", flat=True).first() or ""
    _record(
        action=Action.SCOPE_CHANGE,
        object_type="accounts.user",
        object_id=instance.user_id,
        object_repr=str(instance.user_id),
        unit_path=unit,
        detail={"change": "remove", "unit": unit},
    )


def _page_logged(sender, instance, created, **kwargs):
    action = PAGE_ACTIONS.get(instance.action)
    if not created or action is None:
        return
    _record(
        action=action,
        actor=instance.user,
        object_type="wagtailcore.page",
        object_id=instance.page_id,
        object_repr=instance.label,
        detail={"wagtail_action": instance.action},
    )


def _setting_saved(sender, instance, created, **kwargs):
    from wagtail.contrib.settings.models import BaseGenericSetting, BaseSiteSetting

    if not issubclass(sender, (BaseGenericSetting, BaseSiteSetting)):
        return
    from audit.context import current_request

    if current_request() is None:
        return  # created by a migration or command (`load()` on first use), not changed by a person
    _record(action=Action.SETTINGS_CHANGE, target=instance, object_repr=str(sender._meta.verbose_name))


def _site_saved(sender, instance, created, **kwargs):
    """The site structure's entry points (host name, root page, default site) are settings too."""
    from audit.context import current_request

    if current_request() is None:
        return  # created by a migration or setup_site, not changed by a person
    _record(
        action=Action.SETTINGS_CHANGE,
        target=instance,
        object_repr=f"{instance.site_name or instance.hostname}",
        detail={"change": "add" if created else "change"},
    )


def connect():
    from axes.signals import user_locked_out
    from django.contrib.auth import get_user_model
    from wagtail.models import PageLogEntry

    from accounts.models import TrainerScope

    User = get_user_model()
    user_logged_in.connect(_logged_in, dispatch_uid="audit_logged_in")
    user_logged_out.connect(_logged_out, dispatch_uid="audit_logged_out")
    user_login_failed.connect(_login_failed, dispatch_uid="audit_login_failed")
    user_locked_out.connect(_locked_out, dispatch_uid="audit_locked_out")
    m2m_changed.connect(_groups_changed, sender=User.groups.through, dispatch_uid="audit_groups")
    m2m_changed.connect(_permissions_changed, sender=User.user_permissions.through, dispatch_uid="audit_perms")
    from django.contrib.auth.models import Group

    m2m_changed.connect(_group_permissions_changed, sender=Group.permissions.through, dispatch_uid="audit_group_perms")
    post_save.connect(_scope_saved, sender=TrainerScope, dispatch_uid="audit_scope_saved")
    post_delete.connect(_scope_deleted, sender=TrainerScope, dispatch_uid="audit_scope_deleted")
    post_save.connect(_page_logged, sender=PageLogEntry, dispatch_uid="audit_page_log")
    post_save.connect(_setting_saved, dispatch_uid="audit_settings")
    from wagtail.models import Site

    post_save.connect(_site_saved, sender=Site, dispatch_uid="audit_site_saved")
