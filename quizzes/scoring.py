"""Pure scoring rules: how much of a question's mark an answer earns (a fraction from 0 to 1).

Multiple choice, all-or-nothing (default): 1 if the selected set equals the correct set, else 0.

Multiple choice with partial credit: each option has a weight. An option's own `fraction`
is used when set; otherwise a correct option weighs +1/k and a wrong one −1/k, where k is
the number of correct options. The answer earns the sum of the weights of the options
selected, clamped to [0, 1]: never negative, never above the mark. Selecting every option
therefore earns 0 when there are as many wrong options as right ones.

Fill in the blank: the answer and each accepted answer are compared after Unicode NFKC
normalisation (full-width letters, digits and punctuation become half-width), trimming,
collapsing inner whitespace and case folding.
"""

import unicodedata
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

ZERO = Decimal("0")
ONE = Decimal("1")


@dataclass(frozen=True)
class ChoiceSpec:
    id: int
    is_correct: bool
    fraction: Decimal | None = None


def normalize_text(text: str) -> str:
    text = unicodedata.normalize("NFKC", text or "")
    return " ".join(text.split()).casefold()


def _clamp(value: Decimal) -> Decimal:
    return max(ZERO, min(ONE, value))


def choice_weights(choices: list[ChoiceSpec]) -> dict[int, Decimal]:
    correct = sum(1 for c in choices if c.is_correct) or 1
    step = ONE / Decimal(correct)
    return {c.id: (c.fraction if c.fraction is not None else (step if c.is_correct else -step)) for c in choices}


def fraction_single(choices: list[ChoiceSpec], selected: int | None) -> Decimal:
    return ONE if any(c.id == selected and c.is_correct for c in choices) else ZERO


def fraction_multiple(choices: list[ChoiceSpec], selected: set[int], *, partial: bool) -> Decimal:
    ids = {c.id for c in choices}
    selected = set(selected) & ids
    if not partial:
        return ONE if selected == {c.id for c in choices if c.is_correct} else ZERO
    weights = choice_weights(choices)
    # Rounded so that k × (1/k) is exactly 1.
    return _clamp(sum((weights[i] for i in selected), ZERO).quantize(Decimal("1e-9")))


def fraction_blank(accepted: list[str], answer: str | None) -> Decimal:
    given = normalize_text(answer or "")
    if not given:
        return ZERO
    return ONE if any(given == normalize_text(a) for a in accepted) else ZERO


def points(mark: Decimal, fraction: Decimal) -> Decimal:
    """The points earned, rounded to the 0.01 the database stores, never above the mark."""
    return min(mark, (Decimal(mark) * _clamp(fraction)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))
