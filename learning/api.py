"""Lesson heartbeats: the only way progress is recorded."""

from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Router, Schema
from ninja.errors import HttpError
from pydantic import Field

from accounts import selectors as account_selectors
from core import access
from learning import attention, services
from learning.models import Certificate, LessonPage, LessonProgress

router = Router(tags=["学习"])


class ActivityIn(Schema):
    # Seconds since the page last saw a key, pointer, wheel, scroll or touch event (the load counts).
    input_age: float | None = Field(default=None, ge=0, le=10**7)
    # A video is playing with sound at 1x (checked against the position the beat reports).
    video: bool = False


class HeartbeatIn(Schema):
    # Video block id → played ranges [[start, end], ...] in seconds, from HTMLMediaElement.played.
    videos: dict[str, list[list[float]]] = Field(default_factory=dict, max_length=20)
    position: float | None = Field(default=None, ge=0)
    pause: bool = False
    activity: ActivityIn | None = None


class AttentionPromptOut(Schema):
    nonce: str
    number: int
    choices: list[int]
    seconds_left: int
    answer_seconds: int
    answer_url: str


class HeartbeatOut(Schema):
    counting: bool
    reason: str
    credited_seconds: int
    time_seconds: int
    required_seconds: int
    watched_seconds: int
    video_position: float  # where the first video was left (the page resumes there on the first answer)
    video_required_seconds: int
    lesson_completed: bool
    course_completed: bool  # the course is complete (now or earlier) and its certificate issued
    certificate_url: str | None = None
    attention: AttentionPromptOut | None = None  # answer it before beats earn again


@router.post(
    "/lessons/{lesson_id}/heartbeat",
    response=HeartbeatOut,
    url_name="lesson_heartbeat",
    summary="课时学习心跳（仅在页面可见时发送；服务器按实际间隔计时）",
)
def heartbeat(request, lesson_id: int, payload: HeartbeatIn):
    from learning import selectors

    lesson = selectors.lesson_for_beat(user=request.user, lesson_id=lesson_id)
    if lesson is None or not access.page_visible_to(request.user, lesson, request=request):
        raise HttpError(404, _("课时不存在或尚未发布。"))
    if not lesson.beat_cadre:
        raise HttpError(403, _("只有干部学员的学习记录计入学时。"))
    try:
        result = services.lesson_heartbeat(
            user=request.user,
            lesson=lesson,
            enrolled=lesson.beat_enrolled,
            videos=payload.videos,
            position=payload.position,
            pause=payload.pause,
            activity=payload.activity.dict() if payload.activity else None,
        )
    except services.NotEnrolled as exc:
        raise HttpError(403, str(exc)) from exc
    progress = result.progress
    certificate = None
    if progress.completed_at is not None:
        # Completed in this request or before: either way the page can offer the certificate.
        certificate = Certificate.objects.filter(user=request.user, course_id=progress.course_id).first()
    return {
        "counting": result.counting,
        "reason": result.reason,
        "credited_seconds": result.credited_seconds,
        "time_seconds": progress.time_seconds,
        "required_seconds": lesson.required_seconds,
        "watched_seconds": progress.watched_seconds,
        "video_position": progress.video_position,
        "video_required_seconds": lesson.video_required_seconds,
        "lesson_completed": progress.completed_at is not None,
        "course_completed": certificate is not None,
        "certificate_url": reverse("learning:certificate_pdf", args=[certificate.code]) if certificate else None,
        "attention": _prompt_out(result.attention, lesson),
    }


def _prompt_out(prompt: dict | None, lesson: LessonPage) -> dict | None:
    if prompt is None:
        return None
    return {**prompt, "answer_url": reverse("api:lesson_attention_answer", kwargs={"lesson_id": lesson.pk})}


class AttentionAnswerIn(Schema):
    nonce: str = Field(min_length=8, max_length=32)
    answer: int = Field(ge=0, le=999)


class AttentionAnswerOut(Schema):
    accepted: bool
    outcome: str
    credited_seconds: int
    message: str
    time_seconds: int
    attention: AttentionPromptOut | None = None


@router.post(
    "/lessons/{lesson_id}/attention",
    response=AttentionAnswerOut,
    url_name="lesson_attention_answer",
    summary="回答在线确认（防挂机）：点击提示中的数字",
)
def attention_answer(request, lesson_id: int, payload: AttentionAnswerIn):
    lesson = LessonPage.objects.live().filter(pk=lesson_id).first()
    if lesson is None:
        raise HttpError(404, _("课时不存在或尚未发布。"))
    if account_selectors.cadre_profile_for(request.user) is None:
        raise HttpError(403, _("只有干部学员的学习记录计入学时。"))
    try:
        result = attention.attention_answer(
            user=request.user, lesson=lesson, nonce=payload.nonce, answer=payload.answer
        )
    except ValidationError as error:
        # Another cadre's or lesson's nonce is not revealed (404); an answered one cannot be answered again (409).
        raise HttpError(404 if error.code == "not_found" else 409, error.messages[0]) from error
    progress = LessonProgress.objects.filter(user=request.user, lesson=lesson).values_list("time_seconds", flat=True)
    return {
        "accepted": result.accepted,
        "outcome": result.outcome,
        "credited_seconds": result.credited_seconds,
        "message": result.message,
        "time_seconds": progress.first() or 0,
        "attention": _prompt_out(result.prompt, lesson),
    }


class MyCourseOut(Schema):
    course_id: int
    title: str
    kind: str  # required | elective
    year: int
    source: str  # assigned | self
    due_date: str | None
    status: str  # not_started | in_progress | completed | overdue (learning.selectors.enrolment_status)
    status_label: str  # 未开始 / 学习中 / 已完成 / 逾期
    lessons_done: int
    lessons_total: int
    completed_at: str | None


@router.get(
    "/me/courses",
    response=list[MyCourseOut],
    url_name="my_courses",
    summary="我的课程及状态（未开始／学习中／已完成／逾期，与首页一致）",
)
def my_courses(request):
    from learning import selectors

    if not request.user.is_authenticated:
        raise HttpError(401, _("请先登录。"))
    return [
        {
            "course_id": row.enrolment.course_id,
            "title": row.enrolment.course.title,
            "kind": row.enrolment.course.kind,
            "year": row.enrolment.year,
            "source": row.enrolment.source,
            "due_date": row.enrolment.due_date.isoformat() if row.enrolment.due_date else None,
            "status": row.status,
            "status_label": row.status_label,
            "lessons_done": row.lessons_done,
            "lessons_total": row.lessons_total,
            "completed_at": row.enrolment.completed_at.isoformat() if row.enrolment.completed_at else None,
        }
        for row in selectors.dashboard_courses(user=request.user)
    ]
