"""setup_site builds the skeleton on an empty site; create_admin makes the three administrators (三员分立, none a superuser); after
that every import command and the admin screens work; a second run changes nothing."""

import io
import json
from pathlib import Path

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.core.management.base import CommandError
from wagtail.models import GroupPagePermission, Page, Revision, Site, Workflow, WorkflowPage

from accounts import roles
from accounts.models import User
from cases.models import CaseIndexPage, CaseStudyPage
from learning.models import CourseIndexPage

pytestmark = pytest.mark.django_db

# One line of the repository's own demo cases (the DESIGN.md import format).
CASE_LINE = (
    (Path(__file__).resolve().parents[2] / "cases" / "demo_cases.jsonl").read_text(encoding="utf-8").splitlines()[0]
)
GIFT = "::Q1:: 中央八项规定于哪一年出台？ {=2012年 ~2008年 ~2015年}\n"


def _snapshot():
    return (
        Page.objects.count(),
        Revision.objects.count(),
        Workflow.objects.count(),
        WorkflowPage.objects.count(),
        Group.objects.count(),
        GroupPagePermission.objects.count(),
        Site.objects.count(),
        sum(g.permissions.count() for g in Group.objects.all()),
    )


def _setup():
    out = io.StringIO()
    call_command("setup_site", stdout=out)
    return out.getvalue()


def test_setup_site_builds_skeleton_and_is_idempotent():
    assert not CaseIndexPage.objects.exists()  # the migrations alone leave no case library
    output = _setup()
    assert "站点骨架已就绪" in output
    index = CaseIndexPage.objects.get()
    assert index.live and index.get_parent().specific_class.__name__ == "HomePage"
    assert WorkflowPage.objects.get(page=index).workflow.name == "案例审核"
    assert CourseIndexPage.objects.get().live
    assert set(roles.ALL_ROLES) <= set(Group.objects.values_list("name", flat=True))
    first = _snapshot()
    _setup()
    assert _snapshot() == first


def test_setup_site_recreates_a_missing_library_only():
    _setup()
    CourseIndexPage.objects.get().delete()
    before = CaseIndexPage.objects.get().pk
    _setup()
    assert CourseIndexPage.objects.count() == 1
    assert CaseIndexPage.objects.get().pk == before


def test_create_admin_then_imports_and_admin_screens_work(tmp_path, monkeypatch, client):
    _setup()
    monkeypatch.setenv("MJ_ADMIN_PW", "Ch4nge-me-now!")
    call_command("create_admin", "root", "--name", "管理员", "--password-from-env", "MJ_ADMIN_PW", stdout=io.StringIO())
    call_command(
        "create_admin", "sec", "--role", "security", "--password-from-env", "MJ_ADMIN_PW", stdout=io.StringIO()
    )
    call_command("create_admin", "aud", "--role", "audit", "--password-from-env", "MJ_ADMIN_PW", stdout=io.StringIO())
    admin, security, auditor = (User.objects.get(username=u) for u in ("root", "sec", "aud"))
    # 三员分立: role accounts, never superusers (no daily work needs one).
    assert [u.is_superuser for u in (admin, security, auditor)] == [False, False, False]
    assert list(admin.groups.values_list("name", flat=True)) == [roles.ADMINISTRATOR]
    assert list(security.groups.values_list("name", flat=True)) == [roles.SECURITY_ADMINISTRATOR]
    assert (security.name, auditor.name) == (roles.SECURITY_ADMINISTRATOR, roles.AUDIT_ADMINISTRATOR)
    with pytest.raises(CommandError):  # a second run refuses instead of changing the password
        call_command("create_admin", "root", "--password-from-env", "MJ_ADMIN_PW")

    cases_file = tmp_path / "cases.jsonl"
    cases_file.write_text(CASE_LINE + "\n", encoding="utf-8")
    call_command("import_cases", str(cases_file), "--publish", stdout=io.StringIO())
    assert CaseStudyPage.objects.live().filter(external_id=json.loads(CASE_LINE)["external_id"]).exists()

    gift = tmp_path / "q.gift"
    gift.write_text(GIFT, encoding="utf-8")
    call_command("import_questions", str(gift), "--category", "党纪法规", stdout=io.StringIO())

    roster = tmp_path / "roster.csv"
    roster.write_text("工号,姓名,单位,职级\nA0001,张三,某省/甲市/交通运输局,乡科级\n", encoding="utf-8")
    call_command("import_cadres", str(roster), stdout=io.StringIO())
    assert User.objects.filter(username="A0001").exists()

    index = CaseIndexPage.objects.get()
    courses = CourseIndexPage.objects.get()
    screens = {
        admin: (
            "/admin/",
            f"/admin/pages/{index.pk}/",
            f"/admin/pages/add/cases/casestudypage/{index.pk}/",
            f"/admin/pages/add/learning/coursepage/{courses.pk}/",
            "/admin/workflows/list/",
            "/admin/documents/",
            "/admin/sites/",
        ),
        security: ("/admin/", "/admin/users/", "/admin/groups/", "/admin/cadres/", "/admin/roster/import/"),
        auditor: ("/admin/", "/audit/"),
    }
    for user, urls in screens.items():
        client.force_login(user)
        for url in urls:
            assert client.get(url).status_code == 200, (user.username, url)
    # ... and not each other's.
    client.force_login(admin)
    for url in ("/admin/users/", "/audit/"):
        assert client.get(url).status_code in (302, 403), url


def test_create_admin_rejects_weak_password(monkeypatch):
    monkeypatch.setenv("MJ_ADMIN_PW", "123")
    with pytest.raises(CommandError):
        call_command("create_admin", "root", "--password-from-env", "MJ_ADMIN_PW")
    assert not User.objects.filter(username="root").exists()
