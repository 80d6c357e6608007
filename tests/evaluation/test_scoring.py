"""The evaluation's arithmetic against numbers worked out by hand."""
from __future__ import annotations

from decimal import Decimal as D
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.evaluation.scoring import (
    DEFAULT,
    Thresholds,
    criterion_averages,
    parse_score,
    party_result,
    ranks,
    round_half_up,
    sheet_total,
)

WEIGHTS = {"duties": 40, "agreements": 35, "openness": 25}


def test_sheet_total_is_the_weighted_sum_over_100():
    # 92×40 + 80.5×35 + 70×25 = 3680 + 2817.5 + 1750 = 8247.5 → 82.475 (exact, not rounded)
    assert sheet_total({"duties": D("92"), "agreements": D("80.5"), "openness": D("70")}, WEIGHTS) == D("82.475")


@pytest.mark.parametrize("weights", [{"a": 50, "b": 40}, {"a": 60, "b": 50}, {"a": 100, "b": 0}, {}])
def test_weights_not_summing_to_100_are_refused(weights):
    with pytest.raises(ValueError):
        sheet_total({k: D(80) for k in weights}, weights)


def test_a_sheet_must_score_every_criterion():
    with pytest.raises(ValueError):
        sheet_total({"duties": D(90)}, WEIGHTS)


def test_trim_with_exactly_five_sheets_drops_one_highest_and_one_lowest():
    totals = [D("80"), D("95"), D("60"), D("85"), D("90")]
    result = party_result(totals, None, 0)
    # kept 80, 85, 90 → 255 / 3 = 85
    assert result.final == D("85.00") and result.grade == "good"
    assert sorted(result.trimmed) == [1, 2]  # 95 (index 1) and 60 (index 2)
    assert result.sheet_count == 5


def test_four_sheets_are_all_averaged():
    result = party_result([D("80"), D("95"), D("60"), D("85")], None, 0)
    assert result.trimmed == ()
    # 320 / 4 = 80
    assert result.final == D("80.00")


def test_ties_drop_exactly_one_on_each_side():
    totals = [D("90"), D("90"), D("70"), D("70"), D("80")]
    result = party_result(totals, None, 0)
    assert result.trimmed == (2, 1)  # one 70 and one 90 only
    # kept 90, 70, 80 → 240 / 3 = 80
    assert result.final == D("80.00")
    everyone_equal = party_result([D("77")] * 6, None, 0)
    assert len(set(everyone_equal.trimmed)) == 2 and everyone_equal.final == D("77.00")


def test_survey_with_four_responses_does_not_count():
    result = party_result([D("80")] * 3, [5, 5, 5, 5], 30)
    assert result.final == D("80.00") and not result.survey_counted and result.survey_part is None
    assert result.survey_too_few


def test_survey_with_five_responses_counts():
    # mean response (5+4+4+3+5)/5 = 4.2 → (4.2 − 1) × 25 = 80; 80 × 70% + 80 × 30% … use 90 sheets:
    # 90 × 0.7 + 80 × 0.3 = 63 + 24 = 87
    result = party_result([D("90")] * 3, [5, 4, 4, 3, 5], 30)
    assert result.survey_counted and result.survey_part == 80
    assert result.final == D("87.00") and result.grade == "good"


def test_multi_question_responses_are_each_residents_exact_mean():
    # five residents, means 13/3 each → (13/3 − 1) × 25 = 250/3; sheets 60: 60 × .5 + 250/3 × .5 = 30 + 41.666… = 71.67
    result = party_result([D("60")], [Fraction(13, 3)] * 5, 50)
    assert result.final == D("71.67") and result.grade == "pass"


def test_rounding_half_up_at_005():
    assert round_half_up(Fraction("84.005")) == D("84.01")
    assert round_half_up(Fraction("84.004999")) == D("84.00")
    assert round_half_up(D("0.125")) == D("0.13")  # banker's rounding would say 0.12
    # two sheets averaging to 84.005 exactly: (84.00 + 84.01) / 2
    assert party_result([D("84.00"), D("84.01")], None, 0).final == D("84.01")


def test_grade_comes_from_the_rounded_final():
    # 89.995 rounds to 90.00: 优秀, never "90.00 良好"
    result = party_result([D("89.99"), D("90.00")], None, 0)
    assert result.final == D("90.00") and result.grade == "excellent"
    just_below = party_result([D("89.98"), D("89.99")], None, 0)  # 89.985 → 89.99
    assert just_below.final == D("89.99") and just_below.grade == "good"


def test_thresholds_are_configurable_and_checked():
    strict = Thresholds(excellent=95, good=85, passing=70)
    assert party_result([D("90")], None, 0, strict).grade == "good"
    assert party_result([D("69.99")], None, 0, strict).grade == "fail"
    assert party_result([D("60")], None, 0, DEFAULT).grade == "pass"
    with pytest.raises(ValueError):
        Thresholds(excellent=70, good=80, passing=60)


def test_ranks_share_ties_and_skip():
    assert ranks({"a": D("88.00"), "b": D("91.50"), "c": D("88.00"), "d": D("70.00")}) == \
        {"b": 1, "a": 2, "c": 2, "d": 4}


def test_criterion_averages_half_up():
    sheets = [{"x": D("80"), "y": D("70.5")}, {"x": D("81"), "y": D("70")}, {"x": D("80"), "y": D("70")}]
    # x: 241/3 = 80.333… → 80.33; y: 210.5/3 = 70.1666… → 70.17
    assert criterion_averages(sheets) == {"x": D("80.33"), "y": D("70.17")}


@pytest.mark.parametrize("text,value", [("0", D("0")), ("100", D("100")), ("85.5", D("85.5")), (" 60 ", D("60")),
                                        ("72.0", D("72"))])
def test_scores_are_whole_or_one_decimal(text, value):
    assert parse_score(text) == value


@pytest.mark.parametrize("text", ["-1", "100.1", "85.55", "abc", "", "NaN", "Infinity", "1e3", "1e2", "+5", "85.",
                                  ".5", "0100", "101"])
def test_bad_scores_are_refused(text):
    with pytest.raises(ValueError):
        parse_score(text)


def test_no_sheets_no_result_and_bad_inputs_refused():
    with pytest.raises(ValueError):
        party_result([], [5] * 5, 30)
    with pytest.raises(ValueError):
        party_result([D("80")], [6, 5, 5, 5, 5], 30)
    with pytest.raises(ValueError):
        party_result([D("80")], None, 101)


scores = st.decimals(min_value=0, max_value=100, places=1, allow_nan=False, allow_infinity=False)
totals = st.decimals(min_value=0, max_value=100, places=3, allow_nan=False, allow_infinity=False)


@settings(max_examples=200, deadline=None)
@given(st.lists(totals, min_size=1, max_size=12), st.one_of(st.none(), st.lists(st.integers(1, 5), max_size=12)),
       st.integers(0, 100), st.randoms())
def test_results_lie_in_0_100_and_do_not_depend_on_sheet_order(sheet_totals, responses, weight, rnd):
    result = party_result(sheet_totals, responses, weight)
    assert D(0) <= result.final <= D(100)
    assert result.final == result.final.quantize(D("0.01"))
    shuffled = list(sheet_totals)
    rnd.shuffle(shuffled)
    again = party_result(shuffled, list(reversed(responses)) if responses else responses, weight)
    assert (again.final, again.grade) == (result.final, result.grade)
    assert sorted(sheet_totals[i] for i in result.trimmed) == sorted(shuffled[i] for i in again.trimmed)


@settings(max_examples=100, deadline=None)
@given(st.lists(scores, min_size=3, max_size=3))
def test_sheet_totals_lie_in_0_100(values):
    total = sheet_total(dict(zip(WEIGHTS, values, strict=True)), WEIGHTS)
    assert D(0) <= total <= D(100)
