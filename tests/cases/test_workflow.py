"""The 案例审核 workflow: submit → 审核 approves or rejects; scheduled publishing and revisions."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from wagtail.models import TaskState, WorkflowPage, WorkflowState

from accounts import roles
from accounts.factories import staff
from cases import services
from cases.factories import CaseStudyPageFactory
from cases.models import CaseStudyPage

pytestmark = pytest.mark.django_db


@pytest.fixture
def people():
    return {"editor": staff(roles.EDITOR), "reviewer": staff(roles.REVIEWER), "other_editor": staff(roles.EDITOR)}


@pytest.fixture
def submitted(index, people):
    case = CaseStudyPageFactory(parent=index, live=False)
    case.save_revision(user=people["editor"])
    case.get_workflow().start(case, people["editor"])
    return CaseStudyPage.objects.get(pk=case.pk)


def test_workflow_is_assigned_to_the_library_once(index, home_page):
    services.case_index_ensure(parent=home_page)
    services.case_workflow_ensure(index=index)
    link = WorkflowPage.objects.get(page=index)
    assert link.workflow.name == services.WORKFLOW_NAME
    tasks = list(link.workflow.tasks.specific())
    assert len(tasks) == 1
    assert list(tasks[0].groups.values_list("name", flat=True)) == [roles.REVIEWER]


def test_only_reviewers_may_moderate(submitted, people):
    task = submitted.current_workflow_task.specific
    assert task.get_task_states_user_can_moderate(people["reviewer"]).exists()
    assert not task.get_task_states_user_can_moderate(people["other_editor"]).exists()
    assert not task.get_task_states_user_can_moderate(people["editor"]).exists()


def test_rejected_case_stays_unpublished(submitted, people):
    state = submitted.current_workflow_task_state
    state.task.specific.on_action(state, people["reviewer"], "reject", comment="当事人单位名称未脱敏")
    case = CaseStudyPage.objects.get(pk=submitted.pk)
    assert not case.live
    assert case.current_workflow_state.status == WorkflowState.STATUS_NEEDS_CHANGES
    assert TaskState.objects.get(pk=state.pk).comment == "当事人单位名称未脱敏"


def test_approved_case_goes_live(submitted, people):
    state = submitted.current_workflow_task_state
    state.task.specific.on_action(state, people["reviewer"], "approve", comment="")
    case = CaseStudyPage.objects.get(pk=submitted.pk)
    assert case.live
    assert not case.workflow_in_progress


def test_reviewer_approves_in_the_admin(client, submitted, people):
    client.force_login(people["reviewer"])
    state = submitted.current_workflow_task_state
    url = reverse("wagtailadmin_pages:workflow_action", args=[submitted.pk, "approve", state.pk])
    response = client.post(url, {"comment": "同意发布"})
    assert response.status_code in (200, 302)
    assert CaseStudyPage.objects.get(pk=submitted.pk).live


def test_editor_cannot_publish_directly(client, index, people):
    case = CaseStudyPageFactory(parent=index, live=False)
    assert not case.permissions_for_user(people["editor"]).can_publish()
    assert case.permissions_for_user(people["editor"]).can_submit_for_moderation()


def test_approval_with_go_live_date_is_scheduled(submitted, people):
    case = submitted
    case.go_live_at = timezone.now() + timedelta(hours=2)
    case.save_revision(user=people["editor"])
    state = CaseStudyPage.objects.get(pk=case.pk).current_workflow_task_state
    state.task.specific.on_action(state, people["reviewer"], "approve")
    case = CaseStudyPage.objects.get(pk=case.pk)
    assert not case.live
    revision = case.latest_revision
    assert revision.approved_go_live_at is not None
    # Two hours later the scheduler publishes it (moved back in time rather than waiting).
    past = timezone.now() - timedelta(minutes=1)
    revision.approved_go_live_at = past
    revision.content["go_live_at"] = past.isoformat()
    revision.save(update_fields=["approved_go_live_at", "content"])
    call_command("publish_scheduled", verbosity=0)
    assert CaseStudyPage.objects.get(pk=case.pk).live


def test_revisions_keep_history(index, people):
    case = CaseStudyPageFactory(parent=index, live=False)
    first = case.save_revision(user=people["editor"])
    case.summary = "第二版摘要"
    case.save_revision(user=people["editor"])
    assert case.revisions.count() == 2
    assert first.as_object().summary != "第二版摘要"


def test_a_library_added_by_hand_in_the_admin_gets_the_review_workflow(admin_client, home_page):
    """Issue 17: not only setup_site's library; one an administrator adds in the admin is reviewed too."""
    from cases.models import CaseIndexPage

    url = reverse("wagtailadmin_pages:add", args=("cases", "caseindexpage", home_page.pk))
    response = admin_client.post(url, {"title": "第二案例库", "slug": "cases-2", "intro": "", "action-publish": "1"})
    assert response.status_code == 302, response.content.decode()[:2000]
    library = CaseIndexPage.objects.get(slug="cases-2")
    link = WorkflowPage.objects.get(page=library)
    assert link.workflow.name == services.WORKFLOW_NAME
    # A case drafted in it goes to the 审核 group.
    assert CaseStudyPageFactory(parent=library, live=False).get_workflow().name == services.WORKFLOW_NAME
