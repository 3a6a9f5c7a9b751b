import pytest

RULES = {
    "HEARTBEAT_INTERVAL_SECONDS": 15,
    "MAX_SECONDS_PER_BEAT": 30,
    "ACTIVE_WINDOW_SECONDS": 60,
    "REQUIRED_TIME_RATIO": 0.8,
    "LESSON_TIME_CAP_RATIO": 1.5,
    "LESSON_TIME_CAP_SECONDS": 3600,
    "VIDEO_REQUIRED_RATIO": 0.9,
    "VIDEO_MAX_PLAYBACK_RATE": 2.0,
}


@pytest.fixture(autouse=True)
def learning_rules(settings):
    """Fixed thresholds so the tests do not follow edits of base.py."""
    settings.LEARNING = dict(RULES)
    return settings.LEARNING
