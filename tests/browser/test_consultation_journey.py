"""Consultation on a phone: a resident posts → the social worker publishes →
two residents support → the threshold moves it to deliberation → a resident
comments with a stance → another reports it → hidden → the moderator restores
it. With JavaScript (htmx fragments) and without (full pages)."""
from __future__ import annotations

import re

import pytest

from tests.browser.conftest import login, shot

pytestmark = pytest.mark.browser


@pytest.fixture
def neighbours(live_server, world):
    from app.accounts import services as accounts
    from app.consultation import services
    from app.consultation.models import SupportBasis
    from app.extensions import db
    from app.places.models import Community

    with live_server.app.app_context():
        community = db.session.get(Community, world["community"])
        for login, name in [("wangayi", "王阿姨"), ("zhoushifu", "周师傅"), ("wulaoshi", "吴老师"),
                            ("zhengdajie", "郑大姐")]:
            accounts.create_user(None, login=login, display_name=name, password="correct horse battery",
                                 community=community, verified=True)
        moderator = accounts.find_user_by_login("shegong_t")
        services.save_settings(moderator, community, support_threshold=2, support_basis=SupportBasis.residents,
                               reports_to_hide=1, rating_window_days=30, keywords="",
                               categories=["社区环境", "加装电梯", "停车"])
        db.session.commit()
        db.session.remove()
    return world


def test_topic_from_post_to_deliberation_with_comment_report_and_restore(page, live_server, neighbours):
    base = live_server.url
    cid = neighbours["community"]

    login(page, base, "wangayi")
    page.goto(f"{base}/c/{cid}/topics/new")
    page.get_by_label("标题").fill("3幢加装电梯意见征集")
    page.get_by_label("简介").fill("3幢住户多为老人，上下楼困难，建议加装电梯。")
    page.get_by_label("分类").select_option(label="加装电梯")
    page.get_by_role("button", name="提交审核").click()
    page.get_by_text("已提交审核").first.wait_for()
    topic_url = page.url
    topic_id = int(re.search(r"/topics/(\d+)", topic_url).group(1))
    shot(page, "c1-submitted")

    login(page, base, "shegong_t")
    page.goto(f"{base}/c/{cid}/moderation")
    page.get_by_role("link", name=re.compile("3幢加装电梯意见征集")).first.wait_for()
    shot(page, "c2-moderation-queue")
    page.locator(f"#queue-topic-{topic_id}").get_by_role("button", name="公示").click()
    page.get_by_text("已公示").first.wait_for()

    for supporter in ("zhoushifu", "wulaoshi"):
        login(page, base, supporter)
        page.goto(topic_url)
        page.get_by_role("button", name="附议").click()
        page.get_by_text("您已附议").first.wait_for()
    page.get_by_text("协商中").first.wait_for()
    assert "2" in page.locator(".support-count strong").inner_text()
    shot(page, "c3-deliberating")

    page.get_by_label("您的评论").fill("支持！一楼住户的采光问题也请一并考虑。")
    page.locator("#comment-form").get_by_label("支持").check()
    page.get_by_role("button", name="发表评论").click()
    page.get_by_text("评论已发表").first.wait_for()
    comment = page.locator("article.comment").filter(has_text="一楼住户的采光问题")
    comment.wait_for()
    comment_id = int(comment.get_attribute("id").split("-")[1])

    login(page, base, "zhengdajie")
    page.goto(topic_url)
    page.locator(f"#comment-{comment_id}").get_by_role("link", name="举报").click()
    page.get_by_label("与议题无关").check()
    page.get_by_role("button", name="提交举报").click()
    page.get_by_text("感谢您的举报").first.wait_for()
    page.goto(topic_url)
    assert page.get_by_text("一楼住户的采光问题").count() == 0  # hidden at N = 1
    shot(page, "c4-hidden")

    login(page, base, "shegong_t")
    page.goto(f"{base}/c/{cid}/moderation")
    item = page.locator(f"#queue-comment-{comment_id}")
    item.get_by_role("button", name="保留：显示").click()
    page.get_by_text("评论已恢复显示").first.wait_for()

    login(page, base, "zhengdajie")
    page.goto(topic_url)
    page.get_by_text("一楼住户的采光问题").wait_for()
    page.get_by_text("附议达到 2，自动进入协商").wait_for()  # the public timeline says why
    shot(page, "c5-restored")
