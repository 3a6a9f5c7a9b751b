"""Finding 16.10: bad input in importers, forms and the API gives a clear 4xx/Chinese error, never a 500."""

import base64
import io
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image

from accounts import factories as af
from accounts import roles
from cases import services as case_services
from cases.models import CaseStudyPage
from quizzes import importers
from quizzes.models import Question, QuestionCategory
from tests.cases.test_import import dump, line

pytestmark = pytest.mark.django_db


@pytest.fixture
def index(home_page):
    return case_services.case_index_ensure(parent=home_page, title="警示教育案例库", slug="cases")


def png(width=4, height=4) -> bytes:
    out = io.BytesIO()
    Image.new("L", (width, height)).save(out, "PNG")
    return out.getvalue()


# ------------------------------------------------------------------ case JSONL


@pytest.mark.parametrize("raw", ['"sentence_years": NaN', '"sentence_years": Infinity', '"sentence_years": -Infinity'])
def test_case_jsonl_non_numbers(index, raw):
    text = json.dumps(line(9, outcome="刑事处罚", sentence_years=3), ensure_ascii=False).replace(
        '"sentence_years": 3', raw
    )
    with pytest.raises(case_services.CaseImportError) as exc:
        case_services.case_import(lines=dump(line(1), text))
    assert exc.value.errors[0][0] == 2 and "不是数字" in exc.value.errors[0][1]
    assert not CaseStudyPage.objects.exists()


def test_case_jsonl_deep_nesting(index):
    deep = '{"external_id": ' + "[" * 100_000 + "]" * 100_000 + "}"
    with pytest.raises(case_services.CaseImportError) as exc:
        case_services.case_import(lines=dump(line(1), deep))
    assert exc.value.errors[0][0] == 2 and "嵌套层数过多" in exc.value.errors[0][1]


# ------------------------------------------------------------------ question categories


def test_question_category_200_levels_deep():
    path = "/".join(f"c{i}" for i in range(200))
    gift = f"$CATEGORY: {path}\n\n::q1:: 天是蓝的。{{T}}\n"
    with pytest.raises(importers.ImportFailed) as exc:
        importers.import_questions(data=gift.encode(), filename="q.gift", category_path="导入")
    assert "分类层级过深" in str(exc.value) and "q1" in exc.value.errors[0][0]
    assert not QuestionCategory.objects.exists()
    with pytest.raises(importers.ImportFailed):
        importers.import_questions(data=b"::q:: x {T}\n", filename="q.gift", category_path=path)
    assert not QuestionCategory.objects.exists()


def test_question_category_path_too_deep_through_admin_import(client):
    client.force_login(af.staff(roles.ADMINISTRATOR))
    upload = SimpleUploadedFile("q.gift", b"::q:: x {T}\n", "text/plain")
    response = client.post("/admin/quizzes/import/", {"file": upload, "category": "/".join(["a"] * 200)})
    assert response.status_code == 200
    assert "分类层级过深" in response.content.decode()


# ------------------------------------------------------------------ images


def _moodle_with_image(data: bytes) -> bytes:
    b64 = base64.b64encode(data).decode()
    return f"""<?xml version="1.0" encoding="UTF-8"?><quiz><question type="essay"><name><text>图</text></name>
<questiontext format="html"><text><![CDATA[<p>看图 <img src="@@PLUGINFILE@@/a.png"></p>]]></text>
<file name="a.png" path="/" encoding="base64">{b64}</file></questiontext></question></quiz>""".encode()


def test_moodle_embedded_image_pixel_cap(settings):
    settings.WAGTAILIMAGES_MAX_IMAGE_PIXELS = 40_000_000
    big = png(9000, 9000)
    with pytest.raises(importers.ImportFailed) as exc:
        importers.import_questions(data=_moodle_with_image(big), filename="q.xml", category_path="图")
    assert "像素过多" in str(exc.value)
    assert not Question.objects.exists()
    importers.import_questions(data=_moodle_with_image(png()), filename="q.xml", category_path="图")
    assert Question.objects.count() == 1


def test_moodle_embedded_truncated_image():
    with pytest.raises(importers.ImportFailed) as exc:
        importers.import_questions(data=_moodle_with_image(png(64, 64)[:-30]), filename="q.xml", category_path="图")
    assert "损坏或不完整" in str(exc.value)


def test_truncated_png_in_admin_image_form(client):
    from wagtail.images import get_image_model

    client.force_login(af.staff(roles.ADMINISTRATOR))
    noisy = Image.effect_noise((256, 256), 50)
    out = io.BytesIO()
    noisy.save(out, "PNG")
    truncated = out.getvalue()[: len(out.getvalue()) // 2]
    upload = SimpleUploadedFile("broken.png", truncated, "image/png")
    response = Client(raise_request_exception=False)
    response.force_login(af.staff(roles.ADMINISTRATOR))
    answer = response.post("/admin/images/add/", {"title": "坏图", "file": upload, "collection": 1})
    assert answer.status_code == 200
    assert "损坏或不完整" in answer.content.decode()
    assert not get_image_model().objects.exists()


# ------------------------------------------------------------------ API


def test_path_ids_beyond_64_bits_are_404_or_422():
    client = Client(raise_request_exception=False)
    client.force_login(af.cadre())
    response = client.post(
        "/api/v1/cases/2500603701383138324208262063249686528/read", {"seconds": 30}, content_type="application/json"
    )
    assert 400 <= response.status_code < 500


def test_token_endpoint_multipart_without_boundary():
    client = Client(raise_request_exception=False)
    response = client.generic(
        "POST", "/api/v1/auth/token", b"username=a&password=b", content_type="multipart/form-data"
    )
    assert 400 <= response.status_code < 500
    response = client.generic("POST", "/api/v1/auth/token", b"\xff\xfe", content_type="application/json")
    assert 400 <= response.status_code < 500


def test_huge_ids_in_page_urls_are_not_500(client):
    client = Client(raise_request_exception=False)
    client.force_login(af.staff(roles.SECURITY_ADMINISTRATOR))
    response = client.get("/admin/cadres/edit/2500603701383138324208262063249686528/")
    assert 400 <= response.status_code < 500
