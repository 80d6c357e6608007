"""Meetings with their agenda, a member's meetings, and the minutes (会议纪要)
that close a meeting and carry each agenda topic's decision to its timeline."""
from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from app.audit.services import record
from app.domain import DomainError
from app.extensions import db
from app.meetings.models import AgendaItem, Body, BodyMember, Meeting, MeetingState, MotionState
from app.notifications.services import notify_many, register_kind
from app.meetings.attendance import new_checkin_code
from app.meetings.bodies import active_members
from app.meetings.motions import current_motions, decisive_motion
from app.meetings.permissions import _seated
from app.sqltypes import utcnow

register_kind("meetings.scheduled", _l("Meeting “%(title)s” of %(body)s on %(when)s at %(place)s."))

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
                      checkin_code=new_checkin_code(), created_by_id=actor.id)
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


def meetings_of_member(user) -> list[Meeting]:
    """The meetings of every body the user sits on, upcoming and in session first."""
    body_ids = sa.select(BodyMember.body_id).where(BodyMember.user_id == user.id, _seated())
    return list(db.session.scalars(sa.select(Meeting).where(Meeting.body_id.in_(body_ids))
                                   .order_by((Meeting.state == MeetingState.closed), Meeting.starts_at.desc())))


def publish_minutes(actor, meeting: Meeting, minutes: str) -> None:
    """会议纪要: close the meeting and carry each agenda topic's decision to its
    timeline (adopted → 办理中 for the committee; not adopted → decided)."""
    from app.consultation import services as consultation
    from app.consultation.models import Outcome, TopicState

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
            actor, item.topic, Outcome.adopted if motion.carried else Outcome.rejected,
            f"{meeting.body.name}《{meeting.title}》：{motion.result_text}")
    db.session.flush()
    record(actor, "meetings.publish_minutes", meeting, community_id=meeting.body.community_id)
