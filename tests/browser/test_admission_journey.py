"""政社互动 on a phone (360 px): subdistrict staff publish version 2 of the lists →
民政科 files work that is on neither list → the subdistrict confirms nothing
fits → the committee declines it → the department returns with an entrustment
agreement → both sides sign → the committee records fulfilment → a resident asks
the lists in plain words. With and without JavaScript; axe on the new pages.

Fields and buttons are found by their names and form actions, so the journey
reads the same whatever the interface language."""
from __future__ import annotations

import re
from datetime import date, timedelta

import pytest

from tests.browser.conftest import TAGS, login, shot

pytestmark = pytest.mark.browser


@pytest.fixture
def people(live_server, world):
    """Staff of the subdistrict, 民政科's clerk, a verified resident; version 1 of the lists in force."""
    from app.accounts import services as accounts
    from app.accounts.models import Role
    from app.extensions import db
    from app.lists import services as lists
    from app.localtime import today
    from app.places.models import Community, Department

    with live_server.app.app_context():
        community = db.session.get(Community, world["community"])
        department = db.session.scalar(db.select(Department).where(Department.name == "民政科"))
        staff = accounts.create_user(None, login="jiedao_t", display_name="王科长", password="correct horse battery")
        accounts.assign_role(None, staff, Role.subdistrict_staff, community.subdistrict_id)
        clerk = accounts.create_user(None, login="minzheng_t", display_name="赵干事", password="correct horse battery")
        accounts.assign_role(None, clerk, Role.department_staff, department.id)
        accounts.create_user(None, login="13900000001", display_name="张阿姨", password="correct horse battery",
                             community=community, verified=True)
        draft = lists.start_draft(staff, community.subdistrict)
        lists.add_item(staff, draft, reason="初版", kind="statutory", title="出具居住证明", is_certificate=True,
                       materials="身份证、户口簿", keywords="居住证明、开证明")
        lists.add_item(staff, draft, reason="初版", kind="assisted", title="高龄津贴资格认证",
                       keywords="高龄津贴", department="民政科")
        lists.publish(staff, draft, effective_on=today())
        db.session.commit()
        ids = dict(world, subdistrict=community.subdistrict_id, department=department.id)
        db.session.remove()
    return ids


def _axe(page, name):
    """axe runs as a script in the page: only where JavaScript is on."""
    from axe_playwright_python.sync_playwright import Axe

    if not page.js_enabled:
        return

    results = Axe().run(page, options={"runOnly": {"type": "tag", "values": TAGS}})
    assert results.violations_count == 0, f"{name}: {results.generate_report()}"


def _wide(page):
    assert page.evaluate("document.documentElement.scrollWidth") <= 360, page.url


def _open(page, action_suffix: str):
    """Unfold the <details> holding that form (native HTML: the same with JavaScript off)."""
    details = page.locator(f"details:has(form[action$='{action_suffix}'])").first
    if details.get_attribute("open") is None:
        details.locator("summary").click()


def _submit(page, action_suffix: str):
    page.locator(f"form[action$='{action_suffix}'] button[type=submit]").first.click()


def test_unlisted_work_is_declined_then_entrusted_signed_and_fulfilled(small_phone, live_server, people):
    page, base = small_phone, live_server.url
    sid, did, cid = people["subdistrict"], people["department"], people["community"]
    today = date.today()

    # the subdistrict publishes version 2 of its lists
    login(page, base, "jiedao_t")
    page.goto(f"{base}/subdistricts/{sid}/lists/manage")
    _submit(page, "/lists/drafts")
    page.wait_for_url(re.compile(r".*/lists/drafts/\d+$"))
    draft_url = page.url.split("#")[0]
    page.goto(draft_url + "/items/new")
    page.locator("input[name=kind][value=statutory]").check()
    page.locator("[name=title]").fill("组织召开居民会议")
    page.locator("[name=keywords]").fill("居民会议、议事会")
    page.locator("[name=reason]").fill("依城市居民委员会组织法第九条补充")
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(re.compile(r".*/lists/drafts/\d+(#.*)?$"))
    page.locator("[name=effective_on]").fill(today.isoformat())
    _submit(page, "/publish")
    page.wait_for_url("**/lists/versions/*")

    # 民政科 asks 朝阳社区 to collect cable TV fees: on neither list
    login(page, base, "minzheng_t")
    page.goto(f"{base}/departments/{did}/requests/new")
    _wide(page)
    shot(page, "admission-request-form")
    _axe(page, "request form")
    page.locator(f"input[name=communities][value='{cid}']").check()
    page.locator("[name=title]").fill("代收有线电视收视费")
    page.locator("[name=workload]").fill("每月 2 天")
    start = date.fromisoformat(page.locator("[name=starts_on]").input_value())
    page.locator("[name=ends_on]").fill((start + timedelta(days=90)).isoformat())
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(re.compile(r".*/requests/\d+$"))
    request_url = page.url.split("#")[0]

    # the subdistrict finds nothing on the lists for it
    login(page, base, "jiedao_t")
    page.goto(request_url)
    page.locator("input[name=item_id][value='0']").check()
    _submit(page, "/decide")
    page.locator("form[action$='/decide']").wait_for(state="detached")

    # the committee declines in one tap, with a reason
    login(page, base, "shegong_t")
    page.goto(request_url)
    _axe(page, "request, committee")
    page.locator("[name=reason]").fill("不在两份清单内，且没有委托经费")
    _submit(page, "/decline")
    page.get_by_text("不在两份清单内，且没有委托经费").first.wait_for()

    # the department comes back with an entrustment agreement
    login(page, base, "minzheng_t")
    page.goto(request_url)
    page.get_by_text("不在两份清单内，且没有委托经费").first.wait_for()
    page.locator("a[href*='/agreements/new?request=']").click()
    page.locator("[name=title]").fill("有线电视收视费代收委托协议")
    page.locator("[name=starts_on]").fill(today.isoformat())
    page.locator("[name=ends_on]").fill((today + timedelta(days=180)).isoformat())
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(re.compile(r".*/agreements/\d+$"))
    agreement_url = page.url.split("#")[0]
    _open(page, "/items")
    page.locator("#item-title").fill("代收收视费")
    page.locator("#item-deliverables").fill("每月收费台账")
    page.locator("#item-due_on").fill(today.isoformat())
    page.locator("#item-amount").fill("1,800.50")
    _submit(page, "/items")
    page.locator("h3", has_text="代收收视费").wait_for()
    _open(page, "/milestones")
    page.locator("#milestone-label").fill("全款")
    page.locator("#milestone-due_on").fill((today + timedelta(days=30)).isoformat())
    page.locator("#milestone-amount").fill("1800.50")
    _submit(page, "/milestones")
    page.locator("h3", has_text="全款").wait_for()
    _submit(page, "/sign")
    page.locator("form[action$='/sign']").wait_for(state="detached")

    # the committee signs: in force; then records fulfilment with evidence
    login(page, base, "shegong_t")
    page.goto(agreement_url)
    _submit(page, "/sign")
    page.locator("form[action$='/sign']").wait_for(state="detached")
    _open(page, "/fulfilment")
    page.locator("input[name$='-status'][value=delivered]").check()
    page.locator("textarea[name$='-evidence']").fill("本月收费 126 户，台账已交民政科")
    _submit(page, "/fulfilment")
    page.get_by_text("本月收费 126 户，台账已交民政科").first.wait_for()
    _wide(page)
    shot(page, "admission-agreement")
    _axe(page, "agreement")

    # anyone reads the signed agreement (but not its internal note); the request counts as admitted
    page.context.clear_cookies()
    page.goto(agreement_url)
    page.get_by_text("1800.50").first.wait_for()
    page.goto(f"{base}/s/{sid}/reduction")
    _wide(page)
    _axe(page, "reduction figures")
    assert page.locator("table tbody tr").first.locator("td").all_inner_texts() == ["1", "0", "0", "1", "0"]

    # a resident asks the lists in plain words
    login(page, base, "13900000001")
    page.goto(f"{base}/subdistricts/{sid}/lists/ask?q=开居住证明需要找社区吗")
    page.locator("#answer-title").wait_for()
    assert "出具居住证明" in page.locator("main").inner_text()
    _wide(page)
