"""Private files (issue 16, finding 2): report exports, case attachments and lesson videos are stored where
no URL maps to them, under unguessable names, and served only after the permission check; exports expire.

Matrix rows: anonymous → sign in, an outsider → 404, the owner / a permitted reader → the file's bytes.
"""

import io
import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.test import override_settings
from django.utils import timezone
from wagtail.documents import get_document_model
from wagtail.models import Collection, PageViewRestriction

from accounts import factories as accounts_factories
from accounts import roles
from accounts.roles import Rank
from cases.factories import CaseIndexPageFactory, CaseStudyPageFactory
from cases.models import CaseAttachment
from core.storage import MediaStorage, private_storage
from learning import factories as learning_factories
from reports import services as report_services
from reports.models import ExportStatus, ReportExport

pytestmark = pytest.mark.django_db

UNIT = "某省/甲市/东山县/交通运输局"


def _body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


# ------------------------------------------------------------------ report exports


@pytest.fixture
def export_world():
    owner = accounts_factories.trainer("某省/甲市")
    other = accounts_factories.trainer("某省/甲市")  # same scope, still not theirs
    accounts_factories.cadre(unit=UNIT)
    export = report_services.export_create(user=owner, view="units", params={"year": "2026"}, fmt="csv")
    export.refresh_from_db()
    assert export.status == ExportStatus.DONE  # tasks run immediately in tests
    return owner, other, export


def test_export_stored_privately_under_an_unguessable_name(export_world):
    _owner, _other, export = export_world
    name = export.file.name
    assert name.startswith("exports/")
    token = Path(name).stem
    assert re.fullmatch(r"[A-Za-z0-9_-]{32}", token)  # 24 random bytes, nothing from unit, title or year
    assert "2026" not in token and export.title not in name
    path = Path(private_storage().path(name))
    assert path.is_file() and Path(settings.PRIVATE_MEDIA_ROOT) in path.parents
    assert Path(settings.MEDIA_ROOT) not in path.parents
    with pytest.raises(NotImplementedError):  # no URL maps to it
        private_storage().url(name)


def test_export_download_matrix(export_world, client):
    owner, other, export = export_world
    url = f"/reports/exports/{export.pk}/download/"
    anonymous = client.get(url)
    assert anonymous.status_code == 302 and "/accounts/login/" in anonymous["Location"]
    client.force_login(other)
    assert client.get(url).status_code == 404
    client.force_login(accounts_factories.cadre(unit=UNIT))
    assert client.get(url).status_code in (403, 404)
    client.force_login(owner)
    response = client.get(url)
    assert response.status_code == 200
    assert _body(response) == Path(private_storage().path(export.file.name)).read_bytes()
    assert "attachment" in response["Content-Disposition"]
    assert "no-store" in response["Cache-Control"]


def test_old_public_urls_answer_404(export_world, client):
    owner, _other, export = export_world
    client.force_login(owner)
    for url in (f"/media/{export.file.name}", f"/media/report_exports/2026/12/{export.title}.csv", "/_protected/x/"):
        assert client.get(url).status_code == 404, url


def test_export_through_nginx_is_an_internal_redirect(export_world, client):
    owner, _other, export = export_world
    client.force_login(owner)
    with override_settings(SENDFILE_BACKEND="django_sendfile.backends.nginx"):
        from django_sendfile.utils import _get_sendfile

        _get_sendfile.cache_clear() if hasattr(_get_sendfile, "cache_clear") else None
        response = client.get(f"/reports/exports/{export.pk}/download/")
        _get_sendfile.cache_clear() if hasattr(_get_sendfile, "cache_clear") else None
    assert response.status_code == 200
    assert response["X-Accel-Redirect"] == f"/_protected/{export.file.name}"
    assert _body(response) == b""


@override_settings(REPORT_EXPORT_TTL_HOURS=24)
def test_exports_expire_and_the_command_deletes_them(export_world, client):
    owner, _other, export = export_world
    path = Path(private_storage().path(export.file.name))
    ReportExport.objects.filter(pk=export.pk).update(finished_at=timezone.now() - timedelta(hours=25))
    client.force_login(owner)
    assert client.get(f"/reports/exports/{export.pk}/download/").status_code == 404  # expired before cleanup
    call_command("delete_expired_exports", stdout=io.StringIO())
    assert not path.exists()
    export.refresh_from_db()
    assert not export.file
    fresh = report_services.export_create(user=owner, view="units", params={"year": "2026"}, fmt="csv")
    call_command("delete_expired_exports", stdout=io.StringIO())
    fresh.refresh_from_db()
    assert fresh.file and Path(private_storage().path(fresh.file.name)).exists()  # younger ones stay


# ------------------------------------------------------------------ documents: attachments and videos


@pytest.fixture(autouse=True)
def _real_media_storage(request, settings, tmp_path):
    """Documents on disk as in production (the test settings keep default files in memory)."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.MEDIA_ROOT.mkdir()
    settings.STORAGES = {**settings.STORAGES, "default": {"BACKEND": "core.storage.MediaStorage"}}


def _document(name="附件.pdf", data=b"%PDF-1.4 private"):
    if Collection.get_first_root_node() is None:
        Collection.add_root(name="Root")
    return get_document_model().objects.create(title=name, file=ContentFile(data, name=name))


@pytest.fixture
def restricted_case_document(home_page, django_capture_on_commit_callbacks):
    # Wagtail updates its reference index after commit (a task): run those callbacks.
    with django_capture_on_commit_callbacks(execute=True):
        index = CaseIndexPageFactory(parent=home_page)
        case = CaseStudyPageFactory(parent=index, min_rank=Rank.COUNTY)
        document = _document()
        CaseAttachment.objects.create(page=case, document=document, title="处分决定书")
        case.save()
    return case, document


def test_restricted_case_attachment_follows_the_case_rule(restricted_case_document, client):
    _case, document = restricted_case_document
    url = document.url
    assert url.startswith("/documents/")
    response = client.get(url)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    client.force_login(accounts_factories.cadre(unit=UNIT, rank=Rank.TOWNSHIP))
    assert client.get(url).status_code == 404
    client.force_login(accounts_factories.cadre(unit=UNIT, rank=Rank.COUNTY))
    response = client.get(url)
    assert response.status_code == 200 and _body(response) == b"%PDF-1.4 private"
    client.force_login(accounts_factories.staff(roles.EDITOR))
    assert client.get(url).status_code == 200


def test_unreferenced_document_is_not_served_to_cadres(client):
    document = _document("草稿.pdf")
    client.force_login(accounts_factories.cadre(unit=UNIT))
    assert client.get(document.url).status_code == 404


def test_lesson_video_follows_page_privacy(home_page, client, django_capture_on_commit_callbacks):
    from django.contrib.auth.models import Group

    with django_capture_on_commit_callbacks(execute=True):
        course = learning_factories.course(lessons=0)
        lesson = learning_factories.lesson(course=course, video_seconds=60)
    document = lesson.body[1].value["document"]
    member = accounts_factories.cadre(unit=UNIT)
    outsider = accounts_factories.cadre(unit=UNIT)
    group = Group.objects.create(name="专题班")
    member.groups.add(group)
    client.force_login(outsider)
    assert client.get(document.url).status_code == 200  # an ordinary course: every cadre
    restriction = PageViewRestriction.objects.create(page=course, restriction_type=PageViewRestriction.GROUPS)
    restriction.groups.add(group)
    assert client.get(document.url).status_code == 404
    client.force_login(member)
    assert client.get(document.url).status_code == 200


def test_documents_are_stored_outside_media_root_without_url(tmp_path):
    (tmp_path / "private").mkdir()
    storage = MediaStorage(location=tmp_path / "media", base_url="/media/")
    with override_settings(PRIVATE_MEDIA_ROOT=tmp_path / "private"):
        name = storage.save("documents/lesson.mp4", ContentFile(b"video"))
        assert (tmp_path / "private" / name).read_bytes() == b"video"
        assert not (tmp_path / "media" / name).exists()
        with pytest.raises(NotImplementedError):
            storage.url(name)
        image = storage.save("original_images/a.png", ContentFile(b"png"))
        assert (tmp_path / "media" / image).exists() and storage.url(image) == f"/media/{image}"
