"""Spending hours on a phone at 360 px in extra-large text (elder mode): an
elderly resident with no balance asks for help with pool support → a social
worker approves (the pool's minutes are reserved) → a volunteer offers → the
resident's daughter, as proxy (代办), chooses and later confirms with a rating
→ the volunteer's balance and service record and the pool's statement show it
→ the volunteer gives 2 hours to his father in another community. axe on the
request form and the request page. With JavaScript on and off."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest

from tests.browser.conftest import TAGS, login, shot

pytestmark = pytest.mark.browser

PASSWORD = "correct horse battery"


@pytest.fixture
def help_world(live_server, world):
    """王奶奶 (no balance) with her daughter 王丽 as proxy; 李师傅, a volunteer whose
    father lives in another community; a pool that neighbours' donations filled."""
    from datetime import date

    from app.accounts import services as accounts
    from app.accounts.models import TextSize, User
    from app.extensions import db
    from app.places.models import Community
    from app.timebank import family, ledger
    from app.timebank.family_models import Relation
    from app.volunteering.services import register_volunteer

    with live_server.app.app_context():
        community = db.session.get(Community, world["community"])
        other = db.session.scalar(db.select(Community).where(Community.id != community.id).order_by(Community.id))

        def person(login_name, name, where):
            user = accounts.create_user(None, login=login_name, display_name=name, password=PASSWORD,
                                        community=where, verified=True)
            user.text_size = TextSize.xlarge
            return user

        elder = person("13900000201", "王奶奶", community)
        daughter = person("13900000202", "王丽", other)
        volunteer = person("13900000203", "李师傅", community)
        father = person("13900000204", "李老伯", other)
        donor = person("13900000205", "赵阿姨", community)
        register_volunteer(volunteer, skills="陪诊、驾驶", availability="工作日", consent=True)
        worker = db.session.scalar(db.select(User).where(User.username == "shegong_t"))
        second = accounts.create_user(None, login="shegong_b", display_name="黄社工", password=PASSWORD)
        ledger.credit_service(donor, 240, description="助老陪伴", served_on=date.today(), recorded_by=worker,
                              verified_by=second, idempotency_key="journey-donor")
        ledger.donate(donor, 180, idempotency_key="journey-pool")
        for resident, relative, relation in ((elder, daughter, Relation.child), (volunteer, father, Relation.parent)):
            link = family.ask_link(resident, relative, relation)
            family.accept_link(relative, link)
        family.designate_proxy(elder, elder, daughter, adult=True)
        db.session.commit()
        db.session.remove()
    return world


def axe_clean(page):
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page, options={"runOnly": {"type": "tag", "values": TAGS}})
    assert results.violations_count == 0, results.generate_report()


def test_pool_supported_help_confirmed_by_a_proxy_then_hours_given_to_family(small_phone, live_server, help_world):
    page, base = small_phone, live_server.url

    # the elderly resident, no balance, asks for an escort to hospital and for the pool to pay
    login(page, base, "13900000201")
    page.goto(base + "/help/new")
    page.get_by_text("您的余额不够预计时长").first.wait_for()
    shot(page, "x1-help-form-360-xlarge")
    if page.js_enabled:
        axe_clean(page)
    page.get_by_label("需要什么帮助").select_option(label="陪诊")
    from app.localtime import local
    from app.sqltypes import utcnow

    page.get_by_label("需要帮助的时间").fill(local(utcnow() + timedelta(days=2)).strftime("%Y-%m-%dT09:00"))
    page.get_by_label("需要帮助的地点").fill("市第一人民医院")
    page.get_by_label("预计多少分钟").fill("120")
    page.get_by_label("申请社区公益池支付").check()
    page.get_by_label(re.compile("申请公益池支付的理由")).fill("独居老人，余额不足")
    page.get_by_role("button", name="发布求助").click()
    page.get_by_text("求助已发布").first.wait_for()
    help_url = page.url.split("#")[0]
    shot(page, "x2-help-page-360-xlarge")
    if page.js_enabled:
        axe_clean(page)

    # the social worker approves: the pool's minutes are reserved
    login(page, base, "shegong_t")
    page.goto(help_url)
    page.get_by_text("公益池余额 3 小时").wait_for()
    page.get_by_role("button", name=re.compile("批准并预留")).click()
    page.get_by_text("公益池支持已批准").first.wait_for()

    # a volunteer offers
    login(page, base, "13900000203")
    page.goto(base + "/help")
    page.get_by_role("link", name=re.compile("陪诊")).first.click()
    page.get_by_role("button", name="我来帮忙").click()
    page.get_by_text("您的报名已发送").first.wait_for()

    # the daughter, as proxy, chooses him
    login(page, base, "13900000202")
    page.goto(base + "/help")
    page.get_by_role("button", name="为王奶奶求助").wait_for()
    page.goto(help_url)
    page.get_by_role("button", name="选择李师傅").click()
    page.get_by_text("已选定帮助人").first.wait_for()

    # the day of the service passes
    with live_server.app.app_context():
        from app.extensions import db
        from app.timebank.exchange_models import HelpRequest

        help_request = db.session.scalar(db.select(HelpRequest).order_by(HelpRequest.id.desc()))
        help_request.needed_at = utcnow() - timedelta(hours=3)
        db.session.commit()
        db.session.remove()

    # the daughter confirms with a rating, on her mother's behalf
    page.goto(help_url)
    assert page.get_by_label("实际分钟数").input_value() == "120"
    page.get_by_label("评分（选填）").select_option("5")
    page.get_by_label("评价说明（选填）").fill("很耐心，谢谢")
    page.get_by_role("button", name="确认服务").click()
    page.get_by_text("服务已确认").first.wait_for()
    page.get_by_text("由 王丽 代办").first.wait_for()
    shot(page, "x3-help-served-360-xlarge")

    # the volunteer's balance and service record show it
    login(page, base, "13900000203")
    page.goto(base + "/my/timebank")
    page.get_by_text("陪诊（王奶奶）").first.wait_for()
    assert "2 小时" in page.locator(".big-number").first.inner_text()

    # the pool's statement shows the service it paid for
    login(page, base, "shegong_t")
    page.goto(f"{base}/c/{help_world['community']}/help/manage")
    page.get_by_role("heading", name="公益池明细").wait_for()
    assert page.get_by_text("邻里互助服务：李师傅").count() or page.get_by_text("陪诊：李师傅").count()
    shot(page, "x4-pool-statement")

    # the volunteer gives 2 hours to his father in another community
    login(page, base, "13900000203")
    page.goto(base + "/my/family")
    page.get_by_role("button", name="赠与亲属时间").click()  # the family page's transfer form
    page.locator("select[name=receiver_id]").select_option(label="李老伯")
    page.locator("input[name=minutes]").fill("120")
    page.get_by_role("button", name="下一步：核对并确认").click()
    page.get_by_text("李老伯").first.wait_for()
    page.get_by_role("button", name=re.compile("2 小时")).click()
    page.get_by_text("时间已赠与").first.wait_for()
    page.goto(base + "/my/timebank")
    assert "0" in page.locator(".big-number").first.inner_text()
