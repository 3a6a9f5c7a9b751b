"""Demo courses, assignments and cadres in every learning state. Idempotent."""

import io
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path

from django.utils import timezone
from django.utils.html import escape

from accounts.models import OrgUnit, User
from learning import services
from learning.demo_content import COURSES
from learning.models import (
    CourseAssignment,
    CoursePage,
    LessonPage,
    LessonProgress,
    Reflection,
    Topic,
)
from learning.setup import course_index


def _publish(parent, page):
    parent.add_child(instance=page)
    page.save_revision().publish()
    return page


def _demo_case(spec: dict):
    """The live demo case a lesson references, when the case library has been loaded."""
    if "case" not in spec:
        return None
    from cases.models import CaseStudyPage

    return CaseStudyPage.objects.live().filter(external_id=spec["case"][0]).first()


def _demo_quiz(spec: dict):
    """The demo quiz a course ends with, when the quiz bank has been loaded."""
    if "quiz" not in spec:
        return None
    from quizzes.models import Quiz

    return Quiz.objects.filter(title=spec["quiz"]).first()


def _lesson_body(spec: dict) -> list:
    body = [("text", "".join(f"<p>{escape(p)}</p>" for p in spec["paragraphs"]))]
    case = _demo_case(spec)
    if case is not None:
        body.append(("case", {"case": case, "note": spec["case"][1]}))
    body.append(("key_points", {"heading": "学习要点", "points": spec["points"]}))
    if spec["prompt"]:
        body.append(("reflection_prompt", {"prompt": spec["prompt"]}))
    return body


COVER_COLOURS = [(168, 7, 26), (173, 78, 0), (35, 120, 4), (8, 89, 156), (114, 46, 209), (19, 82, 87)]
FONT_PATHS = ("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc", "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc")


def _cover(*, title: str, topic: str, colour: tuple[int, int, int]):
    """A 960×480 course cover for the demo: a coloured field, plain shapes and, with a CJK font, the topic."""
    from django.core.files.images import ImageFile
    from PIL import Image as PILImage
    from PIL import ImageDraw, ImageFont
    from wagtail.images import get_image_model

    Image = get_image_model()
    name = f"课程封面：{title}"
    existing = Image.objects.filter(title=name).first()
    if existing is not None:
        return existing
    canvas = PILImage.new("RGB", (960, 480), colour)
    draw = ImageDraw.Draw(canvas)
    light = tuple(min(255, c + 70) for c in colour)
    dark = tuple(max(0, c - 45) for c in colour)
    draw.ellipse((620, -180, 1120, 320), fill=light)
    draw.rectangle((0, 390, 960, 480), fill=dark)
    font_path = next((p for p in FONT_PATHS if Path(p).exists()), None)
    if font_path:
        draw.text((60, 150), topic, fill=(255, 255, 255), font=ImageFont.truetype(font_path, 110))
        draw.text((64, 300), "明鉴 · 课程中心", fill=(255, 255, 255), font=ImageFont.truetype(font_path, 40))
    buffer = io.BytesIO()
    canvas.save(buffer, format="PNG")
    image = Image(title=name)
    image.file = ImageFile(io.BytesIO(buffer.getvalue()), name="course-cover.png")
    image.save()
    return image


def _courses() -> dict[str, CoursePage]:
    index = course_index()  # built by setup_site; load_demo runs it first
    courses = {}
    for spec in COURSES:
        course = CoursePage.objects.child_of(index).filter(slug=spec["slug"]).first()
        if course is None:
            course = _publish(
                index,
                CoursePage(
                    title=spec["title"],
                    slug=spec["slug"],
                    topic=Topic.objects.get_or_create(name=spec["topic"])[0],
                    kind=spec["kind"],
                    credit_hours=Decimal(spec["hours"]),
                    target_ranks=spec["ranks"],
                    target_sectors=spec["sectors"],
                    introduction=f"<p>{escape(spec['intro'])}</p>",
                    learning_goals="<ol>" + "".join(f"<li>{escape(g)}</li>" for g in spec["goals"]) + "</ol>",
                ),
            )
        quiz = _demo_quiz(spec)
        changed = False
        if quiz is not None and course.final_quiz_id is None:
            course.final_quiz = quiz
            changed = True
        if course.cover_image_id is None:  # 课程中心 shows covers (also for a demo loaded before covers existed)
            colour = COVER_COLOURS[len(courses) % len(COVER_COLOURS)]
            course.cover_image = _cover(title=spec["title"], topic=spec["topic"], colour=colour)
            changed = True
        if changed:
            course.save_revision().publish()
        for lesson_spec in spec["lessons"]:
            lesson = LessonPage.objects.child_of(course).filter(slug=lesson_spec["slug"]).first()
            if lesson is None:
                _publish(
                    course,
                    LessonPage(
                        title=lesson_spec["title"],
                        slug=lesson_spec["slug"],
                        estimated_minutes=lesson_spec["minutes"],
                        body=_lesson_body(lesson_spec),
                    ),
                )
            elif _demo_case(lesson_spec) is not None and not lesson.case_ids:
                # Loaded before the case library existed: add the case reference now.
                lesson.body = _lesson_body(lesson_spec)
                lesson.save_revision().publish()
        courses[spec["slug"]] = course
    return courses


def _assign(*, by: str, course: CoursePage, path: str, year: int, due: date) -> CourseAssignment:
    trainer = User.objects.get(username=by)
    existing = CourseAssignment.objects.filter(course=course, year=year, created_by=trainer).first()
    if existing:
        services.assignment_sync(assignment=existing)
        return existing
    return services.assignment_create(
        by=trainer, course=course, org_units=[OrgUnit.objects.get(full_path=path)], ranks=None, year=year, due_date=due
    )


def _study(user: User, lesson: LessonPage, *, seconds: int | None = None, when: datetime) -> None:
    """Progress as the heartbeats would have left it (a finished lesson, or `seconds` of a started one)."""
    done = seconds is None
    LessonProgress.objects.update_or_create(
        user=user,
        lesson=lesson,
        defaults={
            "course_id": lesson.get_parent().pk,
            "time_seconds": lesson.required_seconds if done else seconds,
            "completed_at": when if done else None,
        },
    )
    LessonProgress.objects.filter(user=user, lesson=lesson).update(last_seen_at=when)


def finish(user: User, course: CoursePage, when: datetime, *, without_quiz: bool = False):
    """Every lesson studied, then the course completed as the last heartbeat would complete it.

    `without_quiz` completes a course whose final quiz the demo did not take (other apps' demo
    data); returns the enrolment completed now, or None."""
    for lesson in course.lessons():
        _study(user, lesson, when=when)
    if without_quiz:
        return services.course_complete(user=user, course=course, now=when)
    return services.course_completion_evaluate(user=user, course=course, now=when)


def _reflect(user: User, lesson: LessonPage, body: str, *, reviewer: User | None = None, when: datetime) -> None:
    if Reflection.objects.filter(user=user, page=lesson).exists():
        return
    reflection = services.reflection_submit(user=user, page=lesson, body=body, prompt=lesson.reflection_prompt)
    Reflection.objects.filter(pk=reflection.pk).update(submitted_at=when)
    if reviewer:
        services.reflection_review(
            by=reviewer, reflection=reflection, accept=True, comment="联系实际，措施具体，予以通过。"
        )


def load(*, password: str, stdout=None) -> list[tuple[str, str, str]]:
    courses = _courses()
    today = timezone.localdate()
    year = today.year
    year_end = date(year, 12, 31)
    overdue_due = max(today - timedelta(days=14), date(year, 1, 1))

    for slug in ("power-view", "performance-view", "supervision-view"):
        _assign(by="trainer_jia", course=courses[slug], path="某省/甲市", year=year, due=year_end)
    _assign(
        by="trainer_ds", course=courses["democratic-centralism"], path="某省/甲市/东山县", year=year, due=overdue_due
    )

    users = {
        u.username: u for u in User.objects.filter(username__in=["D0004", "D0005", "D0006", "D0007", "trainer_ds"])
    }
    earlier = timezone.make_aware(datetime.combine(today - timedelta(days=20), time(10, 0)))
    recent = timezone.make_aware(datetime.combine(today - timedelta(days=2), time(20, 30)))

    # D0004: completed two required courses and an elective, with certificates; one accepted reflection.
    head = users["D0004"]
    finish(head, courses["power-view"], earlier)
    finish(head, courses["democratic-centralism"], earlier + timedelta(days=3))
    services.enrolment_self_create(user=head, course=courses["eight-point-rules"])
    finish(head, courses["eight-point-rules"], earlier + timedelta(days=5))
    first_power = courses["power-view"].lessons().first()
    _reflect(
        head,
        first_power,
        (
            "学习本课后，我对照检查了近一年签批的事项，发现有两项工程变更是在班子会前由我先表态定的调子。\n"
            "今后我将严格执行末位表态，重大事项一律提交班子会议集体研究，会议纪要记录每位成员的意见。"
        ),
        reviewer=users["trainer_ds"],
        when=earlier,
    )

    # D0005: in progress on 权力观 (one lesson done, the second started) and overdue on 民主集中制.
    deputy = users["D0005"]
    power_lessons = list(courses["power-view"].lessons())
    _study(deputy, power_lessons[0], when=recent - timedelta(hours=1))
    _study(deputy, power_lessons[1], seconds=300, when=recent)
    _reflect(
        deputy,
        power_lessons[0],
        (
            "作为分管财务的副职，我过去习惯把大额支出先向一把手口头汇报，实际上形成了“先定后议”。\n"
            "今后我将坚持按程序提交班子会议研究，并在会上如实发表自己的意见。"
        ),
        when=recent,
    )

    # D0006: assigned, not started. D0007: overdue on 民主集中制 with one lesson done.
    clerk = users["D0007"]
    _study(clerk, courses["democratic-centralism"].lessons().first(), when=earlier)

    _attention_history(users, courses, recent)

    if stdout:
        stdout.write(f"课程：{len(courses)} 门，指派 {CourseAssignment.objects.count()} 项。")
    return [
        ("学员", "D0004", "东山县交通运输局局长：已完成 3 门课程（有证书、学时、已通过的心得体会）"),
        ("学员", "D0005", "东山县交通运输局副职：权力观课程学习中，民主集中制课程已逾期，心得体会待审阅"),
        ("学员", "D0006", "东山县交通运输局科员：已指派、尚未开始（可用“入学导学”约 5 分钟走完一门课程）"),
        ("学员", "D0007", "东山县交通运输局科员：民主集中制课程已逾期（学完 1 课时）"),
    ]


def _attention_history(users: dict, courses: dict, when: datetime) -> None:
    """防挂机: the site's rules (defaults) and a few past attention checks for the trainer reports."""
    from wagtail.models import Site

    from learning.models import AttentionCheck, AttentionOutcome, AttentionRules

    AttentionRules.for_site(Site.objects.get(is_default_site=True))
    lesson = courses["power-view"].lessons().first()
    history = [
        ("D0005", 0, AttentionOutcome.PASSED, 12),
        ("D0005", 1800, AttentionOutcome.LATE, 400),
        ("D0007", 0, AttentionOutcome.LATE, 900),
    ]
    for username, offset, outcome, answered_after in history:
        issued = when + timedelta(seconds=offset)
        AttentionCheck.objects.get_or_create(
            nonce=f"demo-{username}-{offset}",
            defaults={
                "user": users[username],
                "lesson": lesson,
                "answer": 36,
                "choices": [36, 58, 71, 94],
                "issued_at": issued,
                "deadline": issued + timedelta(seconds=60),
                "answered_at": issued + timedelta(seconds=answered_after),
                "outcome": outcome,
            },
        )
