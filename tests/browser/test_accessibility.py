"""axe on the public pages, standard and extra-large text: zero violations."""
from __future__ import annotations

import pytest

from tests.browser.conftest import PHONE, shot

pytestmark = pytest.mark.browser

TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


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
