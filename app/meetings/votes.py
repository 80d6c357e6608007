"""Votes, secret ballots and tallies: a member present at the opening votes
(or the chair records a hand vote); a large meeting's counts are entered by
the chair and count once a second person confirms them."""
from __future__ import annotations

from decimal import Decimal

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from app.audit.services import record
from app.domain import DomainError
from app.extensions import db
from app.meetings.models import (
    CHOICE_LABELS,
    BallotBox,
    BallotReceipt,
    BodyKind,
    BodyMember,
    Choice,
    Motion,
    MotionMode,
    MotionRoll,
    Tally,
    Vote,
)
from app.notifications.services import notify, register_kind
from app.meetings.figures import base_figures, roll_of
from app.meetings.motions import lock_motion
from app.meetings.permissions import is_seated, may_confirm_tally, member_of, motion_is_open, motion_takes_tally
from app.sqltypes import utcnow

register_kind("meetings.hand_vote", _l("The chair recorded your vote on “%(title)s”: %(choice)s. If that is not "
                                       "your vote, vote again yourself before voting closes."),
              lambda p: {**p, "choice": CHOICE_LABELS[Choice[p["choice"]]] if p.get("choice") in Choice.__members__
                         else p.get("choice", "")})

def _check_can_vote(motion: Motion, member: BodyMember) -> None:
    if not motion_is_open(motion):
        raise DomainError(_l("Voting on this motion has closed."))
    if motion.mode is not MotionMode.roll_call:
        raise DomainError(_l("This motion is counted by tally, not by individual votes."))
    if member.body_id != motion.meeting.body_id or not is_seated(member):
        raise DomainError(_l("Not a member of this body."))
    roll = db.session.get(MotionRoll, (motion.id, member.id))
    if roll is None or not roll.is_present:
        raise DomainError(_l("Only members present when voting opened can vote on this motion."))


_BOX_COLUMNS = {Choice.yes: ("yes", "area_yes"), Choice.no: ("no", "area_no"),
                Choice.abstain: ("abstain", "area_abstain")}


def cast_vote(user, motion: Motion, choice: Choice, *, member: BodyMember | None = None) -> None:
    """A member present when voting opened votes; a roll-call vote can be
    changed until the motion closes, a secret ballot cannot. With `member`,
    the chair records that member's hand vote (roll-call, not secret); it
    never replaces a vote the member cast themselves, and a member with an
    account is told, so they can vote again if it is not theirs.

    A secret ballot leaves a receipt (who) and adds one to the motion's
    ballot box (what), in one statement, so no row holds one ballot (see
    `BallotBox`); the audit entry names the motion, never the choice."""
    lock_motion(motion)
    if member is None:
        member = member_of(user, motion.meeting.body)
        if member is None:
            raise DomainError(_l("You are not a member of this body."))
    elif motion.is_secret:
        raise DomainError(_l("In a secret ballot each member votes for themselves."))
    _check_can_vote(motion, member)
    community_id = motion.meeting.body.community_id
    if motion.is_secret:
        if db.session.scalar(sa.select(BallotReceipt.id).where(BallotReceipt.motion_id == motion.id,
                                                               BallotReceipt.member_id == member.id)):
            raise DomainError(_l("You have already voted in this secret ballot."))
        db.session.add(BallotReceipt(motion_id=motion.id, member_id=member.id))
        count, area = _BOX_COLUMNS[choice]
        weight = (member.area or Decimal(0)) if motion.meeting.body.kind is BodyKind.owners_assembly else Decimal(0)
        table = BallotBox.__table__
        db.session.execute(sa.update(table).where(table.c.motion_id == motion.id)
                           .values({count: table.c[count] + 1, area: table.c[area] + weight}))
        db.session.flush()
        record(user, "meetings.secret_ballot", motion, community_id=community_id)  # never the choice
        return
    by_hand = member.user_id is None or member.user_id != getattr(user, "id", None)
    vote = db.session.scalar(sa.select(Vote).where(Vote.motion_id == motion.id, Vote.member_id == member.id))
    if by_hand and vote is not None and vote.recorded_by_id is None:
        raise DomainError(_l("%(name)s has voted themselves; the chair cannot change that vote.", name=member.name))
    if vote is None:
        vote = Vote(motion_id=motion.id, member_id=member.id, choice=choice)
        db.session.add(vote)
    vote.choice, vote.cast_at = choice, utcnow()
    vote.recorded_by_id = user.id if by_hand else None
    db.session.flush()
    record(user, "meetings.vote", motion, community_id=community_id, member=member.id, choice=choice)
    if by_hand and member.user is not None:
        notify(member.user, "meetings.hand_vote", endpoint="meetings.show_meeting",
               values={"meeting_id": motion.meeting_id, "_anchor": f"motion-{motion.id}"},
               title=motion.title, choice=choice.name)


def my_vote(user, motion: Motion):
    """The member's own choice (roll-call), True if they cast a secret ballot, else None."""
    member = member_of(user, motion.meeting.body)
    if member is None:
        return None
    if motion.is_secret:
        return bool(db.session.scalar(sa.select(BallotReceipt.id).where(BallotReceipt.motion_id == motion.id,
                                                                        BallotReceipt.member_id == member.id))) or None
    vote = db.session.scalar(sa.select(Vote).where(Vote.motion_id == motion.id, Vote.member_id == member.id))
    return vote.choice if vote else None


def enter_tally(actor, motion: Motion, *, yes: int, no: int, abstain: int, present: int | None = None) -> Tally:
    """The chair enters the counts of a large meeting; they count only after a
    second staff member confirms them. Re-entering clears a confirmation."""
    lock_motion(motion)
    if not motion_takes_tally(motion):
        raise DomainError(_l("Counts can only be entered for an open tallied motion."))
    numbers = [yes, no, abstain] + ([present] if present is not None else [])
    if any(not isinstance(n, int) or n < 0 for n in numbers):
        raise DomainError(_l("Counts are whole numbers of 0 or more."), field="yes")
    roll = roll_of(motion)
    base = base_figures(motion.meeting.body, [r.member for r in roll], [r.member for r in roll if r.is_present],
                         present)
    if yes + no + abstain > base["present"]:
        raise DomainError(_l("More votes (%(votes)d) than people present (%(present)d).",
                             votes=yes + no + abstain, present=base["present"]), field="yes")
    tally = db.session.scalar(sa.select(Tally).where(Tally.motion_id == motion.id))
    if tally is None:
        tally = Tally(motion_id=motion.id, yes=yes, no=no, abstain=abstain, entered_by_id=actor.id)
        db.session.add(tally)
    tally.yes, tally.no, tally.abstain, tally.present = yes, no, abstain, present
    tally.entered_by_id, tally.entered_at, tally.confirmed_by_id, tally.confirmed_at = actor.id, utcnow(), None, None
    db.session.flush()
    record(actor, "meetings.enter_tally", motion, community_id=motion.meeting.body.community_id,
           yes=yes, no=no, abstain=abstain, present=present)
    return tally


def confirm_tally(actor, motion: Motion) -> Tally:
    """The second person confirms the counts: see `may_confirm_tally`."""
    lock_motion(motion)
    if not may_confirm_tally(actor, motion):
        raise DomainError(_l("Only staff of this community or its subdistrict, or a committee member of this body, "
                             "can confirm counts."))
    if not motion_is_open(motion):
        raise DomainError(_l("Voting on this motion has closed."))
    tally = db.session.scalar(sa.select(Tally).where(Tally.motion_id == motion.id))
    if tally is None:
        raise DomainError(_l("No counts have been entered yet."))
    if tally.entered_by_id == actor.id:  # the page offers it only to another
        raise DomainError(_l("A second staff member, not the one who entered the counts, must confirm them."))
    tally.confirmed_by_id, tally.confirmed_at = actor.id, utcnow()
    db.session.flush()
    record(actor, "meetings.confirm_tally", motion, community_id=motion.meeting.body.community_id)
    return tally


def tallies_of(motions: list[Motion]) -> dict[int, Tally]:
    return {t.motion_id: t for t in db.session.scalars(
        sa.select(Tally).where(Tally.motion_id.in_([m.id for m in motions] or [-1])))}
