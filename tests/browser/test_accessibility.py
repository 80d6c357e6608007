"""axe on the public pages, standard and extra-large text: zero violations."""
from __future__ import annotations

import pytest

from tests.browser.conftest import PHONE, TAGS, login, shot

pytestmark = pytest.mark.browser


@pytest.fixture
def axe_page(browser):
    context = browser.new_context(viewport=PHONE, locale="zh-CN")
    page = context.new_page()
    yield page
    context.close()


@pytest.mark.parametrize("size", ["standard", "xlarge"])
@pytest.mark.parametrize("path", ["/", "/login", "/register", "/display", "/c/1"])
def test_no_axe_violations(axe_page, live_server, world, path, size):
    from axe_playwright_python.sync_playwright import Axe

    page = axe_page
    if size != "standard":
        page.context.add_cookies([{"name": "text_size", "value": size, "url": live_server.url}])
    page.goto(live_server.url + path)
    results = Axe().run(page, options={"runOnly": {"type": "tag", "values": TAGS}})
    page.js_enabled = True
    shot(page, f"axe-{path.strip('/').replace('/', '_') or 'home'}-{size}")
    assert results.violations_count == 0, results.generate_report()


def test_no_axe_violations_on_form_errors(axe_page, live_server, world):
    from axe_playwright_python.sync_playwright import Axe

    page = axe_page
    page.goto(live_server.url + "/register")
    page.locator("main").get_by_role("button", name="注册").click()
    page.get_by_text("此项必填").first.wait_for()
    results = Axe().run(page, options={"runOnly": {"type": "tag", "values": TAGS}})
    assert results.violations_count == 0, results.generate_report()


@pytest.fixture
def published_topic(live_server, world):
    from app.accounts import services as accounts
    from app.consultation import services
    from app.consultation.models import Stance
    from app.extensions import db
    from app.places.models import Community

    with live_server.app.app_context():
        community = db.session.get(Community, world["community"])
        author = accounts.create_user(None, login="author_a11y", display_name="王阿姨", password="correct horse battery",
                                      community=community, verified=True)
        moderator = accounts.find_user_by_login("shegong_t")
        topic = services.create_topic(author, community, title="楼道照明", body="5幢楼道灯坏了",
                                      category_id=None, submit=True)
        services.publish(moderator, topic)
        services.add_comment(author, topic, body="晚上很黑", stance=Stance.support, idempotency_key="a11y")
        pending = services.create_topic(author, community, title="停车难", body="车位不足", category_id=None,
                                        submit=True)
        db.session.commit()
        ids = {"topic": topic.id, "pending": pending.id}
        db.session.remove()
    return ids


@pytest.mark.parametrize("size", ["standard", "xlarge"])
def test_no_axe_violations_on_consultation_pages(axe_page, live_server, world, published_topic, size):
    from axe_playwright_python.sync_playwright import Axe

    page = axe_page
    base = live_server.url
    page.context.add_cookies([{"name": "text_size", "value": size, "url": base}])
    cid = world["community"]
    pages = [f"/c/{cid}/topics", f"/topics/{published_topic['topic']}"]
    for path in pages:
        page.goto(base + path)
        results = Axe().run(page, options={"runOnly": {"type": "tag", "values": TAGS}})
        assert results.violations_count == 0, (path, results.generate_report())
    login(page, base, "shegong_t")
    for path in [f"/c/{cid}/topics/new", f"/c/{cid}/moderation", f"/topics/{published_topic['topic']}",
                 f"/topics/{published_topic['pending']}", f"/c/{cid}/consultation-settings"]:
        page.goto(base + path)
        results = Axe().run(page, options={"runOnly": {"type": "tag", "values": TAGS}})
        page.js_enabled = True
        shot(page, f"axe-{path.strip('/').replace('/', '_')}-{size}")
        assert results.violations_count == 0, (path, results.generate_report())


@pytest.mark.parametrize("size", ["standard", "xlarge"])
def test_no_axe_violations_on_meeting_pages(axe_page, live_server, world, size):
    from axe_playwright_python.sync_playwright import Axe

    from app.accounts import services as accounts
    from app.extensions import db
    from app.meetings import agenda, attendance, bodies, motions
    from app.meetings.models import MotionMode
    from app.sqltypes import utcnow
    from app.meetings.models import AttendanceStatus, BodyKind
    from app.places.models import Community

    with live_server.app.app_context():
        community = db.session.get(Community, world["community"])
        chair = accounts.find_user_by_login("shegong_t")
        body = bodies.save_body(chair, community, name="业主大会", kind=BodyKind.owners_assembly)
        member_user = accounts.create_user(None, login="yezhu_a11y", display_name="业主", password="correct horse battery",
                                           community=community, verified=True)
        from decimal import Decimal

        member = bodies.add_member(chair, body, user=member_user, area=Decimal("89.50"))
        meeting = agenda.schedule_meeting(chair, body, title="业主大会", starts_at=utcnow(), place="会所",
                                            free_items=["使用维修资金"])
        attendance.record_attendance(chair, meeting, member, AttendanceStatus.present)
        motions.open_motion(chair, meeting, title="", item=meeting.items[0])
        motions.open_motion(chair, meeting, title="计票表决", mode=MotionMode.tally)
        db.session.commit()
        ids = {"body": body.id, "meeting": meeting.id}
        db.session.remove()
    page, base = axe_page, live_server.url
    page.context.add_cookies([{"name": "text_size", "value": size, "url": base}])
    for who, paths in (("yezhu_a11y", [f"/meetings/{ids['meeting']}", f"/meetings/{ids['meeting']}/checkin"]),
                       ("shegong_t", [f"/meetings/{ids['meeting']}", f"/bodies/{ids['body']}",
                                      f"/bodies/{ids['body']}/meetings/new", f"/c/{world['community']}/bodies/new"])):
        login(page, base, who)
        page.context.add_cookies([{"name": "text_size", "value": size, "url": base}])
        for path in paths:
            page.goto(base + path)
            results = Axe().run(page, options={"runOnly": {"type": "tag", "values": TAGS}})
            assert results.violations_count == 0, (who, path, results.generate_report())


@pytest.mark.parametrize("size", ["standard", "xlarge"])
def test_no_axe_violations_on_time_bank_pages(axe_page, live_server, world, size):
    from datetime import date

    from axe_playwright_python.sync_playwright import Axe

    from app.accounts import services as accounts
    from app.extensions import db
    from app.places.models import Community
    from app.timebank import ledger

    with live_server.app.app_context():
        community = db.session.get(Community, world["community"])
        volunteer = accounts.create_user(None, login="zhiyuan_a11y", display_name="志愿者", community=community,
                                         password="correct horse battery", verified=True)
        staff = accounts.find_user_by_login("shegong_t")
        ledger.credit_service(volunteer, 150, description="助老陪伴", served_on=date.today(), recorded_by=staff,
                              verified_by=staff, idempotency_key="a11y")
        db.session.commit()
        db.session.remove()
    page, base = axe_page, live_server.url
    login(page, base, "zhiyuan_a11y")
    page.context.add_cookies([{"name": "text_size", "value": size, "url": base}])
    from datetime import timedelta

    from app.sqltypes import utcnow
    from app.volunteering import services as activities

    with live_server.app.app_context():
        community = db.session.get(Community, world["community"])
        start = utcnow() + timedelta(days=2)
        activity = activities.publish(accounts.find_user_by_login("shegong_t"), community, title="敬老服务",
                                      description="陪伴老人", category="助老", place="活动中心", starts_at=start,
                                      ends_at=start + timedelta(hours=2), signup_deadline=start - timedelta(hours=2),
                                      places=3, minutes=120)
        activities.register_volunteer(accounts.find_user_by_login("zhiyuan_a11y"), skills="", availability="",
                                      consent=True)
        activities.sign_up(accounts.find_user_by_login("zhiyuan_a11y"), activity)
        db.session.commit()
        activity_id = activity.id
        db.session.remove()
    for path in ["/my/timebank", "/my/timebank/statement", f"/c/{world['community']}/timebank",
                 f"/c/{world['community']}/activities", f"/activities/{activity_id}"]:
        page.goto(base + path)
        results = Axe().run(page, options={"runOnly": {"type": "tag", "values": TAGS}})
        assert results.violations_count == 0, (path, results.generate_report())
    page.goto(base + "/my/certificates")
    page.get_by_role("button", name="开具证明").click()
    page.locator(".certificate").wait_for()
    results = Axe().run(page, options={"runOnly": {"type": "tag", "values": TAGS}})
    assert results.violations_count == 0, ("certificate", results.generate_report())
    login(page, base, "shegong_t")
    page.context.add_cookies([{"name": "text_size", "value": size, "url": base}])
    for path in [f"/activities/{activity_id}/roster", f"/c/{world['community']}/activities/new",
                 f"/c/{world['community']}/timebank/manage", f"/c/{world['community']}/timebank/statement",
                 f"/c/{world['community']}/timebank/volunteers", "/verify"]:
        page.goto(base + path)
        results = Axe().run(page, options={"runOnly": {"type": "tag", "values": TAGS}})
        assert results.violations_count == 0, (path, results.generate_report())
