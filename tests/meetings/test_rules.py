"""Every statutory rule set at and around its boundaries, and property tests
that results never depend on vote order and match a plain integer reference."""
from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.meetings.rules import (
    MORE_THAN_HALF,
    TWO_THIRDS_OR_MORE,
    Figures,
    VotingRules,
    RuleSet,
    Threshold,
    evaluate,
)

pytestmark = pytest.mark.usefixtures("i18n")

RESIDENTS = VotingRules.for_body(RuleSet.residents_meeting)
VILLAGERS = VotingRules.for_body(RuleSet.villagers_meeting)
REPRESENTATIVES = VotingRules.for_body(RuleSet.representatives_meeting)
OWNERS = VotingRules.for_body(RuleSet.owners_assembly)


def fig(eligible, present, yes, no=0, abstain=None, **kw):
    abstain = present - yes - no if abstain is None else abstain
    return Figures(eligible=eligible, present=present, yes=yes, no=no, abstain=abstain, **kw)


# -- 居民会议: 过半数 present, 过半数 of present in favour ---------------------------------

@pytest.mark.parametrize("eligible,present,quorate", [
    (20, 10, False),  # exactly half is not 过半数
    (20, 11, True),  # one more than half
    (19, 9, False), (19, 10, True),  # odd: 9.5 is half
    (0, 0, False),
])
def test_residents_meeting_quorum(eligible, present, quorate):
    assert evaluate(RESIDENTS, fig(eligible, present, present)).quorate is quorate


@pytest.mark.parametrize("present,yes,carried", [
    (12, 6, False),  # exactly half of those present is not enough
    (12, 7, True),
    (13, 7, True),  # 7 > 6.5
    (13, 6, False),
])
def test_residents_meeting_decision_counts_abstentions_as_present(present, yes, carried):
    outcome = evaluate(RESIDENTS, fig(20, present, yes, no=0))  # the rest abstain
    assert outcome.carried is carried


def test_residents_meeting_record_states_the_numbers_in_chinese():
    outcome = evaluate(RESIDENTS, fig(19, 13, 7, no=4))
    assert outcome.carried
    assert outcome.text == "应到 19 人，实到 13 人；赞成 7 票，反对 4 票，弃权 2 票；赞成票须占到会人数过半数：通过"
    assert "第九条" in outcome.rule


def test_not_quorate_means_not_carried_even_if_unanimous():
    outcome = evaluate(RESIDENTS, fig(20, 10, 10))
    assert not outcome.quorate and not outcome.carried
    assert "不足法定人数" in outcome.text


# -- 居民代表会议 / 村民代表会议: 三分之二以上 present ----------------------------------------

@pytest.mark.parametrize("eligible,present,quorate", [
    (18, 12, True),  # exactly two thirds is 以上: included
    (18, 11, False),  # one less
    (19, 13, True),  # 12.67 → 13
    (19, 12, False),
    (3, 2, True),
])
def test_representatives_quorum_two_thirds_inclusive(eligible, present, quorate):
    assert evaluate(REPRESENTATIVES, fig(eligible, present, present)).quorate is quorate


# -- 村民会议: 过半数 of adults OR 三分之二以上 of households ------------------------------------

def test_villagers_meeting_either_quorum_basis():
    adults = dict(adults_eligible=600, households_eligible=200)
    by_adults = evaluate(VILLAGERS, fig(600, 301, 200, adults_present=301, households_present=100, **adults))
    assert by_adults.quorate
    by_households = evaluate(VILLAGERS, fig(600, 250, 200, adults_present=250, households_present=134, **adults))
    assert by_households.quorate  # 134/200 = 0.67 ≥ 2/3
    neither = evaluate(VILLAGERS, fig(600, 300, 200, adults_present=300, households_present=133, **adults))
    assert not neither.quorate  # 300 is exactly half; 133 < 133.33
    exact_two_thirds = evaluate(VILLAGERS, fig(600, 100, 60, adults_present=100, households_present=100,
                                               adults_eligible=600, households_eligible=150))
    assert exact_two_thirds.quorate  # 100/150 = 2/3 exactly: 以上 includes it


# -- 业主大会: area AND number -------------------------------------------------------------

def owners(present, eligible, area_present, area_eligible, yes, area_yes, no=0):
    return Figures(eligible=eligible, present=present, yes=yes, no=no, abstain=present - yes - no,
                   area_eligible=Decimal(area_eligible), area_present=Decimal(area_present),
                   area_yes=Decimal(area_yes))


def test_owners_quorum_needs_both_area_and_number():
    assert evaluate(OWNERS, owners(20, 30, "6666.67", "10000.00", 20, "6666.67")).quorate
    assert not evaluate(OWNERS, owners(20, 30, "6666.66", "10000.00", 20, "6666.66")).quorate  # area short by 0.01
    assert not evaluate(OWNERS, owners(19, 30, "9000.00", "10000.00", 19, "9000.00")).quorate  # number short


def test_owners_ordinary_item_needs_more_than_half_of_area_and_number():
    base = dict(present=20, eligible=30, area_present="8000.00", area_eligible="10000.00")
    assert evaluate(OWNERS, owners(**base, yes=11, area_yes="4000.01")).carried
    assert not evaluate(OWNERS, owners(**base, yes=11, area_yes="4000.00")).carried  # area tie: exactly half
    assert not evaluate(OWNERS, owners(**base, yes=10, area_yes="7000.00")).carried  # number tie


def test_owners_major_item_needs_three_quarters_or_more():
    base = dict(present=20, eligible=30, area_present="8000.00", area_eligible="10000.00")
    assert evaluate(OWNERS, owners(**base, yes=15, area_yes="6000.00"), major=True).carried  # exactly 3/4: 以上
    assert not evaluate(OWNERS, owners(**base, yes=14, area_yes="6000.00"), major=True).carried
    assert not evaluate(OWNERS, owners(**base, yes=15, area_yes="5999.99"), major=True).carried
    ordinary = evaluate(OWNERS, owners(**base, yes=11, area_yes="4500.00"))
    assert ordinary.carried and not evaluate(OWNERS, owners(**base, yes=11, area_yes="4500.00"), major=True).carried


# -- 议事会 / 联席会议: configurable ---------------------------------------------------------

def test_configurable_rules():
    default = VotingRules.for_body(RuleSet.configurable)
    assert default.quorum == TWO_THIRDS_OR_MORE and default.decision == MORE_THAN_HALF
    strict_two_thirds = VotingRules.for_body(RuleSet.configurable, quorum=Threshold(Fraction(2, 3), inclusive=False),
                                       decision=Threshold(Fraction(2, 3), inclusive=True))
    assert not evaluate(strict_two_thirds, fig(9, 6, 4)).quorate  # exactly 2/3 is not 超过
    assert evaluate(strict_two_thirds, fig(9, 7, 5)).carried  # 5/7 ≥ 2/3
    assert not evaluate(strict_two_thirds, fig(9, 7, 4)).carried


def test_figures_refuse_impossible_records():
    with pytest.raises(ValueError):
        Figures(eligible=10, present=5, yes=4, no=2, abstain=0)
    with pytest.raises(ValueError):
        Figures(eligible=10, present=11, yes=1, no=0, abstain=0)
    with pytest.raises(ValueError):
        Figures(eligible=10, present=5, yes=2.5, no=0, abstain=0)  # type: ignore[arg-type]


# -- properties ------------------------------------------------------------------------------

def reference(rule_set, eligible, present, yes, *, major=False, area=None, hh=None, adults=None):
    """Plain integer cross-multiplication, written separately from the engine."""
    if rule_set is RuleSet.residents_meeting:
        quorate = 2 * present > eligible
        return quorate, quorate and 2 * yes > present
    if rule_set is RuleSet.representatives_meeting:
        quorate = eligible > 0 and 3 * present >= 2 * eligible
        return quorate, quorate and 2 * yes > present
    if rule_set is RuleSet.villagers_meeting:
        (ae, ap), (he, hp) = adults, hh
        quorate = (ae > 0 and 2 * ap > ae) or (he > 0 and 3 * hp >= 2 * he)
        return quorate, quorate and 2 * yes > present
    (a_el, a_pr, a_yes) = area  # hundredths of m², as integers
    quorate = a_el > 0 and 3 * a_pr >= 2 * a_el and eligible > 0 and 3 * present >= 2 * eligible
    if major:
        carried = 4 * a_yes >= 3 * a_pr and 4 * yes >= 3 * present and a_pr > 0 and present > 0
    else:
        carried = 2 * a_yes > a_pr and 2 * yes > present
    return quorate, quorate and carried


@st.composite
def ballots(draw):
    eligible = draw(st.integers(0, 60))
    present = draw(st.integers(0, eligible))
    choices = draw(st.lists(st.sampled_from(["yes", "no", "abstain"]), min_size=present, max_size=present))
    return eligible, choices


def _figures_from(eligible, choices, **extra):
    return Figures(eligible=eligible, present=len(choices), yes=choices.count("yes"), no=choices.count("no"),
                   abstain=choices.count("abstain"), **extra)


@settings(max_examples=300, deadline=None)
@given(ballots(), st.sampled_from([RuleSet.residents_meeting, RuleSet.representatives_meeting]), st.randoms())
def test_result_is_order_free_and_matches_reference(ballot, rule_set, rnd):
    eligible, choices = ballot
    rules = VotingRules.for_body(rule_set)
    first = evaluate(rules, _figures_from(eligible, choices))
    shuffled = list(choices)
    rnd.shuffle(shuffled)
    again = evaluate(rules, _figures_from(eligible, shuffled))
    assert (first.quorate, first.carried, first.text) == (again.quorate, again.carried, again.text)
    assert (first.quorate, first.carried) == reference(rule_set, eligible, len(choices), choices.count("yes"))


@settings(max_examples=300, deadline=None)
@given(ballots(), st.integers(0, 80), st.data())
def test_villagers_meeting_matches_reference(ballot, households, data):
    eligible, choices = ballot
    present = len(choices)
    households_present = data.draw(st.integers(0, households))
    f = _figures_from(eligible, choices, adults_eligible=eligible, adults_present=present,
                      households_eligible=households, households_present=households_present)
    outcome = evaluate(VILLAGERS, f)
    assert (outcome.quorate, outcome.carried) == reference(
        RuleSet.villagers_meeting, eligible, present, f.yes, adults=(eligible, present),
        hh=(households, households_present))


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.integers(1, 50_000), st.sampled_from(["yes", "no", "abstain", "away"])),
                min_size=0, max_size=40), st.booleans(), st.randoms())
def test_owners_assembly_matches_reference_and_ignores_order(owners_list, major, rnd):
    """Each owner: area in hundredths of m², and a choice ('away' did not take part)."""
    def figures(rows):
        present = [r for r in rows if r[1] != "away"]
        cents = lambda rs: sum(a for a, _ in rs)  # noqa: E731
        return Figures(eligible=len(rows), present=len(present), yes=sum(1 for r in present if r[1] == "yes"),
                       no=sum(1 for r in present if r[1] == "no"),
                       abstain=sum(1 for r in present if r[1] == "abstain"),
                       area_eligible=Decimal(cents(rows)) / 100, area_present=Decimal(cents(present)) / 100,
                       area_yes=Decimal(cents([r for r in present if r[1] == "yes"])) / 100)
    f = figures(owners_list)
    shuffled = list(owners_list)
    rnd.shuffle(shuffled)
    outcome = evaluate(OWNERS, f, major=major)
    assert (outcome.quorate, outcome.carried) == (evaluate(OWNERS, figures(shuffled), major=major).quorate,
                                                  evaluate(OWNERS, figures(shuffled), major=major).carried)
    cents = lambda rs: sum(a for a, _ in rs)  # noqa: E731
    present_rows = [r for r in owners_list if r[1] != "away"]
    expected = reference(RuleSet.owners_assembly, f.eligible, f.present, f.yes, major=major,
                         area=(cents(owners_list), cents(present_rows),
                               cents([r for r in present_rows if r[1] == "yes"])))
    assert (outcome.quorate, outcome.carried) == expected
