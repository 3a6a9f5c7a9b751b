"""The Wagtail admin in Chinese. Wagtail 8.0 ships a few hundred strings without a zh_Hans translation;
our catalogue (locale/zh_Hans/LC_MESSAGES/django.po and djangojs.po) fills them. These tests tell the
next Wagtail upgrade what is left to translate, check that our translations keep their placeholders
and HTML tags, and that Django actually serves them. No database needed."""

import json
import re
from collections import Counter
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from django.apps import apps
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.utils import translation
from wagtail.admin.views.i18n import js_catalog, localized_js_catalog
from wagtail.models import APIToken

OURS = Path(settings.LOCALE_PATHS[0]) / "zh_Hans" / "LC_MESSAGES"

# python-format (%(name)s, %s, %d, ...; "%%" is a literal percent sign) and brace-format ({name}, {0}, {}).
PYTHON_PLACEHOLDER = re.compile(r"%(?:\((\w+)\))?[-#0 +]*(?:\*|\d+)?(?:\.(?:\*|\d+))?[hlL]?[diouxXeEfFgGcrs]")
BRACE_PLACEHOLDER = re.compile(r"\{(?:[A-Za-z_]\w*|\d*)\}")
HTML_TAG = re.compile(r"</?[A-Za-z][^<>]*>")


def _read(path):
    with open(path, "rb") as f:
        return read_po(f)


def _msgid(message):
    return message.id[0] if isinstance(message.id, (list, tuple)) else message.id


def _translated(message):
    if message.fuzzy:
        return False
    strings = message.string if isinstance(message.string, (list, tuple)) else [message.string]
    return all(strings)


def _keys(catalogue):
    """(msgctxt, msgid) of every translated message: what gettext/pgettext/ngettext look up."""
    return {(m.context, _msgid(m)) for m in catalogue if m.id and _translated(m)}


def _wagtail_apps(domain):
    """The Wagtail apps whose catalogues Django merges for this domain: every installed Wagtail app for
    server-side strings; for JavaScript, the packages of Wagtail's JavaScriptCatalog (wagtail.admin)."""
    installed = [a for a in apps.get_app_configs() if a.name == "wagtail" or a.name.startswith("wagtail.")]
    if domain == "djangojs":
        packages = js_catalog.view_initkwargs["packages"]
        installed = [a for a in installed if a.name in packages]
    return installed


@pytest.mark.parametrize("domain", ["django", "djangojs"])
def test_every_wagtail_msgid_has_a_chinese_translation(domain):
    """On a Wagtail upgrade this lists the new English strings: add them to our catalogue."""
    wagtail_zh, english = set(), {}
    for app in _wagtail_apps(domain):
        locale = Path(app.path) / "locale"
        if (locale / "zh_Hans" / "LC_MESSAGES" / f"{domain}.po").exists():
            wagtail_zh |= _keys(_read(locale / "zh_Hans" / "LC_MESSAGES" / f"{domain}.po"))
        if (locale / "en" / "LC_MESSAGES" / f"{domain}.po").exists():
            for message in _read(locale / "en" / "LC_MESSAGES" / f"{domain}.po"):
                if message.id:
                    english.setdefault((message.context, _msgid(message)), (app.name, message))
    assert english, f"no Wagtail {domain} catalogues found"
    ours = _keys(_read(OURS / f"{domain}.po")) if (OURS / f"{domain}.po").exists() else set()

    missing = [english[key] for key in english if key not in wagtail_zh and key not in ours]
    report = "\n".join(
        f"  [{app}] {'msgctxt ' + repr(m.context) + ' ' if m.context else ''}{m.id!r}" for app, m in missing
    )
    assert not missing, (
        f"{len(missing)} Wagtail {domain} strings have no zh_Hans translation; add them to "
        f"locale/zh_Hans/LC_MESSAGES/{domain}.po (then make messages):\n{report}"
    )


def _placeholders(text):
    found = Counter()
    for match in PYTHON_PLACEHOLDER.finditer(text.replace("%%", "")):
        # A named placeholder may be used more than once; positional ones must match one for one.
        found[match.group(0)] = 1 if match.group(1) else found[match.group(0)] + 1
    found.update(set(BRACE_PLACEHOLDER.findall(text)))
    return found


def _our_translations():
    for domain in ("django", "djangojs"):
        if not (OURS / f"{domain}.po").exists():
            continue
        for message in _read(OURS / f"{domain}.po"):
            if message.id and _translated(message):
                ids = list(message.id) if isinstance(message.id, (list, tuple)) else [message.id]
                strings = list(message.string) if isinstance(message.string, (list, tuple)) else [message.string]
                yield domain, ids, strings


def test_our_translations_keep_the_placeholders():
    """A msgstr naming a placeholder the code does not pass crashes the page (or, in a template, falls
    back to English); one that drops a placeholder loses the value. With one plural form in Chinese,
    msgstr[0] stands for every count, so it matches either the singular or the plural msgid."""
    bad = []
    for domain, ids, strings in _our_translations():
        allowed = [_placeholders(msgid) for msgid in ids]
        for string in strings:
            if _placeholders(string) not in allowed:
                bad.append(f"  [{domain}] {ids[0]!r}: {dict(_placeholders(string))} vs {[dict(a) for a in allowed]}")
    assert not bad, "placeholders differ from the msgid:\n" + "\n".join(bad)


def test_our_translations_keep_the_html_tags():
    bad = []
    for domain, ids, strings in _our_translations():
        allowed = [Counter(HTML_TAG.findall(msgid)) for msgid in ids]
        for string in strings:
            if Counter(HTML_TAG.findall(string)) not in allowed:
                bad.append(f"  [{domain}] {ids[0]!r} -> {string!r}")
    assert not bad, "HTML tags differ from the msgid:\n" + "\n".join(bad)


@pytest.fixture
def compiled():
    for domain in ("django", "djangojs"):
        po, mo = OURS / f"{domain}.po", OURS / f"{domain}.mo"
        if not mo.exists() or mo.stat().st_mtime < po.stat().st_mtime:
            pytest.fail(f"{mo.name} is missing or older than {po.name}: run make messages")


def test_wagtail_strings_that_were_english_come_back_in_chinese(compiled):
    with translation.override("zh-hans"):
        assert translation.gettext("Autosave is paused") == "自动保存已暂停"
        assert translation.gettext("Show keyboard shortcuts") == "显示键盘快捷键"
        assert str(APIToken._meta.verbose_name_plural) == "API 令牌"
        moved = translation.ngettext("Moved down 1 place.", "Moved down %(counter)s places.", 3)
        assert moved % {"counter": 3} == "下移了 3 位。"
        pages = translation.ngettext(
            "%(num_parent_objects)d page has been deleted", "%(num_parent_objects)d pages have been deleted", 1
        )
        assert pages % {"num_parent_objects": 1} == "已删除 1 个页面"
        locked = translation.gettext("<b>'{title}' is locked</b>.")
        assert locked.format(title="学习强国") == "<b>“学习强国”已锁定</b>。"
        # Wagtail's own translations still come through: our catalogue only fills its gaps.
        assert translation.gettext("Cancel") == "取消"
    # No pgettext here: Wagtail 8.0's catalogues have no msgctxt entries (the first test would list any).


def test_a_wagtail_admin_template_renders_in_chinese(compiled):
    with translation.override("zh-hans"):
        html = render_to_string("wagtailadmin/shared/autosave/indicator.html")
    assert "已保存" in html and "自动保存已暂停" in html
    assert "Autosave" not in html


def test_the_admin_javascript_catalogue_serves_our_translations(compiled):
    request = RequestFactory().get("/admin/jsi18n/")
    request.user = AnonymousUser()
    with translation.override("zh-hans"):
        body = localized_js_catalog(request).content.decode()
    start = body.index("const newcatalog = ") + len("const newcatalog = ")
    catalogue = json.loads(body[start : body.index(";\n", start)])
    assert catalogue["Autosave in progress…"] == "正在自动保存…"
    assert catalogue["%(num)s error"] == ["%(num)s 个错误"]
    assert catalogue["Cancel"] == "取消"  # Wagtail's own


def test_every_msgid_of_ours_has_a_msgstr():
    """Our source strings are Chinese already, but an empty msgstr is a miss: gettext then searches each
    installed app's catalogue in turn (a dozen fallbacks) before returning the msgid, on every string of
    every page. Copy the msgid into msgstr for each new string."""
    empty = []
    for domain in ("django", "djangojs"):
        for message in _read(OURS / f"{domain}.po"):
            if message.id and not _translated(message):
                empty.append(f"  [{domain}] {_msgid(message)!r}")
    assert not empty, "msgstr is empty (copy the msgid into it):\n" + "\n".join(empty)


def test_our_strings_are_found_in_the_first_catalogue(compiled):
    from django.utils.translation import trans_real

    catalogue = trans_real.translation("zh-hans")._catalog
    for msgid in ("剩余时间", "答案会自动保存", "用户名或密码错误。"):
        assert catalogue.get(msgid) == msgid
