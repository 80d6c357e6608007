"""The two-way evaluation, start to finish: the subdistrict copies last year's
round and opens it → three evaluators submit on a desktop and one on a phone →
six residents answer the survey on their phones → the subdistrict closes and
publishes → the public results page shows grades and charts. axe on the pages."""
from __future__ import annotations

from datetime import date

import pytest

from tests.browser.conftest import TAGS, login, shot

pytestmark = pytest.mark.browser

DESKTOP = {"width": 1280, "height": 900}
RESIDENTS = [("jumin1", 5), ("jumin2", 5), ("jumin3", 4), ("jumin4", 4), ("jumin5", 3), ("jumin6", 5)]


@pytest.fixture
def last_year(live_server, world):
    """Last year's round, published: 民政科 and 城管科 scored 朝阳社区; its committee member and social worker
    scored 民政科."""
    from app.accounts import services as accounts
    from app.accounts.models import Role
    from app.evaluation import services
    from app.evaluation.models import Direction
    from app.extensions import db
    from app.places import services as places
    from app.places.models import Community, Department

    with live_server.app.app_context():
        community = db.session.get(Community, world["community"])
        subdistrict = community.subdistrict
        minzheng = db.session.scalar(db.select(Department).where(Department.name == "民政科"))
        chengguan = places.save_department(None, None, subdistrict=subdistrict, name="城管科")
        users = {}
        for login_name, name, role, scope in [
                ("jiedao_t", "王科长", Role.subdistrict_staff, subdistrict.id),
                ("minzheng_t", "赵干事", Role.department_staff, minzheng.id),
                ("chengguan_t", "孙干事", Role.department_staff, chengguan.id),
                ("weiyuan_t", "陈委员", Role.committee_member, community.id)]:
            users[login_name] = accounts.create_user(None, login=login_name, display_name=name,
                                                     password="correct horse battery")
            accounts.assign_role(None, users[login_name], role, scope)
        worker = accounts.find_user_by_login("shegong_t")
        for login_name, _value in RESIDENTS:
            accounts.create_user(None, login=login_name, display_name=f"居民{login_name[-1]}", community=community,
                                 password="correct horse battery", verified=True)
        year = date.today().year - 1
        staff = users["jiedao_t"]
        r = services.create_round(staff, subdistrict, title=f"{year}年度政社互动双向评估", year=year,
                                  period_start=date(year, 1, 1), period_end=date(year, 12, 31),
                                  deadline=date(year, 12, 20), survey_enabled=True, survey_weight=30)
        services.set_rubric(staff, r, Direction.gov_to_community, [("依法履职", 60, "职责落实"), ("居务公开", 40, "")])
        services.set_rubric(staff, r, Direction.community_to_gov, [("按清单办事", 50, ""), ("支持社区", 50, "")])
        services.set_questions(staff, r, services.DEFAULT_QUESTIONS)
        for evaluator in (users["minzheng_t"], users["chengguan_t"]):
            services.assign(staff, r, Direction.gov_to_community, evaluator, [community.id])
        for evaluator in (users["weiyuan_t"], worker):
            services.assign(staff, r, Direction.community_to_gov, evaluator, [minzheng.id])
        services.open_round(staff, r)
        for sheet in services.sheets_of(r):
            services.save_sheet(sheet.evaluator, sheet, {c.id: ("76", "") for c in r.criteria
                                                         if c.direction is sheet.direction}, submit=True)
        services.close_round(staff, r)
        services.publish_round(staff, r)
        db.session.commit()
        ids = {"community": community.id, "department": minzheng.id, "year": year + 1}
        db.session.remove()
    return ids


def _fill_sheet(page, base, login_name, scores, comment=None):
    login(page, base, login_name)
    page.goto(base + "/")
    page.locator("a[href*='/evaluation/sheets/']").first.click()
    for label, value in scores:
        page.get_by_label(label, exact=True).fill(value)
    page.get_by_role("button", name="提交评分表").click()
    if comment:  # a score below 60 is refused without a comment
        page.locator(".error").first.wait_for()
        page.get_by_label("评语（低于60分必填）").first.fill(comment)
        page.get_by_role("button", name="提交评分表").click()
    page.get_by_text("已提交").first.wait_for()


def test_a_round_from_copy_to_published_results(page, browser, live_server, last_year):
    from axe_playwright_python.sync_playwright import Axe

    base = live_server.url
    desktop_context = browser.new_context(viewport=DESKTOP, locale="zh-CN")
    desk = desktop_context.new_page()
    desk.set_default_timeout(10_000)
    try:
        # the subdistrict copies last year's round and opens it
        login(desk, base, "jiedao_t")
        desk.goto(base + "/evaluation")
        desk.get_by_role("button", name="下一年度评估").click()
        desk.get_by_text("已复制为新的筹备中评估").first.wait_for()
        round_url = desk.url.split("#")[0]
        assert f"{last_year['year']}年度政社互动双向评估" in desk.content()
        desk.get_by_role("button", name="启动评估").click()
        desk.get_by_text("已通知 4 位评估人").first.wait_for()

        # three evaluators on a desktop; one gives 55 and must explain it
        _fill_sheet(desk, base, "minzheng_t", [("依法履职", "90"), ("居务公开", "80")])
        _fill_sheet(desk, base, "chengguan_t", [("依法履职", "55"), ("居务公开", "95")], comment="台账不全")
        _fill_sheet(desk, base, "weiyuan_t", [("按清单办事", "80"), ("支持社区", "70")])
        # the social worker on a phone
        _fill_sheet(page, base, "shegong_t", [("按清单办事", "90"), ("支持社区", "85.5")])
        shot(page, "e1-sheet-submitted")

        # six residents answer the survey on their phones
        for login_name, value in RESIDENTS:
            login(page, base, login_name)
            page.goto(base + "/")
            page.get_by_role("button", name="填写问卷").click()
            page.locator("form.survey").wait_for()
            for group in page.locator("form.survey fieldset").all():
                group.get_by_label(f"{value} ·").check()
            page.get_by_role("button", name="提交答案").click()
            page.get_by_text("谢谢").first.wait_for()
        shot(page, "e2-survey")

        # the subdistrict watches progress, closes and publishes
        login(desk, base, "jiedao_t")
        desk.goto(round_url + "/progress")
        assert "已提交 4 / 4 张评分表" in desk.content()
        desk.goto(round_url)
        desk.get_by_role("button", name="结束评分").click()
        desk.get_by_text("评分已结束").first.wait_for()
        # staff see the sheets and which were left out, before anyone else sees anything
        desk.goto(round_url + f"/results/gov_to_community/{last_year['community']}")
        assert "赵干事" in desk.content() and "79.95" in desk.content()
        desk.goto(round_url)
        desk.get_by_role("button", name="公布结果").click()
        desk.get_by_text("结果已公布").first.wait_for()
    finally:
        desktop_context.close()

    # the public sees grades, finals and charts; never the evaluators
    page.goto("about:blank")
    page.context.clear_cookies()
    page.goto(round_url + "/results")
    content = page.content()
    # 朝阳社区: sheets (90×60+80×40)/100 = 86 and (55×60+95×40)/100 = 71 → 78.5; survey mean 26/6 → (26/6 − 1) × 25
    # = 83.33…; final 78.5 × 0.7 + 83.33… × 0.3 = 54.95 + 25 = 79.95 (良好)
    assert "79.95" in content and "良好" in content
    # 民政科: (80+70)/2 = 75 and (90+85.5)/2 = 87.75 → 81.375 → 81.38 (良好): rounded half up at the end
    assert "81.38" in content
    assert "赵干事" not in content and "孙干事" not in content and "陈委员" not in content
    images = page.locator("img[src*='ranking.svg']")
    assert images.count() == 2
    if page.js_enabled:
        assert all(img.evaluate("i => i.complete && i.naturalWidth > 0") for img in images.all())
    shot(page, "e3-public-results")
    page.goto(round_url + f"/results/gov_to_community/{last_year['community']}")
    content = page.content()
    assert "criteria.svg" in content and "years.svg" in content  # last year's round: year over year
    assert "/evaluation/sheets/" not in content
    shot(page, "e4-public-party")
    if page.js_enabled:
        for path in ("/results", f"/results/gov_to_community/{last_year['community']}"):
            page.goto(round_url + path)
            results = Axe().run(page, options={"runOnly": {"type": "tag", "values": TAGS}})
            assert results.violations_count == 0, (path, results.generate_report())


def test_evaluation_pages_pass_axe_for_those_who_use_them(browser, live_server, last_year):
    """The evaluator's sheet (with an error on it), the round's set-up and the survey, at phone width."""
    from axe_playwright_python.sync_playwright import Axe

    from app.evaluation import services
    from app.evaluation.models import EvaluationRound
    from app.extensions import db
    from tests.browser.conftest import PHONE

    with live_server.app.app_context():
        source = db.session.scalar(db.select(EvaluationRound))
        from app.accounts.services import find_user_by_login

        copy = services.copy_round(find_user_by_login("jiedao_t"), source)
        services.open_round(find_user_by_login("jiedao_t"), copy)
        db.session.commit()
        round_id = copy.id
        db.session.remove()
    context = browser.new_context(viewport=PHONE, locale="zh-CN")
    page = context.new_page()
    base = live_server.url
    try:
        checks = [("jiedao_t", f"/evaluation/{round_id}"), ("jiedao_t", f"/evaluation/{round_id}/progress"),
                  ("jiedao_t", "/evaluation"), ("jumin1", f"/evaluation/{round_id}/survey"),
                  ("shegong_t", f"/evaluation/{round_id}/survey/record")]
        for who, path in checks:
            login(page, base, who)
            page.goto(base + path)
            results = Axe().run(page, options={"runOnly": {"type": "tag", "values": TAGS}})
            assert results.violations_count == 0, (who, path, results.generate_report())
        login(page, base, "chengguan_t")
        page.goto(base + "/")
        page.locator("a[href*='/evaluation/sheets/']").first.click()
        page.get_by_label("依法履职", exact=True).fill("101")
        page.get_by_role("button", name="提交评分表").click()
        page.locator(".error").first.wait_for()
        results = Axe().run(page, options={"runOnly": {"type": "tag", "values": TAGS}})
        assert results.violations_count == 0, ("sheet with an error", results.generate_report())
    finally:
        context.close()
