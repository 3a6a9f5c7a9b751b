"""Scoring rules, checked as properties with hypothesis."""

from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from quizzes import scoring
from quizzes.scoring import ChoiceSpec


@st.composite
def multi_questions(draw):
    n = draw(st.integers(min_value=2, max_value=8))
    correct = draw(st.lists(st.booleans(), min_size=n, max_size=n).filter(any))
    use_fraction = draw(st.booleans())
    fractions = [
        draw(st.one_of(st.none(), st.decimals(min_value=-1, max_value=1, places=3))) if use_fraction else None
        for _ in range(n)
    ]
    choices = [ChoiceSpec(i + 1, c, f) for i, (c, f) in enumerate(zip(correct, fractions, strict=True))]
    selected = set(draw(st.lists(st.integers(min_value=1, max_value=n + 2), max_size=n + 2)))
    return choices, selected


marks = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("100"), places=2)


@given(multi_questions(), st.booleans(), marks)
def test_score_is_never_negative_or_above_the_mark(question, partial, mark):
    choices, selected = question
    fraction = scoring.fraction_multiple(choices, selected, partial=partial)
    assert Decimal(0) <= fraction <= Decimal(1)
    points = scoring.points(mark, fraction)
    assert Decimal(0) <= points <= mark


@given(multi_questions())
def test_all_or_nothing(question):
    choices, selected = question
    right = {c.id for c in choices if c.is_correct}
    expected = Decimal(1) if selected & {c.id for c in choices} == right else Decimal(0)
    assert scoring.fraction_multiple(choices, selected, partial=False) == expected


@given(multi_questions())
def test_partial_credit_exactly_right_earns_full_marks_without_custom_fractions(question):
    choices, _selected = question
    plain = [ChoiceSpec(c.id, c.is_correct) for c in choices]
    right = {c.id for c in plain if c.is_correct}
    assert scoring.fraction_multiple(plain, right, partial=True) == Decimal(1)
    assert scoring.fraction_multiple(plain, set(), partial=True) == 0


@given(multi_questions())
def test_partial_credit_is_monotone_in_correct_choices(question):
    choices, selected = question
    plain = [ChoiceSpec(c.id, c.is_correct) for c in choices]
    base = scoring.fraction_multiple(plain, selected, partial=True)
    for c in plain:
        if c.is_correct and c.id not in selected:
            assert scoring.fraction_multiple(plain, selected | {c.id}, partial=True) >= base
        if not c.is_correct and c.id not in selected:
            assert scoring.fraction_multiple(plain, selected | {c.id}, partial=True) <= base


def test_partial_credit_formula_example():
    choices = [ChoiceSpec(1, True), ChoiceSpec(2, True), ChoiceSpec(3, False), ChoiceSpec(4, False)]
    assert scoring.fraction_multiple(choices, {1}, partial=True) == Decimal("0.5")
    assert scoring.fraction_multiple(choices, {1, 3}, partial=True) == Decimal("0")
    assert scoring.fraction_multiple(choices, {1, 2, 3}, partial=True) == Decimal("0.5")
    assert scoring.fraction_multiple(choices, {1, 2, 3, 4}, partial=True) == Decimal("0")
    assert scoring.fraction_multiple(choices, {1}, partial=False) == Decimal("0")
    assert scoring.points(Decimal("3"), Decimal(1) / Decimal(3)) == Decimal("1.00")


ascii_words = st.text(
    alphabet="abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", min_size=1, max_size=12
)


@given(ascii_words, st.text(alphabet=" \u3000\t", max_size=3))
def test_blank_matching_ignores_width_case_and_spaces(word, pad):
    full_width = "".join(chr(ord(ch) + 0xFEE0) for ch in word.swapcase())
    assert scoring.fraction_blank([word], f"{pad}{full_width}{pad}") == 1
    assert scoring.fraction_blank([word], word + "x") == 0


def test_blank_examples():
    assert scoring.fraction_blank(["三重一大"], " 三重一大　") == 1
    assert scoring.fraction_blank(["ABC 123"], "ａｂｃ　１２３") == 1
    assert scoring.fraction_blank(["一岗双责"], "一岗一责") == 0
    assert scoring.fraction_blank(["一岗双责"], "") == 0
