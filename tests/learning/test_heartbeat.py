"""services.lesson_heartbeat: wall time between beats, one lesson at a time, caps, played video ranges."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from accounts.factories import cadre
from core.models import StudyClock
from learning import factories, services
from learning.models import Enrolment, LessonProgress

pytestmark = pytest.mark.django_db

T0 = timezone.now().replace(microsecond=0)


def beat(user, lesson, seconds, **kwargs):
    factories.enrol(user=user, lesson=lesson)
    return services.lesson_heartbeat(user=user, lesson=lesson, now=T0 + timedelta(seconds=seconds), **kwargs)


@pytest.fixture
def course():
    return factories.course(lessons=2, minutes=10)


@pytest.fixture
def lessons(course):
    return list(course.lessons())


def test_first_beat_starts_the_clock_and_earns_nothing(lessons):
    user = cadre()
    result = beat(user, lessons[0], 0)
    assert result.counting and result.credited_seconds == 0
    assert result.progress.time_seconds == 0
    assert StudyClock.objects.get(user=user).page_id == lessons[0].pk


def test_only_wall_time_between_beats_counts(lessons):
    user = cadre()
    beat(user, lessons[0], 0)
    assert beat(user, lessons[0], 15).credited_seconds == 15
    assert beat(user, lessons[0], 22).credited_seconds == 7
    # A client beating faster than real time earns no more than real time.
    for second in range(23, 33):
        beat(user, lessons[0], second)
    assert LessonProgress.objects.get(user=user, lesson=lessons[0]).time_seconds == 32


def test_repeated_beat_at_the_same_moment_earns_nothing(lessons):
    user = cadre()
    beat(user, lessons[0], 0)
    beat(user, lessons[0], 15)
    assert beat(user, lessons[0], 15).credited_seconds == 0
    assert LessonProgress.objects.get(user=user, lesson=lessons[0]).time_seconds == 15


def test_each_beat_is_capped(lessons):
    user = cadre()
    beat(user, lessons[0], 0)
    assert beat(user, lessons[0], 55).credited_seconds == 30  # within the window, capped


def test_a_gap_longer_than_the_window_earns_nothing(lessons):
    # A hidden tab stops beating (client side); when it comes back the server credits nothing for the gap.
    user = cadre()
    beat(user, lessons[0], 0)
    result = beat(user, lessons[0], 600)
    assert result.counting and result.credited_seconds == 0
    assert beat(user, lessons[0], 615).credited_seconds == 15


def test_two_tabs_two_lessons_earn_time_for_one_only(lessons):
    user = cadre()
    a, b = lessons
    beat(user, a, 0)
    blocked = beat(user, b, 5)
    assert not blocked.counting and blocked.credited_seconds == 0 and blocked.reason
    for second in range(15, 181, 15):
        beat(user, a, second)
        result_b = beat(user, b, second + 5)
        assert not result_b.counting
    assert LessonProgress.objects.get(user=user, lesson=a).time_seconds == 180
    assert LessonProgress.objects.get(user=user, lesson=b).time_seconds == 0


def test_pause_credits_the_last_interval_and_frees_the_clock(lessons):
    user = cadre()
    a, b = lessons
    beat(user, a, 0)
    paused = beat(user, a, 10, pause=True)
    assert paused.credited_seconds == 10 and not paused.counting
    assert beat(user, b, 11).counting
    assert beat(user, b, 26).credited_seconds == 15
    # Back in tab A: B holds the clock now.
    assert not beat(user, a, 27).counting


def test_the_other_lesson_takes_over_after_the_window(lessons):
    user = cadre()
    a, b = lessons
    beat(user, a, 0)
    assert not beat(user, b, 59).counting
    assert beat(user, b, 61).counting
    assert beat(user, b, 76).credited_seconds == 15


def test_time_per_lesson_is_capped(course):
    lesson = factories.lesson(course=course, minutes=1, prompt="")  # requires 48 s, cap 90 s
    user = cadre()
    for second in range(0, 400, 15):
        beat(user, lesson, second)
    assert LessonProgress.objects.get(user=user, lesson=lesson).time_seconds == 90


def test_lesson_completes_only_when_the_server_has_seen_enough(lessons):
    user = cadre()
    lesson = lessons[0]  # 10 minutes → 480 s required
    for second in range(0, 480, 15):
        result = beat(user, lesson, second)
    assert result.progress.time_seconds == 465 and result.progress.completed_at is None
    result = beat(user, lesson, 480)
    assert result.lesson_completed_now and result.progress.completed_at is not None
    assert not beat(user, lesson, 495).lesson_completed_now  # once


def test_seeking_ahead_adds_nothing(course, learning_rules):
    learning_rules["VIDEO_ALLOW_SEEK_AHEAD"] = (
        True  # a skipped-to range counts (tests/learning/test_video_rules.py: off)
    )
    lesson = factories.lesson(course=course, minutes=1, video_seconds=600, prompt="")
    video_id = next(iter(lesson.videos))
    user = cadre()
    beat(user, lesson, 0)
    # Played 0–10, sought to 500, played 500–510.
    result = beat(user, lesson, 15, videos={video_id: [[0, 10], [500, 510]]})
    assert result.progress.watched_seconds == 20
    # The same ranges again (the browser reports all ranges each time) add nothing.
    result = beat(user, lesson, 30, videos={video_id: [[0, 10], [500, 510]]})
    assert result.progress.watched_seconds == 20
    result = beat(user, lesson, 45, videos={video_id: [[0, 25], [500, 510]]})
    assert result.progress.watched_seconds == 35


def test_invented_ranges_earn_no_more_than_wall_time_allows(course):
    lesson = factories.lesson(course=course, minutes=1, video_seconds=600, prompt="")
    video_id = next(iter(lesson.videos))
    user = cadre()
    beat(user, lesson, 0)
    result = beat(user, lesson, 15, videos={video_id: [[0, 600]]})
    assert result.progress.watched_seconds == 30  # 15 s of wall time at most at 2x speed
    result = beat(user, lesson, 16, videos={video_id: [[0, 5000]]})
    assert result.progress.watched_seconds == 32
    assert max(end for _start, end in result.progress.video_ranges[video_id]) <= 600


def test_ranges_are_clamped_to_the_duration(course):
    lesson = factories.lesson(course=course, minutes=1, video_seconds=20, prompt="")
    video_id = next(iter(lesson.videos))
    user = cadre()
    beat(user, lesson, 0)
    result = beat(user, lesson, 30, videos={video_id: [[0, 100]]})
    assert result.progress.watched_seconds == 20
    assert result.progress.video_ranges[video_id] == [[0.0, 20.0]]


def test_a_video_lesson_needs_the_video_watched(course):
    lesson = factories.lesson(course=course, minutes=1, video_seconds=100, prompt="")  # 48 s + 90 s of video
    video_id = next(iter(lesson.videos))
    user = cadre()
    for second in range(0, 120, 15):
        result = beat(user, lesson, second)
    assert result.progress.time_seconds >= lesson.required_seconds
    assert result.progress.completed_at is None
    result = beat(user, lesson, 135, videos={video_id: [[0, 30]]})
    result = beat(user, lesson, 150, videos={video_id: [[0, 60]]})
    result = beat(user, lesson, 165, videos={video_id: [[0, 90]]})
    assert result.progress.watched_seconds == 90 and result.lesson_completed_now


def test_bad_video_ids_and_ranges_are_refused(course):
    lesson = factories.lesson(course=course, minutes=1, video_seconds=100, prompt="")
    video_id = next(iter(lesson.videos))
    user = cadre()
    with pytest.raises(ValidationError):
        beat(user, lesson, 0, videos={"not-a-block": [[0, 1]]})
    with pytest.raises(ValidationError):
        beat(user, lesson, 0, videos={video_id: [[5, 1]]})
    with pytest.raises(ValidationError):
        beat(user, lesson, 0, videos={video_id: [[0, 1, 2]]})


def test_completing_the_last_lesson_completes_the_course_in_the_same_call(course, lessons):
    user = cadre()
    first, last = lessons
    for lesson, offset in ((first, 0), (last, 1000)):
        for second in range(offset, offset + 481, 15):
            result = beat(user, lesson, second)
    assert result.course_enrolment is not None
    enrolment = Enrolment.objects.get(user=user, course=course)
    assert enrolment.completed_at is not None and enrolment.certificate.code


def test_merge_and_add_ranges():
    assert services.merge_ranges([[5, 6], [0, 2], [1, 3], [3, 4]]) == [[0, 4], [5, 6]]
    assert services.add_played_ranges(stored=[[0, 10]], played=[[5, 30]], duration=25, allowance=100) == [[0, 25]]
    assert services.add_played_ranges(
        stored=[[0, 10]], played=[[20, 30], [40, 50]], duration=100, allowance=15, seek_ahead=True
    ) == [
        [0, 10],
        [20, 30],
        [40, 45],
    ]


def test_a_steady_beat_reads_its_rows_without_savepoints(lessons):
    """The dominant request (a beat every 30 s per cadre): its clock, study clock and progress rows exist
    after the first beat and are read with one SELECT each, not get_or_create's SAVEPOINT/SELECT/RELEASE."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    user = cadre()
    beat(user, lessons[0], 0)  # enrols, and creates the rows a steady beat reads
    with CaptureQueriesContext(connection) as ctx:
        services.lesson_heartbeat(
            user=user, lesson=lessons[0], now=T0 + timedelta(seconds=15), activity={"input": True}
        )
    statements = [q["sql"] for q in ctx.captured_queries]
    # One savepoint: lesson_heartbeat's own atomic block inside the test's transaction.
    assert len([s for s in statements if s.upper().startswith("SAVEPOINT")]) == 1, statements
    assert len(statements) <= 10, statements


def test_row_get_or_create_creates_once_and_calls_defaults_only_when_creating(lessons):
    from core.rows import row_get_or_create

    user = cadre()
    calls = []

    def defaults():
        calls.append(1)
        return {"course_id": lessons[0].get_parent().pk}

    first = row_get_or_create(LessonProgress, defaults=defaults, user=user, lesson=lessons[0])
    again = row_get_or_create(LessonProgress, defaults=defaults, user=user, lesson=lessons[0])
    assert first.pk == again.pk and calls == [1]
    assert LessonProgress.objects.filter(user=user, lesson=lessons[0]).count() == 1


def test_row_get_or_create_loser_of_a_race_reads_the_winners_row(lessons, monkeypatch):
    """The row appears between the read and the insert (another request): the unique constraint refuses
    the insert and the existing row is returned."""
    from core import rows
    from core.compiled import Compiled

    user = cadre()
    winner = LessonProgress.objects.create(user=user, lesson=lessons[0], course_id=lessons[0].get_parent().pk)
    real_first, reads = Compiled.first, []

    def first_read_misses(compiled, **ids):  # the read ran before the other request committed its row
        reads.append(ids)
        return None if len(reads) == 1 else real_first(compiled, **ids)

    monkeypatch.setattr(Compiled, "first", first_read_misses)
    got = rows.row_get_or_create(
        LessonProgress, defaults=lambda: {"course_id": winner.course_id}, user=user, lesson=lessons[0]
    )
    # The read went by ids; the insert was tried, refused, and the row read with get().
    assert reads == [{"user_id": user.pk, "lesson_id": lessons[0].pk}]
    assert got.pk == winner.pk
    assert LessonProgress.objects.filter(user=user, lesson=lessons[0]).count() == 1
