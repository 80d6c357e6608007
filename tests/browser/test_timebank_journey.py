"""The time bank on phones: a social worker publishes an activity → two
volunteers sign up → check in by opening the QR link → the social worker
confirms → balances, records, star progress and a printable certificate show
the hours."""
from __future__ import annotations

import io
from datetime import date, timedelta

import pytest
from openpyxl import load_workbook

from tests.browser.conftest import login, shot

pytestmark = pytest.mark.browser


@pytest.fixture
def volunteers(live_server, world):
    from app.accounts import services as accounts
    from app.extensions import db
    from app.places.models import Community

    with live_server.app.app_context():
        community = db.session.get(Community, world["community"])
        for login_name, name in [("zhiyuanzhe1", "志愿者甲"), ("zhiyuanzhe2", "志愿者乙")]:
            user = accounts.create_user(None, login=login_name, display_name=name, password="correct horse battery",
                                        community=community, verified=True)
            if login_name == "zhiyuanzhe2":  # the first registers through the page in the journey
                from app.volunteering.services import register_volunteer

                register_volunteer(user, skills="驾驶", availability="周末", consent=True)
        db.session.commit()
        db.session.remove()
    return world


def test_activity_hours_reach_balances_records_and_certificates(page, live_server, volunteers):
    base, cid = live_server.url, volunteers["community"]
    login(page, base, "shegong_t")
    page.goto(f"{base}/c/{cid}/activities/new")
    page.get_by_label("标题").fill("重阳节敬老服务")
    page.get_by_label("地点").fill("社区活动中心")
    page.get_by_label("开始时间").fill("2030-10-29T09:00")
    page.get_by_label("结束时间").fill("2030-10-29T11:00")
    page.get_by_label("报名截止").fill("2030-10-28T18:00")
    page.get_by_label("每位志愿者记录的分钟数").fill("150")
    page.get_by_role("button", name="发布活动").click()
    page.get_by_text("活动已发布").first.wait_for()
    activity_url = page.url.split("#")[0]

    login(page, base, "zhiyuanzhe1")
    page.goto(activity_url)
    page.get_by_role("button", name="注册志愿者后报名").click()
    page.get_by_label("特长").fill("理发")
    page.get_by_label("我同意").check()
    page.get_by_role("button", name="注册").click()
    page.get_by_text("志愿者注册成功").first.wait_for()
    for name in ("zhiyuanzhe1", "zhiyuanzhe2"):
        login(page, base, name)
        page.goto(activity_url)
        page.get_by_role("button", name="报名").click()
        page.get_by_text("报名成功").first.wait_for()

    login(page, base, "shegong_t")
    page.goto(activity_url + "/roster")
    check_link = page.locator("a.check-link").get_attribute("href")
    shot(page, "t1-roster")
    for name in ("zhiyuanzhe1", "zhiyuanzhe2"):
        login(page, base, name)
        page.goto(check_link)  # what scanning the QR code opens
        page.get_by_role("button", name="签到").click()
        page.get_by_text("签到成功").first.wait_for()

    # hours are confirmed once the activity has taken place: let it have happened an hour ago
    with live_server.app.app_context():
        from app.extensions import db
        from app.sqltypes import utcnow
        from app.volunteering.models import Activity

        activity = db.session.get(Activity, int(activity_url.rstrip("/").rsplit("/", 1)[1]))
        activity.ends_at = utcnow() - timedelta(hours=1)
        activity.starts_at = activity.ends_at - timedelta(hours=2)
        db.session.commit()
        db.session.remove()
    year = date.today().year
    login(page, base, "shegong_t")
    page.goto(activity_url + "/roster")
    assert page.locator("text=已签到").count() == 2
    page.get_by_role("button", name="确认并记录服务时长").click()
    page.get_by_text("服务时长已记录").first.wait_for()

    login(page, base, "zhiyuanzhe1")
    page.goto(base + "/my/timebank")
    page.get_by_text("2 小时 30 分钟").first.wait_for()
    assert "重阳节敬老服务" in page.locator("main").inner_text()
    assert "距下一星级还需 97 小时 30 分钟" in page.locator("main").inner_text()
    shot(page, "t2-my-timebank")
    page.get_by_role("button", name="对账单与下载").click()
    page.get_by_label("起始日期").fill(f"{year}-01-01")
    page.get_by_label("结束日期").fill(f"{year}-12-31")
    page.get_by_role("button", name="查看对账单").click()
    page.get_by_text(f"{year}-01-01 至 {year}-12-31").wait_for()
    assert "重阳节敬老服务" in page.locator("main").inner_text()
    shot(page, "t2-statement")
    with page.expect_download() as info:
        page.get_by_role("button", name="下载（Excel）").click()
    assert info.value.suggested_filename == f"时间银行对账单_{year}0101-{year}1231.xlsx"
    book = load_workbook(io.BytesIO(info.value.path().read_bytes()))  # the saved file has no extension
    rows = [[c.value for c in row] for row in book.active.iter_rows()]
    assert ["期末余额（分钟）", 150] in [row[:2] for row in rows]
    page.goto(base + "/my/certificates")
    page.get_by_label("起始日期").fill(f"{year}-01-01")
    page.get_by_label("结束日期").fill(f"{year}-12-31")
    page.get_by_role("button", name="开具证明").click()
    page.get_by_text("真实有效").first.wait_for()
    code = page.locator(".certificate .code").inner_text()
    shot(page, "t3-certificate")
    page.context.clear_cookies()
    page.goto(f"{base}/verify?code={code}")
    page.get_by_text("真实有效").first.wait_for()
    assert "志愿者甲" in page.locator("main").inner_text()
