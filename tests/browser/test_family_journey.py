"""Family on a phone at 360 px in extra-large text (elder mode): a son links
his mother, who lives in another community; she accepts; he gives her two
hours through the confirmation step, which names both people and the amount;
her balance and both statements show it. With JavaScript on and off."""
from __future__ import annotations

import pytest

import tempfile
from pathlib import Path

from tests.browser.conftest import TAGS, login

pytestmark = pytest.mark.browser


@pytest.fixture
def family_world(live_server, world):
    from datetime import date

    from app.accounts import services as accounts
    from app.accounts.models import TextSize, User
    from app.extensions import db
    from app.places.models import Community
    from app.timebank import ledger

    with live_server.app.app_context():
        community = db.session.get(Community, world["community"])
        other = db.session.scalar(db.select(Community).where(Community.id != community.id).order_by(Community.id))
        son = accounts.create_user(None, login="13900000101", display_name="张强", password="correct horse battery",
                                   community=community, verified=True)
        mother = accounts.create_user(None, login="13900000102", display_name="刘桂兰",
                                      password="correct horse battery", community=other, verified=True)
        for user in (son, mother):
            user.text_size = TextSize.xlarge
        worker = db.session.scalar(db.select(User).where(User.username == "shegong_t"))
        helper = accounts.create_user(None, login="shegong_b", display_name="黄社工", password="correct horse battery")
        ledger.credit_service(son, 240, description="助老陪伴", served_on=date.today(), recorded_by=worker,
                              verified_by=helper, idempotency_key="journey-seed")
        other_name = other.name
        db.session.commit()
        db.session.remove()
    return {**world, "other_name": other_name}


def _axe(page, where: str) -> None:
    """Zero axe violations on the page as it stands (axe needs JavaScript: the js run checks)."""
    if not page.js_enabled:
        return
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page, options={"runOnly": {"type": "tag", "values": TAGS}})
    assert results.violations_count == 0, (where, results.generate_report())


def test_link_accept_and_give_two_hours_with_confirmation(small_phone, live_server, family_world):
    page, base = small_phone, live_server.url
    login(page, base, "13900000101")
    page.goto(base + "/my/family")
    assert page.locator("html.text-xlarge").count() == 1
    _axe(page, "my family, no links")
    page.get_by_label("亲属的手机号").fill("13900000102")
    page.get_by_label("亲属在平台上的姓名").fill("刘桂兰")
    page.get_by_label("父母", exact=True).check()
    page.get_by_role("button", name="发送申请").click()
    page.get_by_text("申请已发送").first.wait_for()

    login(page, base, "13900000102")
    page.goto(base + "/my/family")
    page.get_by_text("张强 请求与您建立亲属关联").wait_for()
    _axe(page, "my family, a question waiting")
    page.get_by_role("button", name="接受").click()
    page.get_by_text("亲属关联已建立").first.wait_for()

    login(page, base, "13900000101")
    page.goto(base + "/my/family")
    page.get_by_role("button", name="赠与亲属时间").click()
    _axe(page, "give form")
    page.get_by_label("接收人").select_option(label="刘桂兰")
    page.get_by_label("时长（分钟）").fill("120")
    page.get_by_role("button", name="下一步：核对并确认").click()
    page.get_by_role("heading", name="确认赠与").wait_for()
    confirm = page.locator("main")
    assert "张强" in confirm.inner_text() and "刘桂兰" in confirm.inner_text()
    assert family_world["other_name"] in confirm.inner_text()  # her community, not his
    assert "2 小时" in confirm.inner_text()
    _axe(page, "confirmation")
    width = page.evaluate("document.documentElement.scrollWidth") if page.js_enabled else 360
    assert width <= 360  # nothing sideways at 360 px in extra-large text
    page.screenshot(path=str(Path(tempfile.gettempdir()) / f"linli-family-confirm-360-xlarge-"
                                                          f"{'js' if page.js_enabled else 'nojs'}.png"), full_page=True)
    page.get_by_role("button", name="确认赠与 2 小时").click()
    page.get_by_text("时间已赠与").first.wait_for()
    assert "刘桂兰" in page.locator("main").inner_text()
    _axe(page, "the transfer's record")
    page.goto(base + "/my/family/donate")
    _axe(page, "donate form")
    page.goto(base + "/my/timebank/statement")
    assert "赠与亲属 刘桂兰" in page.locator("main").inner_text()

    login(page, base, "13900000102")
    page.goto(base + "/my/timebank")
    assert "收到亲属 张强 赠与" in page.locator("main").inner_text()
    assert "2 小时" in page.locator("main").inner_text()

    login(page, base, "shegong_t")  # the sender's community's social worker
    page.goto(f"{base}/c/{family_world['community']}/timebank/family")
    assert "张强 → 刘桂兰" in page.locator("main").inner_text()
    _axe(page, "community family page")
