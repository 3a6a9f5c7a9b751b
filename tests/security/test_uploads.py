"""Hostile roster uploads through 管理后台 → 导入花名册 are refused cleanly, in Chinese, writing nothing."""

import io
import struct
import zipfile

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile

from accounts import factories, roles
from accounts.models import CadreProfile, OrgUnit

URL = "/admin/roster/import/"
CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="xml" ContentType="application/xml"/></Types>'
)


@pytest.fixture
def admin_client(client):
    client.force_login(factories.staff(roles.SECURITY_ADMINISTRATOR))  # roster work is the 安全管理员's
    return client


def _upload(client, name: str, data: bytes):
    before = (CadreProfile.objects.count(), OrgUnit.objects.count())
    response = client.post(URL, {"file": SimpleUploadedFile(name, data)})
    assert response.status_code == 200, f"expected the form again with an error, got {response.status_code}"
    assert (CadreProfile.objects.count(), OrgUnit.objects.count()) == before, "a refused upload wrote data"
    return response.content.decode()


def _bomb(total_mb: int) -> bytes:
    """An .xlsx-looking zip whose one worksheet inflates to `total_mb` MB of zeros."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES)
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as part:
            chunk = b"\0" * (1024 * 1024)
            for _ in range(total_mb):
                part.write(chunk)
    return buf.getvalue()


def _lying_bomb() -> bytes:
    """A zip whose headers claim small parts while the data inflates to 50 MB: size checks on the header alone miss it."""
    data = bytearray(_bomb(50))
    claimed = 1000
    # Rewrite the uncompressed size in every local header (PK\3\4) and central directory entry (PK\1\2).
    pos = 0
    while (pos := data.find(b"PK\x03\x04", pos)) != -1:
        if data[pos + 22 : pos + 26] != b"\xff\xff\xff\xff":  # not a zip64 entry
            struct.pack_into("<I", data, pos + 22, claimed)
        pos += 4
    pos = 0
    while (pos := data.find(b"PK\x01\x02", pos)) != -1:
        if data[pos + 24 : pos + 28] != b"\xff\xff\xff\xff":
            struct.pack_into("<I", data, pos + 24, claimed)
        else:  # zip64 extra field carries the real size
            name_len, extra_len = struct.unpack_from("<HH", data, pos + 28)
            extra = pos + 46 + name_len
            end = extra + extra_len
            while extra < end:
                tag, size = struct.unpack_from("<HH", data, extra)
                if tag == 1:
                    struct.pack_into("<Q", data, extra + 4, claimed)
                extra += 4 + size
        pos += 4
    return bytes(data)


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["roster.exe", "roster.pdf", "roster.xls", "roster", "roster.xlsx.php"])
def test_wrong_extension_refused(admin_client, name):
    assert "只支持 .xlsx 和 .csv 文件" in _upload(admin_client, name, b"MZ\x90\x00 not a roster")


@pytest.mark.django_db
def test_text_disguised_as_xlsx_refused(admin_client):
    assert "不是有效的 Excel（.xlsx）文件" in _upload(admin_client, "roster.xlsx", "工号,姓名\n1,张三\n".encode())


@pytest.mark.django_db
def test_binary_disguised_as_csv_refused(admin_client):
    html = _upload(admin_client, "roster.csv", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))
    assert "导入失败，未写入任何数据" in html


@pytest.mark.django_db
def test_oversized_file_refused(admin_client):
    limit = settings.ROSTER_MAX_UPLOAD_BYTES
    data = ("工号,姓名,单位,职级\n" + "X" * limit).encode()
    assert "文件过大" in _upload(admin_client, "roster.csv", data)


@pytest.mark.django_db
def test_empty_file_refused(admin_client):
    html = _upload(admin_client, "roster.csv", b"")
    assert "空文件" in html or "文件为空" in html


@pytest.mark.django_db
def test_zip_bomb_refused(admin_client):
    data = _bomb(200)
    assert len(data) < settings.ROSTER_MAX_UPLOAD_BYTES  # small on the wire, so only the archive check stops it
    assert "疑似压缩炸弹" in _upload(admin_client, "roster.xlsx", data)


@pytest.mark.django_db
def test_high_ratio_bomb_refused(admin_client):
    """Under the absolute limit but compressed far beyond what a real spreadsheet compresses."""
    assert "疑似压缩炸弹" in _upload(admin_client, "roster.xlsx", _bomb(20))


@pytest.mark.django_db
def test_zip_bomb_with_lying_headers_refused(admin_client):
    html = _upload(admin_client, "roster.xlsx", _lying_bomb())
    assert "导入失败，未写入任何数据" in html
