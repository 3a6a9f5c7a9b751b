"""Admin: question bank viewsets, import upload, grading queue and results within the trainer's scope."""

from decimal import Decimal
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from wagtail.test.utils.form_data import inline_formset, nested_form_data, rich_text

from accounts import roles
from accounts.factories import cadre, staff, trainer
from quizzes import factories as qf
from quizzes import importers, services
from quizzes.models import Question, QuestionCategory
from quizzes.permissions import grant_role_permissions

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def perms():
    from accounts.services import roles_ensure

    roles_ensure()
    grant_role_permissions()


def login(user):
    c = Client()
    c.force_login(user)
    return c


def test_editor_sees_bank_pages():
    c = login(staff(roles.EDITOR))
    qf.single()
    for url in (
        "/admin/snippets/quizzes/question/",
        "/admin/snippets/quizzes/quiz/",
        "/admin/question_categories/",
        "/admin/snippets/quizzes/question/add/",
        "/admin/snippets/quizzes/quiz/add/",
        "/admin/quizzes/import/",
    ):
        assert c.get(url).status_code == 200, url
    assert c.get("/admin/quizzes/grading/").status_code in (302, 403)


def test_admin_form_refuses_single_choice_with_two_correct():
    c = login(staff(roles.ADMINISTRATOR))
    cat = qf.category("表单")
    choices = [{"text": "甲", "is_correct": True, "fraction": ""}, {"text": "乙", "is_correct": True, "fraction": ""}]
    data = nested_form_data(
        {
            "category": cat.pk,
            "qtype": "single",
            "name": "",
            "stem": rich_text("<p>题干</p>"),
            "explanation": rich_text(""),
            "default_mark": "1",
            "tags": "",
            "choices": inline_formset(choices),
            "accepted_answers": inline_formset([]),
        }
    )
    r = c.post("/admin/snippets/quizzes/question/add/", data)
    assert r.status_code == 200 and "恰好有一个正确选项" in r.content.decode()
    assert not Question.objects.exists()
    data["choices-1-is_correct"] = False
    r = c.post("/admin/snippets/quizzes/question/add/", data)
    assert r.status_code == 302, r.content.decode()[:3000]
    assert Question.objects.get().choices.filter(is_correct=True).count() == 1


def test_category_tree_admin():
    c = login(staff(roles.ADMINISTRATOR))
    r = c.post("/admin/question_categories/new/", {"name": "党纪", "description": ""})
    assert r.status_code == 302
    parent = QuestionCategory.objects.get(full_path="党纪")
    r = c.post("/admin/question_categories/new/", {"name": "八项规定", "parent": parent.pk, "description": ""})
    assert QuestionCategory.objects.filter(full_path="党纪/八项规定").exists()
    child = QuestionCategory.objects.get(full_path="党纪/八项规定")
    r = c.post(f"/admin/question_categories/edit/{parent.pk}/", {"name": "党的纪律", "description": ""})
    assert r.status_code == 302
    child.refresh_from_db()
    assert child.full_path == "党的纪律/八项规定"


def test_import_upload_and_template():
    c = login(trainer("某省"))
    tpl = c.get("/admin/quizzes/import/template.xlsx")
    assert tpl.status_code == 200 and tpl["Content-Type"].startswith("application/vnd.openxml")
    upload = SimpleUploadedFile("模板.xlsx", importers.xlsx_template())
    r = c.post("/admin/quizzes/import/", {"file": upload, "category": "上传"}, follow=True)
    assert "已导入 5 道题" in r.content.decode()
    bad = (Path(__file__).resolve().parents[2] / "tests" / "quizzes" / "test_admin.py").read_bytes()
    r = c.post("/admin/quizzes/import/", {"file": SimpleUploadedFile("x.txt", bad), "category": "上传"})
    assert "导入失败" in r.content.decode()
    assert Question.objects.count() == 5
    cat = QuestionCategory.objects.get(full_path="上传")
    assert c.get(f"/admin/quizzes/export/{cat.pk}/xml/").status_code == 200
    assert c.get(f"/admin/quizzes/export/{cat.pk}/xlsx/").status_code == 200
    assert login(cadre()).get("/admin/quizzes/import/").status_code in (302, 403)


def test_grading_queue_and_results_stay_in_scope():
    essay = qf.essay(mark="4")
    quiz = qf.quiz(qf.single(), essay, title="范围测验")
    inside = cadre(unit="某省/甲市/东山县/教育局", user__name="范围内学员")
    outside = cadre(unit="某省/乙市/南湖区/教育局", user__name="范围外学员")
    for user in (inside, outside):
        attempt = services.attempt_start(user=user, quiz=quiz)
        services.attempt_save_answer(attempt=attempt, question=essay, answer="答案", sequence=0)
        services.attempt_submit(attempt=attempt)
    t = trainer("某省/甲市")
    c = login(t)
    page = c.get("/admin/quizzes/grading/").content.decode()
    assert "范围内学员" in page and "范围外学员" not in page
    outside_slot = outside.quiz_attempts.get().slots.get(question=essay)
    assert c.get(f"/admin/quizzes/grading/{outside_slot.pk}/").status_code == 404
    assert c.post(f"/admin/quizzes/grading/{outside_slot.pk}/", {"score": "4"}).status_code == 404
    inside_slot = inside.quiz_attempts.get().slots.get(question=essay)
    r = c.post(f"/admin/quizzes/grading/{inside_slot.pk}/", {"score": "9"})
    assert r.status_code == 200 and "0 到" in r.content.decode()
    r = c.post(f"/admin/quizzes/grading/{inside_slot.pk}/", {"score": "3", "feedback": "好"})
    assert r.status_code == 302
    inside_slot.refresh_from_db()
    assert inside_slot.score == Decimal("3.00")
    results = c.get(f"/admin/quizzes/results/{quiz.pk}/").content.decode()
    assert "范围内学员" in results and "范围外学员" not in results
    assert c.get("/admin/quizzes/results/").status_code == 200
    assert login(staff(roles.EDITOR)).get(f"/admin/quizzes/results/{quiz.pk}/").status_code in (302, 403)
