"""HTML and script from every way text enters the platform cannot run on any page that shows it.

Payloads go in through the real entry points (Moodle XML / GIFT / Excel question import, case import,
the rich text editor's conversion, reflections, roster import, search indexing); then every page that
shows them is rendered as a user who may see it, and the HTML is parsed: no <script> with the payload,
no event-handler attribute carrying it, no javascript: link. The visible marker must be on the page,
so a page that simply lost the text cannot pass.
"""

import csv
import io
import json
from html.parser import HTMLParser

import pytest
from django.test import Client

from accounts import factories as af
from accounts import roles

pytestmark = pytest.mark.django_db

MARK = "XSSMARK"
PAYLOAD = (
    f'{MARK}<script>alert("XSS")</script><img src=x onerror=alert("XSS")><a href="javascript:alert(1)//XSS">XSS链接</a>'
)
SHORT = f'<img src=x onerror=alert("XSS")>{MARK}'  # fits a 50-character name


class _Scanner(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []
        self._script = False

    def handle_starttag(self, tag, attrs):
        if tag == "script":
            # JSON data islands (Wagtail admin) do not run; breaking out of one would show up as a tag.
            kind = (dict(attrs).get("type") or "text/javascript").lower()
            self._script = kind in ("text/javascript", "module", "application/javascript")
        for name, value in attrs:
            value = value or ""
            if name.startswith("on") and "XSS" in value:
                self.problems.append(f"<{tag} {name}={value!r}>")
            if name in ("href", "src", "action", "formaction", "data", "srcdoc") and (
                value.strip().lower().startswith("javascript:") or "XSS" in value and "<" in value
            ):
                self.problems.append(f"<{tag} {name}={value!r}>")

    def handle_endtag(self, tag):
        if tag == "script":
            self._script = False

    def handle_data(self, data):
        if self._script and "XSS" in data:
            self.problems.append(f"<script>{data[:60]}")


def assert_inert(client: Client, url: str, *, marker: str | None = MARK, status: int = 200) -> str:
    response = client.get(url)
    assert response.status_code == status, f"{url}: {response.status_code} {response.get('Location', '')}"
    body = (b"".join(response.streaming_content) if response.streaming else response.content).decode()
    scanner = _Scanner()
    scanner.feed(body)
    assert not scanner.problems, f"{url} runs injected script: {scanner.problems}"
    if marker:
        assert marker in body, f"{url} does not show the injected text at all (test proves nothing)"
    return body


def login(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_scanner_catches_what_it_must():
    for html in (f"<p>{PAYLOAD}</p>", '<a href=" JavaScript:alert(1)">x</a>', '<div onclick="XSS()">'):
        scanner = _Scanner()
        scanner.feed(html)
        assert scanner.problems, html
    scanner = _Scanner()
    scanner.feed(f"<p>{PAYLOAD.replace('<', '&lt;')}</p>")
    assert not scanner.problems


# ---------------------------------------------------------------- imported questions


def _moodle_xml() -> bytes:
    from pathlib import Path

    # Our own file (tests/quizzes/data), with the payload in the stem, the general feedback and an answer.
    text = (Path(__file__).resolve().parents[1] / "quizzes" / "data" / "multichoice_partial.xml").read_text()
    cdata = f"<![CDATA[{PAYLOAD}]]>"
    text = text.replace(
        "<text><![CDATA[<p>下列哪些属于主要负责人不直接分管的工作？</p>]]></text>", f"<text>{cdata}</text>"
    )
    text = text.replace(
        "<text><![CDATA[<p>主要负责人不直接分管人事和财务等工作。</p>]]></text>", f"<text>{cdata}</text>"
    )
    text = text.replace("<text>宣传</text>", f"<text>{cdata}</text>", 1)  # an answer
    return text.encode()


def _gift() -> bytes:
    escaped = (
        PAYLOAD.replace("=", r"\=").replace("{", r"\{").replace("}", r"\}").replace("#", r"\#").replace(":", r"\:")
    )
    return (
        f"::GIFT XSS:: [html]{escaped} {{\n=[html]{escaped} # [html]{escaped}\n~其他 # 反馈\n}}\n\n"
        f"::GIFT essay:: [html]{escaped} {{}}\n"
    ).encode()


def _xlsx() -> bytes:
    from openpyxl import Workbook

    from quizzes.importers import XLSX_HEADERS

    book = Workbook()
    sheet = book.active
    sheet.append(XLSX_HEADERS)
    sheet.append(["单选", PAYLOAD, PAYLOAD, "选项二", "", "", "", "", "A", PAYLOAD, 1])
    sheet.append(["简答", PAYLOAD, "", "", "", "", "", "", "", PAYLOAD, 5])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@pytest.mark.parametrize(
    "filename,data",
    [
        ("xss.xml", _moodle_xml),
        ("xss.gift.txt", _gift),
        ("xss.xlsx", _xlsx),
    ],
    ids=["moodle-xml", "gift", "excel"],
)
def test_imported_questions_cannot_run_script(filename, data):
    from quizzes import importers
    from quizzes import services as qs
    from quizzes.factories import quiz as make_quiz
    from quizzes.models import Question, QuestionType

    importers.import_questions(data=data(), filename=filename, category_path=f"XSS/{filename}")
    questions = list(Question.objects.all())  # the test database holds only this file's questions
    assert questions
    quiz = make_quiz(*questions, title=f"测验{MARK}")
    cadre = af.cadre(unit="某省/甲市/东山县/交通运输局")
    trainer = af.trainer("某省/甲市")
    cadre_client, trainer_client = login(cadre), login(trainer)

    assert_inert(cadre_client, f"/quizzes/{quiz.pk}/")
    attempt = qs.attempt_start(user=cadre, quiz=quiz)
    assert_inert(cadre_client, f"/quizzes/attempts/{attempt.pk}/")
    api = cadre_client.get(f"/api/v1/attempts/{attempt.pk}")
    assert api.status_code == 200 and "<script" not in api.content.decode()
    for slot in attempt.slots.select_related("question"):
        if slot.question.qtype == QuestionType.ESSAY:
            qs.attempt_save_answer(attempt=attempt, question=slot.question, answer=PAYLOAD, sequence=slot.sequence)
    attempt = qs.attempt_submit(attempt=attempt)
    assert_inert(cadre_client, f"/quizzes/attempts/{attempt.pk}/result/")
    assert_inert(trainer_client, f"/admin/quizzes/results/{quiz.pk}/")
    essay_slots = attempt.slots.filter(question__qtype=QuestionType.ESSAY)
    if essay_slots:
        assert_inert(trainer_client, "/admin/quizzes/grading/", marker=None)
        assert_inert(trainer_client, f"/admin/quizzes/grading/{essay_slots[0].pk}/")
    admin = login(af.staff(roles.ADMINISTRATOR))
    assert_inert(admin, "/admin/snippets/quizzes/question/", marker=None)  # the listing opens on the category tree
    assert_inert(admin, f"/admin/snippets/quizzes/question/edit/{questions[0].pk}/", marker=None)
    if not essay_slots:  # graded at once: the quiz result is in the archive
        assert_inert(cadre_client, "/learning/archive/")


# ---------------------------------------------------------------- cases: import, rich text, search


def _import_case(title_extra=""):
    from cases.services import case_import, case_index_ensure
    from learning.factories import home_page

    index = case_index_ensure(parent=home_page())
    line = {
        "external_id": f"XSS-{title_extra or 1}",
        "title": f"案例{SHORT}{title_extra}",
        "summary": PAYLOAD,
        "year": 2024,
        "region": "某省",
        "sector": "交通",
        "subject_rank": "乡科级",
        "is_top_leader": False,
        "violation_types": ["受贿"],
        "supervision_failures": ["同级监督弱化"],
        "countermeasures": ["落实同级监督"],
        "tags": [f"标签{MARK}"],
        "is_anonymised": True,
        "sections": {"基本案情": f"基本案情：领导干部监督缺位。{PAYLOAD}", "主要问题": f"{PAYLOAD}监督"},
    }
    case_import(lines=[json.dumps(line, ensure_ascii=False)], publish=True, index=index)
    from cases.models import CaseStudyPage

    return index, CaseStudyPage.objects.get(external_id=line["external_id"])


def test_imported_case_cannot_run_script_on_site_search_or_admin():
    index, case = _import_case()
    cadre = login(af.cadre(unit="某省/甲市/东山县/交通运输局"))
    assert_inert(cadre, case.url)
    assert_inert(cadre, index.url)
    assert_inert(cadre, "/")
    # Search: the page text holds <script> and the query word; the highlighted snippet is escaped.
    body = assert_inert(cadre, "/search/?q=监督")
    assert "<mark>监督</mark>" in body
    api = json.loads(cadre.get("/api/v1/search", {"q": "监督"}).content)
    snippets = [r["snippet"] for r in api["results"]]
    assert snippets and all(MARK in s and "<mark>" in s for s in snippets), snippets
    # The snippet is inserted as HTML: apart from <mark>, every tag must arrive escaped.
    assert all("<" not in s.replace("<mark>", "").replace("</mark>", "") for s in snippets), snippets
    # Titles reach the browser as JSON (rendered with textContent by static/js/search.js), never as HTML.
    suggest = cadre.get("/api/v1/search/suggest", {"q": "案例"})
    assert suggest["Content-Type"].startswith("application/json") and suggest["X-Content-Type-Options"] == "nosniff"
    admin = login(af.staff(roles.ADMINISTRATOR))
    assert_inert(admin, f"/admin/pages/{index.pk}/")
    assert_inert(admin, f"/admin/pages/{case.pk}/edit/", marker=None)
    assert_inert(admin, "/admin/pages/search/?q=监督", marker=None)


def test_search_snippet_escapes_markup_around_the_highlight():
    from search.snippets import snippet

    text = '前言<script>alert("XSS")</script>加强监督<img src=x onerror=alert(1)>后记'
    html = str(snippet(text, ["监督"]))
    assert "<mark>监督</mark>" in html
    assert "&lt;script&gt;" in html and "&lt;img" in html
    assert "<" not in html.replace("<mark>", "").replace("</mark>", "")


def test_rich_text_from_the_editor_cannot_carry_script():
    """The case and lesson body arrive from Draftail as contentstate; what the server stores must be inert."""
    from wagtail.admin.rich_text.converters.contentstate import ContentstateConverter

    from cases.blocks import RICH_TEXT_FEATURES as CASE_FEATURES
    from learning import factories as lf

    contentstate = {
        "blocks": [
            {
                "key": "a",
                "type": "unstyled",
                "depth": 0,
                "text": PAYLOAD,
                "inlineStyleRanges": [],
                "entityRanges": [{"offset": 0, "length": len(MARK), "key": 0}],
                "data": {},
            },
        ],
        "entityMap": {"0": {"type": "LINK", "mutability": "MUTABLE", "data": {"url": "javascript:alert('XSS')"}}},
    }
    stored = ContentstateConverter(CASE_FEATURES).to_database_format(json.dumps(contentstate))
    course = lf.course(title="富文本课程")
    lesson = lf.lesson(course=course, title="富文本课时", text=stored)
    _index, case = _import_case("rt")
    case.body = [("section", {"section": "facts", "content": [("paragraph", stored)]})]
    case.save_revision().publish()
    cadre = login(af.cadre(unit="某省/甲市/东山县/交通运输局"))
    assert_inert(cadre, lesson.url)
    assert_inert(cadre, case.url)


# ---------------------------------------------------------------- reflections and names


def test_reflections_and_roster_names_cannot_run_script():
    from accounts.services import roster_import_file
    from learning import factories as lf
    from learning import services as ls

    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["工号", "姓名", "单位", "职级"])
    writer.writerow(["XSS001", SHORT, "某省/甲市/东山县/交通运输局", "乡科级"])
    roster_import_file(data=out.getvalue().encode(), filename="roster.csv")
    from accounts.models import User

    cadre = User.objects.get(cadre_profile__employee_no="XSS001")
    assert cadre.name == SHORT
    course = lf.course(title="反射课程")
    lesson = lf.lesson(course=course, title="心得课时")
    reflection = ls.reflection_submit(user=cadre, page=lesson, body=PAYLOAD + "结合本职工作认真对照检查。")
    trainer_user = af.trainer("某省/甲市")
    from datetime import timedelta

    from django.utils import timezone

    due = timezone.localdate() - timedelta(days=1)
    ls.assignment_create(
        by=trainer_user, course=course, org_units=[af.org_unit("某省/甲市")], ranks=None, year=due.year, due_date=due
    )
    done = lf.course(title="结业课程")
    ls.course_complete(user=cadre, course=done)
    from learning.models import Certificate

    code = Certificate.objects.get(user=cadre).code
    me, trainer = login(cadre), login(trainer_user)
    admin = login(af.staff(roles.SECURITY_ADMINISTRATOR))
    unit = cadre.cadre_profile.org_unit_id

    assert_inert(me, "/")
    assert_inert(me, "/learning/reflections/")
    assert_inert(me, lesson.url)
    assert_inert(me, "/learning/archive/")
    assert_inert(Client(), f"/verify/{code}/")
    assert_inert(trainer, "/learning/reflections/review/")
    assert_inert(trainer, f"/learning/reflections/review/{reflection.pk}/")
    assert_inert(trainer, f"/learning/archive/{cadre.pk}/")
    assert_inert(trainer, f"/reports/units/{unit}/cadres/")
    assert_inert(trainer, f"/reports/cadres/{cadre.pk}/")
    assert_inert(trainer, "/reports/courses/")
    response = trainer.post(
        "/learning/assignments/new/",
        {
            "course": course.pk,
            "org_units": af.org_unit("某省/甲市").pk,
            "year": due.year,
            "due_date": due.isoformat(),
            "preview": "1",
        },
    )
    scanner = _Scanner()
    scanner.feed(response.content.decode())
    assert MARK in response.content.decode() and not scanner.problems, scanner.problems
    assert_inert(trainer, "/admin/cadres/")
    assert_inert(admin, "/admin/users/")
    assert_inert(admin, f"/admin/users/edit/{cadre.pk}/", marker=None)
