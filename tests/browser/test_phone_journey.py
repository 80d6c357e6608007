"""Phone defects seen by people, pinned in the browser: the registration
password survives the inline check, notification text is readable, QR codes
decode."""
from __future__ import annotations

import pytest

from tests.browser.conftest import login

pytestmark = pytest.mark.browser


@pytest.fixture
def phone(browser):
    context = browser.new_context(viewport={"width": 360, "height": 740}, locale="zh-CN", is_mobile=True,
                                  has_touch=True)
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


def test_register_keeps_the_password_when_another_field_is_checked(phone, live_server, world):
    page = phone
    page.goto(live_server.url + "/register")
    page.locator("#password").fill("a long enough passphrase 2026")
    page.locator("#password").blur()
    page.locator("#login").fill("13900000077")
    with page.expect_response(lambda r: r.url.endswith("/register/check")):
        page.locator("#display_name").focus()  # the login field's change event runs the inline check
    with page.expect_response(lambda r: r.url.endswith("/register/check")):
        page.locator("#display_name").fill("王阿姨")
        page.locator("#household").focus()
    page.wait_for_timeout(200)
    assert page.locator("#password").input_value() == "a long enough passphrase 2026"


def test_notification_text_is_readable(phone, live_server, world):
    from app.accounts import services as accounts
    from app.consultation import services
    from app.extensions import db
    from app.places.models import Community

    with live_server.app.app_context():
        community = db.session.get(Community, world["community"])
        author = accounts.create_user(None, login="author_n", display_name="王阿姨", password="correct horse battery",
                                      community=community, verified=True)
        topic = services.create_topic(author, community, title="楼道照明", body="灯坏了", category_id=None, submit=True)
        services.publish(accounts.find_user_by_login("shegong_t"), topic)
        db.session.commit()
        db.session.remove()
    page = phone
    login(page, live_server.url, "author_n")
    page.goto(live_server.url + "/notifications")
    button = page.locator(".notifications .link-button").first
    assert "楼道照明" in button.inner_text()
    colour = button.evaluate("el => getComputedStyle(el).color")
    assert colour != "rgb(255, 255, 255)", colour


def test_certificate_qr_code_decodes(phone, live_server, world):
    from datetime import date, timedelta

    from app.accounts import services as accounts
    from app.extensions import db
    from app.places.models import Community
    from app.timebank import ledger
    from app.volunteering import certificates

    with live_server.app.app_context():
        community = db.session.get(Community, world["community"])
        volunteer = accounts.create_user(None, login="zhiyuan_qr", display_name="志愿者", community=community,
                                         password="correct horse battery", verified=True)
        staff = accounts.find_user_by_login("shegong_t")
        ledger.credit_service(volunteer, 90, description="助老陪伴", served_on=date.today(), recorded_by=staff,
                              verified_by=staff, idempotency_key="qr")
        code = certificates.issue(volunteer, date.today() - timedelta(days=1), date.today()).code
        db.session.commit()
        db.session.remove()
    page = phone
    page.goto(f"{live_server.url}/certificates/{code}")
    width = page.locator("img[src$='qr.svg']").evaluate("img => img.decode().then(() => img.naturalWidth, () => 0)")
    assert width > 0
