"""Who may do what with a body's meetings, in one place: the community's
social workers organise (its one rule, registered here as `organise_meetings`);
a seated member votes; the states below say what each stage allows. The
services refuse what these refuse, and `access.actions_for` offers on the
page exactly what they allow."""
from __future__ import annotations

import sqlalchemy as sa

from app.accounts.models import Role, User
from app.extensions import db
from app.meetings.models import Body, BodyMember, Meeting, MeetingState, Motion, MotionMode, MotionState
from app.permissions import register_rule, social_worker_community_ids, staff_subdistrict_ids


def is_organiser(user, community_id: int) -> bool:
    """Social workers of the community run its bodies and meetings."""
    return community_id in social_worker_community_ids(user)


register_rule("organise_meetings", lambda user, _obj: bool(social_worker_community_ids(user)))
register_rule("organise_meetings_of", lambda user, body: is_organiser(user, body.community_id))


# -- who sits on a body ---------------------------------------------------------------------

def _seated():
    """A seat counts while it is active and, for a resident with an account,
    while they live in the body's community: a resident who moves away (even
    while the new community has yet to verify them) leaves its bodies."""
    lives_here = sa.select(User.id).where(User.id == BodyMember.user_id, User.community_id == Body.community_id)
    return sa.and_(BodyMember.is_active.is_(True), Body.id == BodyMember.body_id,
                   sa.or_(BodyMember.user_id.is_(None), lives_here.exists()))


def is_seated(member: BodyMember) -> bool:
    return member.is_active and (member.user is None or member.user.community_id == member.body.community_id)


def member_of(user, body: Body) -> BodyMember | None:
    """The user's own seat on the body, if they have one."""
    if not (user and getattr(user, "is_authenticated", False)):
        return None
    return db.session.scalar(sa.select(BodyMember).where(BodyMember.body_id == body.id, BodyMember.user_id == user.id,
                                                         _seated()))


def may_confirm_tally(user, motion: Motion) -> bool:
    """四眼原则: a tally counts once a second person confirms it. Besides the
    community's social workers, subdistrict staff of its subdistrict or a
    committee member who sits on the body may be that person, so a community
    with a single social worker is not stuck."""
    if not (user and getattr(user, "is_authenticated", False) and user.is_active):
        return False
    body = motion.meeting.body
    if is_organiser(user, body.community_id) or body.community.subdistrict_id in staff_subdistrict_ids(user):
        return True
    committee = any(a.role is Role.committee_member and a.community_id == body.community_id for a in user.roles)
    return committee and member_of(user, body) is not None


# -- what each state allows (the services check these; the pages ask them) -------------------

def meeting_is_open(meeting: Meeting) -> bool:
    """Attendance, check-in, new votes and corrections: until the minutes close the meeting."""
    return meeting.state is not MeetingState.closed


def motion_is_open(motion: Motion) -> bool:
    """Votes, counts, closing and withdrawing: while voting is open."""
    return motion.state is MotionState.open


def motion_is_correctable(motion: Motion) -> bool:
    """A closed result is corrected by a new vote while the meeting is open."""
    return motion.state is MotionState.closed and meeting_is_open(motion.meeting)


def motion_takes_votes(motion: Motion) -> bool:
    return motion_is_open(motion) and motion.mode is MotionMode.roll_call


def motion_takes_tally(motion: Motion) -> bool:
    return motion_is_open(motion) and motion.mode is MotionMode.tally
