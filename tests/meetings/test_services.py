"""Meetings, attendance, motions, ballots, tallies and minutes, through the services."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from decimal import Decimal

import pytest
import sqlalchemy as sa

from app.consultation.models import TopicState
from app.domain import DomainError
from app.extensions import db
from tests.conftest import run_in_threads
from app.meetings import agenda, attendance, bodies, figures, motions, votes
from app.meetings.models import (
    AttendanceStatus,
    BallotBox,
    BallotReceipt,
    BodyKind,
    Choice,
    MotionMode,
    MotionState,
    Vote,
)

WHEN = datetime(2026, 12, 5, 1, 30, tzinfo=timezone.utc)


@pytest.fixture
def chair(make_user):
    return make_user("social_worker", display_name="李社工")


@pytest.fixture
def council(app, places, make_user, chair):
    """A 居民代表会议 of 7 representatives with accounts."""
    body = bodies.save_body(chair, places.community, name="朝阳社区居民代表会议",
                              kind=BodyKind.residents_representatives)
    people = [make_user(display_name=f"代表{i}") for i in range(7)]
    members = [bodies.add_member(chair, body, user=u) for u in people]
    db.session.commit()
    return body, people, members


@pytest.fixture
def meeting(council, chair, make_topic):
    body, people, members = council
    topics = [make_topic(TopicState.deliberating, title="加装电梯"), make_topic(TopicState.deliberating, title="停车")]
    m = agenda.schedule_meeting(chair, body, title="12月居民代表会议", starts_at=WHEN, place="社区会议室",
                                  topics=topics, free_items=["其他事项"])
    db.session.commit()
    return m, topics


def test_schedule_notifies_members_and_checks_the_agenda(council, chair, make_topic):
    body, people, _ = council
    from app.notifications.models import Notification

    with pytest.raises(DomainError):
        agenda.schedule_meeting(chair, body, title="会", starts_at=WHEN, place="x", topics=[make_topic()])
    m = agenda.schedule_meeting(chair, body, title="会", starts_at=WHEN, place="x", free_items=["议程"])
    assert len(m.checkin_code) == 6 and m.checkin_code.isdigit()
    assert db.session.scalar(sa.select(sa.func.count(Notification.id)).where(
        Notification.kind == "meetings.scheduled")) == 7


def test_quorum_indicator_follows_check_ins(meeting, council):
    m, _ = meeting
    _, people, _ = council
    for person in people[:4]:
        attendance.check_in(person, m, m.checkin_code)
    now = figures.quorum_now(m)
    assert not now.quorate and "应到 7 人，实到 4 人" in now.text
    attendance.check_in(people[4], m, m.checkin_code)  # 5 of 7 ≥ 2/3
    assert figures.quorum_now(m).quorate
    with pytest.raises(DomainError):
        attendance.check_in(people[5], m, "000000" if m.checkin_code != "000000" else "111111")


def test_roll_call_passes_and_secret_ballot_fails(meeting, council, chair):
    m, topics = meeting
    _, people, members = council
    for person in people[:5]:
        attendance.check_in(person, m, m.checkin_code)
    roll = motions.open_motion(chair, m, title="", item=m.items[0])
    for person, choice in zip(people[:5], [Choice.yes, Choice.yes, Choice.yes, Choice.no, Choice.abstain],
                              strict=True):
        votes.cast_vote(person, roll, choice)
    votes.cast_vote(people[3], roll, Choice.yes)  # changes their mind before the close
    outcome = motions.close_motion(chair, roll)
    assert outcome.carried and roll.state is MotionState.closed
    assert roll.figures["yes"] == 4 and roll.figures["present"] == 5 and roll.figures["eligible"] == 7
    assert "应到 7 人，实到 5 人；赞成 4 票，反对 0 票，弃权 1 票" in roll.result_text
    assert "第二十六条" in roll.rule_applied
    with pytest.raises(DomainError):
        votes.cast_vote(people[4], roll, Choice.yes)  # closed
    with pytest.raises(DomainError):
        motions.close_motion(chair, roll)

    secret = motions.open_motion(chair, m, title="", item=m.items[1], secret=True)
    for person, choice in zip(people[:5], [Choice.yes, Choice.yes, Choice.no, Choice.no, Choice.abstain],
                              strict=True):
        votes.cast_vote(person, secret, choice)
    with pytest.raises(DomainError):
        votes.cast_vote(people[0], secret, Choice.no)  # a secret ballot cannot be changed
    assert votes.my_vote(people[0], secret) is True
    # who voted and what was voted are stored apart
    assert db.session.scalar(sa.select(sa.func.count(BallotReceipt.id))) == 5
    assert not hasattr(BallotBox, "member_id")
    assert db.session.scalar(sa.select(sa.func.count(Vote.id)).where(Vote.motion_id == secret.id)) == 0
    assert not motions.close_motion(chair, secret).carried  # 2 of 5 is not more than half

    agenda.publish_minutes(chair, m, "会议审议了两项议题。")
    db.session.refresh(topics[0])
    db.session.refresh(topics[1])
    assert topics[0].state is TopicState.in_progress and topics[1].state is TopicState.decided
    from app.consultation.models import TopicEvent

    notes = [e.note for e in db.session.scalars(sa.select(TopicEvent).where(TopicEvent.topic_id == topics[0].id))]
    assert any("赞成 4 票" in n for n in notes)


def test_votes_only_from_present_members_and_chair_hand_votes(meeting, council, chair, make_user):
    m, _ = meeting
    _, people, members = council
    attendance.check_in(people[0], m, m.checkin_code)
    attendance.record_attendance(chair, m, members[1], AttendanceStatus.present)
    attendance.record_attendance(chair, m, members[2], AttendanceStatus.leave)
    motion = motions.open_motion(chair, m, title="临时动议")
    with pytest.raises(DomainError):
        votes.cast_vote(people[3], motion, Choice.yes)  # not checked in
    with pytest.raises(DomainError):
        votes.cast_vote(make_user(), motion, Choice.yes)  # not a member
    votes.cast_vote(chair, motion, Choice.no, member=members[1])  # a hand vote recorded by the chair
    vote = db.session.scalar(sa.select(Vote).where(Vote.member_id == members[1].id))
    assert vote.recorded_by_id == chair.id
    with pytest.raises(DomainError):
        votes.cast_vote(chair, motion, Choice.yes, member=members[2])  # on leave is not present


def test_a_correction_is_a_new_linked_motion(meeting, council, chair):
    m, _ = meeting
    _, people, _ = council
    for person in people[:5]:
        attendance.check_in(person, m, m.checkin_code)
    first = motions.open_motion(chair, m, title="", item=m.items[0])
    motions.close_motion(chair, first)
    with pytest.raises(DomainError):
        motions.open_motion(chair, m, title="", item=m.items[0], corrects=first)  # needs a reason
    second = motions.open_motion(chair, m, title="", item=m.items[0], corrects=first, reason="计票时漏记2票")
    for person in people[:5]:
        votes.cast_vote(person, second, Choice.yes)
    motions.close_motion(chair, second)
    assert motions.decisive_motion(m.items[0]).id == second.id
    assert not first.carried and first.state is MotionState.closed  # the original stays as it was


def test_tally_counts_only_after_a_second_confirmation(app, places, chair, make_user):
    body = bodies.save_body(chair, places.community, name="朝阳社区居民会议", kind=BodyKind.residents_meeting,
                              eligible_count=1200)
    m = agenda.schedule_meeting(chair, body, title="居民会议", starts_at=WHEN, place="广场", free_items=["小区改造方案"])
    motion = motions.open_motion(chair, m, title="", item=m.items[0], mode=MotionMode.tally)
    with pytest.raises(DomainError):
        votes.enter_tally(chair, motion, yes=500, no=100, abstain=50, present=600)  # more votes than present
    votes.enter_tally(chair, motion, yes=400, no=150, abstain=50, present=650)
    with pytest.raises(DomainError):
        motions.close_motion(chair, motion)  # not confirmed
    with pytest.raises(DomainError):
        votes.confirm_tally(chair, motion)  # the same person
    second = make_user("social_worker")
    votes.confirm_tally(second, motion)
    outcome = motions.close_motion(chair, motion)
    assert outcome.quorate and outcome.carried  # 650 > 600; 400 > 325
    assert "应到 1200 人，实到 650 人" in outcome.text


def test_owners_assembly_counts_area_and_number(app, places, chair, make_user):
    body = bodies.save_body(chair, places.community, name="东亭花园业主大会", kind=BodyKind.owners_assembly)
    owners = []
    for i, area in enumerate(["89.50", "120.00", "75.25", "89.50", "140.00", "60.75"]):
        user = make_user(display_name=f"业主{i}")
        owners.append((user, bodies.add_member(chair, body, user=user, area=Decimal(area))))
    with pytest.raises(DomainError):
        bodies.add_member(chair, body, name="无面积业主")
    m = agenda.schedule_meeting(chair, body, title="业主大会", starts_at=WHEN, place="会所", free_items=["使用维修资金"])
    for user, _member in owners[:5]:
        attendance.check_in(user, m, m.checkin_code)
    motion = motions.open_motion(chair, m, title="", item=m.items[0], major=True)
    for (user, _member), choice in zip(owners[:5], [Choice.yes, Choice.yes, Choice.yes, Choice.yes, Choice.no],
                                       strict=True):
        votes.cast_vote(user, motion, choice)
    outcome = motions.close_motion(chair, motion)
    # area present 514.25 of 575.00; yes 374.25 ≥ 3/4 × 514.25 = 385.69? no → not carried as a major item
    assert outcome.quorate and not outcome.carried
    assert motion.figures["area_present"] == "514.25" and motion.figures["area_yes"] == "374.25"


def test_double_vote_from_two_devices_leaves_one(app, meeting, council, backend):
    m, _ = meeting
    _, people, _ = council
    attendance.check_in(people[0], m, m.checkin_code)
    motion = motions.open_motion(people[0], m, title="并发测试")
    motion_id, user_id = motion.id, people[0].id
    db.session.commit()  # and touch no object until the threads are done: SQLite's write lock

    def load(choice):
        from app.accounts.models import User
        from app.meetings.models import Motion

        return db.session.get(User, user_id), db.session.get(Motion, motion_id), choice

    errors = run_in_threads(app, [Choice.yes, Choice.no, Choice.yes, Choice.no],
                            lambda s: votes.cast_vote(*s), prepare=load)
    assert errors == []
    assert db.session.scalar(sa.select(sa.func.count(Vote.id)).where(Vote.motion_id == motion_id)) == 1


def test_minutes_need_closed_motions(meeting, chair):
    m, _ = meeting
    motions.open_motion(chair, m, title="未结束")
    with pytest.raises(DomainError):
        agenda.publish_minutes(chair, m, "纪要")
    with pytest.raises(DomainError):
        agenda.publish_minutes(chair, m, "  ")


def test_members_must_live_in_the_community(council, chair, make_user, places):
    body, _, _ = council
    with pytest.raises(DomainError):
        bodies.add_member(chair, body, user=make_user(community=places.other))


def test_body_names_are_unique_per_community(council, chair, places):
    with pytest.raises(DomainError) as e:
        bodies.save_body(chair, places.community, name="朝阳社区居民代表会议", kind=BodyKind.council)
    assert e.value.field == "name"


def test_configurable_body_fractions_are_checked(app, places, chair):
    with pytest.raises(DomainError):
        bodies.save_body(chair, places.community, name="议事会", kind=BodyKind.council, quorum=(4, 3, True))
    body = bodies.save_body(chair, places.community, name="居民议事会", kind=BodyKind.council,
                              quorum=(1, 2, False), decision=(2, 3, True))
    rules = bodies.rules_of(body)
    assert str(rules.quorum.share) == "1/2" and rules.decision.inclusive


def test_meeting_time_is_stored_in_utc(meeting):
    m, _ = meeting
    assert m.starts_at == WHEN and m.starts_at.utcoffset() == timedelta(0)


def test_scheduled_notification_says_the_local_time(council, chair):
    """A meeting at 08:00 Beijing time (00:00 UTC) is announced as 08:00, whatever zone the server runs in."""
    body, people, _ = council
    from app.notifications.models import Notification
    from app.notifications.services import message_for

    eight_am = datetime(2026, 12, 5, 0, 0, tzinfo=timezone.utc)
    agenda.schedule_meeting(chair, body, title="早会", starts_at=eight_am, place="会议室", free_items=["议程"])
    note = db.session.scalar(sa.select(Notification).where(Notification.kind == "meetings.scheduled",
                                                           Notification.user_id == people[0].id))
    assert "2026-12-05 08:00" in message_for(note)
