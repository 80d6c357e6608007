"""Role homes on a phone: a resident reaches activities and their hours in
two taps; a social worker reaches the work waiting for them from the counts."""
from __future__ import annotations

import pytest

from tests.browser.conftest import login, shot

pytestmark = pytest.mark.browser


def _people(live_server, world):
    from app.accounts import services
    from app.extensions import db
    from app.places.models import Community

    with live_server.app.app_context():
        community = db.session.get(Community, world["community"])
        services.create_user(None, login="13900000001", display_name="张阿姨", password="correct horse battery",
                             community=community, verified=True)
        waiting = services.create_user(None, login="13900000002", display_name="刘大伯",
                                       password="correct horse battery", community=community, verified=False)
        waiting.residence_status = services.ResidenceStatus.pending
        db.session.commit()
        db.session.remove()


def test_resident_reaches_activities_and_hours_from_home(page, live_server, world):
    _people(live_server, world)
    login(page, live_server.url, "13900000001")
    page.goto(live_server.url + "/")
    assert page.get_by_role("heading", name="你好，张阿姨").is_visible()
    shot(page, "home-resident")
    page.get_by_role("link", name="志愿服务活动").click()
    page.wait_for_url("**/activities")
    assert "志愿服务活动" in page.locator("h1").inner_text()
    page.goto(live_server.url + "/")
    page.get_by_role("link", name="我的时间银行").click()
    page.wait_for_url("**/my/timebank")
    # big targets: every tile is at least 44 px tall and fits the screen
    page.goto(live_server.url + "/")
    for box in page.locator(".tile").evaluate_all("ts => ts.map(t => t.getBoundingClientRect().toJSON())"):
        assert box["height"] >= 44 and box["right"] <= 390
    assert page.evaluate("document.documentElement.scrollWidth") <= 390


def test_social_worker_goes_from_a_count_to_the_work(page, live_server, world):
    _people(live_server, world)
    login(page, live_server.url, "shegong_t")
    page.goto(live_server.url + "/")
    work = page.locator("section.work")
    assert "今日待办" in work.inner_text()
    shot(page, "home-social-worker")
    work.get_by_role("link", name="位居民待认证").click()
    page.wait_for_url("**/verification")
    assert "刘大伯" in page.locator("main").inner_text()
