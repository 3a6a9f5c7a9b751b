"""A cadre downloads the 学习档案 PDF and a certificate from the archive page: both embed their font,
read back as the expected Chinese text, and the certificate prints an address that opens its
verification page. The PDFs' first pages are rendered to PNG (Debian's pdftoppm, when installed)
beside the screenshots, to look at."""

import io
import re
import shutil
import subprocess

from playwright.sync_api import expect
from pypdf import PdfReader

from tests.e2e.conftest import ARTIFACTS

CADRE = "D0004"  # demo: completed courses with certificates and an accepted reflection (read only here)


def _fonts_embedded(data: bytes) -> list[str]:
    names = []
    for page in PdfReader(io.BytesIO(data)).pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            descriptor = font["/FontDescriptor"].get_object()
            assert "/FontFile2" in descriptor, f"{font['/BaseFont']} is not embedded"
            names.append(str(font["/BaseFont"]))
    return names


def _text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def _render(data: bytes, name: str) -> None:
    pdftoppm = shutil.which("pdftoppm")
    if pdftoppm:
        pdf = ARTIFACTS / f"{name}.pdf"
        pdf.write_bytes(data)
        subprocess.run(  # noqa: S603 - fixed argv, Debian's poppler-utils
            [pdftoppm, "-png", "-r", "60", "-f", "1", "-l", "1", str(pdf), str(ARTIFACTS / name)], check=True
        )


def test_cadre_downloads_archive_and_certificate(journey):
    page = journey.page
    journey.login(CADRE)
    journey.goto("/learning/archive/")
    name = page.locator(".archive-who").inner_text().split("·")[0].strip()
    journey.assert_no_horizontal_scroll()
    journey.shot("archive")

    with page.expect_download() as download_info:
        page.get_by_role("link", name="下载 PDF").click()
    archive = download_info.value
    assert archive.suggested_filename == f"archive-{CADRE}.pdf"
    data = open(archive.path(), "rb").read()  # noqa: SIM115,PTH123 - a temporary file Playwright owns
    assert all("WenQuanYi" in font for font in _fonts_embedded(data))
    text = _text(data)
    assert "学习档案" in text and name in text and "第 1 页" in text
    _render(data, f"paper-{journey.viewport}-archive")

    link = page.locator('a[href*="/learning/certificates/"]').first
    href = link.get_attribute("href")
    code = re.search(r"/certificates/([A-Z0-9-]+)\.pdf$", href).group(1)
    response = page.request.get(journey.site.url + href)
    assert response.status == 200 and response.headers["content-type"] == "application/pdf"
    certificate = response.body()
    assert all("WenQuanYi" in font for font in _fonts_embedded(certificate))
    text = _text(certificate)
    flat = re.sub(r"\s+", "", text)
    assert f"{name}同志" in flat and code in text
    _render(certificate, f"paper-{journey.viewport}-certificate")

    # The printed address is one this site answers at (the demo runs on a loopback address, so the
    # address the browser used is printed; production prints WAGTAILADMIN_BASE_URL).
    printed = re.search(r"核验网址：(\S+)", text).group(1)
    assert printed == f"{journey.site.url}/verify/{code}/"
    journey.logout()
    page.goto(printed)
    expect(page.locator("main")).to_contain_text("证书有效")
    journey.assert_no_horizontal_scroll()
    journey.shot("verify")
