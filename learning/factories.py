"""Factories for courses and lessons, used by tests, the benchmark and the demo."""

import uuid
from decimal import Decimal

from django.core.files.base import ContentFile
from wagtail.documents import get_document_model
from wagtail.models import Collection, Locale, Page, Site

from learning.models import CourseIndexPage, CourseKind, CoursePage, LessonPage, Topic


def home_page():
    """The site's HomePage; recreated when a transactional test flushed the database."""
    from core.models import HomePage

    home = HomePage.objects.filter(depth=2).first()
    if home:
        return home
    Locale.objects.get_or_create(language_code="zh-hans")
    root = Page.get_first_root_node() or Page.add_root(title="Root", slug="root")
    home = root.add_child(instance=HomePage(title="明鉴干部教育平台", slug="home"))
    Site.objects.update_or_create(
        is_default_site=True, defaults={"hostname": "localhost", "root_page": home, "site_name": "明鉴"}
    )
    return home


def course_index(*, parent: Page | None = None) -> CourseIndexPage:
    existing = CourseIndexPage.objects.first()
    if existing:
        return existing
    parent = parent or home_page()
    index = CourseIndexPage(title="课程中心", slug="courses")
    parent.add_child(instance=index)
    return index


def video_document(*, title: str = "教学视频", name: str = "lesson.mp4"):
    Document = get_document_model()
    if Collection.get_first_root_node() is None:  # flushed by a transactional test
        Collection.add_root(name="Root")
    return Document.objects.create(title=title, file=ContentFile(b"\x00\x00\x00\x18ftypmp42", name=name))


def course(
    *,
    title: str = "测试课程",
    kind: str = CourseKind.REQUIRED,
    hours: Decimal | str = "2",
    topic: str = "权力观",
    lessons: int = 0,
    minutes: int = 10,
    index: CourseIndexPage | None = None,
    live: bool = True,
    **extra,
) -> CoursePage:
    index = index or course_index()
    page = CoursePage(
        title=title,
        slug=f"course-{uuid.uuid4().hex[:10]}",
        kind=kind,
        credit_hours=Decimal(str(hours)),
        topic=Topic.objects.get_or_create(name=topic)[0],
        introduction="<p>课程简介。</p>",
        live=live,
        **extra,
    )
    index.add_child(instance=page)
    for number in range(1, lessons + 1):
        lesson(course=page, title=f"第{number}课", minutes=minutes)
    return page


def lesson(
    *,
    course: CoursePage,
    title: str = "课时",
    minutes: int = 10,
    video_seconds: int | None = None,
    prompt: str = "结合本职工作谈谈体会。",
    text: str = "<p>正文。</p>",
    live: bool = True,
    case=None,
) -> LessonPage:
    body = [("text", text)]
    if case is not None:
        body.append(("case", {"case": case, "note": "对照本课要点研读本案。"}))
    if video_seconds:
        body.append(("video", {"document": video_document(), "duration_seconds": video_seconds, "caption": ""}))
    body.append(("key_points", {"heading": "学习要点", "points": ["要点一", "要点二"]}))
    if prompt:
        body.append(("reflection_prompt", {"prompt": prompt}))
    page = LessonPage(
        title=title, slug=f"lesson-{uuid.uuid4().hex[:10]}", estimated_minutes=minutes, body=body, live=live
    )
    course.add_child(instance=page)
    if case is not None:
        from learning.services import lesson_case_links_sync

        lesson_case_links_sync(lesson=page)
    return page


def enrol(*, user, course: CoursePage | None = None, lesson: LessonPage | None = None, year: int | None = None):
    """Enrol a cadre (as a self-chosen enrolment) in a course, given directly or by one of its lessons; idempotent.

    Study is credited only to enrolled cadres (learning.selectors.is_enrolled)."""
    from learning.models import Enrolment, EnrolmentSource
    from learning.services import local_year

    if course is None:
        course = CoursePage.objects.get(path=lesson.path[: -LessonPage.steplen])
    return Enrolment.objects.get_or_create(
        user=user,
        course=course,
        year=year or local_year(),
        defaults={"source": EnrolmentSource.SELF},
    )[0]
