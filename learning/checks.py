"""System checks: certificates and archives need their font file (learning/pdf.py)."""

from pathlib import Path

from django.conf import settings
from django.core import checks

HINT = "Run scripts/install-fonts.sh (Debian's fonts-wqy-zenhei) or set PDF_FONT_FILE to a TrueType CJK font."


def _missing() -> bool:
    return not Path(settings.PDF_FONT_FILE).is_file()


@checks.register()
def pdf_font_present(app_configs, **kwargs):
    if _missing():
        return [
            checks.Warning(
                f"PDF font {settings.PDF_FONT_FILE} not found: certificates and archives cannot be printed.",
                hint=HINT,
                id="learning.W001",
            )
        ]
    return []


@checks.register(deploy=True)
def pdf_font_present_in_production(app_configs, **kwargs):
    if _missing():
        return [checks.Error(f"PDF font {settings.PDF_FONT_FILE} not found.", hint=HINT, id="learning.E001")]
    return []
