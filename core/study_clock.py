"""One item earns study time at a time per cadre, whether a lesson or a case.

Every reading beat (a lesson heartbeat, a case reading beat) asks `claim` before it credits
anything. The item holding the cadre's clock keeps it while its beats arrive within
``LEARNING["ACTIVE_WINDOW_SECONDS"]``; a beat of any other item earns nothing and does not take
over ("the first tab keeps the clock"). It takes over once the holder has been silent for the
window or has said it paused (its tab turned hidden); the beat that takes over earns nothing
(it starts the interval). So beating 24 cases and a lesson in parallel earns at most wall time.

The clock is moved by a conditional UPDATE on the values just read, so two simultaneous beats
agree on one holder.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.utils.translation import gettext as _

from core.models import StudyClock
from core.rows import row_get_or_create


@dataclass(frozen=True)
class Claim:
    may_credit: bool  # this item held the clock for the whole interval up to this beat
    reason: str = ""
    seconds: int = 0  # the interval's length when it may credit (the wall time since the previous beat)
    took: bool = False  # this beat took the free clock: it starts an interval (and earns nothing)


def _window() -> timedelta:
    return timedelta(seconds=settings.LEARNING["ACTIVE_WINDOW_SECONDS"])


def claim(*, user, page_id: int, now: datetime, pause: bool = False) -> Claim:
    """Move the cadre's clock for a beat of `page_id`; say whether this beat may credit time."""
    clock = row_get_or_create(StudyClock, user=user)
    last = clock.last_beat_at
    fresh = last is not None and timedelta(0) <= now - last < _window()
    same_row = StudyClock.objects.filter(pk=clock.pk, page_id=clock.page_id, last_beat_at=last)
    if clock.page_id == page_id and fresh:
        if not same_row.update(page_id=None if pause else page_id, last_beat_at=None if pause else now):
            return Claim(False, _("本次心跳与另一请求重复，未计时。"))
        # A pause still credits the interval up to it, and frees the clock.
        return Claim(True, _("已暂停计时。") if pause else "", seconds=int((now - last).total_seconds()))
    if clock.page_id is not None and fresh:
        return Claim(False, _("您正在学习另一内容，同一时间只计一项（课时或案例）的学习时长。"))
    if pause:
        return Claim(False, _("已暂停计时。"))
    # Free, expired, or this item's own stale interval: take the clock; this beat only starts it.
    if not same_row.update(page_id=page_id, last_beat_at=now):
        return Claim(False, _("本次心跳与另一请求重复，未计时。"))
    return Claim(False, took=True)
