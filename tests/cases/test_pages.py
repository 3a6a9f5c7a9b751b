"""Page-tree rules, the model invariants and the anonymisation tick required before submit/publish."""

from decimal import Decimal
from unittest import mock

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from wagtail.models import Page
from wagtail.test.utils import WagtailPageTestCase
from wagtail.test.utils.form_data import nested_form_data, querydict_from_html, rich_text, streamfield

from accounts import roles
from accounts.factories import staff
from cases import services
from cases.factories import CaseStudyPageFactory
from cases.models import CaseIndexPage, CaseStudyPage, Outcome, Sector
from core.models import HomePage


class CasePageTreeTests(WagtailPageTestCase):
    def test_index_lives_under_home_and_holds_only_cases(self):
        self.assertAllowedParentPageTypes(CaseIndexPage, {HomePage})
        self.assertAllowedSubpageTypes(CaseIndexPage, {CaseStudyPage})
        self.assertCanCreateAt(HomePage, CaseIndexPage)

    def test_case_lives_only_under_index_and_has_no_children(self):
        self.assertAllowedParentPageTypes(CaseStudyPage, {CaseIndexPage})
        self.assertAllowedSubpageTypes(CaseStudyPage, set())
        self.assertCanCreateAt(CaseIndexPage, CaseStudyPage)
        self.assertCanNotCreateAt(HomePage, CaseStudyPage)
        self.assertCanNotCreateAt(Page, CaseStudyPage)

    # Wagtail's helpers log in with the first backend, which is django-axes' (it cannot load users).
    @mock.patch("wagtail.test.utils.page_tests.AUTH_BACKEND", "accounts.backends.UserBackend")
    def test_case_is_renderable_editable_and_previewable(self):
        home = HomePage.objects.get(depth=2)
        index = services.case_index_ensure(parent=home)
        case = CaseStudyPageFactory(parent=index)
        user = staff(roles.ADMINISTRATOR, is_superuser=True)
        self.assertPageIsRenderable(case, user=user)
        self.assertPageIsRenderable(index, user=user)
        self.client.force_login(user, "accounts.backends.UserBackend")
        data = _edit_form(self.client, case)
        self.assertPageIsEditable(case, post_data=data, user=user)
        self.assertPageIsPreviewable(case, post_data=data, user=user)


pytestmark = pytest.mark.django_db


def test_sentence_years_only_for_criminal_outcome(make_case):
    case = make_case()
    case.outcome = Outcome.CRIMINAL
    case.sentence_years = None
    with pytest.raises(ValidationError) as exc:
        case.full_clean()
    assert "sentence_years" in exc.value.message_dict
    case.outcome = Outcome.PARTY
    case.sentence_years = Decimal("3")
    with pytest.raises(ValidationError):
        case.full_clean()
    case.outcome = Outcome.CRIMINAL
    case.full_clean()
    # The database refuses it too, whatever bypasses clean().
    with pytest.raises(IntegrityError), transaction.atomic():
        CaseStudyPage.objects.filter(pk=case.pk).update(outcome=Outcome.GOVERNMENT, sentence_years=Decimal("2"))


def test_taxonomies_are_seeded():
    from cases.models import Countermeasure, SupervisionFailure, ViolationType

    assert Sector.objects.count() == 11
    assert ViolationType.objects.count() == 10
    assert Countermeasure.objects.count() == 8
    failures = set(SupervisionFailure.objects.values_list("name", flat=True))
    assert {
        "上级监督不到位",
        "同级监督弱化",
        "下级不敢监督",
        "自身不愿接受监督",
        "思想认知问题",
        "执行操作漏洞",
    } <= failures
    assert len(failures) == 7


@pytest.fixture
def draft_case(index):
    case = CaseStudyPageFactory(parent=index, live=False, is_anonymised=False)
    case.save_revision()
    return case


def _edit_form(client, case):
    response = client.get(reverse("wagtailadmin_pages:edit", args=[case.pk]))
    assert response.status_code == 200
    data = querydict_from_html(response.content.decode(), form_id="page-edit-form")
    # The StreamField editor is built by JavaScript, so its fields are not in the HTML.
    body = nested_form_data(
        {
            "body": streamfield(
                [
                    (
                        "section",
                        {
                            "section": "facts",
                            "content": streamfield([("paragraph", rich_text("<p>某某收受财物。</p>"))]),
                        },
                    ),
                    (
                        "section",
                        {
                            "section": "lessons",
                            "content": streamfield([("paragraph", rich_text("<p>警示启示。</p>"))]),
                        },
                    ),
                ]
            )
        }
    )
    for key, value in body.items():
        data[key] = value
    return data


def test_submit_requires_anonymisation_tick(client, draft_case):
    editor = staff(roles.EDITOR)
    client.force_login(editor)
    data = _edit_form(client, draft_case)
    data.pop("is_anonymised", None)
    data["action-submit"] = "1"
    response = client.post(reverse("wagtailadmin_pages:edit", args=[draft_case.pk]), data)
    assert response.status_code == 200  # form redisplayed with the error
    assert "脱敏" in response.context["form"].errors["is_anonymised"][0]
    draft_case.refresh_from_db()
    assert not draft_case.workflow_in_progress

    data["is_anonymised"] = "on"
    response = client.post(reverse("wagtailadmin_pages:edit", args=[draft_case.pk]), data)
    assert response.status_code == 302
    draft_case.refresh_from_db()
    assert draft_case.workflow_in_progress
    assert draft_case.current_workflow_state.workflow.name == services.WORKFLOW_NAME
    assert not draft_case.live


def test_publish_requires_anonymisation_tick_but_draft_save_does_not(client, draft_case):
    admin = staff(roles.ADMINISTRATOR, is_superuser=True)
    client.force_login(admin)
    data = _edit_form(client, draft_case)
    data.pop("is_anonymised", None)
    data["title"] = "草稿可以先保存"
    response = client.post(reverse("wagtailadmin_pages:edit", args=[draft_case.pk]), data)
    assert response.status_code == 302
    assert CaseStudyPage.objects.get(pk=draft_case.pk).draft_title == "草稿可以先保存"

    data["action-publish"] = "1"
    response = client.post(reverse("wagtailadmin_pages:edit", args=[draft_case.pk]), data)
    assert response.status_code == 200
    assert "is_anonymised" in response.context["form"].errors
    assert not CaseStudyPage.objects.get(pk=draft_case.pk).live


def test_admin_add_form_renders_for_editor(client, index):
    client.force_login(staff(roles.EDITOR))
    response = client.get(reverse("wagtailadmin_pages:add", args=["cases", "casestudypage", index.pk]))
    assert response.status_code == 200
    assert "已脱敏" in response.content.decode()


def test_editors_maintain_taxonomies_but_cannot_delete(client):
    from django.contrib.auth.models import Group

    from cases.services import case_permissions_ensure

    case_permissions_ensure()
    editor = staff(roles.EDITOR)
    assert editor.has_perm("cases.add_sector") and editor.has_perm("cases.change_violationtype")
    assert not editor.has_perm("cases.delete_sector")
    assert Group.objects.get(name=roles.ADMINISTRATOR).permissions.filter(codename="delete_sector").exists()
    client.force_login(editor)
    response = client.get(reverse("wagtailsnippets_cases_sector:list"))
    assert response.status_code == 200
    assert "交通" in response.content.decode()
    response = client.post(reverse("wagtailsnippets_cases_sector:add"), {"name": "文化旅游", "sort_order": 120})
    assert response.status_code == 302
    assert Sector.objects.filter(name="文化旅游").exists()


def test_reviewer_cannot_approve_from_the_editor_after_unticking(client, draft_case):
    editor, reviewer = staff(roles.EDITOR), staff(roles.REVIEWER)
    draft_case.is_anonymised = True
    draft_case.save_revision(user=editor)
    draft_case.get_workflow().start(draft_case, editor)
    client.force_login(reviewer)
    data = _edit_form(client, draft_case)
    data.pop("is_anonymised", None)
    data["action-workflow-action"] = "1"
    data["workflow-action-name"] = "approve"
    response = client.post(reverse("wagtailadmin_pages:edit", args=[draft_case.pk]), data)
    assert response.status_code == 200
    assert "is_anonymised" in response.context["form"].errors
    assert not CaseStudyPage.objects.get(pk=draft_case.pk).live
    data["is_anonymised"] = "on"
    response = client.post(reverse("wagtailadmin_pages:edit", args=[draft_case.pk]), data)
    assert CaseStudyPage.objects.get(pk=draft_case.pk).live
