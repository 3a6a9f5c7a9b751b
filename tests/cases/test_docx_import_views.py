"""The admin views of the Word import: upload → preview (sections, what was not placed, suggestions) → drafts."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from accounts import roles
from accounts.factories import staff
from cases import views_word
from cases.models import CaseStudyPage, Sector, ViolationType
from tests import docx_factory as f

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _tmp_dir(settings, tmp_path):
    settings.WORD_IMPORT_TMP_DIR = str(tmp_path / "word")


def _upload(client, name, data, target):
    return client.post(
        reverse("cases_word_import"), {"file": SimpleUploadedFile(name, data), "target": target}, follow=False
    )


def _confirm_data(response, **overrides) -> dict:
    """The preview form as the editor's browser would post it, with its suggested values."""
    data = {}
    for item in response.context["items"]:
        form = item["form"]
        for name in form.fields:
            value = form.initial.get(name)
            if value in (None, False, []):
                continue
            data[form.add_prefix(name)] = value
    data.update(overrides)
    return data


def test_editor_uploads_previews_and_creates_a_draft(client, index, settings, tmp_path):
    editor = staff(roles.EDITOR)
    client.force_login(editor)
    assert client.get(reverse("cases_word_import")).status_code == 200
    response = _upload(client, "交通局案.docx", f.case_docx(), f"case:{index.pk}")
    assert response.status_code == 302
    token = re.search(r"/word-import/([^/]+)/$", response["Location"]).group(1)
    assert list((tmp_path / "word").glob("*.upload"))
    assert CaseStudyPage.objects.count() == 0  # nothing is created before the editor confirms

    preview = client.get(response["Location"])
    html = preview.content.decode()
    for text in ("基本案情", "主要问题", "警示启示", "对策建议", "相关规定", "<b>2019年至2023年</b>", "金额（万元）"):
        assert text in html
    assert "data:image/png;base64," in html
    assert "附：干部群众反响" in html  # listed as not placed
    form = preview.context["items"][0]["form"]
    assert form.initial["sector"] == Sector.objects.get(name="交通").pk
    assert ViolationType.objects.get(name="受贿").pk in form.initial["violation_types"]
    assert form.initial["is_anonymised"] is False and form.initial["min_rank"] is None
    assert 'name="doc0-is_anonymised"' in html and 'name="doc0-is_anonymised" checked' not in html

    response = client.post(reverse("cases_word_import_preview", args=[token]), _confirm_data(preview))
    page = CaseStudyPage.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("wagtailadmin_pages:edit", args=[page.pk])
    assert page.title == "某县交通局局长收受贿赂案" and not page.live and not page.is_anonymised
    assert page.year == 2023 and page.region == "某省某县" and page.subject_rank == roles.Rank.COUNTY
    assert {t.name for t in page.violation_types.all()} >= {"受贿"}
    assert not list((tmp_path / "word").glob("*.upload"))  # the waiting upload is gone
    assert client.get(reverse("cases_word_import_preview", args=[token])).status_code == 404


def test_missing_choices_are_asked_for_and_nothing_is_created(client, index):
    client.force_login(staff(roles.EDITOR))
    response = _upload(client, "a.docx", f.case_docx(summary="没有年份和地区的导语。"), f"case:{index.pk}")
    preview = client.get(response["Location"])
    data = _confirm_data(preview)
    data.pop("doc0-region", None)
    data.pop("doc0-year", None)
    response = client.post(response["Location"], data)
    assert response.status_code == 200
    assert response.context["items"][0]["form"].errors.keys() >= {"region"}
    assert CaseStudyPage.objects.count() == 0


def test_refused_file_shows_the_reason_and_stores_nothing(client, index, tmp_path):
    client.force_login(staff(roles.EDITOR))
    response = _upload(client, "secret.docx", f.ole_encrypted(), f"case:{index.pk}")
    assert response.status_code == 200
    assert "文件已加密" in response.content.decode()
    assert response.context["errors"][0][0] == "secret.docx"
    assert not list((tmp_path / "word").glob("*.upload"))


def test_zip_of_several_documents_makes_one_draft_each(client, index):
    client.force_login(staff(roles.EDITOR))
    data = f.zip_of({f"案例{n}.docx": f.case_docx(title=f"某县第{n}号案", image=False) for n in range(3)})
    response = _upload(client, "batch.zip", data, f"case:{index.pk}")
    preview = client.get(response["Location"])
    assert len(preview.context["items"]) == 3
    response = client.post(response["Location"], _confirm_data(preview))
    assert response.status_code == 302
    assert sorted(CaseStudyPage.objects.values_list("title", flat=True)) == [
        "某县第0号案",
        "某县第1号案",
        "某县第2号案",
    ]


def test_a_token_is_only_good_in_the_session_that_uploaded(client, index):
    client.force_login(staff(roles.EDITOR))
    location = _upload(client, "a.docx", f.case_docx(), f"case:{index.pk}")["Location"]
    other = staff(roles.EDITOR)
    client.force_login(other)  # a new session
    assert client.get(location).status_code == 404


def test_target_must_be_one_the_user_may_add_to(client, index):
    client.force_login(staff(roles.EDITOR))
    response = _upload(client, "a.docx", f.case_docx(), "case:999999")
    assert response.status_code == 200 and "target" in response.context["form"].errors


def test_lesson_upload_into_a_course(client, home_page):
    from learning import factories
    from learning.models import LessonPage

    course = factories.course(title="廉洁用权")
    client.force_login(staff(roles.EDITOR))
    form = client.get(reverse("cases_word_import") + f"?course={course.pk}").context["form"]
    assert form.initial["target"] == f"lesson:{course.pk}"
    response = _upload(client, "第三讲.docx", f.lesson_docx(), f"lesson:{course.pk}")
    preview = client.get(response["Location"])
    assert "必须为人民所用" in preview.content.decode()
    response = client.post(response["Location"], _confirm_data(preview))
    lesson = LessonPage.objects.get(title="第三讲 廉洁用权的底线")
    assert response.status_code == 302 and not lesson.live and lesson.get_parent().pk == course.pk


def test_menu_item_only_for_those_who_may_import(index):
    from accounts.factories import cadre

    assert views_word.can_word_import(staff(roles.EDITOR))
    assert not views_word.can_word_import(cadre())


def test_waiting_uploads_default_to_the_shared_private_root(settings, tmp_path):
    # Two app servers behind nginx: the preview and the confirmation may reach different ones, so the parsed
    # upload waits under PRIVATE_MEDIA_ROOT (shared, like exports), never in one server's /tmp.
    from cases import views_word

    settings.WORD_IMPORT_TMP_DIR = ""
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    assert views_word._tmp_dir() == tmp_path / "private" / "word-import"
