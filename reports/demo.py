"""Demo data that makes every report meaningful; runs after learning's demo (INSTALLED_APPS order).

Learning's demo assigns courses to 甲市 and 东山县 and leaves four cadres in every state. This adds
completions spread over the past months across the 甲市 units (so the bars differ and the
progress line climbs), an overdue assignment in 乙市 (so the administrator sees overdue there too)
and one reminder already sent, then rebuilds the counters from the source rows.
"""

import random
from datetime import date, datetime, time, timedelta

from django.utils import timezone

from accounts.models import CadreProfile, OrgUnit, User
from learning import demo as learning_demo
from learning import services as learning_services
from learning.models import CourseAssignment, CoursePage, Enrolment
from reports import counters
from reports.models import Reminder


def _when(rng: random.Random, today: date) -> datetime:
    start = date(today.year, 1, 10)
    span = max(1, (today - start).days - 1)
    day = start + timedelta(days=rng.randrange(span))
    return timezone.make_aware(datetime.combine(day, time(9 + rng.randrange(10), rng.randrange(60))))


def load(*, password: str, stdout=None) -> list[tuple[str, str, str]]:
    today = timezone.localdate()
    year = today.year
    admin = User.objects.filter(username="admin").first()
    courses = {c.slug: c for c in CoursePage.objects.live()}
    required = [c for c in courses.values() if c.kind == "required"]
    yi = OrgUnit.objects.filter(full_path="某省/乙市").first()
    if admin and yi and required and today > date(year, 1, 20):
        course = required[0]
        if not CourseAssignment.objects.filter(course=course, year=year, org_units=yi).exists():
            learning_services.assignment_create(
                by=admin, course=course, org_units=[yi], ranks=None, year=year, due_date=today - timedelta(days=10)
            )
    # Completion rates that differ by unit: each unit gets its own propensity, chosen from the unit's path
    # (not its id, which depends on the order units were created in). 东山县 (trainer_ds's county) keeps
    # learning's demo states as they are: assigned and not started, in progress, overdue.
    protected = {"D0004", "D0005", "D0006", "D0007"}
    kept_as_assigned = "某省/甲市/东山县/"
    propensity: dict[str, float] = {}
    completed = 0
    enrolments = (
        Enrolment.objects.filter(year=year, completed_at__isnull=True, user__cadre_profile__isnull=False)
        .exclude(user__username__in=protected)
        .select_related("user", "course")
        .order_by("user__username", "course_id")
    )
    units = dict(CadreProfile.objects.values_list("user_id", "org_unit__full_path"))
    for enrolment in enrolments:
        unit = units.get(enrolment.user_id) or ""
        if unit.startswith(kept_as_assigned):
            continue
        p = propensity.setdefault(unit, random.Random(unit).choice((0.2, 0.45, 0.6, 0.8)))  # noqa: S311
        # Decided per (cadre, course), so a second run makes the same choices and changes nothing.
        pick = random.Random(f"{enrolment.user.username}:{enrolment.course.slug}")  # noqa: S311
        if pick.random() < p and learning_demo.finish(
            enrolment.user, enrolment.course, _when(pick, today), without_quiz=True
        ):
            completed += 1
    overdue = (
        Enrolment.objects.filter(user__username="D0007", completed_at__isnull=True, due_date__lt=today)
        .select_related("user")
        .first()
    )
    trainer = User.objects.filter(username="trainer_ds").first()
    if overdue and trainer:
        Reminder.objects.get_or_create(
            user=overdue.user,
            course_id=overdue.course_id,
            day=today,
            defaults={"due_date": overdue.due_date, "sent_by": trainer},
        )
    rows = counters.rebuild()
    if stdout:
        stdout.write(f"报表：新完成 {completed} 人次，计数 {rows} 行。")
    return [
        ("培训管理员", "trainer_jia", "甲市：按单位逐级查看、导出 Excel、提醒逾期学员"),
        ("培训管理员", "trainer_ds", "东山县：民主集中制课程有逾期学员；D0007 已收到今天的提醒"),
        ("系统管理员", "sysadmin", "全省报表（乙市有一项已逾期的指派）"),
    ]
