"""The figures a meeting's quorum and a motion's result are computed from:
only the recorded attendance and votes (or a confirmed tally);
`rules.evaluate` turns them into quorum and result."""
from __future__ import annotations

from decimal import Decimal

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from app.domain import DomainError
from app.extensions import db
from app.meetings.models import (
    AttendanceStatus,
    BallotBox,
    Body,
    BodyKind,
    BodyMember,
    Choice,
    EligibleBasis,
    Meeting,
    Motion,
    MotionMode,
    MotionRoll,
    Tally,
    Vote,
)
from app.meetings.rules import Figures, VoteResult, RuleSet, evaluate
from app.meetings.attendance import attendance_of
from app.meetings.bodies import active_members, rules_of

def present_members(meeting: Meeting) -> list[BodyMember]:
    present = {mid for mid, a in attendance_of(meeting).items() if a.status is AttendanceStatus.present}
    return [m for m in active_members(meeting.body) if m.id in present]


def base_figures(body: Body, members: list[BodyMember], present: list[BodyMember],
                  present_override: int | None = None) -> dict:
    figures = {"eligible": len(members), "present": len(present)}
    if body.kind is BodyKind.residents_meeting and body.eligible_basis is EligibleBasis.households:
        figures["eligible"] = len({m.household or f"m{m.id}" for m in members})
        figures["present"] = len({m.household or f"m{m.id}" for m in present})
    if body.eligible_count is not None:
        figures["eligible"] = body.eligible_count
    if present_override is not None:
        figures["present"] = present_override
    if body.kind is BodyKind.villagers_meeting:
        figures.update(adults_eligible=sum(1 for m in members if m.is_adult),
                       adults_present=sum(1 for m in present if m.is_adult),
                       households_eligible=len({m.household or f"m{m.id}" for m in members}),
                       households_present=len({m.household or f"m{m.id}" for m in present}))
    if body.kind is BodyKind.owners_assembly:
        figures.update(area_eligible=sum((m.area or Decimal(0) for m in members), Decimal(0)),
                       area_present=sum((m.area or Decimal(0) for m in present), Decimal(0)))
    return figures


def quorum_now(meeting: Meeting) -> VoteResult:
    """The live quorum indicator: is the meeting quorate with who is here now,
    and how many must be present (需 13 人，已到 12 人)?"""
    base = base_figures(meeting.body, active_members(meeting.body), present_members(meeting))
    base["eligible"] = max(base["eligible"], base["present"])
    rules = rules_of(meeting.body)
    outcome = evaluate(rules, Figures(yes=0, no=0, abstain=base["present"], **base))
    if meeting.body.rule_set in (RuleSet.residents_meeting, RuleSet.representatives_meeting, RuleSet.configurable):
        eligible = base["eligible"]
        outcome.numbers["needed"] = next((n for n in range(eligible + 1) if rules.quorum.met(n, eligible)), None)
    return outcome


def roll_count(meeting: Meeting, quorum: VoteResult | None = None) -> dict:
    """The running count the roll shows: 实到 x / 应到 y，法定人数 z (z where the rule set has one number)."""
    quorum = quorum or quorum_now(meeting)
    return {"present": quorum.numbers["present"], "eligible": quorum.numbers["eligible"],
            "needed": quorum.numbers.get("needed"),
            "per_member": meeting.body.eligible_count is None and meeting.body.kind is not BodyKind.owners_assembly
            and not (meeting.body.kind is BodyKind.residents_meeting
                     and meeting.body.eligible_basis is EligibleBasis.households)}


def roll_of(motion: Motion) -> list[MotionRoll]:
    """The members a motion is decided among, as they were when it opened."""
    return list(db.session.scalars(sa.select(MotionRoll).where(MotionRoll.motion_id == motion.id)
                                   .order_by(MotionRoll.member_id)))


def present_at_opening(motion: Motion) -> set[int]:
    return {r.member_id for r in roll_of(motion) if r.is_present}


def figures_for(motion: Motion) -> Figures:
    """The figures a motion is decided on: the roll fixed when it opened plus
    its votes, its ballot box, or its confirmed tally."""
    body = motion.meeting.body
    roll = roll_of(motion)
    members = [r.member for r in roll]
    present = [r.member for r in roll if r.is_present]
    if motion.mode is MotionMode.tally:
        tally = db.session.scalar(sa.select(Tally).where(Tally.motion_id == motion.id))
        if tally is None or tally.confirmed_at is None:
            raise DomainError(_l("The tally must be entered and confirmed by a second staff member first."))
        base = base_figures(body, members, present, tally.present)
        return Figures(yes=tally.yes, no=tally.no, abstain=tally.abstain, **base)
    base = base_figures(body, members, present)
    if motion.is_secret:
        box = db.session.scalar(sa.select(BallotBox).where(BallotBox.motion_id == motion.id)
                                .execution_options(populate_existing=True))  # counted by UPDATE statements
        counts = {Choice.yes: box.yes, Choice.no: box.no, Choice.abstain: box.abstain}
        area_yes = box.area_yes
    else:
        present_ids = {m.id for m in present}
        votes = [v for v in db.session.scalars(sa.select(Vote).where(Vote.motion_id == motion.id))
                 if v.member_id in present_ids]
        counts = {c: sum(1 for v in votes if v.choice is c) for c in Choice}
        area_yes = sum((v.member.area or Decimal(0) for v in votes if v.choice is Choice.yes), Decimal(0))
    # present members who did not vote count as present and not in favour (like abstaining)
    not_voted = base["present"] - sum(counts.values())
    extra = {"area_yes": area_yes} if body.kind is BodyKind.owners_assembly else {}
    return Figures(yes=counts[Choice.yes], no=counts[Choice.no], abstain=counts[Choice.abstain] + max(not_voted, 0),
                   **base, **extra)
