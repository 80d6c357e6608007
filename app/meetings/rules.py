"""The statutory rule sets that decide whether a meeting is quorate and a
motion carried, computed with exact fractions from recorded figures.

Counting words (民法典 第一千二百五十九条): 以上/以下/以内 include the number
itself; 过半数 and 超过 do not (strictly more than half). Abstentions count as
present and not in favour; members on leave are not present.

| rule set | quorum | carried |
| 居民会议 (城市居民委员会组织法 第九条) | 过半数 of the eligible (residents, households' representatives or group representatives) | 过半数 of those present |
| 村民会议 (村民委员会组织法 第二十二条) | 过半数 of villagers aged 18+, or 三分之二以上 of households | 过半数 of those present |
| 居民代表会议 / 村民代表会议 (同法 第二十六条) | 三分之二以上 of members | 过半数 of those present |
| 业主大会 (民法典 第二百七十八条) | 三分之二以上 of floor area and of owners take part | ordinary: 过半数 of participating area and owners; major (第六至第八项): 四分之三以上 of both |
| 议事会 / 联席会议 | configurable fraction, inclusive (以上) or strict (超过) | configurable, default 过半数 |
"""
from __future__ import annotations

import enum
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction

from flask_babel import lazy_gettext as _l


class RuleSet(enum.Enum):
    residents_meeting = "residents_meeting"  # 居民会议
    villagers_meeting = "villagers_meeting"  # 村民会议
    representatives_meeting = "representatives_meeting"  # 居民代表会议 / 村民代表会议
    owners_assembly = "owners_assembly"  # 业主大会
    configurable = "configurable"  # 居民议事会, 联席会议


LAW = {
    RuleSet.residents_meeting: _l("Urban Residents' Committees Law, Article 9"),
    RuleSet.villagers_meeting: _l("Villagers' Committees Law, Article 22"),
    RuleSet.representatives_meeting: _l("Villagers' Committees Law, Article 26 (applied to representatives' meetings)"),
    RuleSet.owners_assembly: _l("Civil Code, Article 278"),
    RuleSet.configurable: _l("the body's own rules"),
}


@dataclass(frozen=True)
class Threshold:
    """A share that must be reached: `inclusive` is 以上 (≥), otherwise 超过/过半数 (>)."""

    share: Fraction
    inclusive: bool

    def met(self, part, whole) -> bool:
        """Is `part` of `whole` at or over the share? Exact: Fractions and Decimals only."""
        if whole <= 0:
            return False
        ratio = Fraction(part) / Fraction(whole)
        return ratio >= self.share if self.inclusive else ratio > self.share

    def words(self) -> str:
        if self.share == Fraction(1, 2) and not self.inclusive:
            return str(_l("more than half"))
        return str(_l("%(share)s or more", share=_share_words(self.share)) if self.inclusive
                   else _l("more than %(share)s", share=_share_words(self.share)))


def _share_words(share: Fraction) -> str:
    names = {Fraction(1, 2): _l("half"), Fraction(2, 3): _l("two thirds"), Fraction(3, 4): _l("three quarters")}
    return str(names.get(share, f"{share.numerator}/{share.denominator}"))


MORE_THAN_HALF = Threshold(Fraction(1, 2), inclusive=False)  # 过半数
TWO_THIRDS_OR_MORE = Threshold(Fraction(2, 3), inclusive=True)  # 三分之二以上
THREE_QUARTERS_OR_MORE = Threshold(Fraction(3, 4), inclusive=True)  # 四分之三以上


@dataclass(frozen=True)
class Figures:
    """What was recorded. Areas are Decimal m² with two decimals (业主大会)."""

    eligible: int  # 应到: members, or the eligible residents/households the body counts
    present: int  # 实到 (on leave and absent are not present)
    yes: int
    no: int
    abstain: int
    adults_eligible: int = 0  # 村民会议: villagers aged 18+
    adults_present: int = 0
    households_eligible: int = 0  # 村民会议: households
    households_present: int = 0
    area_eligible: Decimal = Decimal("0")  # 业主大会: total exclusive floor area
    area_present: Decimal = Decimal("0")  # participating area
    area_yes: Decimal = Decimal("0")

    def __post_init__(self):
        for name in ("eligible", "present", "yes", "no", "abstain", "adults_eligible", "adults_present",
                     "households_eligible", "households_present"):
            value = getattr(self, name)
            if not isinstance(value, int) or isinstance(value, bool) or value < 0:
                raise ValueError(f"{name} must be a non-negative int")
        for name in ("area_eligible", "area_present", "area_yes"):
            if not isinstance(getattr(self, name), Decimal) or getattr(self, name) < 0:
                raise ValueError(f"{name} must be a non-negative Decimal")
        if self.yes + self.no + self.abstain > self.present:
            raise ValueError("more votes than members present")
        if self.present > self.eligible:
            raise ValueError("more present than eligible")


@dataclass(frozen=True)
class VotingRules:
    rule_set: RuleSet
    quorum: Threshold = MORE_THAN_HALF
    decision: Threshold = MORE_THAN_HALF

    @classmethod
    def for_body(cls, rule_set: RuleSet, *, quorum: Threshold | None = None,
                 decision: Threshold | None = None) -> "VotingRules":
        if rule_set is RuleSet.configurable:
            return cls(rule_set, quorum or TWO_THIRDS_OR_MORE, decision or MORE_THAN_HALF)
        if rule_set is RuleSet.representatives_meeting:
            return cls(rule_set, TWO_THIRDS_OR_MORE, MORE_THAN_HALF)
        return cls(rule_set, MORE_THAN_HALF, MORE_THAN_HALF)


@dataclass
class VoteResult:
    quorate: bool
    carried: bool
    rule: str  # the law or rule applied
    text: str  # the record: 应到 19 人，实到 13 人，赞成 7 票，超过到会人数半数，通过
    numbers: dict = field(default_factory=dict)


def evaluate(rules: VotingRules, f: Figures, *, major: bool = False) -> VoteResult:
    """Quorum and result of one motion under `rules`, from the recorded figures."""
    rs = rules.rule_set
    if rs is RuleSet.owners_assembly:
        return _owners(rules, f, major)
    if rs is RuleSet.villagers_meeting:
        by_adults = MORE_THAN_HALF.met(f.adults_present, f.adults_eligible)
        by_households = TWO_THIRDS_OR_MORE.met(f.households_present, f.households_eligible)
        quorate = by_adults or by_households
        quorum_text = _l("villagers aged 18 or over: %(ap)d of %(ae)d; households: %(hp)d of %(he)d",
                         ap=f.adults_present, ae=f.adults_eligible, hp=f.households_present,
                         he=f.households_eligible)
        quorum_rule = _l("more than half of adult villagers, or two thirds or more of households")
    else:
        quorate = rules.quorum.met(f.present, f.eligible)
        quorum_text = _l("%(eligible)d expected, %(present)d present", eligible=f.eligible, present=f.present)
        quorum_rule = _l("%(words)s of those expected present", words=rules.quorum.words())
    carried = quorate and rules.decision.met(f.yes, f.present)
    text = _record_text(quorum_text, quorate, quorum_rule, f, rules.decision, carried)
    return VoteResult(quorate, carried, str(LAW[rs]), text, _numbers(f))


def _owners(rules: VotingRules, f: Figures, major: bool) -> VoteResult:
    quorate = TWO_THIRDS_OR_MORE.met(f.area_present, f.area_eligible) and TWO_THIRDS_OR_MORE.met(f.present, f.eligible)
    threshold = THREE_QUARTERS_OR_MORE if major else MORE_THAN_HALF
    carried = quorate and threshold.met(f.area_yes, f.area_present) and threshold.met(f.yes, f.present)
    quorum_text = _l("owners: %(present)d of %(eligible)d take part, area %(ap)s of %(ae)s m²",
                     present=f.present, eligible=f.eligible, ap=f.area_present, ae=f.area_eligible)
    if not quorate:
        verdict = _l("not quorate (two thirds or more of area and of owners must take part): not carried")
    else:
        verdict = _l("in favour: %(yes)d owners, %(area)s m², needs %(words)s of participating area and owners"
                     " (%(kind)s): %(result)s",
                     yes=f.yes, area=f.area_yes, words=threshold.words(),
                     kind=_l("major item, Article 278 items 6–8") if major else _l("ordinary item"),
                     result=_l("carried") if carried else _l("not carried"))
    return VoteResult(quorate, carried, str(LAW[RuleSet.owners_assembly]), f"{quorum_text}; {verdict}", _numbers(f))


def _record_text(quorum_text, quorate, quorum_rule, f: Figures, decision: Threshold, carried) -> str:
    if not quorate:
        return str(_l("%(quorum)s; needs %(rule)s: not quorate, not carried", quorum=quorum_text, rule=quorum_rule))
    return str(_l("%(quorum)s; %(yes)d in favour, %(no)d against, %(abstain)d abstaining; needs %(words)s of those"
                  " present: %(result)s", quorum=quorum_text, yes=f.yes, no=f.no, abstain=f.abstain,
                  words=decision.words(), result=_l("carried") if carried else _l("not carried")))


def _numbers(f: Figures) -> dict:
    return {k: (str(v) if isinstance(v, Decimal) else v) for k, v in f.__dict__.items()}
