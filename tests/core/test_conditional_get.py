"""Conditional GET (core.conditional): a signed-in page that has not changed answers 304 to its ETag, and
every change a cadre must see at once (a publish, a trainer's review, sign-out, deactivation, a privacy
setting, a new password) makes the same request a full answer (or a refusal), never a 304."""

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import timezone
from wagtail.models import PageViewRestriction

from accounts.factories import cadre, trainer
from accounts.roles import Rank
from cases import services as case_services
from cases.factories import CaseStudyPageFactory
from learning import factories, services
from learning.models import Enrolment

pytestmark = pytest.mark.django_db

TEXT = "通过学习本课，我认识到一把手必须带头接受监督，把权力关进制度的笼子里。"


@pytest.fixture
def learner(client):
    user = cadre(unit="某省/甲市/东山县/交通运输局", rank=Rank.TOWNSHIP)
    client.force_login(user)
    client.get("/")  # sets the CSRF cookie (its secret is part of the tag)
    return user


@pytest.fixture
def lesson():
    course = factories.course(title="条件请求课程", lessons=1)
    page = course.lessons().first()
    page.body = [("text", "<p>第一版正文。</p>"), ("reflection_prompt", {"prompt": "谈谈体会。"})]
    page.save_revision().publish()
    return page


@pytest.fixture
def case(home_page):
    index = case_services.case_index_ensure(parent=home_page, title="警示教育案例库", slug="cases")
    index.save_revision().publish()
    page = CaseStudyPageFactory(parent=index, title="某局长受贿案")
    page.save_revision().publish()
    return page


def revalidate(client, url, response):
    """The browser's revalidation: the same URL with the ETag it was given."""
    return client.get(url, HTTP_IF_NONE_MATCH=response["ETag"])


@pytest.mark.parametrize("which", ["dashboard", "lesson", "case", "library"])
def test_unchanged_page_answers_304(client, learner, lesson, case, which):
    url = {"dashboard": "/", "lesson": lesson.url, "case": case.url, "library": case.get_parent().url}[which]
    first = client.get(url)
    assert first.status_code == 200
    assert first["ETag"].startswith('W/"')
    assert "private" in first["Cache-Control"] and "no-cache" in first["Cache-Control"]
    second = revalidate(client, url, first)
    assert second.status_code == 304
    assert second.content == b""
    assert second["ETag"] == first["ETag"]
    # another query string of the library is another page
    if which == "library":
        assert client.get(url + "?q=受贿", HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 200


def test_no_etag_for_anonymous_visitors(client, lesson):
    response = client.get("/")
    assert response.status_code == 200 and not response.has_header("ETag")
    assert client.get(lesson.url).status_code == 302


def test_no_etag_for_a_page_without_a_published_revision(client, learner):
    draftless = factories.lesson(course=factories.course())  # created live by code: no revision
    response = client.get(draftless.url)
    assert response.status_code == 200 and not response.has_header("ETag")


def test_publish_gives_new_content(client, learner, lesson, case):
    for url in (lesson.url, case.url, case.get_parent().url):
        first = client.get(url)
        assert first.status_code == 200
        assert revalidate(client, url, first).status_code == 304
    lesson_first = client.get(lesson.url)
    case_first = client.get(case.url)
    library_first = client.get(case.get_parent().url)
    lesson.body = [("text", "<p>第二版正文。</p>")]
    revision = lesson.save_revision()
    # a draft (the admin's autosave) changes nothing a cadre sees: still 304
    assert revalidate(client, lesson.url, lesson_first).status_code == 304
    revision.publish()
    case.title = "某局长受贿案（修订）"
    case.save_revision().publish()
    response = revalidate(client, lesson.url, lesson_first)
    assert response.status_code == 200 and "第二版正文" in response.content.decode()
    response = revalidate(client, case.url, case_first)
    assert response.status_code == 200 and "（修订）" in response.content.decode()
    response = revalidate(client, case.get_parent().url, library_first)
    assert response.status_code == 200 and "（修订）" in response.content.decode()


def test_trainer_review_gives_new_content(client, learner, lesson):
    Enrolment.objects.create(user=learner, course=lesson.get_parent().specific, year=2026, source="self")
    reflection = services.reflection_submit(user=learner, page=lesson, body=TEXT)
    first = client.get(lesson.url)
    dashboard = client.get("/")
    assert revalidate(client, lesson.url, first).status_code == 304
    assert revalidate(client, "/", dashboard).status_code == 304
    services.reflection_review(
        by=trainer("某省/甲市"), reflection=reflection, accept=False, comment="请结合本单位实际再写"
    )
    response = revalidate(client, lesson.url, first)
    assert response.status_code == 200 and "请结合本单位实际再写" in response.content.decode()


def test_study_progress_gives_a_new_dashboard(client, learner):
    course = factories.course(title="进度课程", lessons=2, minutes=1)
    Enrolment.objects.create(user=learner, course=course, year=timezone.localdate().year, source="self")
    first = client.get("/")
    assert revalidate(client, "/", first).status_code == 304
    lesson = course.lessons().first()
    t0 = timezone.now()
    for n in range(3):
        services.lesson_heartbeat(user=learner, lesson=lesson, now=t0 + timezone.timedelta(seconds=30 * n))
    response = revalidate(client, "/", first)
    assert response.status_code == 200 and "课时 1/2" in response.content.decode()


def test_sign_out_is_never_answered_304(client, learner, lesson):
    first = client.get(lesson.url)
    assert revalidate(client, lesson.url, first).status_code == 304
    client.post("/accounts/logout/")
    response = revalidate(client, lesson.url, first)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert not revalidate(client, "/", first).has_header("ETag")


def test_deactivation_is_never_answered_304(client, learner, case):
    first = client.get(case.url)
    assert revalidate(client, case.url, first).status_code == 304
    learner.is_active = False
    learner.save()
    response = revalidate(client, case.url, first)
    assert response.status_code == 302


def test_new_password_signs_out_and_is_never_answered_304(client, learner, lesson):
    first = client.get(lesson.url)
    learner.set_password("Another@Password2026")
    learner.save()
    response = revalidate(client, lesson.url, first)
    assert response.status_code == 302


def test_privacy_setting_is_never_answered_304(client, learner, lesson):
    first = client.get(lesson.url)
    assert revalidate(client, lesson.url, first).status_code == 304
    restriction = PageViewRestriction.objects.create(page=lesson, restriction_type=PageViewRestriction.GROUPS)
    restriction.groups.set([Group.objects.create(name="专班")])
    response = revalidate(client, lesson.url, first)
    assert response.status_code not in (200, 304)
    assert "第一版正文" not in response.content.decode()


def test_rank_restriction_published_is_never_answered_304(client, learner, case):
    first = client.get(case.url)
    assert revalidate(client, case.url, first).status_code == 304
    case.min_rank = Rank.PROVINCIAL
    case.save_revision().publish()
    assert revalidate(client, case.url, first).status_code == 404


def test_flash_messages_waiting_means_no_etag(client, learner, lesson):
    first = client.get(lesson.url)
    assert revalidate(client, lesson.url, first).status_code == 304
    # Submitting a 心得体会 leaves a message for the next page (and bumps the user's generation anyway).
    client.post(reverse("learning:reflection_submit", args=[lesson.pk]), {"body": TEXT})
    response = revalidate(client, lesson.url, first)
    assert response.status_code == 200 and not response.has_header("ETag")
    assert "心得体会已提交" in response.content.decode()
