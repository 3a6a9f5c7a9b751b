"""Word import (cases/docx_import.py): each mapping rule, each refused file, the drafts it writes."""

import io
import zipfile

import pytest
from docx import Document

from accounts import roles
from accounts.factories import cadre, staff
from cases import docx_import
from cases.docx_import import WordImportError, parse_case, parse_lesson, read_upload, section_for_heading
from cases.models import CaseStudyPage, Sector
from tests import docx_factory as f

pytestmark = pytest.mark.django_db


def _docx(build) -> bytes:
    doc = Document()
    build(doc)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


# ---------------------------------------------------------------- headings → sections


@pytest.mark.parametrize(
    ("heading", "key"),
    [
        ("基本案情", "facts"),
        ("一、案情简介", "facts"),
        ("（二）违纪违法事实：", "problems"),
        ("2. 主要问题", "problems"),
        ("案例评析", "causes"),
        ("三、深刻教训", "lessons"),
        ("第四部分 整改措施", "countermeasures"),
        ("相关规定", "rules"),
        ("原因剖析及反思", "causes"),
    ],
)
def test_headings_and_their_variants_name_sections(heading, key):
    assert section_for_heading(heading) == key


@pytest.mark.parametrize("heading", ["附：干部群众反响", "", "某县交通局局长收受贿赂案", "监督缺位"])
def test_other_headings_name_no_section(heading):
    assert section_for_heading(heading) is None


def test_case_document_maps_title_summary_sections_and_formatting():
    doc = parse_case(name="交通局.docx", data=f.case_docx())
    assert doc.title == "某县交通局局长收受贿赂案"
    assert doc.summary.startswith("本案是一起交通领域")
    assert [key for key, _label, _p in doc.section_list] == ["facts", "problems", "lessons", "countermeasures", "rules"]
    facts = doc.sections["facts"]
    assert "<b>2019年至2023年</b>" in facts[0].html and "<i>收受他人财物</i>" in facts[0].html
    assert [p.kind for p in facts] == ["text", "image"]  # the image stays where it was
    assert doc.images[facts[1].image].content_type == "image/png"
    problems = doc.sections["problems"]
    assert problems[0].html.startswith("<ul><li>违规干预工程招投标三次。</li>")
    assert problems[1].kind == "table" and problems[1].rows[0] == ["年份", "事项", "金额（万元）"]
    lessons = doc.sections["lessons"][0].html
    assert "<p><b>监督缺位</b></p>" in lessons  # a deeper heading stays inside its section
    assert "<ol><li>上级监督太远，下级监督太难。</li>" in lessons
    assert any("附：干部群众反响" in note for note in doc.unplaced)
    assert "这段文字不属于任何标准章节" not in doc.text


def test_title_falls_back_to_file_name():
    doc = parse_case(name="dir/某市审计局案.docx", data=f.case_docx(title=None))
    assert doc.title == "某市审计局案"
    assert doc.summary.startswith("本案是一起")


def test_no_lead_text_summary_comes_from_first_section_and_is_noted():
    doc = parse_case(name="a.docx", data=f.case_docx(summary=""))
    assert doc.summary.startswith("某某，男，县处级干部")
    assert any("摘要取自第一个章节" in note for note in doc.unplaced)


def test_long_summary_is_cut_and_noted():
    doc = parse_case(name="a.docx", data=f.case_docx(summary="很长的导语。" * 120))
    assert len(doc.summary) == docx_import.SUMMARY_MAX
    assert any("已截断" in note for note in doc.unplaced)


def test_odd_formatting_is_dropped_text_kept_and_markup_escaped():
    def build(doc):
        doc.add_heading("某案", 1)
        doc.add_heading("基本案情", 2)
        p = doc.add_paragraph("<script>alert(1)</script> 普通")
        run = p.add_run("下划线")
        run.underline = True
        run = p.add_run("删除线")
        run.font.strike = True
        p.add_run("上标").font.superscript = True
        run = p.add_run("红色大字")
        run.font.size = 400000

    doc = parse_case(name="a.docx", data=_docx(build))
    html = doc.sections["facts"][0].html
    assert "&lt;script&gt;" in html and "<script" not in html
    for text in ("下划线", "删除线", "上标", "红色大字"):
        assert text in html
    assert "<u>" not in html and "<s>" not in html and "<sup>" not in html and "style" not in html


def test_repeated_section_heading_adds_to_the_same_section():
    def build(doc):
        doc.add_heading("基本案情", 2)
        doc.add_paragraph("第一部分")
        doc.add_heading("原因分析", 2)
        doc.add_paragraph("原因")
        doc.add_heading("案情简介", 2)
        doc.add_paragraph("第二部分")

    doc = parse_case(name="a.docx", data=_docx(build))
    assert doc.sections["facts"][0].html == "<p>第一部分</p><p>第二部分</p>"


def test_empty_section_is_left_out_and_noted():
    def build(doc):
        doc.add_heading("基本案情", 2)
        doc.add_paragraph("案情")
        doc.add_heading("相关规定", 2)

    doc = parse_case(name="a.docx", data=_docx(build))
    assert "rules" not in doc.sections
    assert any("相关规定" in note for note in doc.unplaced)


def test_lesson_body_keeps_headings_images_and_lists():
    doc = parse_lesson(name="l.docx", data=f.lesson_docx())
    assert doc.title == "第三讲 廉洁用权的底线"
    assert [p.kind for p in doc.body] == ["text", "image", "text"]
    assert "<h2>一、权力从哪里来</h2>" in doc.body[0].html and "<b>必须为人民所用</b>" in doc.body[0].html
    assert "<ul><li>严守纪律红线</li>" in doc.body[2].html


# ---------------------------------------------------------------- refused files


@pytest.mark.parametrize(
    ("name", "data", "reason"),
    [
        ("a.pdf", b"%PDF-1.7", "只支持 Word 文档"),
        ("a.docx", b"plain text, not a zip", "不是 .docx 文件"),
        ("a.docx", f.ole_encrypted(), "文件已加密"),
        ("a.docx", f.ole_legacy_doc(), "旧版 Word"),
        ("a.docx", f.zip_of({"hello.txt": b"hi"}), "不是 Word 文档"),
        ("a.docx", b"PK\x03\x04broken", "已损坏"),
        ("a.docx", f.docx_with_bomb_part(), "压缩炸弹"),
        ("a.zip", f.zip_bomb(), "压缩炸弹"),
        ("a.zip", f.zip_of({"a.docx": f.case_docx(), "notes.txt": b"x"}), "不是 .docx 文件"),
        ("a.zip", f.zip_of({"readme.md": b"x"}), "不是 .docx"),
        ("a.zip", f.zip_of({}), "没有 .docx"),
    ],
)
def test_refused_uploads(name, data, reason):
    with pytest.raises(WordImportError, match=reason):
        read_upload(name=name, data=data)


def test_over_the_size_limit_is_refused(settings):
    settings.WORD_IMPORT_LIMITS = {"MAX_UPLOAD_BYTES": 1000}
    with pytest.raises(WordImportError, match="文件过大"):
        read_upload(name="a.docx", data=f.case_docx())


def test_total_uncompressed_size_and_entry_count_are_checked_before_extracting(settings):
    settings.WORD_IMPORT_LIMITS = {"MAX_UNCOMPRESSED_BYTES": 10_000}
    with pytest.raises(WordImportError, match="解压后超过"):
        read_upload(name="a.docx", data=f.case_docx())
    settings.WORD_IMPORT_LIMITS = {"MAX_ENTRIES": 5}
    with pytest.raises(WordImportError, match="文件过多"):
        read_upload(name="a.docx", data=f.case_docx())
    settings.WORD_IMPORT_LIMITS = {"MAX_DOCUMENTS": 2}
    with pytest.raises(WordImportError, match="最多导入 2 个"):
        read_upload(name="a.zip", data=f.zip_of({f"{n}.docx": f.case_docx() for n in range(3)}))


def test_encrypted_zip_entries_are_refused():
    data = bytearray(f.zip_of({"a.docx": f.case_docx()}))
    # set the "encrypted" flag bit in the local and central headers
    for signature, offset in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        at = data.find(signature)
        data[at + offset] |= 0x1
    with pytest.raises(WordImportError, match="加密"):
        read_upload(name="a.zip", data=bytes(data))


@pytest.mark.parametrize("data", [f.empty_docx(), f.headings_only_docx()])
def test_documents_with_nothing_usable_are_refused(data):
    with pytest.raises(WordImportError, match="没有找到可导入的内容"):
        parse_case(name="a.docx", data=data)
    if data == f.empty_docx():
        with pytest.raises(WordImportError, match="没有找到可导入的内容"):
            parse_lesson(name="a.docx", data=data)


def test_one_bad_document_refuses_the_whole_zip_listing_each():
    documents = read_upload(
        name="a.zip",
        data=f.zip_of({"good.docx": f.case_docx(), "empty.docx": f.empty_docx(), "__MACOSX/._good.docx": b"x"}),
    )
    assert [d.name for d in documents] == ["good.docx", "empty.docx"]
    with pytest.raises(WordImportError) as caught:
        docx_import.parse_documents(documents=documents, kind="case")
    assert [name for name, _msg in caught.value.errors] == ["empty.docx"]


# ---------------------------------------------------------------- suggestions


def test_taxonomy_suggestions_by_names_and_synonyms():
    doc = parse_case(name="a.docx", data=f.case_docx())
    terms = docx_import.suggest_terms(text=doc.text)
    assert [t.name for t in terms["sector"]] == ["交通"]
    names = {t.name for t in terms["violation_types"]}
    assert {"受贿", "违反中央八项规定精神", "违规决策（三重一大）"} <= names  # 收受贿赂 → 受贿 (a synonym)
    failures = {t.name for t in terms["supervision_failures"]}
    assert {"同级监督弱化", "上级监督不到位", "下级不敢监督", "思想认知问题"} <= failures
    assert "挪用公款" not in names
    assert docx_import.suggest_year(doc.text) == 2023
    assert docx_import.suggest_region(doc.text) == "某省某县"
    assert docx_import.suggest_rank(doc.text) == int(roles.Rank.COUNTY)


def test_terms_editors_add_are_suggested_by_name():
    Sector.objects.create(name="体育", sort_order=999)
    assert [t.name for t in docx_import.suggest_terms(text="某县体育中心主任案")["sector"]] == ["体育"]


# ---------------------------------------------------------------- drafts


def _choices(doc, **overrides):
    data = {
        "title": doc.title,
        "year": 2023,
        "region": "某省某县",
        "subject_rank": int(roles.Rank.COUNTY),
        "sector": Sector.objects.get(name="交通"),
    }
    data.update(overrides)
    return docx_import.CaseChoices(**data)


def test_create_case_drafts_writes_sections_tables_and_images(index):
    from wagtail.images import get_image_model

    editor = staff(roles.EDITOR)
    doc = parse_case(name="a.docx", data=f.case_docx())
    (page,) = docx_import.create_case_drafts(documents=[doc], choices=[_choices(doc)], index=index, user=editor)
    page = CaseStudyPage.objects.get(pk=page.pk)
    assert not page.live and page.has_unpublished_changes is not None
    assert page.latest_revision.user == editor
    assert page.is_anonymised is False and page.min_rank is None
    assert [s for s, _l, _b in page.sections] == ["facts", "problems", "lessons", "countermeasures", "rules"]
    facts = page.body[0].value["content"]
    assert [b.block_type for b in facts] == ["paragraph", "image"]
    image = facts[1].value["image"]
    assert isinstance(image, get_image_model()) and image.uploaded_by_user == editor and image.width == 60
    problems = page.body[1].value["content"]
    assert problems[1].block_type == "table" and problems[1].value["data"][2] == ["2022", "项目验收", "120"]
    assert page.get_parent().pk == index.pk


def test_nothing_is_written_when_a_draft_fails(index, monkeypatch):
    from wagtail.images import get_image_model

    doc = parse_case(name="a.docx", data=f.case_docx())
    images_before = get_image_model().objects.count()
    with pytest.raises(Exception):  # noqa: B017, PT011 - the year check constraint
        docx_import.create_case_drafts(
            documents=[doc, doc], choices=[_choices(doc), _choices(doc, year=1800)], index=index, user=None
        )
    assert CaseStudyPage.objects.count() == 0
    assert get_image_model().objects.count() == images_before


def test_only_users_who_may_add_cases_can_create_drafts(index):
    doc = parse_case(name="a.docx", data=f.case_docx())
    with pytest.raises(WordImportError, match="没有在该案例库中新建案例的权限"):
        docx_import.create_case_drafts(documents=[doc], choices=[_choices(doc)], index=index, user=cadre())


def test_create_lesson_drafts_in_course(home_page):
    from learning import factories
    from learning.models import LessonPage

    course = factories.course(title="廉洁用权")
    doc = parse_lesson(name="l.docx", data=f.lesson_docx())
    editor = staff(roles.EDITOR)
    (page,) = docx_import.create_lesson_drafts(
        documents=[doc],
        choices=[docx_import.LessonChoices(title=doc.title, estimated_minutes=5)],
        course=course,
        user=editor,
    )
    page = LessonPage.objects.get(pk=page.pk)
    assert not page.live and page.get_parent().pk == course.pk
    assert [b.block_type for b in page.body] == ["text", "image", "text"]


def test_zip_is_read_entry_by_entry_with_sizes_checked():
    data = f.zip_of({f"案例{n}.docx": f.case_docx(title=f"某案{n}") for n in range(3)})
    documents = read_upload(name="batch.zip", data=data)
    assert [d.name for d in documents] == ["案例0.docx", "案例1.docx", "案例2.docx"]
    assert zipfile.is_zipfile(io.BytesIO(documents[0].data))


def test_parsed_documents_survive_the_json_kept_between_preview_and_confirm():
    doc = parse_case(name="a.docx", data=f.case_docx())
    (back,) = docx_import.documents_from_json(docx_import.documents_to_json([doc]))
    assert back == doc
