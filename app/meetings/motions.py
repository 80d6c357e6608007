"""Motions (表决事项): voting opens among the members present then, a closed
result never changes (a correcting vote stands beside it), and an open vote
can be withdrawn with a reason."""
from __future__ import annotations

from decimal import Decimal

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from app.audit.services import record
from app.domain import DomainError
from app.extensions import db
from app.meetings.models import (
    AgendaItem,
    BallotBox,
    BodyKind,
    Meeting,
    MeetingState,
    Motion,
    MotionMode,
    MotionRoll,
    MotionState,
)
from app.meetings.rules import VoteResult, evaluate
from app.notifications.services import notify_many, register_kind
from app.meetings.bodies import active_members, rules_of
from app.meetings.figures import figures_for, present_members
from app.meetings.permissions import meeting_is_open, motion_is_open
from app.sqltypes import utcnow

register_kind("meetings.motion_open", _l("Voting is open: “%(title)s”."))

def open_motion(actor, meeting: Meeting, *, title: str, item: AgendaItem | None = None,
                mode: MotionMode = MotionMode.roll_call, secret: bool = False, major: bool = False,
                corrects: Motion | None = None, reason: str = "") -> Motion:
    """Voting opens among the members seated and present now: that roll is
    kept with the motion and decides who may vote and the figures."""
    if not meeting_is_open(meeting):
        raise DomainError(_l("The meeting is closed."))
    if item is not None and item.meeting_id != meeting.id:
        raise DomainError(_l("That item is not on this meeting's agenda."))
    if major and meeting.body.kind is not BodyKind.owners_assembly:
        raise DomainError(_l("Only an owners' assembly has major items."), field="major")
    if secret and mode is MotionMode.tally:
        raise DomainError(_l("A tallied vote is already anonymous; choose roll-call for a secret ballot."))
    if corrects is not None:
        if corrects.state is not MotionState.closed:  # permissions.motion_is_correctable
            raise DomainError(_l("Only a closed motion can be corrected."))
        if not reason.strip():
            raise DomainError(_l("Give the reason for the correction."), field="reason")
    title = (title or (item.title if item else "")).strip()
    if not title:
        raise DomainError(_l("Give the motion a title."), field="title")
    motion = Motion(meeting_id=meeting.id, agenda_item_id=getattr(item, "id", None), title=title[:120], mode=mode,
                    is_secret=secret, is_major=major, corrects_id=getattr(corrects, "id", None),
                    correction_reason=reason.strip())
    db.session.add(motion)
    if meeting.state is MeetingState.scheduled:
        meeting.state = MeetingState.in_session
    db.session.flush()
    present = present_members(meeting)
    present_ids = {m.id for m in present}
    db.session.add_all([MotionRoll(motion_id=motion.id, member_id=m.id, is_present=m.id in present_ids)
                        for m in active_members(meeting.body)])
    if secret:  # the box exists before the first ballot, so its creation names no voter
        db.session.add(BallotBox(motion_id=motion.id, yes=0, no=0, abstain=0, area_yes=Decimal(0),
                                 area_no=Decimal(0), area_abstain=Decimal(0)))
    db.session.flush()
    record(actor, "meetings.open_motion", motion, community_id=meeting.body.community_id, mode=mode, secret=secret,
           corrects=getattr(corrects, "id", None))
    if mode is MotionMode.roll_call:
        users = [m.user for m in present if m.user is not None]
        notify_many(users, "meetings.motion_open", endpoint="meetings.show_meeting", values={"meeting_id": meeting.id},
                    title=motion.title)
    return motion


def correct_motion(actor, motion: Motion, reason: str) -> Motion:
    """A correcting vote: the same question again, with the reason, beside the closed result it corrects."""
    return open_motion(actor, motion.meeting, title=motion.title, item=motion.agenda_item, mode=motion.mode,
                       secret=motion.is_secret, major=motion.is_major, corrects=motion, reason=reason)


def lock_motion(motion: Motion) -> Motion:
    db.session.execute(sa.select(Motion.id).where(Motion.id == motion.id).with_for_update())
    db.session.refresh(motion)
    return motion


def close_motion(actor, motion: Motion) -> VoteResult:
    """Compute quorum and result from the record under the body's rule set and
    keep them with the motion. A closed motion never changes."""
    lock_motion(motion)
    if motion.state is MotionState.closed:
        raise DomainError(_l("This motion is already closed; open a correction instead."))
    if motion.state is MotionState.withdrawn:
        raise DomainError(_l("This motion was withdrawn."))
    figures = figures_for(motion)
    outcome = evaluate(rules_of(motion.meeting.body), figures, major=motion.is_major)
    motion.state, motion.closed_at, motion.closed_by_id = MotionState.closed, utcnow(), actor.id
    motion.quorate, motion.carried = outcome.quorate, outcome.carried
    motion.rule_applied, motion.result_text, motion.figures = outcome.rule, outcome.text, outcome.numbers
    db.session.flush()
    record(actor, "meetings.close_motion", motion, community_id=motion.meeting.body.community_id,
           carried=outcome.carried, quorate=outcome.quorate, text=outcome.text)
    return outcome


def withdraw_motion(actor, motion: Motion, reason: str) -> None:
    """The organiser ends an open vote without a result, with the reason the
    minutes show (for instance a tally nobody is there to confirm). Votes
    already cast are kept, never counted nor shown."""
    lock_motion(motion)
    if not motion_is_open(motion):
        raise DomainError(_l("Only an open vote can be withdrawn."))
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_l("Give the reason for withdrawing the vote."), field="reason")
    motion.state, motion.closed_at, motion.closed_by_id = MotionState.withdrawn, utcnow(), actor.id
    motion.withdrawal_reason = reason[:300]
    db.session.flush()
    record(actor, "meetings.withdraw_motion", motion, community_id=motion.meeting.body.community_id, reason=reason)


def current_motions(meeting: Meeting) -> list[Motion]:
    return list(db.session.scalars(sa.select(Motion).where(Motion.meeting_id == meeting.id).order_by(Motion.id)))


def decisive_motion(item: AgendaItem) -> Motion | None:
    """The latest closed motion of an item that no later motion corrects."""
    motions = list(db.session.scalars(sa.select(Motion).where(Motion.agenda_item_id == item.id,
                                                              Motion.state == MotionState.closed)
                                      .order_by(Motion.id)))
    corrected = {m.corrects_id for m in motions if m.corrects_id}
    final = [m for m in motions if m.id not in corrected]
    return final[-1] if final else None
