"""The e2e live-server settings with short lessons, so a browser can finish a course in seconds.

Only the thresholds change (a 1-minute lesson needs 3 visible seconds, beats every 5 s); the
rules the server applies are the production ones.
"""

from tests.e2e.settings import *  # noqa: F403

LEARNING = {**LEARNING, "HEARTBEAT_INTERVAL_SECONDS": 5, "REQUIRED_TIME_RATIO": 0.05}  # noqa: F405
