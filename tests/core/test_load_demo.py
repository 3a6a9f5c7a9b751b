import pytest
from django.core.management import call_command

from accounts import roles
from accounts.models import CadreProfile, OrgUnit, TrainerScope, User

pytestmark = pytest.mark.django_db


def test_load_demo_is_complete_and_idempotent(capsys):
    call_command("load_demo", password="Demo-pass-1")
    out = capsys.readouterr().out
    assert "trainer_jia" in out and "Demo-pass-1" in out
    counts = (OrgUnit.objects.count(), CadreProfile.objects.count(), User.objects.count())
    assert counts[0] >= 12 and counts[1] >= 60
    assert max(OrgUnit.objects.values_list("depth", flat=True)) >= 3
    assert CadreProfile.objects.filter(is_principal=True).count() >= 5
    assert len(set(CadreProfile.objects.values_list("rank", flat=True))) >= 3
    for role, n in [(roles.TRAINER, 2), (roles.EDITOR, 2), (roles.REVIEWER, 1), (roles.ADMINISTRATOR, 1)]:
        assert User.objects.filter(groups__name=role).count() == n, role
    scopes = set(TrainerScope.objects.values_list("org_unit__full_path", flat=True))
    assert len(scopes) == 2
    assert User.objects.get(username="trainer_jia").check_password("Demo-pass-1")

    call_command("load_demo", password="Demo-pass-1")
    assert (OrgUnit.objects.count(), CadreProfile.objects.count(), User.objects.count()) == counts
    _assert_completions_have_evidence()


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
