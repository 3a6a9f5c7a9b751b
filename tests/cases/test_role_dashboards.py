"""Each role lands on its own work (dashboard panels through register_dashboard_panel), and the cached
dashboard follows every write that changes that work."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from accounts import roles
from accounts.factories import cadre, staff, trainer
from cases.factories import CaseStudyPageFactory
from learning import factories as lf
from learning import services as ls
from learning.models import Enrolment
from quizzes import factories as qf
from quizzes import services as qs

pytestmark = pytest.mark.django_db
NO_PROFILE = "尚未关联干部档案"


def dashboard(user) -> str:
    client = Client()
    client.force_login(user)
    client.get("/")  # CSRF cookie: part of the cached fragment's key
    return client, client.get("/").content.decode()


def test_editor_sees_drafts_then_returned_case(index):
    editor, reviewer = staff(roles.EDITOR), staff(roles.REVIEWER)
    case = CaseStudyPageFactory(parent=index, live=False, title="草稿案例甲", owner=editor)
    case.save_revision(user=editor)
    client, body = dashboard(editor)
    assert NO_PROFILE not in body and "我的编辑工作" in body
    drafts = body[body.index("草稿（尚未提交审核）") :]
    assert "草稿案例甲" in drafts and f"/admin/pages/{case.pk}/edit/" in body
    # Submitted: the reviewer sees it waiting; the editor sees it in review.
    case.get_workflow().start(case, editor)
    _, review = dashboard(reviewer)
    assert "待我审核" in review and "草稿案例甲" in review and NO_PROFILE not in review
    assert "审核中" in client.get("/").content.decode()
    # Returned by the reviewer: the editor's cached dashboard moves it under 被退回.
    state = case.current_workflow_task_state
    state.task.specific.on_action(state, reviewer, "reject", comment="未脱敏")
    body = client.get("/").content.decode()
    returned = body[body.index("被退回、需修改") : body.index("草稿（尚未提交审核）")]
    assert "草稿案例甲" in returned
    _, review = dashboard(reviewer)
    assert "没有等待您审核的稿件。" in review


def test_trainer_sees_overdue_and_reflections_and_follows_new_ones():
    today = timezone.localdate()
    learner = cadre(unit="省/甲市/局")
    course = lf.course(title="逾期课程", lessons=1)
    Enrolment.objects.create(
        user=learner, course=course, year=today.year, source="assigned", due_date=today - timedelta(days=2)
    )
    boss = trainer("省/甲市")
    client, body = dashboard(boss)
    assert NO_PROFILE not in body and "我的培训管理工作" in body
    panel = body[body.index("我的培训管理工作") :]
    assert "逾期未完成（人次）</span><strong>1</strong>" in panel
    assert "待审阅心得体会</span><strong>0</strong>" in panel
    lesson = course.get_children().specific().first()
    ls.reflection_submit(user=learner, page=lesson, body="结合本职工作认真对照检查，查找差距不足，抓好整改落实。")
    body = client.get("/").content.decode()
    assert "待审阅心得体会</span><strong>1</strong>" in body
    ls.course_complete(user=learner, course=course, now=timezone.now())
    body = client.get("/").content.decode()
    assert "逾期未完成（人次）</span><strong>0</strong>" in body
    # An out-of-scope trainer sees none of it.
    _, other = dashboard(trainer("省/乙市"))
    assert "逾期未完成（人次）</span><strong>0</strong>" in other


def test_cadre_sees_quiz_in_progress_with_continue_until_submitted():
    learner = cadre()
    cat = qf.category("面板")
    quiz = qf.quiz(qf.single(cat), qf.single(cat, stem="第二题"))
    client, body = dashboard(learner)
    assert "继续答题" not in body
    attempt = qs.attempt_start(user=learner, quiz=quiz)
    body = client.get("/").content.decode()
    assert "继续答题" in body and f"/quizzes/attempts/{attempt.pk}/" in body and quiz.title in body
    qs.attempt_submit(attempt=attempt)
    assert "继续答题" not in client.get("/").content.decode()
