"""Demo question bank, one quiz per course theme, and attempts in every state. Safe to re-run."""

from decimal import Decimal

from accounts.models import User
from quizzes import services
from quizzes.demo_bank import BANK, QUIZZES
from quizzes.models import Attempt, Question, QuestionCategory, QuestionType, Quiz, QuizQuestion, QuizRandomDraw
from quizzes.permissions import grant_role_permissions
from quizzes.services import ChoiceData

TYPES = {
    "single": QuestionType.SINGLE,
    "multi": QuestionType.MULTIPLE,
    "tf": QuestionType.TRUE_FALSE,
    "blank": QuestionType.FILL_BLANK,
    "essay": QuestionType.ESSAY,
}
ESSAY_SUBCATEGORY = "简答"
LETTERS = "ABCDEF"

# (employee number, quiz title, outcome)
ATTEMPTS = [
    ("D0001", "权力观测验", "pass"),
    ("D0002", "权力观测验", "fail"),
    ("D0003", "中央八项规定精神测验", "in_progress"),
    ("D0004", "以案促改测验", "needs_grading"),
    ("D0005", "政绩观测验", "pass"),
    ("D0006", "监督观测验", "fail"),
    ("D0007", "民主集中制与三重一大测验", "pass"),
    ("D0008", "以案促改测验", "needs_grading"),
]


def _html(text: str) -> str:
    from django.utils.html import escape

    return f"<p>{escape(text)}</p>" if text else ""


def _load_bank() -> int:
    created = 0
    for path, items in BANK.items():
        category = services.category_get_or_create_by_path(path)
        for number, (kind, stem, options, answer, explanation) in enumerate(items, start=1):
            source = f"demo:{path}:{number}"
            if Question.objects.filter(source_id=source).exists():
                continue
            qtype = TYPES[kind]
            choices, accepted = [], []
            if qtype in (QuestionType.SINGLE, QuestionType.MULTIPLE):
                choices = [ChoiceData(text, LETTERS[i] in answer) for i, text in enumerate(options)]
            elif qtype == QuestionType.TRUE_FALSE:
                choices = services.truefalse_choices(bool(answer))
            elif qtype == QuestionType.FILL_BLANK:
                accepted = list(options)
            target = category
            if qtype == QuestionType.ESSAY:
                # Essays live in a subcategory so random draws of auto-marked questions skip them.
                target = services.category_get_or_create_by_path(f"{path}/{ESSAY_SUBCATEGORY}")
            services.question_create(
                category=target,
                qtype=qtype,
                stem=_html(stem),
                choices=choices,
                accepted=accepted,
                explanation=_html(explanation),
                default_mark=Decimal("5") if qtype == QuestionType.ESSAY else Decimal("1"),
                name=stem[:40],
                source_id=source,
                tags=[path.rsplit("/", 1)[-1]],
            )
            created += 1
    return created


def _load_quizzes() -> list[Quiz]:
    quizzes = []
    for title, parts, minutes, review in QUIZZES:
        quiz = Quiz.objects.filter(title=title).first()
        if quiz is None:
            quiz = Quiz.objects.create(
                title=title,
                description=_html(
                    f"本测验检验“{title.removesuffix('测验')}”课程的学习效果，得分率达到 60% 即及格，可作答 3 次，取最高分。"
                ),
                time_limit_minutes=minutes,
                max_attempts=3,
                pass_percent=Decimal("60"),
                review=review,
                shuffle_choices=True,
                pass_text=_html("恭喜通过测验！请继续保持学习。"),
                fail_text=_html("未达到及格线，请重温课程内容后再次作答。"),
            )
            (main_path, main_count), *draws = parts
            main = QuestionCategory.objects.get(full_path=main_path)
            fixed = list(main.questions.exclude(qtype=QuestionType.ESSAY).order_by("pk")[:main_count])
            essays = list(
                Question.objects.filter(category__full_path=f"{main_path}/{ESSAY_SUBCATEGORY}").order_by("pk")[:1]
            )
            if title == "以案促改测验":
                fixed += essays
            for i, question in enumerate(fixed):
                QuizQuestion.objects.create(quiz=quiz, question=question, sort_order=i)
            for i, (path, count) in enumerate(draws):
                QuizRandomDraw.objects.create(
                    quiz=quiz,
                    category=QuestionCategory.objects.get(full_path=path),
                    count=count,
                    include_subcategories=False,
                    sort_order=i,
                )
        quizzes.append(quiz)
    return quizzes


def _answer(slot, *, right: bool):
    question = slot.question
    if question.qtype == QuestionType.ESSAY:
        return "权力必须在阳光下运行。本单位将完善议事规则，落实末位表态，定期公开权力运行情况，主动接受班子成员和群众监督。"
    if question.qtype == QuestionType.FILL_BLANK:
        return question.accepted_answers.first().text if right else "不知道"
    choices = list(question.choices.all())
    if question.qtype == QuestionType.MULTIPLE:
        return (
            [c.pk for c in choices if c.is_correct]
            if right
            else [c.pk for c in choices if not c.is_correct][:1] or [choices[0].pk]
        )
    pick = next((c for c in choices if c.is_correct == right), choices[0])
    return pick.pk


def _load_attempts() -> int:
    made = 0
    for employee_no, title, outcome in ATTEMPTS:
        user = User.objects.filter(username=employee_no).first()
        quiz = Quiz.objects.filter(title=title).first()
        if user is None or quiz is None or Attempt.objects.filter(user=user, quiz=quiz).exists():
            continue
        attempt = services.attempt_start(user=user, quiz=quiz)
        slots = list(attempt.slots.select_related("question"))
        if outcome == "in_progress":
            slots = slots[: len(slots) // 2]
        for slot in slots:
            right = outcome != "fail"
            services.attempt_save_answer(
                attempt=attempt, question=slot.question, answer=_answer(slot, right=right), sequence=slot.sequence
            )
        if outcome != "in_progress":
            services.attempt_submit(attempt=attempt)
        made += 1
    return made


def load(*, password: str, stdout=None) -> list[tuple[str, str, str]]:
    grant_role_permissions()
    created = _load_bank()
    quizzes = _load_quizzes()
    attempts = _load_attempts()
    if stdout:
        stdout.write(
            f"测验：题库 {Question.objects.count()} 道题（本次新增 {created} 道），{len(quizzes)} 个测验，本次新增 {attempts} 份作答。"
        )
    return [
        ("学员", "D0003", "有一份进行中的测验（中央八项规定精神测验）"),
        ("学员", "D0004", "以案促改测验待批改（trainer_jia 可批改）"),
    ]
