"""Chinese labels end in full-width punctuation: Django's label suffix is "：", and no template or
catalogue entry puts an ASCII colon, comma or parenthesis right after Chinese text."""

import re
from pathlib import Path

from django.utils import translation

from learning.forms import ReflectionForm

REPO = Path(__file__).resolve().parents[2]
# A Chinese character followed by ASCII punctuation, or "(" followed by a Chinese character.
HALF_WIDTH_AFTER_CHINESE = re.compile(r"[\u4e00-\u9fff][:;,?!()]|\([\u4e00-\u9fff]")


def test_form_labels_end_in_a_full_width_colon():
    with translation.override("zh-hans"):
        label = ReflectionForm()["body"].label_tag()
    assert "心得体会：</label>" in label


def test_templates_use_full_width_punctuation_after_chinese():
    offenders = []
    for path in sorted((REPO / "templates").rglob("*.html")):
        text = re.sub(  # comments (kept as blank lines, so line numbers hold)
            r"\{% comment %\}.*?\{% endcomment %\}|\{#.*?#\}",
            lambda m: "\n" * m.group().count("\n"),
            path.read_text(encoding="utf-8"),
            flags=re.DOTALL,
        )
        for number, line in enumerate(text.splitlines(), 1):
            visible = re.sub(r"\{%.*?%\}|\{\{.*?\}\}|<[^>]*>", "", line)
            if HALF_WIDTH_AFTER_CHINESE.search(visible):
                offenders.append(f"{path.relative_to(REPO)}:{number}: {line.strip()}")
    assert not offenders, "\n".join(offenders)


def test_catalogue_uses_full_width_punctuation_after_chinese():
    catalogue = (REPO / "locale/zh_Hans/LC_MESSAGES/django.po").read_text(encoding="utf-8")
    # msgstr lines and the Chinese msgids (source strings are Chinese); "[开始, 结束]" is a data format.
    entries = re.findall(r'^(?:msgid|msgstr(?:\[\d\])?|)\s*"(.*)"$', catalogue, flags=re.MULTILINE)
    offenders = [e for e in entries if HALF_WIDTH_AFTER_CHINESE.search(e) and "[开始, 结束]" not in e]
    assert not offenders, offenders
