import pytest
from django.core.management import call_command

from accounts import roles
from accounts.models import CadreProfile, OrgUnit, TrainerScope, User

pytestmark = pytest.mark.django_db


def test_load_demo_is_complete_and_idempotent(capsys, client):
    call_command("load_demo", password="Demo-pass-1")
    out = capsys.readouterr().out
    assert "trainer_jia" in out and "Demo-pass-1" in out
    counts = (OrgUnit.objects.count(), CadreProfile.objects.count(), User.objects.count())
    assert counts[0] >= 12 and counts[1] >= 60
    assert max(OrgUnit.objects.values_list("depth", flat=True)) >= 3
    assert CadreProfile.objects.filter(is_principal=True).count() >= 5
    assert len(set(CadreProfile.objects.values_list("rank", flat=True))) >= 3
    roles_and_counts = [
        (roles.TRAINER, 2),
        (roles.EDITOR, 2),
        (roles.REVIEWER, 1),
        (roles.ADMINISTRATOR, 2),  # sysadmin, and admin: a superuser for development only
        (roles.SECURITY_ADMINISTRATOR, 1),
        (roles.AUDIT_ADMINISTRATOR, 1),
    ]
    for role, n in roles_and_counts:
        assert User.objects.filter(groups__name=role).count() == n, role
    _assert_three_administrators_work_without_a_superuser(client)
    scopes = set(TrainerScope.objects.values_list("org_unit__full_path", flat=True))
    assert len(scopes) == 2
    assert User.objects.get(username="trainer_jia").check_password("Demo-pass-1")

    call_command("load_demo", password="Demo-pass-1")
    assert (OrgUnit.objects.count(), CadreProfile.objects.count(), User.objects.count()) == counts
    _assert_completions_have_evidence()


def _assert_three_administrators_work_without_a_superuser(client):
    """三员分立: each demo administrator is a role account (not a superuser) that reaches its own admin
    screens and not the others'."""
    screens = {
        "sysadmin": ["/admin/sites/", "/admin/pages/", "/admin/workflows/list/"],
        "secadmin": ["/admin/users/", "/admin/cadres/", "/admin/roster/import/", "/admin/trainer_scopes/"],
        "auditor": ["/audit/"],
    }
    for username, urls in screens.items():
        user = User.objects.get(username=username)
        assert not user.is_superuser, username
        client.force_login(user)
        for url in urls:
            assert client.get(url).status_code == 200, (username, url)
        for other, other_urls in screens.items():
            if other != username:
                for url in other_urls[:2]:
                    if url != "/admin/pages/":
                        assert client.get(url).status_code in (302, 403), (username, url)


def _assert_completions_have_evidence():
    """Every completed course in the demo shows all its lessons done, as a real completion would."""
    from learning.models import Enrolment, LessonPage, LessonProgress

    completed = Enrolment.objects.filter(completed_at__isnull=False).select_related("course")
    assert completed.count() > 10
    lessons: dict[int, set[int]] = {}
    for lesson in LessonPage.objects.live().values("pk", "path"):
        lessons.setdefault(lesson["path"][:-4], set()).add(lesson["pk"])
    for enrolment in completed:
        needed = lessons.get(enrolment.course.path, set())
        done = set(
            LessonProgress.objects.filter(
                user_id=enrolment.user_id, lesson_id__in=needed, completed_at__isnull=False
            ).values_list("lesson_id", flat=True)
        )
        assert done == needed, (enrolment.user.username, enrolment.course.slug)
