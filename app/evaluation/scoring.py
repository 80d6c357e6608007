"""The arithmetic of a two-way evaluation (双向评估), as pure functions of plain
values: no database, no request, so every published number can be checked by
hand from the sheets.

Exact throughout (Decimal scores, Fraction means); the one rounding, half up
to two places, happens at the very end, and the grade is read from that
rounded final, so a report never shows 90.00 beside 良好.
"""
from __future__ import annotations

import re

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from math import floor
from typing import Hashable, Mapping, Sequence

GRADES = ("excellent", "good", "pass", "fail")
TRIM_FROM = 5  # 去掉一个最高分和一个最低分 from five sheets on
SURVEY_MIN_RESPONSES = 5  # fewer residents' answers do not count (and are never shown)
TWO_PLACES = Decimal("0.01")


@dataclass(frozen=True)
class Thresholds:
    """The lowest rounded final of each grade (优秀, 良好, 合格); below `passing` 不合格."""
    excellent: int = 90
    good: int = 75
    passing: int = 60

    def __post_init__(self):
        if not (0 <= self.passing <= self.good <= self.excellent <= 100):
            raise ValueError("thresholds must satisfy 0 ≤ pass ≤ good ≤ excellent ≤ 100")


DEFAULT = Thresholds()


@dataclass(frozen=True)
class PartyResult:
    final: Decimal  # two places, half up: the number published
    grade: str  # one of GRADES, from `final`
    sheets_part: Fraction  # the (trimmed) mean of the sheet totals, exact
    survey_part: Fraction | None  # (mean response − 1) × 25, exact; None when the survey does not count
    survey_counted: bool
    trimmed: tuple[int, ...]  # indices into the sheet totals given: (lowest, highest) or ()
    sheet_count: int
    response_count: int

    @property
    def survey_too_few(self) -> bool:
        """Residents answered, but fewer than five: the report says the survey did not count."""
        return not self.survey_counted and 0 < self.response_count < SURVEY_MIN_RESPONSES


def round_half_up(value: Fraction | Decimal | int) -> Decimal:
    """Two decimal places, half up (0.005 → 0.01), from an exact value (scores are never negative)."""
    exact = Fraction(value)
    hundredths = floor(exact * 100 + Fraction(1, 2))
    return (Decimal(hundredths) / 100).quantize(TWO_PLACES)


def parse_score(text: str | int | Decimal) -> Decimal:
    """A criterion's score as typed: 0–100, a whole number or one decimal place. ValueError otherwise."""
    typed = str(text).strip()
    if not re.fullmatch(r"\d{1,3}(?:\.\d)?", typed):  # no exponents, signs or second decimals: 85, 85.5, 100
        raise ValueError("a whole number or one decimal place")
    try:
        value = Decimal(typed)
    except InvalidOperation:
        raise ValueError("not a number") from None
    if not value.is_finite() or value < 0 or value > 100:
        raise ValueError("out of range")
    if value != value.quantize(Decimal("0.1")):
        raise ValueError("at most one decimal place")
    return value.quantize(Decimal("0.1")) if value != value.to_integral_value() else value.quantize(Decimal("1"))


def check_weights(weights: Mapping[Hashable, int]) -> None:
    """A rubric's weights are whole numbers above zero that sum to exactly 100."""
    if not weights:
        raise ValueError("a rubric needs at least one criterion")
    if any(type(w) is not int or w <= 0 for w in weights.values()):
        raise ValueError("weights are whole numbers above zero")
    if sum(weights.values()) != 100:
        raise ValueError(f"weights sum to {sum(weights.values())}, not 100")


def sheet_total(scores: Mapping[Hashable, Decimal], weights: Mapping[Hashable, int]) -> Decimal:
    """One evaluator's total for one party: Σ(score × weight) / 100, exact
    (a one-decimal score times a whole weight over 100 needs at most three places)."""
    check_weights(weights)
    if set(scores) != set(weights):
        raise ValueError("a sheet scores every criterion of its rubric, and only those")
    for score in scores.values():
        if not isinstance(score, Decimal) or score < 0 or score > 100:
            raise ValueError("scores are Decimals from 0 to 100")
    return sum((scores[c] * weights[c] for c in weights), Decimal(0)) / 100


def grade_of(final: Decimal, thresholds: Thresholds = DEFAULT) -> str:
    if final >= thresholds.excellent:
        return "excellent"
    if final >= thresholds.good:
        return "good"
    if final >= thresholds.passing:
        return "pass"
    return "fail"


def trimmed_indices(totals: Sequence[Decimal]) -> tuple[int, ...]:
    """With five sheets or more, exactly one lowest and one highest are left out
    (the first equal lowest and the last equal highest, so they are two sheets
    even when all totals are equal; which of equal totals goes changes no number)."""
    if len(totals) < TRIM_FROM:
        return ()
    low = min(range(len(totals)), key=lambda i: (totals[i], i))
    high = max(range(len(totals)), key=lambda i: (totals[i], i))
    return (low, high)


def party_result(sheet_totals: list[Decimal], survey_responses: list[int] | None, survey_weight: int,
                 thresholds: Thresholds = DEFAULT) -> PartyResult:
    """One evaluated party's result.

    Sheets part: the mean of the sheet totals, after dropping one highest and
    one lowest when there are at least five. Survey part: (mean response − 1) ×
    25, turning 1–5 into 0–100; each response is one resident's answer on the
    1–5 scale (a whole number, or the exact mean of their answers when the
    survey asks several questions). With fewer than five responses the survey
    does not count and the sheets carry the whole weight. Final = sheets part ×
    (100 − survey weight)% + survey part × survey weight%, rounded half up to
    two places; the grade is read from that rounded final."""
    if not sheet_totals:
        raise ValueError("a party without submitted sheets has no result")
    if type(survey_weight) is not int or not 0 <= survey_weight <= 100:
        raise ValueError("the survey weight is a whole number from 0 to 100")
    totals = [Fraction(t) for t in sheet_totals]
    if any(t < 0 or t > 100 for t in totals):
        raise ValueError("sheet totals lie between 0 and 100")
    trimmed = trimmed_indices(sheet_totals)
    kept = [t for i, t in enumerate(totals) if i not in trimmed]
    sheets_part = sum(kept, Fraction(0)) / len(kept)

    responses = [Fraction(r) for r in (survey_responses or [])]
    if any(r < 1 or r > 5 for r in responses):
        raise ValueError("survey responses lie between 1 and 5")
    counted = survey_weight > 0 and len(responses) >= SURVEY_MIN_RESPONSES
    survey_part = None
    if counted:
        survey_part = (sum(responses, Fraction(0)) / len(responses) - 1) * 25
        exact = sheets_part * (100 - survey_weight) / 100 + survey_part * survey_weight / 100
    else:
        exact = sheets_part
    final = round_half_up(exact)
    return PartyResult(final=final, grade=grade_of(final, thresholds), sheets_part=sheets_part,
                       survey_part=survey_part, survey_counted=counted, trimmed=trimmed,
                       sheet_count=len(totals), response_count=len(responses))


def ranks(finals: Mapping[Hashable, Decimal]) -> dict[Hashable, int]:
    """Rank by final, highest first; equal finals share a rank and the next
    rank skips (1, 1, 3), as a results table is read."""
    ordered = sorted(finals.values(), reverse=True)
    return {key: ordered.index(value) + 1 for key, value in finals.items()}


def criterion_averages(sheets: Sequence[Mapping[Hashable, Decimal]]) -> dict[Hashable, Decimal]:
    """Each criterion's mean score over the sheets (all of them, untrimmed), half up to two places."""
    out: dict[Hashable, Decimal] = {}
    for criterion in {c for sheet in sheets for c in sheet}:
        values = [Fraction(sheet[criterion]) for sheet in sheets if criterion in sheet]
        out[criterion] = round_half_up(sum(values, Fraction(0)) / len(values))
    return out


def four_places(value: Fraction | Decimal) -> Decimal:
    """An exact intermediate part shown to four places, half up, for reading only: the
    final is rounded once, from the exact value, never from this."""
    exact = Fraction(value)
    return (Decimal(floor(exact * 10000 + Fraction(1, 2))) / 10000).quantize(Decimal("0.0001"))
