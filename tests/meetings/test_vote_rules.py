"""One person cannot change what members decided: hand votes, the roll fixed
when voting opens, residents who move away, the second confirmer of a tally,
withdrawing a vote, check-in code limits, and what the public sees of members."""
from __future__ import annotations

from datetime import datetime, timezone
from decimal import Decimal

import pytest
import sqlalchemy as sa

from app.domain import DomainError
from app.extensions import db
from app.meetings import agenda, attendance, bodies, figures, motions, permissions, votes
from app.meetings.models import AttendanceStatus, BodyKind, Choice, Motion, MotionMode, MotionState, Vote
from app.notifications.models import Notification
from tests.conftest import text

WHEN = datetime(2026, 12, 5, 1, 30, tzinfo=timezone.utc)


@pytest.fixture
def chair(make_user):
    return make_user("social_worker", display_name="李社工")


@pytest.fixture
def council(app, places, chair, make_user):
    """A 居民代表会议 of 5 representatives with accounts and a scheduled meeting."""
    body = bodies.save_body(chair, places.community, name="居民代表会议", kind=BodyKind.residents_representatives)
    people = [make_user(display_name=f"代表{i}") for i in range(5)]
    members = [bodies.add_member(chair, body, user=p) for p in people]
    meeting = agenda.schedule_meeting(chair, body, title="十二月会议", starts_at=WHEN, place="会议室",
                                        free_items=["议题"])
    db.session.commit()
    return body, people, members, meeting


def _vote_of(motion, member):
    return db.session.scalar(sa.select(Vote).where(Vote.motion_id == motion.id, Vote.member_id == member.id))


# -- hand votes ------------------------------------------------------------------------------

def test_the_chair_cannot_overwrite_a_members_own_vote(council, chair):
    body, people, members, meeting = council
    for person in people[:3]:
        attendance.check_in(person, meeting, meeting.checkin_code)
    motion = motions.open_motion(chair, meeting, title="加装电梯")
    votes.cast_vote(people[0], motion, Choice.yes)
    with pytest.raises(DomainError) as refused:
        votes.cast_vote(chair, motion, Choice.no, member=members[0])
    assert "代表0" in str(refused.value.message)
    assert _vote_of(motion, members[0]).choice is Choice.yes

    # a hand vote for a member who has not voted is recorded, and they are told
    votes.cast_vote(chair, motion, Choice.no, member=members[1])
    told = db.session.scalar(sa.select(Notification).where(Notification.user_id == people[1].id,
                                                           Notification.kind == "meetings.hand_vote"))
    assert told is not None and told.params["choice"] == "no"
    # the member's own vote replaces the chair's record, and then the chair cannot change it back
    votes.cast_vote(people[1], motion, Choice.yes)
    assert _vote_of(motion, members[1]).recorded_by_id is None
    with pytest.raises(DomainError):
        votes.cast_vote(chair, motion, Choice.no, member=members[1])
    assert motions.close_motion(chair, motion).numbers["yes"] == 2


def test_hand_vote_refused_through_the_page(client_for, council, chair):
    body, people, members, meeting = council
    attendance.check_in(people[0], meeting, meeting.checkin_code)
    motion = motions.open_motion(chair, meeting, title="加装电梯")
    votes.cast_vote(people[0], motion, Choice.yes)
    db.session.commit()
    c = client_for(chair)
    response = c.post(f"/motions/{motion.id}/hand-vote", {"member_id": str(members[0].id), "choice": "no"})
    assert response.status_code == 303
    assert "代表0 已自行投票，主持人不能更改" in text(c.get(response.headers["Location"]))
    assert _vote_of(motion, members[0]).choice is Choice.yes


# -- attendance fixed when voting opens -------------------------------------------------------

def test_marking_a_voter_absent_after_voting_opened_does_not_drop_their_vote(council, chair):
    body, people, members, meeting = council
    for person in people[:3]:
        attendance.check_in(person, meeting, meeting.checkin_code)
    motion = motions.open_motion(chair, meeting, title="加装电梯")
    for person in people[:3]:
        votes.cast_vote(person, motion, Choice.yes)
    attendance.record_attendance(chair, meeting, members[0], AttendanceStatus.absent)
    attendance.check_in(people[3], meeting, meeting.checkin_code)  # arrives after voting opened
    with pytest.raises(DomainError):
        votes.cast_vote(people[3], motion, Choice.no)
    outcome = motions.close_motion(chair, motion)
    assert (outcome.numbers["present"], outcome.numbers["yes"]) == (3, 3)
    # the next vote opens with the attendance as it is now
    later = motions.open_motion(chair, meeting, title="停车")
    votes.cast_vote(people[3], later, Choice.no)
    with pytest.raises(DomainError):
        votes.cast_vote(people[0], later, Choice.yes)  # marked absent before this one opened


# -- residents who move away -------------------------------------------------------------------

def test_a_member_who_moves_to_another_community_leaves_its_bodies(council, chair, places):
    from app.accounts import services as accounts

    body, people, members, meeting = council
    attendance.check_in(people[0], meeting, meeting.checkin_code)
    accounts.resubmit_residence(people[1], community=places.sibling, household="3幢")  # pending in the new one
    assert permissions.member_of(people[1], body) is None
    assert members[1].id not in {m.id for m in bodies.active_members(body)}
    assert "应到 4 人" in figures.quorum_now(meeting).text
    with pytest.raises(DomainError):
        attendance.check_in(people[1], meeting, meeting.checkin_code)
    with pytest.raises(DomainError):
        attendance.record_attendance(chair, meeting, members[1], AttendanceStatus.present)
    assert meeting not in agenda.meetings_of_member(people[1])


# -- the second confirmer of a tally ---------------------------------------------------------

@pytest.fixture
def tallied(council, chair):
    body, people, members, meeting = council
    for member in members:
        attendance.record_attendance(chair, meeting, member, AttendanceStatus.present)
    motion = motions.open_motion(chair, meeting, title="计票表决", mode=MotionMode.tally)
    votes.enter_tally(chair, motion, yes=3, no=1, abstain=1)
    db.session.commit()
    return motion


def test_subdistrict_staff_can_be_the_second_confirmer(tallied, chair, make_user, places):
    elsewhere = make_user("subdistrict_staff", scope=places.other_subdistrict)
    with pytest.raises(DomainError):
        votes.confirm_tally(elsewhere, tallied)
    votes.confirm_tally(make_user("subdistrict_staff"), tallied)
    assert motions.close_motion(chair, tallied).carried


def test_a_committee_member_of_the_body_can_be_the_second_confirmer(tallied, council, chair, make_user):
    from app.accounts import services as accounts
    from app.accounts.models import Role

    body, people, members, meeting = council
    with pytest.raises(DomainError):
        votes.confirm_tally(people[0], tallied)  # a member without the committee role
    with pytest.raises(DomainError):
        votes.confirm_tally(make_user("committee_member"), tallied)  # a committee member not on this body
    accounts.assign_role(None, people[0], Role.committee_member, body.community_id)
    votes.confirm_tally(people[0], tallied)
    assert motions.close_motion(chair, tallied).carried


def test_confirming_through_the_page(client_for, tallied, make_user, places):
    outsider = client_for(make_user("subdistrict_staff", scope=places.other_subdistrict))
    assert outsider.post(f"/motions/{tallied.id}/confirm").status_code == 403
    staff = client_for(make_user("subdistrict_staff"))
    page = text(staff.get(f"/meetings/{tallied.meeting_id}"))
    assert "确认计票结果" in page
    assert staff.post(f"/motions/{tallied.id}/confirm").status_code == 303
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Motion)) == 1
    from app.meetings.models import Tally

    assert db.session.scalar(sa.select(Tally.confirmed_at).where(Tally.motion_id == tallied.id)) is not None


# -- withdrawing a vote -------------------------------------------------------------------------

def test_the_organiser_withdraws_an_open_vote_with_a_reason(tallied, council, chair):
    body, people, members, meeting = council
    with pytest.raises(DomainError) as missing:
        motions.withdraw_motion(chair, tallied, "  ")
    assert missing.value.field == "reason"
    motions.withdraw_motion(chair, tallied, "无第二名工作人员确认票数")
    assert tallied.state is MotionState.withdrawn and tallied.carried is None
    with pytest.raises(DomainError):
        motions.close_motion(chair, tallied)
    with pytest.raises(DomainError):
        motions.withdraw_motion(chair, tallied, "again")
    agenda.publish_minutes(chair, meeting, "会议纪要。")  # a withdrawn vote does not hold the minutes up
    db.session.commit()


def test_a_withdrawn_vote_needs_a_reason_in_the_database(tallied):
    with pytest.raises(sa.exc.IntegrityError):
        db.session.execute(sa.update(Motion).where(Motion.id == tallied.id).values(state="withdrawn"))
        db.session.flush()
    db.session.rollback()


def test_withdrawing_through_the_page_and_the_minutes_show_why(client_for, tallied, chair, client):
    c = client_for(chair)
    empty = c.post(f"/motions/{tallied.id}/withdraw", {"reason": ""})
    assert empty.status_code == 422 and "请说明撤回表决的理由" in text(empty)
    assert c.post(f"/motions/{tallied.id}/withdraw", {"reason": "票数无人复核"}).status_code == 303
    public = text(client.get(f"/meetings/{tallied.meeting_id}"))
    minutes = public.split('id="minutes-section"')[1]
    assert "未经表决即撤回" in minutes and "票数无人复核" in minutes


# -- check-in codes -----------------------------------------------------------------------------

def _wrong(code: str) -> str:
    return "000000" if code != "000000" else "111111"


def test_wrong_codes_are_limited_per_member(council):
    body, people, members, meeting = council
    for _ in range(attendance.CHECKIN_TRIES_PER_MEMBER):
        with pytest.raises(attendance.WrongCheckinCode):
            attendance.check_in(people[0], meeting, _wrong(meeting.checkin_code))
    with pytest.raises(DomainError) as locked:
        attendance.check_in(people[0], meeting, meeting.checkin_code)  # even the right code now
    assert locked.value.field == "code" and not isinstance(locked.value, attendance.WrongCheckinCode)
    attendance.check_in(people[1], meeting, meeting.checkin_code)  # others are not affected


def test_wrong_codes_are_limited_per_meeting_until_a_new_code_is_shown(council, chair, monkeypatch):
    body, people, members, meeting = council
    monkeypatch.setattr(attendance, "CHECKIN_TRIES_PER_MEETING", 4)
    for person in people[:2]:
        for _ in range(2):
            with pytest.raises(attendance.WrongCheckinCode):
                attendance.check_in(person, meeting, _wrong(meeting.checkin_code))
    assert attendance.checkin_paused(meeting)
    with pytest.raises(DomainError):
        attendance.check_in(people[2], meeting, meeting.checkin_code)
    old = meeting.checkin_code
    new = attendance.rotate_checkin_code(chair, meeting)
    assert new != old and len(new) == 6 and not attendance.checkin_paused(meeting)
    with pytest.raises(attendance.WrongCheckinCode):
        attendance.check_in(people[2], meeting, old)  # the old code no longer works
    attendance.check_in(people[0], meeting, new)  # counts start again with the new code


def test_wrong_codes_are_counted_across_requests(client_for, council):
    body, people, members, meeting = council
    phone = client_for(people[0])
    for _ in range(attendance.CHECKIN_TRIES_PER_MEMBER):
        wrong = phone.post(f"/meetings/{meeting.id}/checkin", {"code": _wrong(meeting.checkin_code)})
        assert wrong.status_code == 422
    locked = phone.post(f"/meetings/{meeting.id}/checkin", {"code": meeting.checkin_code})
    assert locked.status_code == 422 and "错误次数过多" in text(locked)
    assert attendance.attendance_of(meeting) == {}


def test_a_new_code_retires_the_old_qr_code(app, client_for, council, chair):
    from app.meetings.views import _checkin_token

    body, people, members, meeting = council
    with app.test_request_context():
        old_token = _checkin_token(meeting)
    c = client_for(chair)
    assert c.post(f"/meetings/{meeting.id}/checkin-code").status_code == 303
    db.session.refresh(meeting)
    page = text(client_for(people[0]).get(f"/meetings/{meeting.id}/checkin?t={old_token}"))
    assert "此二维码已失效" in page and f'value="{meeting.checkin_code}"' not in page
    assert c.get(f"/meetings/{meeting.id}/qr.svg").headers["Cache-Control"] == "no-store"


# -- what the public sees of members ------------------------------------------------------------

def test_the_public_sees_member_names_only(client_for, places, chair, make_user, client):
    body = bodies.save_body(chair, places.community, name="东亭花园业主大会", kind=BodyKind.owners_assembly)
    bodies.add_member(chair, body, name="业主周某", household="7幢301室", area=Decimal("89.50"), is_adult=False)
    db.session.commit()
    public = text(client.get(f"/bodies/{body.id}"))
    assert "业主周某" in public
    assert "7幢301室" not in public and "89.50" not in public and "未满十八周岁" not in public
    resident = text(client_for(make_user()).get(f"/bodies/{body.id}"))
    assert "7幢301室" not in resident
    organiser = text(client_for(chair).get(f"/bodies/{body.id}"))
    assert "7幢301室" in organiser and "89.50" in organiser and "未满十八周岁" in organiser


def test_a_late_arrival_is_told_why_they_cannot_vote(client_for, council, chair):
    body, people, members, meeting = council
    attendance.check_in(people[0], meeting, meeting.checkin_code)
    motion = motions.open_motion(chair, meeting, title="加装电梯")
    attendance.check_in(people[1], meeting, meeting.checkin_code)
    db.session.commit()
    on_time = text(client_for(people[0]).get(f"/meetings/{meeting.id}"))
    assert f'action="/motions/{motion.id}/vote"' in on_time
    late = text(client_for(people[1]).get(f"/meetings/{meeting.id}"))
    assert "开始表决时您未出席" in late and f'action="/motions/{motion.id}/vote"' not in late
