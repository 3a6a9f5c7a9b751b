"""accounts.backends.UserBackend: the session's user arrives with its groups, read in the same query, and
they are as current as the user row (issue 20: one query less on every signed-in request)."""

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts import roles
from accounts.backends import UserBackend
from accounts.factories import TEST_PASSWORD, cadre, staff, trainer
from accounts.selectors import user_group_ids, user_has_role
from accounts.services import user_set_roles

pytestmark = pytest.mark.django_db


def test_get_user_brings_the_groups_in_one_query():
    editor, learner = staff(roles.EDITOR), cadre()
    editor_groups = frozenset(editor.groups.values_list("pk", flat=True))
    learner_groups = frozenset(learner.groups.values_list("pk", flat=True))
    with CaptureQueriesContext(connection) as queries:
        user = UserBackend().get_user(editor.pk)
        assert user_has_role(user, roles.EDITOR) and not user_has_role(user, roles.TRAINER)
        assert user_group_ids(user) == editor_groups
        plain = UserBackend().get_user(learner.pk)
        assert not user_has_role(plain, roles.EDITOR) and user_has_role(plain, roles.CADRE)
        assert user_group_ids(plain) == learner_groups
    assert len(queries.captured_queries) == 2, [q["sql"] for q in queries.captured_queries]


def test_several_groups_and_a_role_change_show_on_the_next_read():
    user = trainer("测试省/测试市")
    user_set_roles(user=user, role_names=[roles.TRAINER, roles.EDITOR])
    assert {roles.TRAINER, roles.EDITOR} <= UserBackend().get_user(user.pk)._role_names_cache
    user_set_roles(user=user, role_names=[roles.EDITOR])
    again = UserBackend().get_user(user.pk)
    assert user_has_role(again, roles.EDITOR) and not user_has_role(again, roles.TRAINER)


def test_inactive_or_missing_users_are_refused():
    user = cadre()
    user.is_active = False
    user.save()
    assert UserBackend().get_user(user.pk) is None
    assert UserBackend().get_user(10**9) is None


def test_a_user_without_groups():
    user = cadre()
    user.groups.clear()
    fresh = UserBackend().get_user(user.pk)
    assert fresh._role_names_cache == set() and user_group_ids(fresh) == frozenset()
    assert Group.objects.exists()


def test_a_signed_in_request_reads_its_groups_with_the_user():
    """Over HTTP, after a real sign-in: no separate query of the user's groups."""
    learner, editor = cadre(), staff(roles.EDITOR)
    for user in (learner, editor):
        client = Client()
        assert client.post(reverse("accounts:login"), {"username": user.username, "password": TEST_PASSWORD}).url
        with CaptureQueriesContext(connection) as queries:
            response = client.get("/api/v1/auth/tokens")
        group_reads = [q["sql"] for q in queries.captured_queries if "auth_group" in q["sql"]]
        assert len(group_reads) == 1 and '"accounts_user"."id"' in group_reads[0], group_reads
        assert response.status_code == 200


@override_settings(OTP_REQUIRED_FOR_STAFF=True)
def test_staff_are_still_told_apart_from_cadres():
    """The second-factor gate asks the groups read with the user: an editor without a device must enrol one."""
    for user, status in ((cadre(), 200), (staff(roles.EDITOR), 403)):
        client = Client()
        assert client.post(reverse("accounts:login"), {"username": user.username, "password": TEST_PASSWORD}).url
        response = client.get("/api/v1/auth/tokens")
        assert response.status_code == status
        if status == 403:
            assert response.json()["code"] == "otp_enrol_required"


def test_a_malformed_session_user_id_is_nobody():
    assert UserBackend().get_user("not-a-number") is None
    assert UserBackend().get_user(str(cadre().pk)) is not None  # sessions keep the id as text
