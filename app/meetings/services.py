"""Meetings and votes. The figures a motion is decided on come only from the
recorded attendance and votes (or a confirmed tally); `rules.evaluate` turns
them into quorum and result. Services flush; the view commits once."""
from __future__ import annotations

import secrets
from datetime import datetime
from decimal import Decimal
from fractions import Fraction

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from app.accounts.models import User
from app.audit.services import record
from app.domain import DomainError
from app.extensions import db
from app.meetings.models import (
    CHOICE_LABELS,
    AgendaItem,
    Attendance,
    AttendanceStatus,
    BallotBox,
    BallotReceipt,
    Body,
    BodyKind,
    BodyMember,
    CheckinFailure,
    Choice,
    EligibleBasis,
    Meeting,
    MeetingState,
    Motion,
    MotionMode,
    MotionRoll,
    MotionState,
    Tally,
    Vote,
)
from app.meetings.rules import Figures, Outcome, Rules, RuleSet, Threshold, evaluate
from app.notifications.services import notify, notify_many, register_kind
from app.meetings.permissions import (  # noqa: F401  (the one rule, used here and by the pages)
    _seated,
    is_organiser,
    is_seated,
    may_confirm_tally,
    meeting_is_open,
    member_of,
    motion_is_open,
    motion_takes_tally,
    motion_takes_votes,
)
from app.sqltypes import utcnow

register_kind("meetings.scheduled", _l("Meeting “%(title)s” of %(body)s on %(when)s at %(place)s."))
register_kind("meetings.motion_open", _l("Voting is open: “%(title)s”."))
register_kind("meetings.hand_vote", _l("The chair recorded your vote on “%(title)s”: %(choice)s. If that is not "
                                       "your vote, vote again yourself before voting closes."),
              lambda p: {**p, "choice": CHOICE_LABELS[Choice[p["choice"]]] if p.get("choice") in Choice.__members__
                         else p.get("choice", "")})

# Wrong check-in codes: a person may mistype a few times; the meeting as a
# whole gets enough for a room of mistypes, and then the chair shows a new
# code. With 10^6 codes that bounds a guesser's chance per code at 1 in 25,000.
CHECKIN_TRIES_PER_MEMBER = 5
CHECKIN_TRIES_PER_MEETING = 40


# -- bodies and members ---------------------------------------------------------------------

def save_body(actor, community, body: Body | None = None, *, name: str, kind: BodyKind,
              eligible_basis: EligibleBasis = EligibleBasis.members, eligible_count: int | None = None,
              quorum: tuple[int, int, bool] = (2, 3, True), decision: tuple[int, int, bool] = (1, 2, False)) -> Body:
    name = name.strip()
    if not name:
        raise DomainError(_l("Give the body a name."), field="name")
    for (num, den, _incl), field in ((quorum, "quorum"), (decision, "decision")):
        if not (0 < num <= den):
            raise DomainError(_l("A share is a fraction between 0 and 1, such as 2/3."), field=field)
    clash = sa.select(Body.id).where(Body.community_id == community.id, Body.name == name)
    if body is not None:
        clash = clash.where(Body.id != body.id)
    if db.session.scalar(clash):
        raise DomainError(_l("This community already has a body with this name."), field="name")
    if eligible_count is not None and eligible_count < 1:
        raise DomainError(_l("The eligible number must be at least 1."), field="eligible_count")
    created = body is None
    body = body or Body(community_id=community.id)
    body.name, body.kind, body.eligible_basis, body.eligible_count = name, kind, eligible_basis, eligible_count
    body.quorum_num, body.quorum_den, body.quorum_inclusive = quorum
    body.decision_num, body.decision_den, body.decision_inclusive = decision
    db.session.add(body)
    db.session.flush()
    record(actor, "meetings.create_body" if created else "meetings.update_body", body,
           community_id=body.community_id, kind=kind, name=name)
    return body


def rules_of(body: Body) -> Rules:
    return Rules.for_body(body.rule_set,
                          quorum=Threshold(Fraction(body.quorum_num, body.quorum_den), body.quorum_inclusive),
                          decision=Threshold(Fraction(body.decision_num, body.decision_den), body.decision_inclusive))


def add_member(actor, body: Body, *, user: User | None = None, name: str = "", household: str = "",
               is_adult: bool = True, area: Decimal | None = None) -> BodyMember:
    """A seat: a resident of the community, or a named person without an account."""
    if user is not None and user.community_id != body.community_id:
        raise DomainError(_l("Members must live in this community."), field="user_id")
    if user is not None and member_of(user, body):
        raise DomainError(_l("This person is already a member."), field="user_id")
    name = (name or (user.display_name if user else "")).strip()
    if not name:
        raise DomainError(_l("Give the member's name."), field="name")
    if body.kind is BodyKind.owners_assembly:
        if area is None or area <= 0:
            raise DomainError(_l("Enter the owner's floor area in m², e.g. 89.50."), field="area")
        area = Decimal(area).quantize(Decimal("0.01"))
    member = BodyMember(body_id=body.id, user_id=getattr(user, "id", None), name=name, household=household.strip(),
                        is_adult=is_adult, area=area)
    db.session.add(member)
    db.session.flush()
    record(actor, "meetings.add_member", body, community_id=body.community_id, member=member.id, name=name)
    return member


def member_in(body: Body, member_id: int | None) -> BodyMember | None:
    """A seat of this body (another body's member id is not found)."""
    return db.session.scalar(sa.select(BodyMember).where(BodyMember.id == (member_id or 0),
                                                         BodyMember.body_id == body.id))


def remove_member(actor, member: BodyMember) -> None:
    member.is_active = False
    record(actor, "meetings.remove_member", member.body, community_id=member.body.community_id, member=member.id)


def active_members(body: Body) -> list[BodyMember]:
    return list(db.session.scalars(sa.select(BodyMember).join(Body).where(BodyMember.body_id == body.id, _seated())
                                   .order_by(BodyMember.id)))


# -- meetings ---------------------------------------------------------------------------------

def schedule_meeting(actor, body: Body, *, title: str, starts_at: datetime, place: str,
                     topics: list = (), free_items: list[str] = ()) -> Meeting:
    """A meeting with its agenda: topics under deliberation, and free-text items.
    Members with an account are told in-app."""
    from app.consultation.models import TopicState

    title = title.strip()
    if not title:
        raise DomainError(_l("Give the meeting a title."), field="title")
    if starts_at.tzinfo is None:
        raise DomainError(_l("Give the meeting's date and time."), field="starts_at")
    meeting = Meeting(body_id=body.id, title=title, starts_at=starts_at, place=place.strip(),
                      checkin_code=_new_code(), created_by_id=actor.id)
    db.session.add(meeting)
    db.session.flush()
    position = 0
    for topic in topics:
        if topic.community_id != body.community_id or topic.state is not TopicState.deliberating:
            raise DomainError(_l("Only topics of this community under deliberation can go on the agenda."),
                              field="topics")
        db.session.add(AgendaItem(meeting_id=meeting.id, position=position, topic_id=topic.id, title=topic.title[:80]))
        position += 1
    for text in free_items:
        if text.strip():
            db.session.add(AgendaItem(meeting_id=meeting.id, position=position, title=text.strip()[:80]))
            position += 1
    if position == 0:
        raise DomainError(_l("Put at least one item on the agenda."), field="topics")
    db.session.flush()
    record(actor, "meetings.schedule", meeting, community_id=body.community_id, title=title)
    users = [m.user for m in active_members(body) if m.user is not None]
    notify_many(users, "meetings.scheduled", endpoint="meetings.show_meeting", values={"meeting_id": meeting.id},
                title=title, body=body.name, when=starts_at, place=place)  # the time is shown in the reader's zone
    return meeting


def attendance_of(meeting: Meeting) -> dict[int, Attendance]:
    rows = db.session.scalars(sa.select(Attendance).where(Attendance.meeting_id == meeting.id))
    return {a.member_id: a for a in rows}


def record_attendance(actor, meeting: Meeting, member: BodyMember, status: AttendanceStatus, *,
                      self_checkin: bool = False) -> Attendance:
    if not meeting_is_open(meeting):
        raise DomainError(_l("The meeting is closed."))
    if member.body_id != meeting.body_id or not is_seated(member):
        raise DomainError(_l("Not a member of this body."))
    row = db.session.scalar(sa.select(Attendance).where(Attendance.meeting_id == meeting.id,
                                                        Attendance.member_id == member.id))
    if row is None:
        row = Attendance(meeting_id=meeting.id, member_id=member.id, status=status)
        db.session.add(row)
    row.status, row.recorded_at, row.recorded_by_id, row.self_checkin = status, utcnow(), actor.id, self_checkin
    if meeting.state is MeetingState.scheduled:
        meeting.state = MeetingState.in_session
    db.session.flush()
    record(actor, "meetings.attendance", meeting, community_id=meeting.body.community_id, member=member.id,
           status=status)
    return row


def record_roll(actor, meeting: Meeting, statuses: dict[int, AttendanceStatus]) -> int:
    """The chair's whole roll at once (member id → status; members left out
    keep theirs). Only changes are recorded; a member of another body is
    refused, and nothing is written. Motions already open keep the roll they
    opened with (`MotionRoll`). Returns how many changed."""
    seats = {m.id: m for m in active_members(meeting.body)}
    if any(member_id not in seats for member_id in statuses):
        raise DomainError(_l("Not a member of this body."))
    current = attendance_of(meeting)
    changed = 0
    for member_id, status in statuses.items():
        if member_id in current and current[member_id].status is status:
            continue
        record_attendance(actor, meeting, seats[member_id], status)
        changed += 1
    return changed


def all_present(meeting: Meeting) -> dict[int, AttendanceStatus]:
    """'Everyone is here': the roll with every seated member present."""
    return {m.id: AttendanceStatus.present for m in active_members(meeting.body)}


def roll_count(meeting: Meeting, quorum: Outcome | None = None) -> dict:
    """The running count the roll shows: 实到 x / 应到 y，法定人数 z (z where the rule set has one number)."""
    quorum = quorum or quorum_now(meeting)
    return {"present": quorum.numbers["present"], "eligible": quorum.numbers["eligible"],
            "needed": quorum.numbers.get("needed"),
            "per_member": meeting.body.eligible_count is None and meeting.body.kind is not BodyKind.owners_assembly
            and not (meeting.body.kind is BodyKind.residents_meeting
                     and meeting.body.eligible_basis is EligibleBasis.households)}


class WrongCheckinCode(DomainError):
    """A wrong code: the attempt is counted, so the caller keeps it
    (the view keeps the request's changes) even though the check-in failed."""



def _new_code(old: str = "") -> str:
    while (code := f"{secrets.randbelow(10**6):06d}") == old:
        pass
    return code


def check_in(user, meeting: Meeting, code: str) -> Attendance:
    """A member checks in on their phone with the code shown in the room.
    Wrong codes are limited per person and per meeting until the chair shows
    a new code (`rotate_checkin_code`); past the limit even the right code is
    refused, and the chair marks the member present."""
    member = member_of(user, meeting.body)
    if member is None:
        raise DomainError(_l("You are not a member of this body."))
    db.session.execute(sa.select(Meeting.id).where(Meeting.id == meeting.id).with_for_update())
    db.session.refresh(meeting)
    failures = db.session.get(CheckinFailure, (meeting.id, user.id))
    if failures is not None and failures.failures >= CHECKIN_TRIES_PER_MEMBER:
        raise DomainError(_l("Too many wrong codes. Ask the chair to mark you present, or wait for a new code."),
                          field="code")
    if meeting.checkin_failures >= CHECKIN_TRIES_PER_MEETING:
        raise DomainError(_l("Check-in by code is paused after too many wrong codes. Ask the chair to show a new "
                             "code."), field="code")
    if not secrets.compare_digest((code or "").strip(), meeting.checkin_code):
        if failures is None:
            failures = CheckinFailure(meeting_id=meeting.id, user_id=user.id, failures=0)
            db.session.add(failures)
        failures.failures += 1
        meeting.checkin_failures += 1
        db.session.flush()
        raise WrongCheckinCode(_l("That code is not right. Check the code shown in the room."), field="code")
    return record_attendance(user, meeting, member, AttendanceStatus.present, self_checkin=True)


def rotate_checkin_code(actor, meeting: Meeting) -> str:
    """A new code (and so a new QR code: the old one's link stops working),
    with everyone's count of wrong codes back at zero."""
    if not meeting_is_open(meeting):
        raise DomainError(_l("The meeting is closed."))
    meeting.checkin_code, meeting.checkin_failures = _new_code(meeting.checkin_code), 0
    db.session.execute(sa.delete(CheckinFailure).where(CheckinFailure.meeting_id == meeting.id))
    db.session.flush()
    record(actor, "meetings.rotate_checkin_code", meeting, community_id=meeting.body.community_id)
    return meeting.checkin_code


def checkin_paused(meeting: Meeting) -> bool:
    return meeting.checkin_failures >= CHECKIN_TRIES_PER_MEETING


# -- figures, quorum ------------------------------------------------------------------------

def _present_members(meeting: Meeting) -> list[BodyMember]:
    present = {mid for mid, a in attendance_of(meeting).items() if a.status is AttendanceStatus.present}
    return [m for m in active_members(meeting.body) if m.id in present]


def _base_figures(body: Body, members: list[BodyMember], present: list[BodyMember],
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


def quorum_now(meeting: Meeting) -> Outcome:
    """The live quorum indicator: is the meeting quorate with who is here now,
    and how many must be present (需 13 人，已到 12 人)?"""
    base = _base_figures(meeting.body, active_members(meeting.body), _present_members(meeting))
    base["eligible"] = max(base["eligible"], base["present"])
    rules = rules_of(meeting.body)
    outcome = evaluate(rules, Figures(yes=0, no=0, abstain=base["present"], **base))
    if meeting.body.rule_set in (RuleSet.residents_meeting, RuleSet.representatives_meeting, RuleSet.configurable):
        eligible = base["eligible"]
        outcome.numbers["needed"] = next((n for n in range(eligible + 1) if rules.quorum.met(n, eligible)), None)
    return outcome


def meetings_of_member(user) -> list[Meeting]:
    """The meetings of every body the user sits on, upcoming and in session first."""
    body_ids = sa.select(BodyMember.body_id).where(BodyMember.user_id == user.id, _seated())
    return list(db.session.scalars(sa.select(Meeting).where(Meeting.body_id.in_(body_ids))
                                   .order_by((Meeting.state == MeetingState.closed), Meeting.starts_at.desc())))


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
        base = _base_figures(body, members, present, tally.present)
        return Figures(yes=tally.yes, no=tally.no, abstain=tally.abstain, **base)
    base = _base_figures(body, members, present)
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


# -- motions and votes --------------------------------------------------------------------------

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
    present = _present_members(meeting)
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


def _lock_motion(motion: Motion) -> Motion:
    db.session.execute(sa.select(Motion.id).where(Motion.id == motion.id).with_for_update())
    db.session.refresh(motion)
    return motion


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
    _lock_motion(motion)
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
    _lock_motion(motion)
    if not motion_takes_tally(motion):
        raise DomainError(_l("Counts can only be entered for an open tallied motion."))
    numbers = [yes, no, abstain] + ([present] if present is not None else [])
    if any(not isinstance(n, int) or n < 0 for n in numbers):
        raise DomainError(_l("Counts are whole numbers of 0 or more."), field="yes")
    roll = roll_of(motion)
    base = _base_figures(motion.meeting.body, [r.member for r in roll], [r.member for r in roll if r.is_present],
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
    _lock_motion(motion)
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


def close_motion(actor, motion: Motion) -> Outcome:
    """Compute quorum and result from the record under the body's rule set and
    keep them with the motion. A closed motion never changes."""
    _lock_motion(motion)
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
    _lock_motion(motion)
    if not motion_is_open(motion):
        raise DomainError(_l("Only an open vote can be withdrawn."))
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_l("Give the reason for withdrawing the vote."), field="reason")
    motion.state, motion.closed_at, motion.closed_by_id = MotionState.withdrawn, utcnow(), actor.id
    motion.withdrawal_reason = reason[:300]
    db.session.flush()
    record(actor, "meetings.withdraw_motion", motion, community_id=motion.meeting.body.community_id, reason=reason)


def tallies_of(motions: list[Motion]) -> dict[int, Tally]:
    return {t.motion_id: t for t in db.session.scalars(
        sa.select(Tally).where(Tally.motion_id.in_([m.id for m in motions] or [-1])))}


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


def publish_minutes(actor, meeting: Meeting, minutes: str) -> None:
    """会议纪要: close the meeting and carry each agenda topic's decision to its
    timeline (adopted → 办理中 for the committee; not adopted → decided)."""
    from app.consultation import services as consultation
    from app.consultation.models import Outcome as TopicOutcome
    from app.consultation.models import TopicState

    if not minutes.strip():
        raise DomainError(_l("Write the minutes first."), field="minutes")
    if any(m.state is MotionState.open for m in current_motions(meeting)):
        raise DomainError(_l("Close every open motion before publishing the minutes."))
    meeting.minutes, meeting.minutes_published_at, meeting.state = minutes.strip(), utcnow(), MeetingState.closed
    for item in meeting.items:
        motion = decisive_motion(item)
        if item.topic is None or motion is None or item.topic.state is not TopicState.deliberating:
            continue
        consultation.record_decision(
            actor, item.topic, TopicOutcome.adopted if motion.carried else TopicOutcome.rejected,
            f"{meeting.body.name}《{meeting.title}》：{motion.result_text}")
    db.session.flush()
    record(actor, "meetings.publish_minutes", meeting, community_id=meeting.body.community_id)
