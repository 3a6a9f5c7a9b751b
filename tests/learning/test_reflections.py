"""services.reflection_submit / reflection_review and the review pages: trainers review only within scope."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from accounts import roles
from accounts.factories import cadre, staff, trainer
from learning import factories, selectors, services
from learning.models import Reflection

pytestmark = pytest.mark.django_db

TEXT = "通过学习本课，我认识到一把手必须带头接受监督，把权力关进制度的笼子里。"


@pytest.fixture
def lesson():
    return factories.lesson(course=factories.course(), prompt="结合本职工作，谈谈如何接受监督？")


@pytest.fixture
def writer():
    return cadre(unit="某省/甲市/东山县/交通运输局")


def test_submit_twice_keeps_one_row(lesson, writer):
    services.reflection_submit(user=writer, page=lesson, body=TEXT)
    services.reflection_submit(user=writer, page=lesson, body=TEXT + "补充。")
    assert Reflection.objects.filter(user=writer).count() == 1
    assert Reflection.objects.get(user=writer).body.endswith("补充。")


def test_too_short_is_refused(lesson, writer):
    with pytest.raises(ValidationError):
        services.reflection_submit(user=writer, page=lesson, body="很好")


def test_trainer_in_scope_accepts_and_it_appears_in_the_archive(lesson, writer):
    reflection = services.reflection_submit(user=writer, page=lesson, body=TEXT)
    assert selectors.archive_for(user=writer).reflections == []
    services.reflection_review(by=trainer("某省/甲市/东山县"), reflection=reflection, accept=True)
    assert [r.pk for r in selectors.archive_for(user=writer).reflections] == [reflection.pk]
    with pytest.raises(ValidationError):
        services.reflection_submit(user=writer, page=lesson, body=TEXT + "再改")


def test_returned_reflection_can_be_revised(lesson, writer):
    reflection = services.reflection_submit(user=writer, page=lesson, body=TEXT)
    boss = trainer("某省/甲市")
    with pytest.raises(ValidationError):
        services.reflection_review(by=boss, reflection=reflection, accept=False, comment="")
    services.reflection_review(by=boss, reflection=reflection, accept=False, comment="请结合岗位查找问题。")
    assert Reflection.objects.get().status == "returned"
    revised = services.reflection_submit(user=writer, page=lesson, body=TEXT + "对照检查：本人在同级监督上还有差距。")
    assert revised.status == "submitted"
    services.reflection_review(by=boss, reflection=revised, accept=True)
    assert Reflection.objects.get().status == "accepted"


def test_review_scope(lesson, writer):
    reflection = services.reflection_submit(user=writer, page=lesson, body=TEXT)
    with pytest.raises(PermissionDenied):
        services.reflection_review(by=trainer("某省/甲市/西河县"), reflection=reflection, accept=True)
    with pytest.raises(PermissionDenied):
        services.reflection_review(by=cadre(unit="某省/甲市/东山县/交通运输局"), reflection=reflection, accept=True)
    with pytest.raises(PermissionDenied):
        services.reflection_review(by=staff(roles.EDITOR), reflection=reflection, accept=True)
    assert Reflection.objects.get().status == "submitted"


def test_a_reviewed_reflection_is_not_reviewed_twice(lesson, writer):
    reflection = services.reflection_submit(user=writer, page=lesson, body=TEXT)
    boss = trainer("某省/甲市")
    services.reflection_review(by=boss, reflection=reflection, accept=True)
    with pytest.raises(ValidationError):
        services.reflection_review(by=boss, reflection=reflection, accept=False, comment="x")


def test_review_pages_show_only_reflections_in_scope(client, lesson, writer):
    reflection = services.reflection_submit(user=writer, page=lesson, body=TEXT)
    outsider = trainer("某省/乙市")
    client.force_login(outsider)
    assert reflection not in client.get(reverse("learning:reflection_review_list")).context["page_obj"].object_list
    assert client.get(reverse("learning:reflection_review", args=[reflection.pk])).status_code == 404
    assert (
        client.post(reverse("learning:reflection_review", args=[reflection.pk]), {"decision": "accept"}).status_code
        == 404
    )
    insider = trainer("某省/甲市/东山县")
    client.force_login(insider)
    assert reflection in client.get(reverse("learning:reflection_review_list")).context["page_obj"].object_list
    response = client.post(
        reverse("learning:reflection_review", args=[reflection.pk]), {"decision": "accept", "comment": ""}
    )
    assert response.status_code == 302
    assert Reflection.objects.get().status == "accepted"


def test_submit_view(client, lesson, writer):
    client.force_login(writer)
    response = client.post(reverse("learning:reflection_submit", args=[lesson.pk]), {"body": TEXT})
    assert response.status_code == 302
    reflection = Reflection.objects.get(user=writer)
    assert reflection.prompt == "结合本职工作，谈谈如何接受监督？"
    page = client.get(lesson.url)
    assert "待审阅" in page.content.decode()
