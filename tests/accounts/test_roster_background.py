"""Finding 16.8: long roster imports run in the task worker in bounded transactions with progress;
a locked SQLite database answers 503 + Retry-After, never 500."""

import io
from unittest import mock

import pytest
from django.db import OperationalError
from django.test import Client
from django.urls import reverse

from accounts import roles, services
from accounts.factories import staff, trainer
from accounts.models import CadreProfile, RosterImportJob

pytestmark = pytest.mark.django_db


def roster_csv(n: int, unit="某省/甲市/东山县/局", start=0) -> bytes:
    lines = ["工号,姓名,单位,职级"] + [f"R{i:05d},某{i},{unit},乡科级" for i in range(start, start + n)]
    return "\n".join(lines).encode()


def _upload(client, data, name="r.csv"):
    f = io.BytesIO(data)
    f.name = name
    return client.post(reverse("accounts_roster_upload"), {"file": f})


def test_writes_in_bounded_batches_with_progress():
    seen = []
    result = services.roster_import_file(
        data=roster_csv(5), filename="r.csv", batch_size=2, progress=lambda d, t: seen.append((d, t))
    )
    assert result.created == 5
    assert seen == [(2, 5), (4, 5), (5, 5)]


def test_batched_import_still_refuses_the_whole_file_on_one_bad_row():
    data = roster_csv(5) + "\nX9,某,某省/甲市,错级".encode()
    with pytest.raises(services.RosterError) as exc:
        services.roster_import_file(data=data, filename="r.csv", batch_size=2)
    assert [row for row, _m in exc.value.errors] == [7]
    assert not CadreProfile.objects.exists()


def test_long_roster_goes_to_the_worker_and_shows_progress(client, settings, django_capture_on_commit_callbacks):
    settings.ROSTER_BACKGROUND_ROWS = 3
    settings.ROSTER_IMPORT_BATCH_SIZE = 2
    admin = staff(roles.SECURITY_ADMINISTRATOR)
    client.force_login(admin)
    with django_capture_on_commit_callbacks(execute=True):
        response = _upload(client, roster_csv(7))
    job = RosterImportJob.objects.get()
    assert response.status_code == 302 and response.url == reverse("accounts_roster_job", args=[job.pk])
    assert job.status == "done" and (job.done, job.total) == (7, 7)
    assert job.data == b"" and job.password_hash == ""
    assert CadreProfile.objects.count() == 7
    page = client.get(response.url).content.decode()
    assert "已完成" in page and "7 / 7" in page and "新增 7 人" in page
    # Someone else cannot see the job.
    client.force_login(staff(roles.SECURITY_ADMINISTRATOR))
    assert client.get(response.url).status_code == 404


def test_long_roster_with_a_refused_row_is_refused_in_the_request(client, settings):
    settings.ROSTER_BACKGROUND_ROWS = 3
    t = trainer("某省/甲市/东山县")
    client.force_login(t)
    data = roster_csv(5) + "\nR99999,某,某省/乙市/局,乡科级".encode()
    page = _upload(client, data).content.decode()
    assert "第 7 行" in page and "不在您的管理范围内" in page
    assert not RosterImportJob.objects.exists() and not CadreProfile.objects.exists()


def test_job_records_initial_password_only_as_a_hash(settings, django_capture_on_commit_callbacks):
    settings.ROSTER_BACKGROUND_ROWS = 1
    admin = staff(roles.SECURITY_ADMINISTRATOR)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        job = services.roster_upload(user=admin, data=roster_csv(3), filename="r.csv", initial_password="Pw-98765432")
    assert isinstance(job, RosterImportJob) and len(callbacks) == 1
    job.refresh_from_db()
    assert job.status == "pending" and "Pw-98765432" not in job.password_hash
    assert job.password_hash.startswith(("pbkdf2", "argon2", "md5"))
    callbacks[0]()  # the queued task (ImmediateBackend in tests)
    job.refresh_from_db()
    assert job.status == "done" and job.password_hash == ""
    assert CadreProfile.objects.get(employee_no="R00001").user.check_password("Pw-98765432")


def test_locked_database_gives_503_with_retry_after_on_pages_and_api():
    client = Client(raise_request_exception=False)
    locked = OperationalError("database is locked")
    with mock.patch("accounts.forms.LoginForm.clean", side_effect=locked):
        response = client.post(reverse("accounts:login"), {"username": "a", "password": "b"})
    assert response.status_code == 503 and response["Retry-After"] == "5"
    assert "系统繁忙" in response.content.decode()
    with mock.patch("accounts.api.authenticate", side_effect=locked):
        response = client.post(
            "/api/v1/auth/token", {"username": "a", "password": "b"}, content_type="application/json"
        )
    assert response.status_code == 503 and response["Retry-After"] == "5"
    assert response.json()["detail"] == "系统繁忙，请稍后重试。"
    # Other database errors stay 500s (they are bugs, not load).
    with mock.patch("accounts.forms.LoginForm.clean", side_effect=OperationalError("no such table: x")):
        assert client.post(reverse("accounts:login"), {"username": "a", "password": "b"}).status_code == 500
