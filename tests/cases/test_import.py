"""JSONL import: good file, each kind of bad line (with its line number), re-import, atomicity."""

import json

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from accounts import roles
from accounts.factories import cadre, staff
from cases import services
from cases.models import CaseStudyPage, Sector, SupervisionFailure, ViolationType

pytestmark = pytest.mark.django_db


def line(n: int = 1, **overrides) -> dict:
    data = {
        "external_id": f"IMP-{n:04d}",
        "title": f"某县交通运输局原局长某某受贿案{n}",
        "summary": "某某在工程招标中为他人谋取利益，收受财物。",
        "year": 2023,
        "region": "某省某县",
        "sector": "交通",
        "subject_rank": "乡科级",
        "is_top_leader": True,
        "violation_types": ["受贿", "违规决策（三重一大）"],
        "supervision_failures": ["同级监督弱化"],
        "countermeasures": ["强化分权制衡"],
        "tags": ["工程招标"],
        "sections": {
            "基本案情": "第一段 <b>不是标签</b>\n同段换行\n\n第二段",
            "主要问题": "主要问题。",
            "原因剖析": "原因。",
            "警示启示": "启示。",
            "对策建议": "对策。",
        },
    }
    data.update(overrides)
    return data


def dump(*rows) -> list[str]:
    return [row if isinstance(row, str) else json.dumps(row, ensure_ascii=False) for row in rows]


def test_good_file_creates_drafts_with_paragraphs(index):
    result = services.case_import(lines=dump(line(1), line(2)))
    assert (result.created, result.updated, result.unchanged) == (2, 0, 0)
    case = CaseStudyPage.objects.get(external_id="IMP-0001")
    assert not case.live and case.get_parent().pk == index.pk
    assert case.sector.name == "交通" and case.is_top_leader
    assert sorted(case.violation_types.values_list("name", flat=True)) == ["受贿", "违规决策（三重一大）"]
    assert list(case.tags.names()) == ["工程招标"]
    facts = case.body[0].value
    assert facts["section"] == "facts"
    html = facts["content"][0].value.source
    assert html == "<p>第一段 &lt;b&gt;不是标签&lt;/b&gt;<br/>同段换行</p><p>第二段</p>"
    assert [s[0] for s in case.sections] == ["facts", "problems", "causes", "lessons", "countermeasures"]
    assert case.revisions.count() == 1


def test_publish_makes_cases_live(index):
    result = services.case_import(lines=dump(line(1)), publish=True)
    assert result.published == 1
    case = CaseStudyPage.objects.get(external_id="IMP-0001")
    assert case.live and case.is_anonymised


def test_reimport_updates_with_new_revision_and_no_duplicate(index):
    services.case_import(lines=dump(line(1), line(2)), publish=True)
    changed = line(1, title="某县交通运输局原局长某某受贿、滥用职权案", violation_types=["受贿", "滥用职权"])
    result = services.case_import(lines=dump(changed, line(2)), publish=True)
    assert (result.created, result.updated, result.unchanged) == (0, 1, 1)
    assert CaseStudyPage.objects.filter(external_id="IMP-0001").count() == 1
    case = CaseStudyPage.objects.get(external_id="IMP-0001")
    assert case.title == changed["title"]
    assert sorted(case.violation_types.values_list("name", flat=True)) == ["受贿", "滥用职权"]
    assert case.revisions.count() == 2
    assert CaseStudyPage.objects.get(external_id="IMP-0002").revisions.count() == 1


def test_reimport_of_live_case_without_publish_leaves_a_draft(index):
    services.case_import(lines=dump(line(1)), publish=True)
    services.case_import(lines=dump(line(1, summary="修改后的摘要")))
    case = CaseStudyPage.objects.get(external_id="IMP-0001")
    assert case.live and case.has_unpublished_changes
    assert case.summary != "修改后的摘要"
    assert case.get_latest_revision_as_object().summary == "修改后的摘要"


def test_unknown_terms_are_created_and_listed(index):
    row = line(1, sector="文化旅游", supervision_failures=["巡察整改不到位"], violation_types=["受贿"])
    result = services.case_import(lines=dump(row))
    assert Sector.objects.filter(name="文化旅游").exists()
    assert SupervisionFailure.objects.filter(name="巡察整改不到位").exists()
    assert "文化旅游" in result.summary and "巡察整改不到位" in result.summary
    assert "受贿" not in result.summary


BAD_LINES = [
    ("{not json", "不是有效的 JSON"),
    ("[1, 2]", "JSON 对象"),
    ({k: v for k, v in line(9).items() if k != "title"}, "缺少必填字段：title"),
    (line(9, year="2023"), "year 应为整数"),
    (line(9, year=1800), "超出范围"),
    (line(9, is_top_leader="是"), "is_top_leader"),
    (line(9, subject_rank="副处级"), "不是已知职级"),
    (line(9, title="长" * 300), "title 过长"),
    (line(9, region=""), "region 应为非空字符串"),
    (line(9, violation_types="受贿"), "violation_types 应为字符串数组"),
    (line(9, tags=["标" * 101]), "过长"),
    (line(9, sections={"案情": "x"}), "未知章节"),
    (line(9, sections=[]), "sections 应为对象"),
    (line(9, outcome="刑事处罚"), "刑事处罚须填写 sentence_years"),
    (line(9, outcome="党纪处分", sentence_years=3), "只有刑事处罚"),
    (line(9, colour="red"), "未知字段：colour"),
]


@pytest.mark.parametrize(("bad", "reason"), BAD_LINES)
def test_bad_line_stops_import_with_line_number(index, bad, reason):
    lines = dump(line(1), "", line(2), bad)
    with pytest.raises(services.CaseImportError) as exc:
        services.case_import(lines=lines)
    [(number, message)] = exc.value.errors
    assert number == 4
    assert reason in message
    assert not CaseStudyPage.objects.exists()


def test_duplicate_external_id_in_file(index):
    with pytest.raises(services.CaseImportError) as exc:
        services.case_import(lines=dump(line(1), line(1)))
    assert exc.value.errors == [(2, "external_id IMP-0001 与第 1 行重复")]


def test_all_bad_lines_are_reported_and_nothing_changes(index):
    services.case_import(lines=dump(line(1)))
    terms_before = ViolationType.objects.count()
    lines = dump(
        line(1, title="不应写入"), line(2, violation_types=["全新类型"]), line(3, year="x"), line(4, subject_rank="无")
    )
    with pytest.raises(services.CaseImportError) as exc:
        services.case_import(lines=lines)
    assert [n for n, _m in exc.value.errors] == [3, 4]
    assert CaseStudyPage.objects.get(external_id="IMP-0001").title != "不应写入"
    assert not CaseStudyPage.objects.filter(external_id="IMP-0002").exists()
    assert ViolationType.objects.count() == terms_before


def test_failure_while_writing_rolls_back_everything(index, monkeypatch):
    original = services._import_row
    calls = []

    def failing(row, *args):
        calls.append(row.line)
        if row.line == 3:
            raise services.CaseImportError([(row.line, "模拟写入失败")])
        return original(row, *args)

    monkeypatch.setattr(services, "_import_row", failing)
    with pytest.raises(services.CaseImportError):
        services.case_import(lines=dump(line(1, sector="新领域甲"), line(2), line(3)))
    assert calls == [1, 2, 3]
    assert not CaseStudyPage.objects.exists()
    assert not Sector.objects.filter(name="新领域甲").exists()


def test_publish_refuses_lines_marked_not_anonymised(index):
    with pytest.raises(services.CaseImportError) as exc:
        services.case_import(lines=dump(line(1), line(2, is_anonymised=False)), publish=True)
    assert exc.value.errors[0][0] == 2


def test_command_summary_and_errors(index, tmp_path, capsys):
    good = tmp_path / "cases.jsonl"
    good.write_text("\n".join(dump(line(1), line(2))), encoding="utf-8")
    call_command("import_cases", str(good), "--publish")
    assert "新增 2 个" in capsys.readouterr().out
    call_command("import_cases", str(good), "--publish")
    assert "未变 2 个" in capsys.readouterr().out
    bad = tmp_path / "bad.jsonl"
    bad.write_text("\n".join(dump(line(3), "{oops")), encoding="utf-8")
    with pytest.raises(CommandError, match="第 2 行"):
        call_command("import_cases", str(bad))
    assert not CaseStudyPage.objects.filter(external_id="IMP-0003").exists()


def test_admin_upload_for_editors_only(client, index):
    from django.core.files.uploadedfile import SimpleUploadedFile

    url = reverse("cases_import_upload")
    client.force_login(cadre())
    assert client.get(url).status_code in (302, 403)
    editor = staff(roles.EDITOR)
    client.force_login(editor)
    response = client.get(url)
    assert response.status_code == 200
    assert "publish" not in response.context["form"].fields  # editors cannot publish
    upload = SimpleUploadedFile("cases.jsonl", "\n".join(dump(line(1))).encode(), content_type="application/jsonl")
    response = client.post(url, {"file": upload, "publish": "on"})
    assert response.status_code == 302
    case = CaseStudyPage.objects.get(external_id="IMP-0001")
    assert not case.live
    assert case.latest_revision.user == editor
    bad = SimpleUploadedFile("cases.jsonl", b'{"external_id": 1}\n', content_type="application/jsonl")
    response = client.post(url, {"file": bad})
    assert response.status_code == 200
    assert response.context["errors"][0][0] == 1


def test_publish_needs_publish_permission(index):
    editor = staff(roles.EDITOR)
    with pytest.raises(services.CaseImportError, match="没有发布案例的权限"):
        services.case_import(lines=dump(line(1)), publish=True, user=editor)
    result = services.case_import(lines=dump(line(1)), publish=True, user=staff(roles.REVIEWER))
    assert result.published == 1
