"""Meeting pages through the client: a chair runs a meeting, members vote on phones."""
from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from app.consultation.models import TopicState
from app.extensions import db
from app.meetings import agenda, attendance, bodies, motions
from app.meetings.models import AttendanceStatus, BodyKind
from app.sqltypes import utcnow
from app.meetings.models import Body, Meeting, Motion, MotionState
from tests.conftest import text


@pytest.fixture
def chair(make_user):
    return make_user("social_worker", display_name="李社工")


@pytest.fixture
def body(app, places, chair, make_user):
    b = bodies.save_body(chair, places.community, name="居民代表会议", kind=BodyKind.residents_representatives)
    people = [make_user(display_name=f"代表{i}") for i in range(5)]
    for p in people:
        bodies.add_member(chair, b, user=p)
    db.session.commit()
    b.people = people
    return b


def test_chair_creates_a_body_and_adds_members(client_for, chair, places, make_user):
    c = client_for(chair)
    bad = c.post(f"/c/{places.community.id}/bodies/new", {"name": "议事会", "kind": "council", "quorum": "5/3",
                                                          "decision": "1/2", "eligible_basis": "members"})
    assert bad.status_code == 422 and "比例须是 0 到 1 之间的分数" in text(bad)
    ok = c.post(f"/c/{places.community.id}/bodies/new", {"name": "朝阳社区居民议事会", "kind": "council", "quorum": "2/3",
                                                         "quorum_inclusive": "y", "decision": "1/2",
                                                         "eligible_basis": "members"})
    assert ok.status_code == 303
    body = db.session.scalar(sa.select(Body))
    resident = make_user(display_name="周师傅")
    assert c.post(f"/bodies/{body.id}/members", {"user_id": str(resident.id)}).status_code == 303
    assert c.post(f"/bodies/{body.id}/members", {"name": "物业公司 王经理"}).status_code == 303
    page = text(c.get(f"/bodies/{body.id}"))
    assert "周师傅" in page and "物业公司 王经理" in page and "三分之二以上" in page


def test_schedule_meeting_with_topics(client_for, chair, body, make_topic):
    topic = make_topic(TopicState.deliberating, title="加装电梯")
    c = client_for(chair)
    form = text(c.get(f"/bodies/{body.id}/meetings/new"))
    assert "加装电梯" in form
    missing = c.post(f"/bodies/{body.id}/meetings/new", {"title": "十二月会议", "starts_at": "", "place": "会议室"})
    assert missing.status_code == 422 and 'value="十二月会议"' in text(missing)
    ok = c.post(f"/bodies/{body.id}/meetings/new", {"title": "十二月会议", "starts_at": "2026-12-05T09:30",
                                                    "place": "会议室", "topic_ids": str(topic.id)})
    assert ok.status_code == 303
    meeting = db.session.scalar(sa.select(Meeting))
    assert meeting.starts_at.hour == 1 and meeting.items[0].topic_id == topic.id  # 09:30 in Shanghai is 01:30 UTC


@pytest.fixture
def meeting(chair, body, make_topic):
    topic = make_topic(TopicState.deliberating, title="加装电梯")
    m = agenda.schedule_meeting(chair, body, title="十二月会议", starts_at=utcnow(), place="会议室",
                                  topics=[topic])
    db.session.commit()
    m.topic = topic
    return m


def test_members_check_in_vote_and_the_chair_closes(client_for, chair, body, meeting, client):
    chair_c = client_for(chair)
    page = text(chair_c.get(f"/meetings/{meeting.id}"))
    assert meeting.checkin_code in page and "qr.svg" in page
    qr = chair_c.get(f"/meetings/{meeting.id}/qr.svg")
    assert qr.headers["Content-Type"] == "image/svg+xml" and b"<svg" in qr.data and b"<script" not in qr.data
    phones = [client_for(p) for p in body.people]
    wrong = phones[0].post(f"/meetings/{meeting.id}/checkin", {"code": "99999x"})
    assert wrong.status_code == 422 and "签到码不正确" in text(wrong)
    for phone in phones[:4]:
        assert phone.post(f"/meetings/{meeting.id}/checkin", {"code": meeting.checkin_code}).status_code == 303
    quorum = client.get(f"/meetings/{meeting.id}/quorum", headers={"HX-Request": "true"})
    assert "已达法定人数" in text(quorum) and "应到 5 人，实到 4 人" in text(quorum)
    assert chair_c.post(f"/meetings/{meeting.id}/motions", {"item_id": str(meeting.items[0].id),
                                                            "mode": "roll_call"}).status_code == 303
    motion = db.session.scalar(sa.select(Motion))
    fragment = phones[0].post(f"/motions/{motion.id}/vote", {"choice": "yes"}, headers={"HX-Request": "true"})
    assert fragment.status_code == 200 and 'id="motions"' in text(fragment) and "<html" not in text(fragment)
    for phone, choice in zip(phones[1:4], ["yes", "no", "abstain"], strict=True):
        assert phone.post(f"/motions/{motion.id}/vote", {"choice": choice}).status_code == 303
    late = phones[4].post(f"/motions/{motion.id}/vote", {"choice": "yes"})  # not checked in
    assert late.status_code == 303
    assert chair_c.post(f"/motions/{motion.id}/close").status_code == 303
    db.session.refresh(motion)
    assert motion.state is MotionState.closed and not motion.carried  # 2 of 4 is not more than half
    public = text(client.get(f"/meetings/{meeting.id}"))
    assert "应到 5 人，实到 4 人；赞成 2 票，反对 1 票，弃权 1 票" in public and "未通过" in public
    assert chair_c.post(f"/meetings/{meeting.id}/minutes", {"minutes": "会议审议了加装电梯议题，未通过。"}).status_code == 303
    db.session.refresh(meeting.topic)
    assert meeting.topic.state is TopicState.decided


def test_attendance_fragment_updates_the_quorum(client_for, chair, body, meeting):
    c = client_for(chair)
    member = body.members[0]
    response = c.post(f"/meetings/{meeting.id}/attendance", {"member_id": str(member.id), "status": "present"},
                      headers={"HX-Request": "true"})
    body_html = text(response)
    assert response.status_code == 200 and 'id="roll"' in body_html and "实到 1 人" in body_html
    assert c.post(f"/meetings/{meeting.id}/attendance", {"member_id": str(member.id), "status": "bogus"}).status_code == 400


def test_checkin_link_from_the_qr_code_prefills_a_signed_code(app, client_for, chair, body, meeting):
    from app.meetings.views import _checkin_token

    with app.test_request_context():
        token = _checkin_token(meeting)
    phone = client_for(body.people[0])
    page = text(phone.get(f"/meetings/{meeting.id}/checkin?t={token}"))
    assert f'value="{meeting.checkin_code}"' in page
    forged = text(phone.get(f"/meetings/{meeting.id}/checkin?t={token[:-2]}xx"))
    assert f'value="{meeting.checkin_code}"' not in forged


def test_tally_needs_a_second_staff_member(client_for, chair, body, meeting, make_user):
    c = client_for(chair)
    for member in body.members[:4]:
        attendance.record_attendance(chair, meeting, member, AttendanceStatus.present)
    db.session.commit()
    c.post(f"/meetings/{meeting.id}/motions", {"title": "计票表决", "mode": "tally"})
    motion = db.session.scalar(sa.select(Motion))
    too_many = c.post(f"/motions/{motion.id}/tally", {"yes": "4", "no": "1", "abstain": "0"})
    assert too_many.status_code == 422 and "多于到会人数" in text(too_many)
    assert c.post(f"/motions/{motion.id}/tally", {"yes": "3", "no": "1", "abstain": "0"}).status_code == 303
    c.post(f"/motions/{motion.id}/confirm")
    c.post(f"/motions/{motion.id}/close")
    db.session.refresh(motion)
    assert motion.state is MotionState.open  # the same person cannot confirm
    second = client_for(make_user("social_worker"))
    second.post(f"/motions/{motion.id}/confirm")
    c.post(f"/motions/{motion.id}/close")
    db.session.refresh(motion)
    assert motion.state is MotionState.closed and motion.carried


def test_secret_ballot_page_never_shows_who_voted_what(client_for, chair, body, meeting, client):
    for member in body.members:
        attendance.record_attendance(chair, meeting, member, AttendanceStatus.present)
    motion = motions.open_motion(chair, meeting, title="无记名表决", secret=True)
    db.session.commit()
    phone = client_for(body.people[0])
    phone.post(f"/motions/{motion.id}/vote", {"choice": "no"})
    assert "您的无记名票已投出" in text(phone.get(f"/meetings/{meeting.id}"))
    chair_page = text(client_for(chair).get(f"/meetings/{meeting.id}"))
    secret_box = chair_page.split(f'id="motion-{motion.id}"')[1].split("</article>")[0]
    assert "hand-vote" not in secret_box  # no hand votes in a secret ballot
    assert "反对" not in re.sub(r"<button.*?</button>", "", secret_box, flags=re.S)  # no choice is shown


def test_member_sees_their_meetings_and_the_quorum_says_how_many(client_for, body, meeting, chair, client):
    page = text(client_for(body.people[0]).get("/my/meetings"))
    assert "十二月会议" in page
    attendance.record_attendance(chair, meeting, body.members[0], AttendanceStatus.present)
    db.session.commit()
    quorum = text(client.get(f"/meetings/{meeting.id}/quorum", headers={"HX-Request": "true"}))
    assert "尚未达到法定人数" in quorum and "需 4 人" in quorum  # two thirds of 5, rounded up


def test_other_community_chair_gets_404(client_for, make_user, places, meeting):
    outsider = client_for(make_user("social_worker", scope=places.other))
    assert outsider.post(f"/meetings/{meeting.id}/minutes", {"minutes": "x"}).status_code == 404
    assert outsider.get(f"/meetings/{meeting.id}/qr.svg").status_code == 404


def test_compact_roll_all_present_then_exceptions_without_js(client_for, chair, body, meeting):
    """One form for the whole roll: 全部出席, then two exceptions, saved in one post; the count is the server's."""
    from app.meetings.models import AttendanceStatus

    c = client_for(chair)
    page = text(c.get(f"/meetings/{meeting.id}"))
    assert page.count('name="status-') == 3 * len(body.members) and "全部出席" in page
    assert c.post(f"/meetings/{meeting.id}/attendance", {"all_present": "1"}).status_code == 303
    assert "实到 5 / 应到 5，法定人数 4" in text(c.get(f"/meetings/{meeting.id}"))
    roll = {f"status-{m.id}": "present" for m in body.members}
    roll[f"status-{body.members[1].id}"], roll[f"status-{body.members[2].id}"] = "leave", "absent"
    assert c.post(f"/meetings/{meeting.id}/attendance", roll).status_code == 303
    statuses = {m.id: a.status for m, a in ((m, attendance.attendance_of(meeting)[m.id]) for m in body.members)}
    assert statuses[body.members[1].id] is AttendanceStatus.leave
    assert statuses[body.members[2].id] is AttendanceStatus.absent
    assert list(statuses.values()).count(AttendanceStatus.present) == 3
    page = text(c.get(f"/meetings/{meeting.id}"))
    assert "实到 3 / 应到 5，法定人数 4" in page
    # the roll shows what is recorded: each member's own status ticked, and only that one
    ticked = dict(re.findall(r'name="status-(\d+)" value="(\w+)" checked', page))
    assert ticked == {str(m.id): statuses[m.id].name for m in body.members}


def test_roll_refuses_another_bodys_member_and_keeps_nothing(client_for, chair, body, meeting, places):
    other = bodies.save_body(chair, places.community, name="另一个议事会", kind=BodyKind.council)
    stranger = bodies.add_member(chair, other, name="外人")
    db.session.commit()
    c = client_for(chair)
    roll = {f"status-{body.members[0].id}": "present", f"status-{stranger.id}": "present"}
    assert c.post(f"/meetings/{meeting.id}/attendance", roll).status_code == 303
    assert attendance.attendance_of(meeting) == {}
    assert c.post(f"/meetings/{meeting.id}/attendance", {f"status-{body.members[0].id}": "bogus"}).status_code == 400


def test_get_on_a_motions_post_url_lands_on_its_meeting(client_for, chair, body, meeting):
    c = client_for(chair)
    assert c.post(f"/meetings/{meeting.id}/motions", {"title": "表决", "mode": "roll_call"}).status_code == 303
    motion = db.session.scalar(sa.select(Motion))
    for action in ("close", "vote", "withdraw", "correct"):
        response = c.get(f"/motions/{motion.id}/{action}")
        assert response.status_code == 303
        assert response.headers["Location"].endswith(f"/meetings/{meeting.id}#motion-{motion.id}")


def test_correction_without_a_reason_is_422_on_the_field(client_for, chair, body, meeting):
    c = client_for(chair)
    assert c.post(f"/meetings/{meeting.id}/motions", {"title": "表决", "mode": "roll_call"}).status_code == 303
    motion = db.session.scalar(sa.select(Motion))
    assert c.post(f"/motions/{motion.id}/close").status_code == 303
    bad = c.post(f"/motions/{motion.id}/correct", {"reason": "   "})
    assert bad.status_code == 422 and f'id="correct-{motion.id}"' in text(bad)
    assert db.session.scalar(sa.select(sa.func.count(Motion.id))) == 1


def test_adding_another_communitys_resident_is_not_found(client_for, chair, body, make_user, places):
    outsider = make_user(display_name="外区居民", community=places.other)
    response = client_for(chair).post(f"/bodies/{body.id}/members", {"user_id": str(outsider.id)})
    assert response.status_code == 404  # never offered: another community's id is not found
    assert not any(m.user_id == outsider.id for m in bodies.active_members(body))
    typed = client_for(chair).post(f"/bodies/{body.id}/members", {"user_id_q": "外区居民"})
    assert typed.status_code == 422 and "外区居民" in typed.get_data(as_text=True)  # only what was typed
    assert 'name="user_id" value=' not in typed.get_data(as_text=True)  # nobody of another community offered
