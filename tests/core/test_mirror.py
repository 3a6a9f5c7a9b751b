"""core.mirror: each process's copy of the stamps and signed-in sessions, kept current by LISTEN/NOTIFY.

The copy alone is tested on any database; the listener, the notifications and the pages served from
the copy need PostgreSQL and committed data (the PostgreSQL run of the suite)."""

import time
from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.factories import cadre
from core import cache, mirror
from core.mirror import Mirror
from core.models import CacheStamp, UserSession
from learning import factories
from learning.models import Enrolment

UNIT = "某省/甲市/东山县/交通运输局"
LATER = timezone.now() + timedelta(hours=1)


def look(copy, key="abc"):
    return copy.session(key, timezone.now(), cache.user_key, cache.live_key, cache.GLOBAL)


@pytest.fixture
def copy():
    copy = Mirror()
    copy.set_ready(True)
    return copy


# -- the copy on its own ---------------------------------------------------------------------------
def test_a_session_is_answered_only_with_all_three_stamps(copy):
    copy.store(copy.epoch, "abc", ("data", 7, LATER), {"user:7": "1", "global": "2"})
    assert look(copy) is None  # the live stamp is missing
    copy.store(copy.epoch, "abc", ("data", 7, LATER), {"live:7": "3"})
    assert look(copy) == ("data", 7, "1", "2", "3")
    assert look(copy, "other") is None


def test_an_expired_session_or_a_copy_not_listening_answers_nothing(copy):
    copy.store(copy.epoch, "old", ("data", None, timezone.now() - timedelta(seconds=1)), {"global": "2"})
    assert look(copy, "old") is None
    copy.store(copy.epoch, "abc", ("data", None, LATER), {"global": "2"})
    assert look(copy) == ("data", None, None, None, None)
    copy.set_ready(False)
    assert look(copy) is None


def test_notifications_bring_new_tokens_and_forget_sessions(copy):
    copy.store(copy.epoch, "abc", ("data", 7, LATER), {"user:7": "1", "global": "2", "live:7": "3"})
    copy.apply("k user:7=10 live:7=30")
    assert look(copy) == ("data", 7, "10", "2", "30")
    copy.apply("s abc")
    assert look(copy) is None


def test_a_read_older_than_a_notification_is_not_kept(copy):
    began = copy.epoch  # a request starts reading the database …
    copy.apply("k user:7=9")  # … a write commits and its notification lands before the read is kept
    copy.apply("s abc")
    copy.store(began, "abc", ("data", 7, LATER), {"user:7": "1", "global": "2", "live:7": "3"})
    assert copy._stamps == {"global": "2", "live:7": "3"}  # the read's older token is dropped
    assert look(copy) is None  # and so is its session row
    copy.store(copy.epoch, "abc", ("data", 7, LATER), {"user:7": "9"})  # a read begun after the notification
    assert look(copy) == ("data", 7, "9", "2", "3")


def test_forgetting_everything_refuses_reads_begun_before(copy):
    began = copy.epoch
    copy.apply("*")
    copy.store(began, "abc", ("data", None, LATER), {"global": "2"})
    assert look(copy) is None and copy._stamps == {}


def test_only_keys_read_here_are_kept_and_memory_stays_bounded(copy, monkeypatch):
    monkeypatch.setattr(mirror, "_MAX_ENTRIES", 3)
    copy.store(copy.epoch, "abc", ("data", 7, LATER), {"user:7": "1", "global": "2", "live:7": "3"})
    copy.apply("k user:8=5")  # another process's user: nothing to keep
    assert "user:8" not in copy._stamps
    began = copy.epoch
    copy.apply("k a=1 b=2 c=3 d=4")  # more keys touched than kept: the record of them goes …
    assert copy._touched == {}
    copy.store(began, "new", ("data", None, LATER), {"global": "9"})  # … and so does every read begun before
    assert look(copy, "new") is None and copy._stamps["global"] == "2"
    assert look(copy) == ("data", 7, "1", "2", "3")  # what the copy held stays
    for n in range(3):  # a copy holding too many sessions (here four) starts again empty
        copy.store(copy.epoch, f"s{n}", ("data", None, LATER), {"global": "2"})
    assert copy._sessions == {}


@pytest.mark.parametrize(
    ("read", "seen", "own", "expected"),
    [
        (None, "1.2", {}, None),  # no session read (a public page, a static file): left alone
        ((None, "", ""), None, {}, None),  # anonymous, no cookie: nothing to say
        ((None, "", ""), "1.2", {}, ""),  # signed out: the cookie goes
        ((7, "1", "2"), None, {}, None),  # a read with no own write needs no cookie
        ((7, "1", "2"), "1.2", {}, None),  # the cookie already says it
        ((7, "1", "2"), "1.1", {}, "1.2"),  # the cookie was older than the database: corrected
        ((7, "1", "2"), None, {"live:7": "5"}, "1.5"),  # the user's own write: the browser learns its token
        ((7, "1", "2"), None, {"user:8": "5"}, None),  # another user's stamp is not this browser's business
    ],
)
def test_the_cookie_carries_the_users_own_tokens(read, seen, own, expected):
    assert mirror.cookie_to_set({"read": read, "seen": seen, "own": own}) == expected


def test_off_on_sqlite_and_in_tests(settings):
    settings.STAMP_MIRROR = True
    assert mirror.enabled(connection) is (connection.vendor == "postgresql")
    settings.STAMP_MIRROR = False
    assert mirror.get(connection) is None


# -- the listener and the pages, on PostgreSQL ------------------------------------------------------
postgresql = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="LISTEN/NOTIFY is PostgreSQL's"),
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def wait_for(condition, seconds=10.0):
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "the notification never arrived"
        time.sleep(0.01)


@pytest.fixture
def listening(settings):
    settings.STAMP_MIRROR = True
    copy = mirror.get(connection)
    wait_for(lambda: copy.ready)
    yield copy
    mirror.stop()


@pytest.fixture
def learner(listening):
    user = cadre(unit=UNIT)
    browser = Client()
    browser.force_login(user)
    browser.get("/")  # the CSRF cookie, part of a cached page's key
    browser.get("/")  # the page is cached, the session and stamps are in the copy
    return user, browser


def db_token(key) -> str:
    return str(CacheStamp.objects.filter(key=key).values_list("token", flat=True).first() or 0)


def queries(browser, url):
    with CaptureQueriesContext(connection) as ctx:
        response = browser.get(url)
    assert response.status_code == 200
    return response.content.decode(), len(ctx)


class TestOnPostgreSQL:
    pytestmark = postgresql

    def test_a_bump_reaches_every_copy_when_it_commits(self, listening):
        listening.store(listening.epoch, "none", ("", None, LATER), {"user:424242": "0"})  # as if read here
        with transaction.atomic():
            cache.bump("user:424242")
            time.sleep(0.2)
            assert listening._stamps["user:424242"] == "0"  # not before the commit
        wait_for(lambda: listening._stamps.get("user:424242") == db_token("user:424242"))

    def test_a_cached_page_then_reads_nothing_from_the_database(self, learner):
        user, browser = learner
        html, count = queries(browser, "/")
        assert count == 0 and user.name in html

    def test_a_write_elsewhere_shows_once_its_notification_lands(self, learner):
        user, browser = learner
        course = factories.course(title="通知送到的课", lessons=1)
        Enrolment.objects.create(user=user, course=course, year=timezone.localdate().year, source="self")
        wait_for(lambda: mirror._mirror._stamps.get(cache.user_key(user.pk)) == db_token(cache.user_key(user.pk)))
        html, _ = queries(browser, "/")
        assert "通知送到的课" in html

    def test_the_users_own_write_shows_at_once_in_a_process_not_yet_told(self, learner, monkeypatch):
        user, browser = learner
        course = factories.course(title="自己的进度", lessons=1)
        Enrolment.objects.create(user=user, course=course, year=timezone.localdate().year, source="self")
        lesson = course.lessons().first()
        wait_for(lambda: mirror._mirror._stamps.get(cache.user_key(user.pk)) == db_token(cache.user_key(user.pk)))
        browser.get(lesson.url)
        browser.get(lesson.url)
        before = mirror._mirror._stamps[cache.live_key(user.pk)]
        monkeypatch.setattr(mirror._mirror, "apply", lambda payload: None)  # notifications now never land
        beat = browser.post(
            f"/api/v1/lessons/{lesson.pk}/heartbeat", {"position": 12.5}, content_type="application/json"
        )
        assert beat.status_code == 200, beat.content
        seen = beat.cookies[mirror.COOKIE].value
        assert seen == f"{db_token(cache.user_key(user.pk))}.{db_token(cache.live_key(user.pk))}"
        html, count = queries(browser, lesson.url)
        assert 'data-position="12.500000"' in html and count >= 1  # the cookie sent it to the database
        html, count = queries(browser, lesson.url)
        assert count == 0  # and what it read is kept
        stranger = Client()  # the same session without the cookie: this copy, not yet told, is older
        for name in ("sessionid", "csrftoken"):
            stranger.cookies[name] = browser.cookies[name].value
        mirror._mirror._stamps[cache.live_key(user.pk)] = before  # as the copy held it before the beat
        assert 'data-position="12.500000"' not in stranger.get(lesson.url).content.decode()

    def test_signing_out_ends_the_session_in_every_copy(self, learner):
        user, browser = learner
        key = browser.cookies["sessionid"].value
        thief = Client()
        thief.cookies["sessionid"] = key
        assert user.name in thief.get("/").content.decode()
        browser.post("/accounts/logout/")
        wait_for(lambda: key not in mirror._mirror._sessions)
        assert not UserSession.objects.filter(session_key=key).exists()
        assert user.name not in thief.get("/").content.decode()

    def test_a_read_inside_a_transaction_is_not_kept(self, learner):
        user, browser = learner
        key = browser.cookies["sessionid"].value
        mirror._mirror.apply("*")
        with transaction.atomic():
            store = UserSession.get_session_store_class()(session_key=key)
            assert store.load()["_auth_user_id"] == str(user.pk)
        assert key not in mirror._mirror._sessions
        store = UserSession.get_session_store_class()(session_key=key)
        store.load()
        assert key in mirror._mirror._sessions

    def test_a_lost_listener_empties_the_copy_and_reconnects(self, learner):
        user, browser = learner
        key = browser.cookies["sessionid"].value
        assert key in listening_copy()._sessions
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = current_database() AND application_name = %s",
                [mirror.APPLICATION_NAME],
            )
        wait_for(lambda: key not in listening_copy()._sessions)
        # a write while nobody listens is never announced; the emptied copy reads it from the database
        course = factories.course(title="断线时的课", lessons=1)
        Enrolment.objects.create(user=user, course=course, year=timezone.localdate().year, source="self")
        wait_for(lambda: listening_copy().ready)
        assert "断线时的课" in browser.get("/").content.decode()


def listening_copy() -> Mirror:
    return mirror._mirror
