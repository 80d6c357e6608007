"""A meeting on phones and a laptop: the chair schedules a meeting with two
topics → five of seven members check in → the quorum indicator turns green →
a roll-call motion passes, a secret ballot fails → minutes published → the
topic's timeline shows the decision."""
from __future__ import annotations

import re

import pytest

from tests.browser.conftest import login, shot

pytestmark = pytest.mark.browser

MEMBERS = [f"daibiao{i}" for i in range(7)]


@pytest.fixture
def council(live_server, world):
    from app.accounts import services as accounts
    from app.consultation import services as consultation
    from app.extensions import db
    from app.meetings import bodies
    from app.meetings.models import BodyKind
    from app.places.models import Community

    with live_server.app.app_context():
        community = db.session.get(Community, world["community"])
        chair = accounts.find_user_by_login("shegong_t")
        body = bodies.save_body(chair, community, name="朝阳社区居民代表会议", kind=BodyKind.residents_representatives)
        for i, login_name in enumerate(MEMBERS):
            user = accounts.create_user(None, login=login_name, display_name=f"代表{i}", password="correct horse battery",
                                        community=community, verified=True)
            bodies.add_member(chair, body, user=user)
        topics = []
        for title in ("3幢加装电梯", "北门增设非机动车棚"):
            topic = consultation.create_topic(user, community, title=title, body="提请议事",
                                              category_id=None, submit=True)
            consultation.publish(chair, topic)
            consultation.start_deliberation(chair, topic, "提交居民代表会议")
            topics.append(topic.id)
        db.session.commit()
        ids = {"body": body.id, "topics": topics}
        db.session.remove()
    return ids


def test_meeting_from_schedule_to_minutes(page, live_server, council):
    base = live_server.url
    login(page, base, "shegong_t")
    page.goto(f"{base}/bodies/{council['body']}/meetings/new")
    page.get_by_label("标题").fill("12月居民代表会议")
    page.get_by_label("日期和时间").fill("2026-12-05T09:30")
    page.get_by_label("地点（或线上）").fill("社区会议室")
    for topic_id in council["topics"]:
        page.locator(f"input[name=topic_ids][value='{topic_id}']").check()
    page.get_by_role("button", name="安排会议并通知成员").click()
    page.get_by_text("会议已安排").first.wait_for()
    meeting_url = page.url.split("#")[0]
    code = page.locator(".checkin-code .code").inner_text().strip()
    assert re.fullmatch(r"\d{6}", code)
    shot(page, "m1-scheduled")

    for login_name in MEMBERS[:5]:
        login(page, base, login_name)
        page.goto(meeting_url + "/checkin")
        page.get_by_label("会场显示的签到码").fill(code)
        page.get_by_role("button", name="签到").click()
        page.get_by_text("签到成功").first.wait_for()
    page.locator("#quorum.quorate").wait_for()
    assert "实到 5 人" in page.locator("#quorum").inner_text()
    shot(page, "m2-quorate")

    login(page, base, "shegong_t")
    page.goto(meeting_url)
    page.locator("#quorum.quorate").wait_for()
    for index, secret in ((1, False), (2, True)):
        page.get_by_label("议程事项").select_option(index=index)
        if secret:
            page.get_by_label("无记名投票（结束前不显示结果）").check()
        page.get_by_role("button", name="开始表决").click()
        page.get_by_text("表决进行中").first.wait_for()

    votes = {0: ("赞成", "赞成"), 1: ("赞成", "反对"), 2: ("赞成", "反对"), 3: ("反对", "反对"), 4: ("弃权", "赞成")}
    for i, (first, second) in votes.items():
        login(page, base, MEMBERS[i])
        page.goto(meeting_url)
        for n, choice in enumerate((first, second)):
            page.locator("article.motion").nth(n).get_by_role("button", name=choice).click()
            page.locator("article.motion").nth(n).locator(".status").wait_for()  # 您的投票 / 无记名票已投出
    shot(page, "m3-voted")

    login(page, base, "shegong_t")
    page.goto(meeting_url)
    for n in range(2):
        page.locator("article.motion").nth(n).get_by_role("button", name="结束表决并记录结果").click()
        page.locator("article.motion").nth(n).locator(".result").wait_for()
    results = page.locator("article.motion .result").all_inner_texts()
    assert results == ["通过", "未通过"]
    assert "应到 7 人，实到 5 人；赞成 3 票" in page.locator("article.motion").first.inner_text()
    page.get_by_label("纪要内容").fill("会议审议两项议题：加装电梯通过，非机动车棚未通过。")
    page.get_by_role("button", name="发布会议纪要并结束会议").click()
    page.get_by_text("会议纪要已发布").first.wait_for()
    shot(page, "m4-minutes")

    page.context.clear_cookies()
    page.goto(f"{base}/topics/{council['topics'][0]}")
    page.get_by_text("办理中").first.wait_for()
    assert "应到 7 人，实到 5 人" in page.locator("#timeline").inner_text()
    page.goto(f"{base}/topics/{council['topics'][1]}")
    page.get_by_text("已表决").first.wait_for()
    shot(page, "m5-topic-decided")


def test_compact_roll_on_a_phone(page, live_server, council):
    """Seven members on one screenful: 全部出席, two exceptions, save; the count follows (JS) or is the server's."""
    from datetime import datetime, timezone

    from app.accounts import services as accounts
    from app.extensions import db
    from app.meetings import agenda, attendance
    from app.meetings.models import Body

    with live_server.app.app_context():
        chair = accounts.find_user_by_login("shegong_t")
        meeting = agenda.schedule_meeting(chair, db.session.get(Body, council["body"]), title="点名测试",
                                            starts_at=datetime(2026, 12, 5, 0, 0, tzinfo=timezone.utc),
                                            place="会议室", free_items=["议程"])
        db.session.commit()
        meeting_id = meeting.id
        db.session.remove()
    base = live_server.url
    login(page, base, "shegong_t")
    page.goto(f"{base}/meetings/{meeting_id}#roll")
    roll = page.locator("form[data-roll]")
    assert roll.bounding_box()["height"] < 1200  # seven members, one row each
    for label in roll.locator(".segments label").all()[:3]:
        assert label.bounding_box()["height"] >= 44
    roll.get_by_role("button", name="全部出席").click()
    if not page.js_enabled:
        page.get_by_text("已记录").first.wait_for()
        roll = page.locator("form[data-roll]")
    assert "实到 7 / 应到 7" in roll.locator("[data-roll-count]").inner_text()
    roll.locator("fieldset", has_text="代表1").get_by_text("请假").click()
    roll.locator("fieldset", has_text="代表2").get_by_text("缺席").click()
    if page.js_enabled:
        assert "实到 5 / 应到 7" in roll.locator("[data-roll-count]").inner_text()
    shot(page, "meeting-roll")
    roll.get_by_role("button", name="保存出席情况").click()
    page.get_by_text("已记录").first.wait_for()
    assert "实到 5 / 应到 7，法定人数 5" in page.locator("[data-roll-count]").inner_text()
    page.get_by_role("button", name="特大").last.click()
    page.goto(f"{base}/meetings/{meeting_id}#roll")
    roll = page.locator("form[data-roll]")
    for label in roll.locator(".segments label").all()[:3]:
        assert label.bounding_box()["height"] >= 60
    assert roll.bounding_box()["height"] < 2000
    shot(page, "meeting-roll-xlarge")
    with live_server.app.app_context():
        statuses = sorted(a.status.name for a in attendance.attendance_of(db.session.get(type(meeting), meeting_id)).values())
        db.session.remove()
    assert statuses == ["absent", "leave"] + ["present"] * 5
