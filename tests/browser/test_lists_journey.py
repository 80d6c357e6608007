"""The two lists on phones: subdistrict staff revise the lists and publish
version 2 → a resident finds the lists from the community page and asks
"开居住证明需要找社区吗？" in plain words → the answer says the certificate was
cancelled and who does it now. axe on the public lists pages."""
from __future__ import annotations

import pytest

from tests.browser.conftest import PHONE, TAGS, login, shot

pytestmark = pytest.mark.browser


@pytest.fixture
def lists_world(live_server, world):
    """Version 1 of the subdistrict's lists (the lists tests' items), and its staff member."""
    from app.accounts import services as accounts
    from app.accounts.models import Role
    from app.extensions import db
    from app.lists import services as lists
    from app.localtime import today
    from app.places.models import Community
    from tests.lists.conftest import ITEMS

    with live_server.app.app_context():
        community = db.session.get(Community, world["community"])
        staff = accounts.create_user(None, login="jiedao_t", display_name="王科长", password="correct horse battery")
        accounts.assign_role(None, staff, Role.subdistrict_staff, community.subdistrict_id)
        draft = lists.start_draft(staff, community.subdistrict)
        for values in ITEMS:
            lists.add_item(staff, draft, reason="首次公布", **values)
        lists.publish(staff, draft, effective_on=today())
        db.session.commit()
        ids = {**world, "subdistrict": community.subdistrict_id}
        db.session.remove()
    return ids


def test_staff_publish_v2_and_a_resident_asks(page, live_server, lists_world):
    base = live_server.url
    login(page, base, "jiedao_t")
    page.goto(f"{base}/")
    page.get_by_role("button", name="维护清单").first.click()
    page.get_by_role("button", name="开始修订").click()
    page.get_by_text("已新建草稿").first.wait_for()

    page.get_by_role("button", name="新增事项").click()
    page.get_by_role("heading", name="新增事项").wait_for()
    page.get_by_role("radio", name="协助政府工作事项").check()
    page.get_by_label("事项名称").fill("退役军人信息采集")
    page.get_by_label("责任部门").fill("退役军人事务局")
    page.get_by_label("关键词").fill("退役军人、老兵")
    page.get_by_role("button", name="新增此事项").click()
    page.get_by_text("请说明理由").first.wait_for()  # no reason: 422, what was typed is kept
    assert page.get_by_label("事项名称").input_value() == "退役军人信息采集"
    page.get_by_label("修改理由").fill("区里新增的协助事项")
    page.get_by_role("button", name="新增此事项").click()
    page.get_by_text("已新增“退役军人信息采集”").first.wait_for()

    page.get_by_role("button", name="预览变化").click()
    page.get_by_role("heading", name="草稿与现行版本对比").wait_for()
    assert "新增 1 项" in page.locator(".diff-summary").inner_text()
    assert page.locator("ins", has_text="退役军人信息采集").count() == 1
    page.get_by_role("button", name="返回草稿并发布").click()
    page.get_by_role("button", name="发布此版本").click()
    page.get_by_text("第 2 版已发布").first.wait_for()

    # a resident, not logged in, from the community page
    page.goto("about:blank")
    page.context.clear_cookies()
    page.goto(f"{base}/c/{lists_world['community']}")
    page.get_by_role("button", name="这件事找社区吗？（两份清单）").click()
    page.get_by_text("第 2 版，自").first.wait_for()
    page.get_by_label("这件事找社区吗？用您自己的话问").fill("开居住证明需要找社区吗？")
    page.get_by_role("button", name="查询").click()
    answer = page.locator(".answer")
    answer.wait_for()
    assert "已取消" in answer.inner_text() and "公安派出所" in answer.inner_text()
    shot(page, "lists-ask")
    page.get_by_label("这件事找社区吗？用您自己的话问").fill("退役军人")
    page.get_by_role("button", name="查询").click()
    page.get_by_text("是的，社区协助退役军人事务局").first.wait_for()


@pytest.fixture
def axe_page(browser):
    context = browser.new_context(viewport={"width": 360, "height": PHONE["height"]}, locale="zh-CN")
    page = context.new_page()
    yield page
    context.close()


@pytest.mark.parametrize("size", ["standard", "xlarge"])
def test_no_axe_violations_on_lists_pages(axe_page, live_server, lists_world, size):
    from axe_playwright_python.sync_playwright import Axe

    page, base, sid = axe_page, live_server.url, lists_world["subdistrict"]
    page.context.add_cookies([{"name": "text_size", "value": size, "url": base}])
    for path in (f"/subdistricts/{sid}/lists", f"/subdistricts/{sid}/lists/ask?q=开居住证明需要找社区吗？",
                 f"/subdistricts/{sid}/lists/ask?q=开证明", f"/subdistricts/{sid}/lists/versions"):
        page.goto(base + path)
        results = Axe().run(page, options={"runOnly": {"type": "tag", "values": TAGS}})
        assert results.violations_count == 0, (path, results.generate_report())
        overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 0, (path, overflow)
    page.js_enabled = True
    shot(page, f"axe-lists-versions-{size}")
    login(page, base, "jiedao_t")
    page.context.add_cookies([{"name": "text_size", "value": size, "url": base}])
    for path in (f"/subdistricts/{sid}/lists/manage",):
        page.goto(base + path)
        results = Axe().run(page, options={"runOnly": {"type": "tag", "values": TAGS}})
        assert results.violations_count == 0, (path, results.generate_report())
