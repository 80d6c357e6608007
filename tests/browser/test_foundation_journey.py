"""A resident on a phone: register → log in → English and back → elder mode;
a social worker verifies them. With JavaScript on (htmx) and off."""
from __future__ import annotations

import re

import pytest

from tests.browser.conftest import login, shot

pytestmark = pytest.mark.browser


def _font_px(page, selector="body") -> float:
    return float(page.eval_on_selector(selector, "e => getComputedStyle(e).fontSize").rstrip("px")) \
        if page.js_enabled else 0.0


def test_register_login_language_and_elder_mode(page, live_server, world):
    base = live_server.url
    page.goto(base + "/")
    assert page.locator("html").get_attribute("lang") == "zh-CN"
    page.locator("header a[href='/register']").click()
    page.get_by_label("手机号或用户名").fill("13912345678")
    page.get_by_label("您的称呼").fill("王阿姨")
    page.get_by_label("所在社区").select_option(str(world["community"]))
    page.get_by_label("住址（幢、单元、室）").fill("3幢2单元501")
    page.get_by_label("密码").fill("12345678")  # too common: refused, fields kept
    page.locator("main").get_by_role("button", name="注册").click()
    page.get_by_text("这个密码太常见").first.wait_for()
    assert page.get_by_label("您的称呼").input_value() == "王阿姨"
    shot(page, "01-register-error")
    page.get_by_label("密码").fill("sunny balcony garden")
    page.locator("main").get_by_role("button", name="注册").click()
    page.get_by_text("待认证").first.wait_for()
    assert page.url.endswith("/account")
    shot(page, "02-account-pending")

    page.get_by_role("button", name="退出登录", exact=True).click()
    page.get_by_text("您已退出登录").wait_for()
    page.goto(base + "/login")
    page.get_by_label("手机号或用户名").fill("139 1234 5678")
    page.get_by_label("密码").fill("sunny balcony garden")
    page.locator("main").get_by_role("button", name="登录").click()
    page.get_by_role("link", name="王阿姨").wait_for()

    page.get_by_role("button", name="English").first.click()
    page.get_by_role("heading", name="Hello, 王阿姨").wait_for()  # the resident's home (工作台)
    assert page.locator("html").get_attribute("lang") == "en"
    shot(page, "03-english")
    page.get_by_role("button", name="中文").first.click()
    page.get_by_role("heading", name="你好，王阿姨").wait_for()

    page.goto(base + "/display")
    page.get_by_role("button", name="特大").last.click()
    page.wait_for_function("document.documentElement.classList.contains('text-xlarge')") if page.js_enabled \
        else page.locator("html.text-xlarge").wait_for(state="attached")
    shot(page, "04-elder-mode")
    if page.js_enabled:
        assert _font_px(page) >= 24
        heights = page.eval_on_selector_all("main button", "els => els.map(e => e.getBoundingClientRect().height)")
        assert heights and min(heights) >= 60
    # the choice follows the account to another page
    page.goto(base + "/account")
    assert "text-xlarge" in page.locator("html").get_attribute("class")


def test_social_worker_verifies_a_resident(page, live_server, world):
    base = live_server.url
    # a resident registers
    page.goto(base + "/register")
    page.get_by_label("手机号或用户名").fill("laowang_88")
    page.get_by_label("您的称呼").fill("王大伯")
    page.get_by_label("所在社区").select_option(str(world["community"]))
    page.get_by_label("密码").fill("morning tea river")
    page.locator("main").get_by_role("button", name="注册").click()
    page.get_by_text("待认证").first.wait_for()
    login(page, base, "shegong_t")  # the social worker confirms
    page.get_by_role("link", name=re.compile("居住认证")).first.click()
    page.get_by_role("heading", name="王大伯").wait_for()
    shot(page, "05-verification-queue")
    page.get_by_role("button", name="确认居住").click()
    page.get_by_text("王大伯 已通过居住认证").first.wait_for()
    if page.js_enabled:  # htmx swapped the row in place
        page.locator("li.card .status-verified").wait_for()
    else:  # a full page: the queue is empty now
        page.get_by_text("没有待认证的居民").wait_for()
    shot(page, "06-verified")
    login(page, base, "laowang_88", "morning tea river")  # the resident sees it
    page.goto(base + "/account")
    page.get_by_text("已认证").first.wait_for()
    page.goto(base + "/notifications")
    page.get_by_text("居住认证已通过").first.wait_for()
