"""A case goes to review or live only with its required body sections written (基本案情, 警示启示), a
lesson only with a body that says something; drafts may be incomplete. Autosave is off, so an add form
the editor never saved leaves no page behind."""

import pytest
from bs4 import BeautifulSoup
from django.conf import settings
from django.urls import reverse
from wagtail.blocks import StreamValue
from wagtail.rich_text import RichText
from wagtail.test.utils.form_data import nested_form_data, querydict_from_html, rich_text, streamfield

from accounts import roles
from accounts.factories import staff
from cases import services
from cases.blocks import CaseBodyBlock
from cases.factories import CaseStudyPageFactory
from cases.models import CaseStudyPage
from cases.selectors import case_missing_sections
from learning import factories as learning_factories
from learning.blocks import LessonStreamBlock
from learning.models import LessonPage
from learning.selectors import lesson_body_is_empty

pytestmark = pytest.mark.django_db

# ---------------------------------------------------------------- the rules


def _case_body(*sections: tuple[str, list]) -> StreamValue:
    return StreamValue(
        CaseBodyBlock(), [("section", {"section": key, "content": content}) for key, content in sections]
    )


def test_a_case_needs_facts_and_lessons_with_words_in_them():
    assert case_missing_sections(body=_case_body()) == ["基本案情", "警示启示"]
    assert case_missing_sections(body=None) == ["基本案情", "警示启示"]
    written = _case_body(
        ("facts", [("paragraph", "<p>某某收受财物。</p>")]), ("lessons", [("paragraph", "<p>启示。</p>")])
    )
    assert case_missing_sections(body=written) == []
    # An empty paragraph, spaces or &nbsp; say nothing; the section counts as missing.
    hollow = _case_body(
        ("facts", [("paragraph", "<p></p>")]), ("lessons", [("paragraph", "<p>&nbsp; </p>")]), ("causes", [])
    )
    assert case_missing_sections(body=hollow) == ["基本案情", "警示启示"]
    # Other sections do not stand in for the required ones; a key point or a rule quote is content.
    others = _case_body(
        ("problems", [("paragraph", "<p>问题。</p>")]),
        ("facts", [("key_point", {"title": "", "text": "要点"})]),
    )
    assert case_missing_sections(body=others) == ["警示启示"]


def test_the_demo_and_factory_cases_are_ready_for_review(index):
    case = CaseStudyPageFactory(parent=index)
    assert case_missing_sections(body=case.body) == []


def test_a_lesson_body_must_say_something():
    def body(*blocks):
        return StreamValue(LessonStreamBlock(), list(blocks))

    assert lesson_body_is_empty(body=body())
    assert lesson_body_is_empty(body=body(("text", RichText("<p> </p>"))))
    assert not lesson_body_is_empty(body=body(("text", RichText("<p>正文。</p>"))))
    assert not lesson_body_is_empty(body=body(("reflection_prompt", {"prompt": "谈谈体会。"})))


# ---------------------------------------------------------------- the admin forms


def _body_form_data(*sections: tuple[str, str]) -> dict:
    return nested_form_data(
        {
            "body": streamfield(
                [
                    ("section", {"section": key, "content": streamfield([("paragraph", rich_text(html))])})
                    for key, html in sections
                ]
            )
        }
    )


def _put(data, values: dict) -> None:
    """Set (not append, as QueryDict.update does) each posted value."""
    for key, value in values.items():
        data[key] = value


def _edit_form(client, url: str):
    data = querydict_from_html(client.get(url).content.decode(), form_id="page-edit-form")
    if "is_anonymised" in data:  # a ticked box without value= comes back as "" here; a browser sends "on"
        data["is_anonymised"] = "on"
    return data


def _add_form(client, index) -> tuple[str, dict]:
    url = reverse("wagtailadmin_pages:add", args=["cases", "casestudypage", index.pk])
    response = client.get(url)
    assert response.status_code == 200
    data = querydict_from_html(response.content.decode(), form_id="page-edit-form")
    _put(
        data,
        {
            "title": "某县某局原局长某某受贿案（无正文）",
            "slug": "case-without-body",  # the admin's JavaScript fills it from the title
            "summary": "某某利用职务便利收受财物。",
            "year": "2024",
            "region": "某省某县",
            "subject_rank": "20",
            "is_anonymised": "on",
        },
    )
    _put(data, _body_form_data())
    return url, data


@pytest.fixture
def editor(client):
    user = staff(roles.EDITOR)
    client.force_login(user)
    return user


def test_editor_cannot_submit_a_case_without_body_but_may_save_it_as_draft(client, index, editor, terms):
    url, data = _add_form(client, index)
    data["sector"] = str(terms["sector"]["交通"].pk)
    data["action-submit"] = "1"
    response = client.post(url, data)
    assert response.status_code == 200
    message = response.context["form"].errors["body"][0]
    assert "基本案情、警示启示" in message and "提交审核或发布前" in message
    assert not CaseStudyPage.objects.filter(title=data["title"]).exists()

    del data["action-submit"]  # 保存草稿: an incomplete draft is fine
    response = client.post(url, data)
    assert response.status_code == 302, response.context["form"].errors
    case = CaseStudyPage.objects.get(title=data["title"])
    assert not case.live and not case.workflow_in_progress
    assert case.is_anonymised and case.get_latest_revision_as_object().is_anonymised

    edit_url = reverse("wagtailadmin_pages:edit", args=[case.pk])
    data = _edit_form(client, edit_url)
    _put(data, _body_form_data(("facts", "<p>某某收受财物。</p>"), ("lessons", "<p></p>")))
    data["action-submit"] = "1"
    response = client.post(edit_url, data)
    assert response.status_code == 200
    assert "警示启示" in response.context["form"].errors["body"][0]
    assert "基本案情" not in response.context["form"].errors["body"][0]
    case.refresh_from_db()
    assert not case.workflow_in_progress

    _put(data, _body_form_data(("facts", "<p>某某收受财物。</p>"), ("lessons", "<p>以案为鉴。</p>")))
    response = client.post(edit_url, data)
    assert response.status_code == 302, response.context["form"].errors
    case.refresh_from_db()
    assert case.workflow_in_progress
    assert case.current_workflow_state.workflow.name == services.WORKFLOW_NAME


def test_publishing_and_approving_need_the_sections_too(client, index):
    editor, reviewer = staff(roles.EDITOR), staff(roles.REVIEWER)
    case = CaseStudyPageFactory(parent=index, live=False)
    case.save_revision(user=editor)
    case.get_workflow().start(case, editor)
    edit_url = reverse("wagtailadmin_pages:edit", args=[case.pk])

    client.force_login(reviewer)
    data = _edit_form(client, edit_url)
    _put(data, _body_form_data(("facts", "<p>某某收受财物。</p>")))
    data["action-workflow-action"] = "1"
    data["workflow-action-name"] = "approve"
    response = client.post(edit_url, data)
    assert response.status_code == 200
    assert "警示启示" in response.context["form"].errors["body"][0]
    assert not CaseStudyPage.objects.get(pk=case.pk).live

    client.force_login(staff(roles.ADMINISTRATOR, is_superuser=True))
    data = _edit_form(client, edit_url)
    _put(data, _body_form_data())
    data["action-publish"] = "1"
    response = client.post(edit_url, data)
    assert response.status_code == 200
    assert "基本案情、警示启示" in response.context["form"].errors["body"][0]
    assert not CaseStudyPage.objects.get(pk=case.pk).live


def test_a_lesson_with_an_empty_body_is_not_published_but_is_saved_as_draft(client):
    course = learning_factories.course()
    lesson = learning_factories.lesson(course=course, live=False)
    client.force_login(staff(roles.ADMINISTRATOR, is_superuser=True))
    edit_url = reverse("wagtailadmin_pages:edit", args=[lesson.pk])
    data = _edit_form(client, edit_url)
    _put(data, nested_form_data({"body": streamfield([("text", rich_text("<p></p>"))])}))
    response = client.post(edit_url, data)  # 保存草稿
    assert response.status_code == 302

    data["action-publish"] = "1"
    response = client.post(edit_url, data)
    assert response.status_code == 200
    assert "课时内容不能为空" in response.context["form"].errors["body"][0]
    assert not LessonPage.objects.get(pk=lesson.pk).live

    _put(data, nested_form_data({"body": streamfield([("text", rich_text("<p>本课正文。</p>"))])}))
    response = client.post(edit_url, data)
    assert response.status_code == 302
    assert LessonPage.objects.get(pk=lesson.pk).live


# ---------------------------------------------------------------- autosave off, pickers, branding


def test_autosave_is_off_so_an_unsaved_add_form_creates_nothing(client, index, editor):
    assert settings.WAGTAIL_AUTOSAVE_INTERVAL == 0
    response = client.get(reverse("wagtailadmin_pages:add", args=["cases", "casestudypage", index.pk]))
    form = BeautifulSoup(response.content, "html.parser").select_one("form[data-edit-form]")
    assert "w-autosave" not in form["data-controller"].split()
    assert form.get("data-w-autosave-interval-value") is None


def test_case_taxonomies_are_checkboxes_with_a_filter(client, index, editor):
    response = client.get(reverse("wagtailadmin_pages:add", args=["cases", "casestudypage", index.pk]))
    html = response.content.decode()
    assert html.count("data-checkbox-filter ") + html.count("data-checkbox-filter>") == 3
    assert 'type="checkbox" name="violation_types"' in html
    assert '<select name="violation_types"' not in html
    assert "js/checkbox_filter.js" in html
    assert "已选 {checked} 项，共 {total} 项" in html


def test_admin_is_branded_mingjian(client):
    html = client.get(reverse("wagtailadmin_login")).content.decode()
    assert "登录明鉴管理后台" in html
    assert "<title>登录 - 明鉴</title>" in html
    assert "favicon.svg" in html
    assert "登录Wagtail" not in html
    assert "wagtailadmin/images/" not in html
