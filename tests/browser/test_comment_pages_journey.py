"""A busy topic on a phone: the first page of threads, "更多评论" appends the
next ones (htmx) or opens the next page (no JavaScript), "回复" fetches the
reply form for that thread only, and the reply lands on the page that shows it."""
from __future__ import annotations

import pytest

from tests.browser.conftest import login

pytestmark = pytest.mark.browser


@pytest.fixture
def busy_topic(live_server, world):
    from datetime import timedelta

    from app.accounts import services as accounts
    from app.consultation import services
    from app.consultation.comments import COMMENT_PAGE
    from app.consultation.models import Comment, Stance, Topic, TopicState
    from app.extensions import db
    from app.places.models import Community
    from app.sqltypes import utcnow

    with live_server.app.app_context():
        community = db.session.get(Community, world["community"])
        author = accounts.create_user(None, login="wangayi", display_name="王阿姨", password="correct horse battery",
                                      community=community, verified=True)
        accounts.create_user(None, login="zhoushifu", display_name="周师傅", password="correct horse battery",
                             community=community, verified=True)
        topic = Topic(community_id=community.id, author_id=author.id, title="小区停车位规划", body="请大家提意见。",
                      state=TopicState.published, published_at=utcnow())
        db.session.add(topic)
        db.session.flush()
        db.session.add_all(Comment(topic_id=topic.id, author_id=author.id, stance=Stance.neutral, body=f"第{i + 1}条意见",
                                   idempotency_key=f"b{i}", created_at=utcnow() - timedelta(hours=2))
                           for i in range(COMMENT_PAGE + 5))
        db.session.flush()
        services.recount_comments(topic)
        db.session.commit()
        ids = {"topic": topic.id, "last_first_page": f"第{COMMENT_PAGE}条意见", "next": f"第{COMMENT_PAGE + 1}条意见"}
        db.session.remove()
    return ids


def test_more_comments_and_a_reply_form_on_demand(page, live_server, busy_topic):
    base = live_server.url
    login(page, base, "zhoushifu")
    page.goto(f"{base}/topics/{busy_topic['topic']}")
    page.get_by_text(busy_topic["last_first_page"], exact=True).wait_for()
    assert page.get_by_text(busy_topic["next"], exact=True).count() == 0
    assert page.locator("textarea[name=body]").count() == 1  # no reply form under each thread

    page.get_by_role("button", name="更多评论").click()
    page.get_by_text(busy_topic["next"], exact=True).wait_for()
    if page.js_enabled:  # appended after the last comment: the first page is still there
        assert page.get_by_text("第1条意见", exact=True).count() == 1
    else:  # the next page, with a way back
        assert page.get_by_role("link", name="显示最早的评论").count() == 1

    thread = page.locator(".thread").filter(has_text=busy_topic["next"])
    thread.get_by_role("link", name="回复").click()
    page.get_by_label("您的回复").fill("同意，建议增加充电桩。")
    page.get_by_role("button", name="回复").click()
    page.get_by_text("评论已发表").first.wait_for()
    page.get_by_text("同意，建议增加充电桩。").wait_for()
