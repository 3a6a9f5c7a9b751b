"""What a signed-in request reads: the session with the cache stamps in one statement, the user from the
cache, whole pages from the cache with live values filled in (core.sessions, accounts.backends,
core.page_cache). Each test proves the cached copy is never older than the database."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from wagtail.models import PageViewRestriction

from accounts.factories import cadre, trainer
from core import cache
from core.models import UserSession
from learning import factories, services
from learning.models import Enrolment

pytestmark = pytest.mark.django_db

UNIT = "某省/甲市/东山县/交通运输局"
TEXT = "通过学习本课，我认识到一把手必须带头接受监督，把权力关进制度的笼子里。"


@pytest.fixture
def learner(client):
    user = cadre(unit=UNIT)
    client.force_login(user)
    client.get("/")  # sets the CSRF cookie, whose secret is part of a cached page's key
    return user


def queries(client, url) -> tuple[str, list[str]]:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return response.content.decode(), [q["sql"] for q in ctx.captured_queries]


def test_the_session_row_knows_its_user(client, learner):
    row = UserSession.objects.get()
    assert row.user_id == learner.pk
    assert row.get_decoded()["_auth_user_id"] == str(learner.pk)


def test_a_cached_dashboard_or_lesson_page_costs_one_statement(client, learner):
    course = factories.course(title="一条语句的课", lessons=1)
    Enrolment.objects.create(user=learner, course=course, year=timezone.localdate().year, source="self")
    lesson = course.lessons().first()
    client.get("/")
    client.get(lesson.url)
    html, sql = queries(client, "/")
    assert "一条语句的课" in html
    assert len(sql) == 1 and "core_cachestamp" in sql[0]  # the session, with both stamps
    html, sql = queries(client, lesson.url)
    assert len(sql) == 1  # the study time too is cached, under the live stamp that came with the session
    services.lesson_heartbeat(user=learner, lesson=lesson)  # the first beat changes the dashboard's 继续学习
    client.get(lesson.url)
    services.lesson_heartbeat(user=learner, lesson=lesson, position=12.5)  # this one only the live values
    html, sql = queries(client, lesson.url)
    assert len(sql) == 2 and "learning_lessonprogress" in sql[1]  # a beat bumped it: read again
    assert 'data-position="12.500000"' in html


def test_expired_session_is_signed_out(client, learner):
    UserSession.objects.update(expire_date=timezone.now() - timedelta(seconds=1))
    html = client.get("/").content.decode()
    assert "登录学习" in html and learner.name not in html


def test_new_password_signs_out_other_sessions_although_the_user_is_cached(client, learner):
    assert learner.name in client.get("/").content.decode()  # the user row is now in the cache
    learner.set_password("另一个密码-2026")
    learner.save()
    html = client.get("/").content.decode()
    assert "登录学习" in html and learner.name not in html


def test_deactivated_user_is_signed_out_at_once(client, learner):
    assert learner.name in client.get("/").content.decode()
    learner.is_active = False
    learner.save()
    assert "登录学习" in client.get("/").content.decode()


def test_name_change_shows_at_once(client, learner):
    assert learner.name in client.get("/").content.decode()
    learner.name = "改名后的学员"
    learner.save()
    assert "改名后的学员" in client.get("/").content.decode()


def test_stamps_read_with_one_users_session_are_not_used_for_another():
    cache.note_session_stamps(7, "1.2")
    assert cache.session_stamps(7) == "1.2"
    assert cache.session_stamps(8) is None
    cache.note_session_stamps(None)
    assert cache.session_stamps(7) is None


def test_lesson_page_live_values_are_filled_and_markers_never_leak(client, learner):
    lesson = factories.lesson(course=factories.course(), minutes=1)
    t0 = timezone.now()
    services.lesson_heartbeat(user=learner, lesson=lesson, now=t0)
    first = client.get(lesson.url).content.decode()
    assert '<strong data-role="time">0</strong>' in first and "页面处于前台时自动计时" in first
    services.lesson_heartbeat(user=learner, lesson=lesson, now=t0 + timedelta(seconds=20))
    html, sql = queries(client, lesson.url)
    assert len(sql) == 2  # served from the cache
    assert '<strong data-role="time">20</strong>' in html and 'value="20"' in html
    for n in range(2, 6):
        services.lesson_heartbeat(user=learner, lesson=lesson, now=t0 + timedelta(seconds=20 * n))
    html = client.get(lesson.url).content.decode()
    assert "本课时已学完" in html
    assert "<!--live:" not in first + html


def test_flash_message_is_shown_once_and_the_page_then_comes_from_the_cache(client, learner):
    lesson = factories.lesson(course=factories.course(), prompt="结合本职工作，谈谈如何接受监督？")
    client.get(lesson.url)
    response = client.post(reverse("learning:reflection_submit", args=[lesson.pk]), {"body": TEXT}, follow=True)
    html = response.content.decode()
    assert "心得体会已提交" in html and "待审阅" in html  # the submitted reflection bumps the cadre's stamp
    html = client.get(lesson.url).content.decode()
    assert "心得体会已提交" not in html and "待审阅" in html
    html, sql = queries(client, lesson.url)
    assert "心得体会已提交" not in html and "待审阅" in html
    assert len(sql) == 1


def test_review_by_a_trainer_shows_on_the_cadres_cached_lesson_page(client, learner):
    lesson = factories.lesson(course=factories.course(), prompt="结合本职工作，谈谈如何接受监督？")
    reviewer = trainer("某省/甲市/东山县")  # before the page is cached: new units bump the global stamp
    reflection = services.reflection_submit(user=learner, page=lesson, body=TEXT)
    assert "待审阅" in client.get(lesson.url).content.decode()
    services.reflection_review(by=reviewer, reflection=reflection, accept=False, comment="请结合案例")
    html = client.get(lesson.url).content.decode()
    assert "请结合案例" in html


def test_privacy_setting_applies_to_cached_routes_at_once(client, learner):
    course = factories.course(lessons=1)
    lesson = course.lessons().first()
    assert client.get(lesson.url).status_code == 200
    restriction = PageViewRestriction.objects.create(page=course, restriction_type=PageViewRestriction.GROUPS)
    restriction.groups.add(Group.objects.create(name="仅限专班"))
    response = client.get(lesson.url)
    assert response.status_code == 302 and "/login" in response["Location"]
    restriction.delete()
    assert client.get(lesson.url).status_code == 200


def test_editors_pages_are_not_cached(client):
    """Editors see the Wagtail user bar, which shows the page's editing state."""
    from accounts import roles
    from accounts.factories import staff

    editor = staff(roles.EDITOR)
    client.force_login(editor)
    client.get("/")
    _html, sql = queries(client, "/")
    assert len(sql) > 1


def test_cached_pages_are_per_user_even_with_the_same_csrf_secret(client, learner):
    """Two cadres whose stamps were never bumped have equal tokens; the key must still tell them apart."""
    from django.test import Client

    from core.models import CacheStamp

    other = cadre(unit=UNIT)
    course = factories.course(title="只给甲的课", lessons=1)
    Enrolment.objects.create(user=learner, course=course, year=timezone.localdate().year, source="self")
    second = Client()
    second.force_login(other)
    second.cookies["csrftoken"] = client.cookies["csrftoken"].value
    CacheStamp.objects.filter(key__in=[cache.user_key(learner.pk), cache.user_key(other.pk)]).update(token=1)
    assert "只给甲的课" in client.get("/").content.decode()
    html = second.get("/").content.decode()
    assert other.name in html and "只给甲的课" not in html


def test_cadre_made_an_editor_gets_the_user_bar_at_once(client, learner):
    """A cached page is found without asking whether the admin link shows: that answer changes only with
    the stamps the key holds."""
    from accounts import roles
    from accounts.services import user_set_roles

    client.get("/")
    _html, sql = queries(client, "/")
    assert len(sql) == 1
    user_set_roles(user=learner, role_names=[roles.CADRE, roles.EDITOR])
    html, sql = queries(client, "/")
    assert len(sql) > 1 and "/admin/" in html


def test_a_decoded_session_is_never_shared_between_requests(client, learner):
    from core.sessions.db import SessionStore

    key = client.cookies["sessionid"].value
    first = SessionStore(key).load()
    first["_auth_user_id"] = "0"
    assert SessionStore(key).load()["_auth_user_id"] == str(learner.pk)
    store = SessionStore(key)
    store["recent"] = ["甲"]  # a nested value: such sessions are decoded every time
    store.save()
    SessionStore(key).load()["recent"].append("乙")
    assert SessionStore(key).load()["recent"] == ["甲"]


def test_a_tampered_session_is_rejected_although_decoded_sessions_are_remembered(client, learner):
    from core.sessions.db import SessionStore

    key = client.cookies["sessionid"].value
    assert SessionStore(key).load()  # remembered now
    row = UserSession.objects.get(session_key=key)
    UserSession.objects.filter(session_key=key).update(session_data=row.session_data[:-2] + "xx")
    assert SessionStore(key).load() == {}
    assert not client.get("/").wsgi_request.user.is_authenticated


def test_live_values_are_escaped_and_numbers_written_plainly():
    from core import page_cache

    page_cache.register_live("test-kind", ("name", "count"), lambda request, pk: {"name": "<b>甲</b>", "count": pk})
    live = page_cache.Live("test-kind", 42)
    html = f"<p>{live.markers['name']}</p><i>{live.markers['count']}</i>"
    expected = "<p>&lt;b&gt;甲&lt;/b&gt;</p><i>42</i>"
    assert "".join(live.fill(live.split(html), None)) == expected
    encoded = [part.encode() if i % 2 == 0 else part for i, part in enumerate(live.split(html))]
    assert b"".join(live.fill(encoded, None)).decode() == expected
