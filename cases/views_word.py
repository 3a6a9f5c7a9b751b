"""Admin views of the Word import (案例库 → 从 Word 导入): upload, then preview and confirm.

Thin: the rules live in cases/docx_import.py. The uploaded bytes wait between the two steps in a
private directory outside MEDIA_ROOT (settings.WORD_IMPORT_TMP_DIR, default PRIVATE_MEDIA_ROOT/word-import,
which every app server shares), already parsed (JSON, so a .docx
is read once), under a random token that only the session that uploaded them knows; they are deleted
once the drafts are created, and any left behind after a day are swept at the next upload.
"""

import base64
import secrets
import time
from pathlib import Path

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_http_methods

from accounts.roles import Rank
from cases import docx_import
from cases.models import CaseIndexPage, Sector, SupervisionFailure, ViolationType
from core.widgets import FilterableCheckboxSelectMultiple

SESSION_KEY = "word_import"
TOKEN_MAX_AGE = 24 * 3600


# ---------------------------------------------------------------- where may this user import to


def case_indexes_for(user) -> list[CaseIndexPage]:
    if not user.is_authenticated:
        return []
    return [i for i in CaseIndexPage.objects.order_by("path") if i.permissions_for_user(user).can_add_subpage()]


def courses_for(user) -> list:
    from learning.models import CoursePage

    if not user.is_authenticated:
        return []
    return [c for c in CoursePage.objects.order_by("path") if c.permissions_for_user(user).can_add_subpage()]


def can_word_import(user) -> bool:
    return bool(case_indexes_for(user) or courses_for(user))


# ---------------------------------------------------------------- forms


class WordUploadForm(forms.Form):
    file = forms.FileField(
        label=_lazy("Word 文档或压缩包"),
        help_text=_lazy("一个 .docx 文件，或装有多个 .docx 的 .zip 压缩包；每个文档生成一个草稿"),
    )
    target = forms.ChoiceField(label=_lazy("导入为"))

    def __init__(self, *args, indexes, courses, **kwargs):
        super().__init__(*args, **kwargs)
        choices = [(f"case:{i.pk}", _("案例（%(t)s）") % {"t": i.title}) for i in indexes]
        choices += [(f"lesson:{c.pk}", _("课时（课程：%(t)s）") % {"t": c.title}) for c in courses]
        self.fields["target"].choices = choices

    def clean_file(self):
        upload = self.cleaned_data["file"]
        limit = docx_import.limits()["MAX_UPLOAD_BYTES"]
        if upload.size > limit:
            raise forms.ValidationError(_("文件过大：最大 %(mb)d MB。") % {"mb": limit // 2**20})
        return upload


class CaseDocumentForm(forms.Form):
    title = forms.CharField(label=_lazy("标题"), max_length=255)
    year = forms.IntegerField(label=_lazy("案发年份"), min_value=1949, max_value=2100)
    region = forms.CharField(label=_lazy("地区"), max_length=100, help_text=_lazy("已脱敏的地区，如：某省某县"))
    sector = forms.ModelChoiceField(Sector.objects.all(), label=_lazy("领域"))
    subject_rank = forms.TypedChoiceField(
        label=_lazy("当事人职级"), choices=[("", "---------"), *Rank.choices], coerce=int
    )
    violation_types = forms.ModelMultipleChoiceField(
        ViolationType.objects.all(),
        label=_lazy("违纪违法类型"),
        required=False,
        widget=FilterableCheckboxSelectMultiple,
    )
    supervision_failures = forms.ModelMultipleChoiceField(
        SupervisionFailure.objects.all(),
        label=_lazy("监督问题"),
        required=False,
        widget=FilterableCheckboxSelectMultiple,
    )
    min_rank = forms.TypedChoiceField(
        label=_lazy("最低可见职级"),
        choices=[("", _lazy("所有登录用户")), *Rank.choices],
        coerce=int,
        required=False,
        empty_value=None,
    )
    is_anonymised = forms.BooleanField(
        label=_lazy("已脱敏"), required=False, help_text=_lazy("确认人名、单位等已替换为“某某”后才勾选；不会自动勾选")
    )

    def choices(self) -> docx_import.CaseChoices:
        return docx_import.CaseChoices(**self.cleaned_data)

    @classmethod
    def initial_for(cls, doc: docx_import.ParsedDocument) -> dict:
        terms = docx_import.suggest_terms(text=doc.text)
        return {
            "title": doc.title,
            "year": docx_import.suggest_year(doc.text),
            "region": docx_import.suggest_region(doc.text),
            "sector": terms["sector"][0].pk if terms["sector"] else None,
            "subject_rank": docx_import.suggest_rank(doc.text),
            "violation_types": [t.pk for t in terms["violation_types"]],
            "supervision_failures": [t.pk for t in terms["supervision_failures"]],
            "min_rank": None,
            "is_anonymised": False,
        }


class LessonDocumentForm(forms.Form):
    title = forms.CharField(label=_lazy("标题"), max_length=255)
    estimated_minutes = forms.IntegerField(label=_lazy("预计学习时长（分钟）"), min_value=1, max_value=600)

    def choices(self) -> docx_import.LessonChoices:
        return docx_import.LessonChoices(**self.cleaned_data)

    @classmethod
    def initial_for(cls, doc: docx_import.ParsedDocument) -> dict:
        return {"title": doc.title, "estimated_minutes": docx_import.suggest_minutes(doc.text)}


# ---------------------------------------------------------------- the waiting upload


def _tmp_dir() -> Path:
    # Under the private media root by default: every app server shares it (exports and documents live
    # there too), so the preview and the confirmation may reach different servers.
    path = Path(getattr(settings, "WORD_IMPORT_TMP_DIR", "") or Path(settings.PRIVATE_MEDIA_ROOT) / "word-import")
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    return path


def _sweep(directory: Path) -> None:
    cutoff = time.time() - TOKEN_MAX_AGE
    for stale in directory.glob("*.upload"):
        try:
            if stale.stat().st_mtime < cutoff:
                stale.unlink()
        except OSError:
            pass


def _store(request, *, name: str, parsed: list, target: str) -> str:
    """Keep the parsed documents (JSON, images base64) until the editor confirms; return their token."""
    directory = _tmp_dir()
    _sweep(directory)
    token = secrets.token_urlsafe(24)
    (directory / f"{token}.upload").write_text(docx_import.documents_to_json(parsed), encoding="utf-8")
    pending = request.session.get(SESSION_KEY, {})
    pending[token] = {"name": name, "target": target, "user": request.user.pk, "at": int(time.time())}
    request.session[SESSION_KEY] = pending
    return token


def _load(request, token: str) -> tuple[dict, list]:
    entry = request.session.get(SESSION_KEY, {}).get(token)
    path = _tmp_dir() / f"{token}.upload"
    if not entry or entry.get("user") != request.user.pk or not path.is_file():
        raise Http404
    return entry, docx_import.documents_from_json(path.read_text(encoding="utf-8"))


def _forget(request, token: str) -> None:
    pending = request.session.get(SESSION_KEY, {})
    pending.pop(token, None)
    request.session[SESSION_KEY] = pending
    (_tmp_dir() / f"{token}.upload").unlink(missing_ok=True)


def _target(user, target: str):
    """The case library or course named by `target` ("case:ID" / "lesson:ID") if the user may add to it."""
    kind, _sep, pk = target.partition(":")
    pool = case_indexes_for(user) if kind == "case" else courses_for(user) if kind == "lesson" else []
    for page in pool:
        if str(page.pk) == pk:
            return kind, page
    raise PermissionDenied


# ---------------------------------------------------------------- views


@require_http_methods(["GET", "POST"])
def word_import_upload(request):
    indexes, courses = case_indexes_for(request.user), courses_for(request.user)
    if not (indexes or courses):
        raise PermissionDenied
    initial = {}
    if request.GET.get("course"):
        initial["target"] = f"lesson:{request.GET['course']}"
    form = WordUploadForm(
        request.POST or None, request.FILES or None, indexes=indexes, courses=courses, initial=initial
    )
    errors = []
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        kind, _page = _target(request.user, form.cleaned_data["target"])
        try:
            documents = docx_import.read_upload(name=upload.name, data=upload.read())
            parsed = docx_import.parse_documents(documents=documents, kind=kind)
        except docx_import.WordImportError as exc:
            errors = exc.errors
            messages.error(request, _("文件未导入，没有创建任何页面。请处理以下问题后重新上传。"))
        else:
            token = _store(request, name=upload.name, parsed=parsed, target=form.cleaned_data["target"])
            return redirect("cases_word_import_preview", token=token)
    return render(request, "cases/admin/word_import.html", {"form": form, "errors": errors})


def _preview_pieces(doc: docx_import.ParsedDocument, pieces: list[docx_import.Piece]) -> list[dict]:
    out = []
    for piece in pieces:
        if piece.kind == "text":
            # Rebuilt by docx_import from the parse tree with escaped text: only p, b, i, a, lists, h2/h3.
            out.append({"kind": "text", "html": mark_safe(piece.html)})  # noqa: S308
        elif piece.kind == "table":
            out.append({"kind": "table", "rows": piece.rows, "header": piece.header})
        else:
            image = doc.images[piece.image]
            uri = f"data:{image.content_type};base64,{base64.b64encode(image.data).decode()}"
            out.append({"kind": "image", "src": uri, "alt": image.alt, "kb": max(1, len(image.data) // 1024)})
    return out


@require_http_methods(["GET", "POST"])
def word_import_preview(request, token: str):
    entry, documents = _load(request, token)
    kind, parent = _target(request.user, entry["target"])
    form_class = CaseDocumentForm if kind == "case" else LessonDocumentForm
    forms_ = [
        form_class(request.POST or None, prefix=f"doc{number}", initial=form_class.initial_for(doc))
        for number, doc in enumerate(documents)
    ]
    if request.method == "POST" and all(f.is_valid() for f in forms_):
        choices = [f.choices() for f in forms_]
        try:
            if kind == "case":
                pages = docx_import.create_case_drafts(
                    documents=documents, choices=choices, index=parent, user=request.user
                )
            else:
                pages = docx_import.create_lesson_drafts(
                    documents=documents, choices=choices, course=parent, user=request.user
                )
        except docx_import.WordImportError as exc:
            messages.error(request, str(exc))
        else:
            _forget(request, token)
            messages.success(
                request,
                format_html(
                    "{} {}",
                    _("已创建 %(n)d 个草稿，请逐一检查、确认脱敏后提交审核：") % {"n": len(pages)},
                    format_html(
                        "、".join(["{}"] * len(pages)),
                        *[
                            format_html('<a href="{}">{}</a>', reverse("wagtailadmin_pages:edit", args=[p.pk]), p.title)
                            for p in pages
                        ],
                    ),
                ),
            )
            if len(pages) == 1:
                return redirect("wagtailadmin_pages:edit", pages[0].pk)
            return redirect("wagtailadmin_explore", parent.pk)
    elif request.method == "POST":
        messages.error(request, _("请检查下面标红的项目。"))
    items = []
    for doc, form in zip(documents, forms_, strict=True):
        if kind == "case":
            sections = [
                {"label": label, "pieces": _preview_pieces(doc, pieces)} for _key, label, pieces in doc.section_list
            ]
        else:
            sections = [{"label": _("正文"), "pieces": _preview_pieces(doc, doc.body)}]
        items.append({"doc": doc, "form": form, "sections": sections})
    return render(
        request,
        "cases/admin/word_import_preview.html",
        {"items": items, "kind": kind, "parent": parent, "upload_name": entry["name"]},
    )
