"""Factories for the question bank and quizzes, used by tests, benchmarks and other apps' factories."""

from decimal import Decimal

from quizzes import services
from quizzes.models import Question, QuestionType, Quiz, QuizQuestion
from quizzes.services import ChoiceData


def category(path: str = "测试题库"):
    return services.category_get_or_create_by_path(path)


def single(cat=None, *, stem: str = "单选题", correct: int = 0, options: int = 4, mark: str = "1") -> Question:
    return services.question_create(
        category=cat or category(),
        qtype=QuestionType.SINGLE,
        stem=f"<p>{stem}</p>",
        choices=[ChoiceData(f"选项{i + 1}", i == correct) for i in range(options)],
        default_mark=Decimal(mark),
        explanation="<p>解析</p>",
    )


def multiple(
    cat=None, *, stem: str = "多选题", correct=(0, 1), options: int = 4, partial: bool = False, mark: str = "2"
) -> Question:
    return services.question_create(
        category=cat or category(),
        qtype=QuestionType.MULTIPLE,
        stem=f"<p>{stem}</p>",
        choices=[ChoiceData(f"选项{i + 1}", i in correct) for i in range(options)],
        default_mark=Decimal(mark),
        partial_credit=partial,
    )


def truefalse(cat=None, *, stem: str = "判断题", answer: bool = True) -> Question:
    return services.question_create(
        category=cat or category(),
        qtype=QuestionType.TRUE_FALSE,
        stem=f"<p>{stem}</p>",
        choices=services.truefalse_choices(answer),
    )


def blank(cat=None, *, stem: str = "填空题", accepted=("三重一大",)) -> Question:
    return services.question_create(
        category=cat or category(), qtype=QuestionType.FILL_BLANK, stem=f"<p>{stem}</p>", accepted=list(accepted)
    )


def essay(cat=None, *, stem: str = "简答题", mark: str = "5") -> Question:
    return services.question_create(
        category=cat or category(), qtype=QuestionType.ESSAY, stem=f"<p>{stem}</p>", default_mark=Decimal(mark)
    )


def quiz(*questions: Question, **fields) -> Quiz:
    q = Quiz.objects.create(title=fields.pop("title", "测试测验"), **fields)
    for i, question in enumerate(questions):
        QuizQuestion.objects.create(quiz=q, question=question, sort_order=i)
    return q
