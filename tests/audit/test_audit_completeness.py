"""Audit completeness (issue 19, 等保 2.0 level 3 安全审计): every event the issue lists, driven through its
real entry point (the page, admin screen or API a person uses, from a known IP address), leaves one
entry saying who, when, from where, what, on which object and with which result.

Each case below builds what it needs, performs the action with a test client whose requests come from
`IP`, and returns what the entry must say. A new audited event gets a case here.
"""

import io
from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.contrib.auth.models import Group, Permission
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone
from openpyxl import Workbook
from wagtail.test.utils.form_data import nested_form_data, querydict_from_html, rich_text, streamfield

from accounts import factories, roles
from accounts.factories import TEST_PASSWORD
from audit.models import Action, AuditEntry, Result

pytestmark = pytest.mark.django_db

IP = "10.19.22.239"
LOGIN = reverse("accounts:login")


@dataclass
class Expected:
    action: str
    actor: object = None  # the User who acted (None: anonymous, then `actor_username`)
    actor_username: str = ""
    object_type: str = ""
    object_id: object = ""
    result: str = Result.SUCCESS
    detail: dict | None = None  # keys and values the entry's detail must contain


def client_for(user=None) -> Client:
    client = Client(REMOTE_ADDR=IP)
    if user is not None:
        client.force_login(user)
    return client


def signed_in(user) -> Client:
    """Through the sign-in page (what django-axes and the audit signals see in real life)."""
    client = Client(REMOTE_ADDR=IP)
    assert client.post(LOGIN, {"username": user.username, "password": TEST_PASSWORD}).status_code == 302
    return client


def form_of(client, url, form_id=None):
    response = client.get(url)
    assert response.status_code == 200, url
    return querydict_from_html(response.content.decode(), form_id=form_id)


def superuser():
    return factories.staff(roles.EDITOR, is_superuser=True)


# ---------------------------------------------------------------- sign-in, sign-out


def sign_in_success():
    user = factories.cadre(unit="某省/甲市/东山县/交通运输局")
    signed_in(user)
    return Expected(Action.LOGIN_SUCCESS, user, object_type="accounts.user", object_id=user.pk)


def sign_in_failure():
    user = factories.cadre()
    client_for().post(LOGIN, {"username": user.username, "password": "wrong-Password-1"})
    return Expected(Action.LOGIN_FAILURE, actor_username=user.username, result=Result.FAILURE)


@override_settings(AXES_FAILURE_LIMIT=2)
def lockout():
    user = factories.cadre()
    client = client_for()
    for _ in range(3):
        response = client.post(LOGIN, {"username": user.username, "password": "wrong-Password-1"})
    assert response.status_code == 429
    return Expected(Action.LOCKOUT, actor_username=user.username, result=Result.FAILURE)


def sign_out():
    user = factories.cadre()
    signed_in(user).post(reverse("accounts:logout"))
    return Expected(Action.LOGOUT, user, object_type="accounts.user", object_id=user.pk)


# ---------------------------------------------------------------- passwords and second factors


def password_change():
    user = factories.cadre()
    new = "Qw-7731-lake-Ridge"
    response = signed_in(user).post(
        reverse("accounts:password_change"),
        {"old_password": TEST_PASSWORD, "new_password1": new, "new_password2": new},
    )
    assert response.status_code == 302
    return Expected(Action.PASSWORD_CHANGE, user, object_type="accounts.user", object_id=user.pk)


def password_reset_by_trainer():
    person = factories.cadre(unit="某省/甲市/东山县/教育局")
    boss = factories.trainer("某省/甲市")
    assert client_for(boss).post(reverse("accounts:cadre_password_reset", args=[person.pk])).status_code == 200
    return Expected(Action.PASSWORD_RESET, boss, object_type="accounts.user", object_id=person.pk)


def account_unlock():
    person = factories.cadre(unit="某省/甲市/东山县/教育局")
    guard = factories.staff(roles.SECURITY_ADMINISTRATOR)
    assert client_for(guard).post(reverse("accounts:cadre_unlock", args=[person.pk])).status_code == 302
    return Expected(Action.ACCOUNT_UNLOCK, guard, object_type="accounts.user", object_id=person.pk)


def otp_enrol():
    from django_otp.oath import TOTP
    from django_otp.plugins.otp_totp.models import TOTPDevice

    editor = factories.staff(roles.EDITOR)
    client = signed_in(editor)
    assert client.get(reverse("accounts:otp_enrol")).status_code == 200
    device = TOTPDevice.objects.get(user=editor, confirmed=False)
    code = f"{TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift).token():06d}"
    assert client.post(reverse("accounts:otp_enrol"), {"token": code}).status_code == 200
    return Expected(Action.OTP_ENROL, editor, object_type="accounts.user", object_id=editor.pk)


def otp_reset():
    from django_otp.plugins.otp_totp.models import TOTPDevice

    editor = factories.staff(roles.EDITOR)
    TOTPDevice.objects.create(user=editor, name="身份验证器", confirmed=True)
    guard = factories.staff(roles.SECURITY_ADMINISTRATOR)
    assert client_for(guard).post(reverse("accounts:otp_reset", args=[editor.pk])).status_code == 302
    return Expected(Action.OTP_RESET, guard, object_type="accounts.user", object_id=editor.pk, detail={"deleted": 1})


# ---------------------------------------------------------------- roles, scopes, permissions, records


def role_change():
    guard = factories.staff(roles.SECURITY_ADMINISTRATOR)
    target = factories.staff(roles.EDITOR)
    client = client_for(guard)
    url = reverse("wagtailusers_users:edit", args=[target.pk])
    data = {
        "username": target.username,
        "name": target.name,
        "email": "",
        "password1": "",
        "password2": "",
        "is_active": "on",
        "groups": [Group.objects.get(name=roles.REVIEWER).pk],
    }
    assert client.post(url, data).status_code == 302
    return Expected(
        Action.ROLE_CHANGE, guard, object_type="accounts.user", object_id=target.pk, detail={"now": [roles.REVIEWER]}
    )


def scope_change():
    guard = factories.staff(roles.SECURITY_ADMINISTRATOR)
    person = factories.staff(roles.TRAINER)
    unit = factories.org_unit("某省/乙市")
    response = client_for(guard).post(reverse("trainer_scopes:add"), {"user": person.pk, "org_unit": unit.pk})
    assert response.status_code == 302
    return Expected(
        Action.SCOPE_CHANGE, guard, object_type="accounts.user", object_id=person.pk, detail={"change": "add"}
    )


def personal_data_permission_grant():
    """Granting accounts.view_personal_data (unmasked phones and e-mail) to a role group in the admin."""
    boss = superuser()
    group = Group.objects.get(name=roles.TRAINER)
    client = client_for(boss)
    url = reverse("wagtailusers_groups:edit", args=[group.pk])
    data = form_of(client, url)
    data.setlist(
        "permissions", [*data.getlist("permissions"), str(Permission.objects.get(codename="view_personal_data").pk)]
    )
    assert client.post(url, data).status_code == 302
    return Expected(
        Action.PERMISSION_CHANGE,
        boss,
        object_type="auth.group",
        object_id=group.pk,
        detail={"change": "add", "permissions": ["view_personal_data"]},
    )


def cadre_profile_edit():
    """A cadre's record (干部档案) changed in the admin by the 安全管理员."""
    person = factories.cadre(unit="某省/甲市/东山县/教育局")
    profile = person.cadre_profile
    guard = factories.staff(roles.SECURITY_ADMINISTRATOR)
    client = client_for(guard)
    url = reverse("cadres:edit", args=[profile.pk])
    data = form_of(client, url)
    data["position"] = "副局长"
    data["phone"] = "13900001111"
    assert client.post(url, data).status_code == 302
    return Expected(
        Action.ACCOUNT_CHANGE,
        guard,
        object_type="accounts.cadreprofile",
        object_id=profile.pk,
        detail={"change": "edit", "fields": ["phone", "position"]},
    )


def roster_import():
    factories.org_unit("某省/甲市/东山县")
    boss = factories.trainer("某省/甲市/东山县")
    wb = Workbook()
    for row in [["工号", "姓名", "单位", "职级"], ["AUD1", "某甲", "某省/甲市/东山县/财政局", "乡科级"]]:
        wb.active.append(row)
    upload = io.BytesIO()
    wb.save(upload)
    upload.seek(0)
    upload.name = "roster.xlsx"
    client_for(boss).post(reverse("accounts_roster_upload"), {"file": upload})
    return Expected(Action.ROSTER_IMPORT, boss, detail={"created": 1})


# ---------------------------------------------------------------- reports, grades, reflections


def report_export():
    unit = factories.org_unit("某省/甲市/东山县/教育局")
    factories.cadre(unit=unit)
    factories.cadre(unit=unit)
    boss = factories.trainer("某省/甲市")
    response = client_for(boss).get(reverse("reports:export_csv"), {"view": "cadres", "unit": unit.pk})
    b"".join(response.streaming_content)
    return Expected(Action.REPORT_EXPORT, boss, detail={"rows": 2, "format": "csv"})


def report_download():
    from reports.models import ReportExport

    unit = factories.org_unit("某省/甲市/东山县/教育局")
    factories.cadre(unit=unit)
    boss = factories.trainer("某省/甲市")
    client = client_for(boss)
    response = client.post(reverse("reports:export_create"), {"view": "cadres", "unit": unit.pk, "fmt": "xlsx"})
    assert response.status_code == 302
    export = ReportExport.objects.get()
    b"".join(client.get(reverse("reports:export_download", args=[export.pk])).streaming_content)
    return Expected(
        Action.REPORT_DOWNLOAD,
        boss,
        object_type="reports.reportexport",
        object_id=export.pk,
        detail={"rows": export.rows},
    )


def grade_change():
    from quizzes import factories as qf
    from quizzes import services as qs

    person = factories.cadre(unit="某省/甲市/东山县/教育局")
    essay = qf.essay(mark="4")
    attempt = qs.attempt_start(user=person, quiz=qf.quiz(essay))
    qs.attempt_save_answer(attempt=attempt, question=essay, answer="要把权力关进制度的笼子里。", sequence=0)
    slot = qs.attempt_submit(attempt=attempt).slots.get(question=essay)
    boss = factories.trainer("某省/甲市")
    response = client_for(boss).post(reverse("quizzes_grade", args=[slot.pk]), {"score": "3", "feedback": "好"})
    assert response.status_code == 302
    return Expected(Action.GRADE_CHANGE, boss, detail={"score": "3.00"})


def reflection_review():
    from learning import factories as lf
    from learning import services as ls

    lesson = lf.lesson(course=lf.course(), prompt="谈谈体会")
    writer = factories.cadre(unit="某省/甲市/东山县/交通运输局")
    reflection = ls.reflection_submit(
        user=writer, page=lesson, body="通过学习本课，我认识到一把手必须带头接受监督，把权力关进制度的笼子里。"
    )
    boss = factories.trainer("某省/甲市")
    response = client_for(boss).post(
        reverse("learning:reflection_review", args=[reflection.pk]), {"decision": "accept", "comment": "很好"}
    )
    assert response.status_code == 302
    return Expected(
        Action.REFLECTION_REVIEW, boss, object_type="accounts.user", object_id=writer.pk, detail={"status": "accepted"}
    )


# ---------------------------------------------------------------- cases: submit, approve, reject, publish, unpublish


def _case_edit_data(client, case):
    data = form_of(client, reverse("wagtailadmin_pages:edit", args=[case.pk]), form_id="page-edit-form")
    # The StreamField editor is built by JavaScript, so its fields are not in the HTML.
    # The review gate needs 基本案情 and 警示启示 (cases.selectors.case_missing_sections).
    body = streamfield(
        [
            ("section", {"section": section, "content": streamfield([("paragraph", rich_text(f"<p>{text}</p>"))])})
            for section, text in (("facts", "某某收受财物。"), ("lessons", "权力必须受到监督。"))
        ]
    )
    for key, value in nested_form_data({"body": body}).items():
        data[key] = value
    data["is_anonymised"] = "on"
    return data


def _draft_case():
    from cases import services as cs
    from cases.factories import CaseStudyPageFactory
    from core.models import HomePage

    index = cs.case_index_ensure(parent=HomePage.objects.get(depth=2), title="警示教育案例库", slug="cases")
    case = CaseStudyPageFactory(parent=index, live=False, is_anonymised=True)
    case.save_revision()
    return case


def _submitted_case():
    case = _draft_case()
    editor = factories.staff(roles.EDITOR)
    case.get_workflow().start(case, editor)
    return type(case).objects.get(pk=case.pk)


def _page(case):
    return {"object_type": "wagtailcore.page", "object_id": case.pk}


def case_submit():
    case = _draft_case()
    editor = factories.staff(roles.EDITOR)
    client = client_for(editor)
    data = _case_edit_data(client, case)
    data["action-submit"] = "1"
    assert client.post(reverse("wagtailadmin_pages:edit", args=[case.pk]), data).status_code == 302
    return Expected(Action.CASE_SUBMIT, editor, **_page(case))


def _moderate(action):
    case = _submitted_case()
    reviewer = factories.staff(roles.REVIEWER)
    state = case.current_workflow_task_state
    url = reverse("wagtailadmin_pages:workflow_action", args=[case.pk, action, state.pk])
    assert client_for(reviewer).post(url, {"comment": "审核意见"}).status_code in (200, 302)
    return case, reviewer


def case_approve():
    case, reviewer = _moderate("approve")
    return Expected(Action.CASE_APPROVE, reviewer, **_page(case))


def case_reject():
    case, reviewer = _moderate("reject")
    return Expected(Action.CASE_REJECT, reviewer, **_page(case))


def case_publish():
    case = _draft_case()
    reviewer = factories.staff(roles.REVIEWER)
    client = client_for(reviewer)
    data = _case_edit_data(client, case)
    data["action-publish"] = "1"
    assert client.post(reverse("wagtailadmin_pages:edit", args=[case.pk]), data).status_code == 302
    return Expected(Action.CASE_PUBLISH, reviewer, **_page(case))


def case_unpublish():
    case = _draft_case()
    case.save_revision().publish()
    reviewer = factories.staff(roles.REVIEWER)
    response = client_for(reviewer).post(reverse("wagtailadmin_pages:unpublish", args=[case.pk]))
    assert response.status_code == 302
    return Expected(Action.CASE_UNPUBLISH, reviewer, **_page(case))


# ---------------------------------------------------------------- settings (by the 系统管理员), the log itself


def _settings_form_post(url):
    admin = factories.staff(roles.ADMINISTRATOR)
    client = client_for(admin)
    data = form_of(client, url, form_id="w-editor-form")
    assert client.post(url, data).status_code == 302
    return admin


def generic_setting_change():
    from accounts.models import TrainingTargets

    targets = TrainingTargets.load()
    admin = _settings_form_post(reverse("wagtailsettings:edit", args=["accounts", "trainingtargets", targets.pk]))
    return Expected(Action.SETTINGS_CHANGE, admin, object_type="accounts.trainingtargets", object_id=targets.pk)


def site_setting_change():
    from wagtail.models import Site

    from learning.models import AttentionRules

    site = Site.objects.get(is_default_site=True)
    admin = _settings_form_post(reverse("wagtailsettings:edit", args=["learning", "attentionrules", site.pk]))
    rules = AttentionRules.for_site(site)
    return Expected(Action.SETTINGS_CHANGE, admin, object_type="learning.attentionrules", object_id=rules.pk)


def site_change():
    from wagtail.models import Site

    site = Site.objects.get(is_default_site=True)
    admin = _settings_form_post(reverse("wagtailsites:edit", args=[site.pk]))
    return Expected(Action.SETTINGS_CHANGE, admin, object_type="wagtailcore.site", object_id=site.pk)


def audit_export():
    auditor = factories.staff(roles.AUDIT_ADMINISTRATOR)
    response = client_for(auditor).get(reverse("audit:export"))
    assert response.status_code == 200
    return Expected(Action.AUDIT_EXPORT, auditor)


CASES = [
    sign_in_success,
    sign_in_failure,
    lockout,
    sign_out,
    password_change,
    password_reset_by_trainer,
    account_unlock,
    otp_enrol,
    otp_reset,
    role_change,
    scope_change,
    personal_data_permission_grant,
    cadre_profile_edit,
    roster_import,
    report_export,
    report_download,
    grade_change,
    reflection_review,
    case_submit,
    case_approve,
    case_reject,
    case_publish,
    case_unpublish,
    generic_setting_change,
    site_setting_change,
    site_change,
    audit_export,
]


@pytest.mark.parametrize("event", CASES, ids=[c.__name__ for c in CASES])
def test_event_is_audited_with_who_when_where_what_object_and_result(event):
    started = timezone.now()
    expected = event()
    entries = AuditEntry.objects.filter(action=expected.action, created_at__gte=started - timedelta(seconds=1))
    if expected.object_id != "":
        entries = entries.filter(object_id=str(expected.object_id))
    assert entries.exists(), (
        f"no {expected.action} entry; log: {list(AuditEntry.objects.values_list('action', flat=True))}"
    )
    # The latest entry of that action and object whose detail says what the case did (a form that sets
    # a group's permissions may also write a "remove" entry).
    entry = next((e for e in entries.order_by("-pk") if _detail_matches(e.detail, expected.detail)), None)
    assert entry is not None, f"no {expected.action} entry with {expected.detail}: {list(entries.values('detail'))}"
    # who
    if expected.actor is not None:
        assert (entry.actor_id, entry.actor_username) == (expected.actor.pk, expected.actor.username)
    else:
        assert entry.actor_username == expected.actor_username
    # when, where from
    assert started - timedelta(seconds=1) <= entry.created_at <= timezone.now()
    assert entry.ip_address == IP
    # what, on which object, with which result
    if expected.object_type:
        assert entry.object_type == expected.object_type
    assert entry.object_repr or entry.object_type
    assert entry.result == expected.result


def _detail_matches(detail: dict, wanted: dict | None) -> bool:
    for key, value in (wanted or {}).items():
        actual = detail.get(key)
        if isinstance(value, list) and isinstance(actual, list):
            if not set(value) <= set(actual):
                return False
        elif str(actual) != str(value):
            return False
    return True


def test_every_action_of_the_log_is_driven_here():
    """A new Action must get a case above (or be listed here with where it is proven)."""
    driven = {
        Action.LOGIN_SUCCESS,
        Action.LOGIN_FAILURE,
        Action.LOCKOUT,
        Action.LOGOUT,
        Action.PASSWORD_CHANGE,
        Action.PASSWORD_RESET,
        Action.ACCOUNT_UNLOCK,
        Action.OTP_ENROL,
        Action.OTP_RESET,
        Action.ROLE_CHANGE,
        Action.SCOPE_CHANGE,
        Action.PERMISSION_CHANGE,
        Action.ACCOUNT_CHANGE,
        Action.ROSTER_IMPORT,
        Action.REPORT_EXPORT,
        Action.REPORT_DOWNLOAD,
        Action.GRADE_CHANGE,
        Action.REFLECTION_REVIEW,
        Action.CASE_SUBMIT,
        Action.CASE_APPROVE,
        Action.CASE_REJECT,
        Action.CASE_PUBLISH,
        Action.CASE_UNPUBLISH,
        Action.SETTINGS_CHANGE,
        Action.AUDIT_EXPORT,
    }
    # audit_archive runs from cron, without a request: tests/audit/test_audit_log.py::test_archive_writes_old_entries_to_a_file_and_removes_only_them
    elsewhere = {Action.AUDIT_ARCHIVE}
    assert set(Action) == driven | elsewhere
