"""Loading meetings' objects for a user, and what a page may offer them.

Every loader takes the acting user and says what for: `to="read"` is anyone
who may see the community's public pages (村(居)务公开); `to="manage"` is the
community's organiser (`permissions.is_organiser`). Not there, or in an
inactive community: `NotFound` (404). Visible but not theirs to manage:
`Forbidden` (403)."""
from __future__ import annotations

import sqlalchemy as sa

from app.domain import Forbidden, NotFound, Offer
from app.extensions import db
from app.meetings import permissions as rule
from app.meetings.models import Body, BodyMember, Meeting, MeetingState, Motion, MotionMode, MotionState
from app.places.models import Community
from app.places.services import public_community

READ, MANAGE, VOTE, CONFIRM = "read", "manage", "vote", "confirm"


def _scoped(user, obj, community_id: int, to: str):
    """`manage` outside the user's communities is not found, as another
    community's id always is (roles without the organiser's permission are
    refused before loading, 403); `vote` needs a seat and `confirm` a second
    person who may confirm (`permissions.may_confirm_tally`), else 403."""
    if obj is None or public_community(community_id) is None:
        raise NotFound()
    if to == MANAGE and not rule.is_organiser(user, community_id):
        raise NotFound()
    if to == VOTE and rule.member_of(user, obj.meeting.body) is None:
        raise Forbidden()
    if to == CONFIRM and not rule.may_confirm_tally(user, obj):
        raise Forbidden()
    if to not in (READ, MANAGE, VOTE, CONFIRM):
        raise ValueError(f"unknown purpose {to!r}")
    return obj


def community_for(user, community_id: int, to: str = READ) -> Community:
    return _scoped(user, public_community(community_id), community_id, to)


def body_for(user, body_id: int, to: str = READ) -> Body:
    body = db.session.get(Body, body_id)
    return _scoped(user, body, getattr(body, "community_id", 0), to)


def meeting_for(user, meeting_id: int, to: str = READ) -> Meeting:
    meeting = db.session.get(Meeting, meeting_id)
    return _scoped(user, meeting, meeting.body.community_id if meeting else 0, to)


def motion_for(user, motion_id: int, to: str = READ) -> Motion:
    motion = db.session.get(Motion, motion_id)
    return _scoped(user, motion, motion.meeting.body.community_id if motion else 0, to)


def seat_for(user, member_id: int | None, to: str = MANAGE, *, body: Body | None = None) -> BodyMember:
    """A seat (of `body`, when given: another body's seat is not found)."""
    member = db.session.get(BodyMember, member_id or 0)
    if member is None or (body is not None and member.body_id != body.id):
        raise NotFound()
    return _scoped(user, member, member.body.community_id, to)


def bodies_of(community) -> list[Body]:
    return list(db.session.scalars(sa.select(Body).where(Body.community_id == community.id).order_by(Body.name)))


def meetings_of(body: Body) -> list[Meeting]:
    return list(db.session.scalars(sa.select(Meeting).where(Meeting.body_id == body.id)
                                   .order_by(Meeting.starts_at.desc())))


def topics_for_agenda(community_id: int) -> list:
    """Topics under deliberation: what a meeting's agenda may take up."""
    from app.consultation.models import Topic, TopicState

    return list(db.session.scalars(sa.select(Topic).where(Topic.community_id == community_id,
                                                          Topic.state == TopicState.deliberating)
                                   .order_by(Topic.on_agenda_at.desc().nulls_last(), Topic.id)))


# -- what a page offers ------------------------------------------------------------------------

class MeetingActions(Offer):
    """`organise`: the organiser's controls; `is_live`: open: attendance, check-in and votes
    still change (the quorum refreshes); `is_in_session`: attendance or a vote has begun,
    minutes not yet published; `check_in`: a seated member not yet present."""
    names = """organise is_live is_in_session check_in record_attendance open_motion
    rotate_code publish_minutes"""


class MotionActions(Offer):
    """`vote`: the user's own vote (a seated member; whether they were present is shown
    beside it)."""
    names = """is_open is_closed is_withdrawn is_tally vote see_tally confirm_tally
    enter_tally hand_vote close withdraw correct"""


def actions_for(user, obj, *, present: bool = False):
    """What `user` may do to a meeting or a motion now, from the rules the
    services enforce. `present`: the user's seat is marked present (meetings)."""
    if isinstance(obj, Meeting):
        organiser = rule.is_organiser(user, obj.body.community_id)
        live = rule.meeting_is_open(obj)
        member = rule.member_of(user, obj.body)
        return MeetingActions(
            organise=organiser, is_live=live, is_in_session=obj.state is MeetingState.in_session, check_in=bool(member and live and not present),
            record_attendance=organiser and live, open_motion=organiser and live, rotate_code=organiser and live,
            publish_minutes=organiser and obj.minutes_published_at is None)
    if isinstance(obj, Motion):
        organiser = rule.is_organiser(user, obj.meeting.body.community_id)
        confirmer = rule.motion_takes_tally(obj) and rule.may_confirm_tally(user, obj)
        return MotionActions(
            is_open=rule.motion_is_open(obj), is_closed=obj.state is MotionState.closed,
            is_withdrawn=obj.state is MotionState.withdrawn,
            is_tally=obj.mode is MotionMode.tally,
            vote=rule.motion_takes_votes(obj) and rule.member_of(user, obj.meeting.body) is not None,
            see_tally=rule.motion_takes_tally(obj) and (organiser or confirmer), confirm_tally=confirmer,
            enter_tally=organiser and rule.motion_takes_tally(obj),
            hand_vote=organiser and rule.motion_takes_votes(obj) and not obj.is_secret,
            close=organiser and rule.motion_is_open(obj), withdraw=organiser and rule.motion_is_open(obj),
            correct=organiser and rule.motion_is_correctable(obj))
    raise TypeError(f"no actions for {obj!r}")
