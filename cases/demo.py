"""Demo case library: the 警示教育案例库 page, its review workflow and original anonymised cases.

The case texts live in `demo_cases.jsonl` (the import format of DESIGN.md) and are loaded with
the importer itself. Idempotent by external_id.
"""

import io
from pathlib import Path

from django.core.files.images import ImageFile
from PIL import Image as PILImage
from PIL import ImageDraw, ImageFont
from wagtail.images import get_image_model

from accounts.models import User
from cases import services
from cases.models import CaseStudyPage
from cases.setup import case_index

DATA_FILE = Path(__file__).with_name("demo_cases.jsonl")
# Submitted for review by editor1 and left waiting for the reviewer.
PENDING_IDS = ("MJ-DEMO-025", "MJ-DEMO-026")
# Cases that get a generated banner as hero image: external_id → banner colour.
IMAGE_CASES = {
    "MJ-DEMO-001": (168, 7, 26),
    "MJ-DEMO-003": (8, 81, 156),
    "MJ-DEMO-006": (56, 158, 13),
    "MJ-DEMO-010": (212, 107, 8),
    "MJ-DEMO-015": (83, 29, 171),
    "MJ-DEMO-019": (19, 52, 59),
}
FONT_PATHS = ("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc", "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc")


def _font(size: int):
    for path in FONT_PATHS:
        if Path(path).exists():
            return ImageFont.truetype(path, size)
    return None


def _banner(text: str, colour: tuple[int, int, int]) -> bytes:
    """A 1200×500 banner: a coloured field, a few plain shapes and, when a CJK font exists, the sector name."""
    image = PILImage.new("RGB", (1200, 500), colour)
    draw = ImageDraw.Draw(image)
    light = tuple(min(255, c + 60) for c in colour)
    dark = tuple(max(0, c - 50) for c in colour)
    draw.ellipse((820, -160, 1360, 380), fill=light)
    draw.rectangle((0, 400, 1200, 500), fill=dark)
    draw.polygon([(0, 0), (260, 0), (0, 260)], fill=dark)
    font = _font(96)
    if font is not None:
        draw.text((80, 170), text, fill=(255, 255, 255), font=font)
        small = _font(40)
        draw.text((84, 300), "警示教育案例", fill=(255, 255, 255), font=small)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def _hero_image(title: str, text: str, colour):
    Image = get_image_model()
    image = Image.objects.filter(title=title).first()
    if image is None:
        data = _banner(text, colour)
        image = Image(title=title)
        image.file = ImageFile(io.BytesIO(data), name="case-banner.png")
        image.save()
    return image


def load(*, password: str, stdout=None) -> list[tuple[str, str, str]]:
    index = case_index()  # built by setup_site; load_demo runs it first
    editor = User.objects.filter(username="editor1").first()
    reviewer = User.objects.filter(username="reviewer").first()
    lines = DATA_FILE.read_text(encoding="utf-8").splitlines()
    pending = [line for line in lines if any(f'"{pid}"' in line for pid in PENDING_IDS)]
    published = [line for line in lines if line not in pending]
    # The published cases went through review: the reviewer publishes them.
    result = services.case_import(lines=published, publish=True, user=reviewer, index=index)

    # Two cases wait in the workflow: imported as drafts by editor1, submitted, not yet approved.
    for external_id in PENDING_IDS:
        page = CaseStudyPage.objects.filter(external_id=external_id).first()
        if page is not None and (page.live or page.workflow_in_progress):
            continue
        services.case_import(
            lines=[ln for ln in pending if f'"{external_id}"' in ln], publish=False, user=editor, index=index
        )
        page = CaseStudyPage.objects.get(external_id=external_id)
        page.get_workflow().start(page, editor)

    for external_id, colour in IMAGE_CASES.items():
        page = CaseStudyPage.objects.filter(external_id=external_id, live=True).select_related("sector").first()
        if page is None or page.hero_image_id:
            continue
        page.hero_image = _hero_image(f"案例题图·{page.sector.name}", page.sector.name, colour)
        page.save_revision(user=editor).publish(user=reviewer)

    if stdout:
        stdout.write(
            f"案例库：{CaseStudyPage.objects.live().count()} 个已发布案例，{len(PENDING_IDS)} 个待审核。{result.summary}"
        )
    return []
