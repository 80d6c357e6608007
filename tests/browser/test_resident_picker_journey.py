"""A social worker names a resident on a staff form by typing: with
JavaScript the matches appear under the box as they type; without it the
form comes back with them. Either way one tap chooses, and the rest of the
form keeps what was typed."""
from __future__ import annotations

import pytest

from tests.browser.conftest import TAGS, login, shot

pytestmark = pytest.mark.browser


@pytest.fixture
def neighbours(live_server, world):
    from app.accounts import services as accounts
    from app.extensions import db
    from app.places.models import Community

    with live_server.app.app_context():
        community = db.session.get(Community, world["community"])
        for phone, name, household in [("13912340001", "张阿姨", "3幢2单元501"), ("13912340002", "张大爷", "5幢101"),
                                       ("13912340003", "李奶奶", "1幢302")]:
            user = accounts.create_user(None, login=phone, display_name=name, password="correct horse battery",
                                        community=community, verified=True)
            user.household = household
        db.session.commit()
        db.session.remove()
    return world


def _no_axe_violations(page) -> None:
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page, options={"runOnly": {"type": "tag", "values": TAGS}})
    assert results.violations_count == 0, results.generate_report()


def _fill_on_manage_page(page, live_server, world, fields: dict[str, str]) -> None:
    """The social worker on the time bank's management page, typing into `fields` (selector: text)."""
    login(page, live_server.url, "shegong_t")
    page.goto(f"{live_server.url}/c/{world['community']}/timebank/manage")
    for selector, value in fields.items():
        page.locator(selector).fill(value)


def test_grant_form_finds_the_resident_by_what_is_typed(page, live_server, neighbours):
    _fill_on_manage_page(page, live_server, neighbours, {"#grant-user": "张", "#grant-minutes": "90",
                                                         "#grant-reason": "80岁以上独居老人"})
    if page.js_enabled:
        page.locator("#grant-user-choices").get_by_text("张阿姨").wait_for()  # appeared while typing
        assert page.locator("#grant-user-choices input[type=radio]").count() == 2
        page.locator("#grant-user").press("Enter")  # the keyboard's search key searches, it does not submit
        page.wait_for_timeout(500)
        assert page.get_by_text("有多位居民符合，请在下面选择一位。").count() == 0
        assert page.locator("#grant-user-choices input[type=radio]").count() == 2
        _no_axe_violations(page)
    page.get_by_role("button", name="提交确认").first.click()  # nobody chosen yet: the form comes back
    page.get_by_text("有多位居民符合，请在下面选择一位。").wait_for()
    assert page.locator("#grant-minutes").input_value() == "90"  # the rest as typed
    assert page.locator("#grant-reason").input_value() == "80岁以上独居老人"
    choices = page.locator("#grant-user-choices input[type=radio]")
    assert choices.count() == 2 and "李奶奶" not in page.locator("#grant-user-choices").inner_text()
    shot(page, "picker-grant-choices")
    if page.js_enabled:  # axe runs in the page's JavaScript: the same 422 page as without it
        _no_axe_violations(page)
    page.locator("#grant-user-choices").get_by_text("张阿姨").click()
    page.get_by_role("button", name="提交确认").first.click()
    page.get_by_text("发放申请已提交").first.wait_for()
    assert "张阿姨" in page.locator("main").inner_text()


def test_one_typed_phone_tail_comes_chosen(page, live_server, neighbours):
    """Four digits that name one resident: that resident comes chosen (as they type with
    JavaScript; without it, on the form that comes back), and one more tap saves."""
    _fill_on_manage_page(page, live_server, neighbours, {"#credit-user": "0003", "#hours": "5",
                                                         "#credit-reason": "独居老人，先享受服务"})
    if page.js_enabled:
        page.locator("#credit-user-choices").get_by_text("李奶奶").wait_for()
    else:
        page.get_by_role("button", name="保存透支额度").click()
        page.get_by_text("是这位居民吗？已在下面选中，请再提交一次确认。").wait_for()
        assert page.locator("#credit-reason").input_value() == "独居老人，先享受服务"
    assert page.locator("#credit-user-choices input[type=radio]").is_checked()
    page.get_by_role("button", name="保存透支额度").click()
    page.get_by_text("透支额度已保存").first.wait_for()
    assert "李奶奶" in page.locator("main").inner_text()
