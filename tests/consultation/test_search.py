"""Chinese search and keyset pagination, the same on SQLite (FTS5 trigram) and PostgreSQL (pg_trgm)."""
from __future__ import annotations

import pytest

from app.consultation import services
from app.consultation.models import TopicState
from app.extensions import db


@pytest.fixture
def corpus(make_topic, make_user):
    author = make_user()
    topics = {
        "elevator": make_topic(title="3幢加装电梯意见征集", body="老人上下楼困难", author=author),
        "parking": make_topic(title="小区停车位不足", body="晚上电动车乱停，消防通道被占", author=author),
        "meals": make_topic(title="老年助餐点选址", body="希望在社区活动中心设立助餐点", author=author),
        "draft": make_topic(TopicState.draft, title="加装电梯草稿", body="未发布", author=author),
    }
    return topics


@pytest.mark.parametrize("query,expected", [
    ("加装电梯", {"elevator"}),  # 4 characters: the trigram index
    ("电梯", {"elevator"}),  # 2 characters: the LIKE fallback
    ("消防通道", {"parking"}),  # matches the body
    ("助餐", {"meals"}),
    ("老", {"elevator", "meals"}),
    ("不存在的词", set()),
    ("100%", set()),  # LIKE wildcards are escaped
    ('"电梯', set()),  # quotes cannot break the FTS query
])
def test_chinese_search(corpus, places, query, expected):
    found, _cursor = services.list_topics(places.community.id, q=query)
    names = {name for name, topic in corpus.items() if topic in found}
    assert names == expected, (query, [t.title for t in found])


def test_search_follows_edits(corpus, places, moderator):
    topic = corpus["meals"]
    topic.title = "老年食堂选址"
    db.session.commit()
    assert services.list_topics(places.community.id, q="食堂选址")[0] == [topic]
    assert services.list_topics(places.community.id, q="助餐点选址")[0] == []


def test_filters_and_sorts(corpus, places, make_user):
    services.add_support(make_user(), corpus["parking"])
    services.add_support(make_user(), corpus["parking"])
    services.add_support(make_user(), corpus["meals"])
    db.session.commit()
    supported, _ = services.list_topics(places.community.id, sort="supported")
    assert [t.id for t in supported[:2]] == [corpus["parking"].id, corpus["meals"].id]
    newest, _ = services.list_topics(places.community.id)
    assert newest[0].id == corpus["meals"].id
    elevator_category = corpus["elevator"].category_id
    by_category, _ = services.list_topics(places.community.id, category_id=elevator_category)
    assert corpus["elevator"] in by_category and corpus["draft"] not in by_category
    deliberating, _ = services.list_topics(places.community.id, state="deliberating")
    assert deliberating == []
    assert corpus["draft"] not in newest


@pytest.mark.parametrize("sort", ["newest", "supported", "active"])
def test_keyset_pagination_visits_every_topic_once(make_topic, make_user, places, sort):
    author = make_user()
    made = [make_topic(title=f"议题{i}", author=author) for i in range(7)]
    seen, cursor = [], None
    for _ in range(10):
        page, cursor = services.list_topics(places.community.id, sort=sort, cursor=cursor, limit=3)
        seen += [t.id for t in page]
        if cursor is None:
            break
    assert sorted(seen) == sorted(t.id for t in made) and len(seen) == len(set(seen))


def test_bad_cursor_is_refused(corpus, places):
    """A cursor this site did not write is refused (the page answers 400), not
    silently read as the first page."""
    with pytest.raises(services.BadCursor):
        services.list_topics(places.community.id, cursor="not-a-cursor!!")
    assert len(services.list_topics(places.community.id, cursor="")[0]) == 3
