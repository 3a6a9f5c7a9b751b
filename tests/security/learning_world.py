"""The matrix world for learning and reports: courses, assignments, progress, certificates,
reflections, quiz results, exports and reminders, each one for the cadre of unit A and one for
the cadre of unit B, so that every object id can be swapped between the two.

Assignments: trainer_in_scope assigns 指派课程AUTHZ to 某省/甲市 and trainer_out_of_scope to 某省/乙市,
both overdue since yesterday. Both cadres completed 已结业课程AUTHZ (certificate, 学时 ledger row),
wrote a reflection on the lesson (waiting for review) and finished a quiz.
"""

from datetime import timedelta

from django.utils import timezone

from accounts import factories as af
from learning.models import Certificate, CourseKind, CreditLedger, Enrolment, LessonProgress, Reflection
from tests.security.authz import World, build_world

CADRE_REFLECTION = "甲单位心得AUTHZ：对照检查本人在落实中央八项规定精神方面的差距，提出整改措施。"
OTHER_REFLECTION = "乙单位心得AUTHZ：对照检查本人在落实中央八项规定精神方面的差距，提出整改措施。"
CADRE_CASE_REFLECTION = "甲单位以案促改AUTHZ：结合本案例查找本单位在监督制约方面的漏洞并整改。"


def learning_world() -> World:
    from cases.factories import CaseIndexPageFactory, CaseStudyPageFactory
    from learning import factories as lf
    from learning import services as ls
    from quizzes import factories as qf
    from quizzes import services as qs
    from reports import services as rs
    from reports.models import Reminder, ReportExport

    world = build_world()
    users = world.users
    cadre, other = users["cadre"], users["cadre_other_unit"]
    assigned = lf.course(title="指派课程AUTHZ")
    lesson = lf.lesson(course=assigned, title="授权课时AUTHZ")
    draft_lesson = lf.lesson(course=assigned, title="草稿课时AUTHZ", live=False)
    finished = lf.course(title="已结业课程AUTHZ")
    elective = lf.course(title="选修课程AUTHZ", kind=CourseKind.ELECTIVE)

    due = timezone.localdate() - timedelta(days=1)
    root_a, root_b = af.org_unit("某省/甲市"), af.org_unit("某省/乙市")
    assignment_in = ls.assignment_create(
        by=users["trainer_in_scope"], course=assigned, org_units=[root_a], ranks=None, year=due.year, due_date=due
    )
    assignment_out = ls.assignment_create(
        by=users["trainer_out_of_scope"], course=assigned, org_units=[root_b], ranks=None, year=due.year, due_date=due
    )
    for user in (cadre, other):
        ls.course_complete(user=user, course=finished)
    cadre_reflection = ls.reflection_submit(user=cadre, page=lesson, body=CADRE_REFLECTION)
    other_reflection = ls.reflection_submit(user=other, page=lesson, body=OTHER_REFLECTION)

    index = CaseIndexPageFactory(parent=lf.home_page(), slug="authz-learning-cases")
    case = CaseStudyPageFactory(parent=index, slug="authz-learning-case", title="以案促改案例AUTHZ")
    ls.reflection_submit(user=cadre, page=case, body=CADRE_CASE_REFLECTION)

    quiz = qf.quiz(qf.single(stem="学习档案测验题"), title="学习档案测验AUTHZ")
    for user in (cadre, other):
        qs.attempt_submit(attempt=qs.attempt_start(user=user, quiz=quiz))

    exports = {}
    for role, unit in (("trainer_in_scope", root_a), ("trainer_out_of_scope", root_b)):
        export = rs.export_create(user=users[role], view="cadres", params={"unit": unit.pk}, fmt="xlsx")
        exports[role] = ReportExport.objects.get(pk=export.pk)
    # Sent yesterday: today's reminders (POST /reports/remind/) would be new rows.
    reminders = {
        role: Reminder.objects.create(user=users[role], course=assigned, day=due, due_date=due, sent_by=users[trainer])
        for role, trainer in (("cadre", "trainer_in_scope"), ("cadre_other_unit", "trainer_out_of_scope"))
    }

    world.values.update(
        course_index_url=assigned.get_parent().url,
        assigned_course=assigned.pk,
        assigned_course_url=assigned.url,
        lesson=lesson.pk,
        lesson_url=lesson.url,
        draft_lesson=draft_lesson.pk,
        finished_course=finished.pk,
        elective=elective.pk,
        root_a=root_a.pk,
        root_b=root_b.pk,
        year=due.year,
        due=due.isoformat(),
        assignment_in=assignment_in.pk,
        assignment_out=assignment_out.pk,
        cadre_certificate=Certificate.objects.get(user=cadre).code,
        other_certificate=Certificate.objects.get(user=other).code,
        cadre_reflection=cadre_reflection.pk,
        other_reflection=other_reflection.pk,
        cadre_reflection_text=CADRE_REFLECTION,
        other_reflection_text=OTHER_REFLECTION,
        cadre_case_reflection_text=CADRE_CASE_REFLECTION,
        case=case.pk,
        quiz_title=quiz.title,
        export_in=exports["trainer_in_scope"].pk,
        export_out=exports["trainer_out_of_scope"].pk,
        reminder_cadre=reminders["cadre"].pk,
        reminder_other=reminders["cadre_other_unit"].pk,
    )
    world.probes.update(
        # What a request may have changed, per person and object.
        enrolments=lambda: sorted(Enrolment.objects.filter(course=elective).values_list("user_id", flat=True)),
        cadre_progress=lambda: list(LessonProgress.objects.filter(user=cadre).values_list("lesson_id", "time_seconds")),
        cadre_reflections=lambda: sorted(
            Reflection.objects.filter(user=cadre).values_list("page_id", "body", "status", "reviewed_by_id")
        ),
        other_reflections=lambda: sorted(
            Reflection.objects.filter(user=other).values_list("page_id", "body", "status", "reviewed_by_id")
        ),
        assignments=lambda: sorted(Enrolment.objects.filter(course=assigned).values_list("user_id", "assignment_id")),
        assignment_count=lambda: list(assigned.assignments.values_list("pk", "created_by_id").order_by("pk")),
        exports=lambda: list(ReportExport.objects.order_by("pk").values_list("pk", "user_id", "status")),
        reminders=lambda: sorted(Reminder.objects.values_list("user_id", "course_id", "sent_by_id", "seen_at")),
        credits=lambda: sorted(CreditLedger.objects.values_list("user_id", "course_id", "hours")),
    )
    return world
