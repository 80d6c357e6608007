"""What each role's home shows: read-only figures gathered from the domains,
each with the place where the work is done.

Every figure is one grouped query whatever the number of communities, so a
subdistrict of twenty communities costs what a subdistrict of two does.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

import sqlalchemy as sa
from sqlalchemy.orm import contains_eager

from app import localtime
from app.accounts.models import ResidenceStatus, User
from app.consultation.models import Comment, Topic, TopicState
from app.extensions import db
from app.meetings.models import Body, Meeting, MeetingState, Motion, Tally
from app.notifications.models import Notification
from app.places.models import Community, Department
from app.timebank.models import Account, LedgerRequest, ServiceRecord
from app.volunteering.models import Activity, ActivityState, Signup, SignupStatus

OPEN_STATES = (TopicState.published, TopicState.deliberating)


# -- resident -------------------------------------------------------------------------


@dataclass
class ResidentHome:
    community: Community
    open_topics: list[Topic]
    open_counts: dict[TopicState, int]
    my_topics: list[Topic]
    my_signups: list[tuple[Signup, Activity]]
    next_activities: list[Activity]
    balance: int | None  # minutes; None until the resident has an account
    minutes_this_year: int
    unread: int
    latest_notifications: list[Notification]


def resident_home(user: User) -> ResidentHome:
    """A resident's own community at a glance: topics to read and support, their
    own topics, their volunteering, their hours and what is new for them."""
    community = user.community
    now = localtime.now_utc()
    visible = sa.and_(Topic.community_id == community.id, Topic.hidden_at.is_(None))
    open_topics = list(db.session.scalars(
        sa.select(Topic).where(visible, Topic.state.in_(OPEN_STATES))
        .order_by(Topic.last_activity_at.desc(), Topic.id.desc()).limit(5)))
    open_counts = dict(db.session.execute(
        sa.select(Topic.state, sa.func.count(Topic.id)).where(visible, Topic.state.in_(OPEN_STATES))
        .group_by(Topic.state)).all())
    my_topics = list(db.session.scalars(
        sa.select(Topic).where(Topic.author_id == user.id)
        .order_by(Topic.last_activity_at.desc(), Topic.id.desc()).limit(5)))
    my_signups = [tuple(row) for row in db.session.execute(
        sa.select(Signup, Activity).join(Activity, Signup.activity_id == Activity.id).where(
            Signup.volunteer_id == user.id, Signup.status != SignupStatus.cancelled,
            Activity.state == ActivityState.published, Activity.ends_at > now)
        .order_by(Activity.starts_at).limit(5)).all()]
    mine = sa.select(Signup.activity_id).where(Signup.volunteer_id == user.id,
                                               Signup.status != SignupStatus.cancelled)
    next_activities = list(db.session.scalars(
        sa.select(Activity).where(Activity.community_id == community.id, Activity.state == ActivityState.published,
                                  Activity.signup_deadline > now, Activity.id.not_in(mine))
        .order_by(Activity.starts_at).limit(3)))
    balance = db.session.scalar(sa.select(Account.balance).where(Account.user_id == user.id))
    this_year = localtime.today(community).replace(month=1, day=1)
    minutes = db.session.scalar(sa.select(sa.func.coalesce(sa.func.sum(ServiceRecord.minutes), 0)).where(
        ServiceRecord.volunteer_id == user.id, ServiceRecord.served_on >= this_year)) or 0
    unread = db.session.scalar(sa.select(sa.func.count(Notification.id)).where(
        Notification.user_id == user.id, Notification.read_at.is_(None))) or 0
    latest = list(db.session.scalars(sa.select(Notification).where(
        Notification.user_id == user.id, Notification.read_at.is_(None))
        .order_by(Notification.id.desc()).limit(3)))
    return ResidentHome(community, open_topics, open_counts, my_topics, my_signups, next_activities, balance,
                        minutes, unread, latest)


# -- social worker --------------------------------------------------------------------


@dataclass
class CommunityWork:
    """A community's work waiting for its social workers, by where it is done."""
    community: Community
    to_verify: int = 0
    to_moderate: int = 0
    meetings_this_week: list[Meeting] = field(default_factory=list)
    tallies_to_confirm: int = 0
    minutes_to_publish: int = 0
    activities_to_confirm: int = 0
    ledger_requests: int = 0  # grants and reversals another social worker asked for

    @property
    def total(self) -> int:
        return (self.to_verify + self.to_moderate + len(self.meetings_this_week) + self.tallies_to_confirm
                + self.minutes_to_publish + self.activities_to_confirm + self.ledger_requests)


def _grouped(query) -> dict[int, int]:
    return {community_id: count for community_id, count in db.session.execute(query).all()}


def social_worker_home(user: User, community_ids: set[int]) -> list[CommunityWork]:
    """Today's work in each community the social worker serves, with counts."""
    if not community_ids:
        return []
    communities = list(db.session.scalars(
        sa.select(Community).where(Community.id.in_(community_ids)).order_by(Community.name)))
    ids = [c.id for c in communities]
    now = localtime.now_utc()
    week_start = localtime.start_of_day_utc(localtime.today())
    to_verify = _grouped(sa.select(User.community_id, sa.func.count(User.id)).where(
        User.community_id.in_(ids), User.residence_status == ResidenceStatus.pending, User.is_active.is_(True))
        .group_by(User.community_id))
    topics = _grouped(sa.select(Topic.community_id, sa.func.count(Topic.id)).where(
        Topic.community_id.in_(ids), sa.or_(Topic.state == TopicState.pending_review, Topic.report_count > 0))
        .group_by(Topic.community_id))
    comments = _grouped(sa.select(Topic.community_id, sa.func.count(Comment.id)).join(Topic).where(
        Topic.community_id.in_(ids), Comment.deleted_at.is_(None),
        sa.or_(Comment.held_by_keywords.is_(True), Comment.report_count > 0)).group_by(Topic.community_id))
    meetings = list(db.session.scalars(
        sa.select(Meeting).join(Body).where(
            Body.community_id.in_(ids), Meeting.state != MeetingState.closed,
            Meeting.starts_at >= week_start, Meeting.starts_at < week_start + timedelta(days=7))
        .options(contains_eager(Meeting.body)).order_by(Meeting.starts_at)))
    tallies = _grouped(sa.select(Body.community_id, sa.func.count(Tally.id))
                       .join(Motion, Tally.motion_id == Motion.id).join(Meeting, Motion.meeting_id == Meeting.id)
                       .join(Body, Meeting.body_id == Body.id)
                       .where(Body.community_id.in_(ids), Tally.confirmed_at.is_(None), Tally.entered_by_id != user.id)
                       .group_by(Body.community_id))
    minutes = _grouped(sa.select(Body.community_id, sa.func.count(Meeting.id)).join(Body).where(
        Body.community_id.in_(ids), Meeting.starts_at < now, Meeting.minutes_published_at.is_(None))
        .group_by(Body.community_id))
    activities = _grouped(sa.select(Activity.community_id, sa.func.count(Activity.id)).where(
        Activity.community_id.in_(ids), Activity.state == ActivityState.published, Activity.ends_at < now)
        .group_by(Activity.community_id))
    requests = _grouped(sa.select(LedgerRequest.community_id, sa.func.count(LedgerRequest.id)).where(
        LedgerRequest.community_id.in_(ids), LedgerRequest.decided_at.is_(None),
        LedgerRequest.requested_by_id != user.id).group_by(LedgerRequest.community_id))
    work = []
    for c in communities:
        work.append(CommunityWork(
            c, to_verify=to_verify.get(c.id, 0), to_moderate=topics.get(c.id, 0) + comments.get(c.id, 0),
            meetings_this_week=[m for m in meetings if m.body.community_id == c.id],
            tallies_to_confirm=tallies.get(c.id, 0), minutes_to_publish=minutes.get(c.id, 0),
            activities_to_confirm=activities.get(c.id, 0), ledger_requests=requests.get(c.id, 0)))
    return work


# -- subdistrict staff ----------------------------------------------------------------


@dataclass
class CommunityRow:
    community: Community
    topics: dict[TopicState, int]
    meetings_held: int
    carried_out: int  # adopted topics completed
    minutes_this_year: int
    to_verify: int

    @property
    def topics_open(self) -> int:
        return sum(self.topics.get(state, 0) for state in OPEN_STATES)

    @property
    def topics_awaiting_review(self) -> int:
        return self.topics.get(TopicState.pending_review, 0)

    @property
    def topics_in_progress(self) -> int:
        return self.topics.get(TopicState.in_progress, 0)


def subdistrict_overview(subdistrict_ids: set[int]) -> list[CommunityRow]:
    """Each community of the staff member's subdistricts in one row."""
    if not subdistrict_ids:
        return []
    communities = list(db.session.scalars(
        sa.select(Community).where(Community.subdistrict_id.in_(subdistrict_ids), Community.is_active.is_(True))
        .order_by(Community.subdistrict_id, Community.name)))
    ids = [c.id for c in communities]
    now = localtime.now_utc()
    topics: dict[int, dict[TopicState, int]] = {}
    for community_id, state, count in db.session.execute(
            sa.select(Topic.community_id, Topic.state, sa.func.count(Topic.id))
            .where(Topic.community_id.in_(ids), Topic.state != TopicState.draft)
            .group_by(Topic.community_id, Topic.state)).all():
        topics.setdefault(community_id, {})[state] = count
    held = _grouped(sa.select(Body.community_id, sa.func.count(Meeting.id)).join(Body).where(
        Body.community_id.in_(ids), Meeting.starts_at < now).group_by(Body.community_id))
    this_year = localtime.today().replace(month=1, day=1)
    minutes = _grouped(sa.select(ServiceRecord.community_id, sa.func.sum(ServiceRecord.minutes)).where(
        ServiceRecord.community_id.in_(ids), ServiceRecord.served_on >= this_year)
        .group_by(ServiceRecord.community_id))
    to_verify = _grouped(sa.select(User.community_id, sa.func.count(User.id)).where(
        User.community_id.in_(ids), User.residence_status == ResidenceStatus.pending, User.is_active.is_(True))
        .group_by(User.community_id))
    return [CommunityRow(c, topics.get(c.id, {}), held.get(c.id, 0),
                         topics.get(c.id, {}).get(TopicState.completed, 0), minutes.get(c.id, 0) or 0,
                         to_verify.get(c.id, 0)) for c in communities]


def departments_of(department_ids: set[int]) -> list[Department]:
    if not department_ids:
        return []
    return list(db.session.scalars(sa.select(Department).where(Department.id.in_(department_ids))
                                   .order_by(Department.name)))
