"""Who is at a meeting: the chair's roll, and members checking in on their
phones with the code shown in the room (wrong codes are limited)."""
from __future__ import annotations

import secrets

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from app.audit.services import record
from app.domain import DomainError
from app.extensions import db
from app.meetings.models import Attendance, AttendanceStatus, BodyMember, CheckinFailure, Meeting, MeetingState
from app.meetings.bodies import active_members
from app.meetings.permissions import is_seated, meeting_is_open, member_of
from app.sqltypes import utcnow

# Wrong check-in codes: a person may mistype a few times; the meeting as a
# whole gets enough for a room of mistypes, and then the chair shows a new
# code. With 10^6 codes that bounds a guesser's chance per code at 1 in 25,000.
CHECKIN_TRIES_PER_MEMBER = 5
CHECKIN_TRIES_PER_MEETING = 40


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


class WrongCheckinCode(DomainError):
    """A wrong code: the attempt is counted, so the caller keeps it
    (the view keeps the request's changes) even though the check-in failed."""


def new_checkin_code(old: str = "") -> str:
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
    meeting.checkin_code, meeting.checkin_failures = new_checkin_code(meeting.checkin_code), 0
    db.session.execute(sa.delete(CheckinFailure).where(CheckinFailure.meeting_id == meeting.id))
    db.session.flush()
    record(actor, "meetings.rotate_checkin_code", meeting, community_id=meeting.body.community_id)
    return meeting.checkin_code


def checkin_paused(meeting: Meeting) -> bool:
    return meeting.checkin_failures >= CHECKIN_TRIES_PER_MEETING
