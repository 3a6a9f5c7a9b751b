"""Finding 9 of issue 16: video time comes at 1x and in order by default, on the server and in the player."""

from datetime import timedelta

import pytest
from django.conf import settings as django_settings
from django.utils import timezone

from accounts.factories import cadre
from learning import factories, services

pytestmark = pytest.mark.django_db

T0 = timezone.now().replace(microsecond=0)


@pytest.fixture
def rules(learning_rules):
    """The shipped defaults for the video rules (base.py), over the fixed test thresholds."""
    learning_rules.pop("VIDEO_ALLOW_SEEK_AHEAD", None)
    learning_rules["VIDEO_MAX_PLAYBACK_RATE"] = 1.0
    return learning_rules


def beat(user, lesson, seconds, **kwargs):
    factories.enrol(user=user, lesson=lesson)
    return services.lesson_heartbeat(user=user, lesson=lesson, now=T0 + timedelta(seconds=seconds), **kwargs)


@pytest.fixture
def lesson():
    return factories.lesson(course=factories.course(), minutes=1, video_seconds=600, prompt="")


def test_shipped_defaults_are_1x_and_no_skipping_ahead():
    from config.settings import base

    assert base.LEARNING["VIDEO_MAX_PLAYBACK_RATE"] == 1.0
    assert base.LEARNING["VIDEO_ALLOW_SEEK_AHEAD"] is False
    assert 0 < base.LEARNING["VIDEO_SEEK_TOLERANCE_SECONDS"] <= 10


def test_watched_time_never_exceeds_credited_wall_time(rules, lesson):
    video = next(iter(lesson.videos))
    user = cadre()
    beat(user, lesson, 0)
    result = beat(user, lesson, 15, videos={video: [[0, 30]]})  # played at 2x
    assert result.credited_seconds == 15 and result.progress.watched_seconds == 15
    total_credited = 15
    for second in range(30, 301, 15):
        result = beat(user, lesson, second, videos={video: [[0, second * 2]]})
        total_credited += result.credited_seconds
    assert result.progress.watched_seconds <= total_credited


def test_ranges_beyond_the_furthest_watched_point_earn_nothing(rules, lesson):
    video = next(iter(lesson.videos))
    user = cadre()
    beat(user, lesson, 0)
    result = beat(user, lesson, 15, videos={video: [[0, 10], [500, 510]]})
    assert result.progress.watched_seconds == 10
    assert result.progress.video_ranges[video] == [[0.0, 10.0]]
    # Within the tolerance of the furthest point is a resume, not a skip.
    result = beat(user, lesson, 30, videos={video: [[0, 10], [13, 25]]})
    assert result.progress.watched_seconds == 22
    # Watching the 3 s gap counts; it does not unlock the skipped part.
    result = beat(user, lesson, 45, videos={video: [[0, 25], [500, 515]]})
    assert result.progress.watched_seconds == 25
    assert result.progress.video_ranges[video] == [[0.0, 25.0]]


def test_seeking_ahead_can_be_allowed_by_setting(rules, lesson):
    rules["VIDEO_ALLOW_SEEK_AHEAD"] = True
    video = next(iter(lesson.videos))
    user = cadre()
    beat(user, lesson, 0)
    result = beat(user, lesson, 15, videos={video: [[0, 5], [500, 510]]})
    assert result.progress.watched_seconds == 15


def test_player_carries_the_rules_and_says_so_in_chinese(client, rules, lesson):
    user = cadre()
    client.force_login(user)
    html = client.get(lesson.url).content.decode()
    assert 'data-max-rate="1"' in html and 'data-seek-ahead="false"' in html
    assert "不支持倍速" in html and "不能拖动到尚未观看的部分" in html
    assert "js/video_rules.js" in html
    script = (django_settings.BASE_DIR / "static/js/video_rules.js").read_text()
    assert "playbackRate" in script and "seeking" in script
