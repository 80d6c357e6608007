"""The topic page's comments are bounded: keyset pages of threads ("more
comments" with htmx, a real next link without it), replies grouped in one
pass and capped per thread, reply and edit forms fetched when asked for, and
the page costs the same statements and about the same bytes at 10 and 300
comments."""
from __future__ import annotations

import re
from datetime import timedelta

import sqlalchemy as sa

from app.consultation import services
from app.consultation.comments import COMMENT_PAGE, REPLIES_SHOWN
from app.consultation.models import Comment, Stance, TopicState
from app.extensions import db
from app.sqltypes import utcnow
from tests.conftest import text

HX = {"HX-Request": "true"}


def _comments(topic, author, n: int, *, parent=None, start: int = 0) -> list[Comment]:
    """`n` comments written straight to the table (the page is under test, not the service)."""
    rows = [Comment(topic_id=topic.id, author_id=author.id, parent_id=parent.id if parent else None,
                    stance=Stance.neutral, body=f"意见{start + i}号", idempotency_key=f"k{parent and parent.id}-{start + i}",
                    created_at=utcnow() - timedelta(hours=1))
            for i in range(n)]
    db.session.add_all(rows)
    db.session.flush()
    services.recount_comments(topic)
    db.session.commit()
    return rows


def _threads(html: str) -> list[int]:
    return [int(i) for i in re.findall(r'<article id="comment-(\d+)" class="comment"', html)]


def test_threads_come_a_page_at_a_time_with_a_real_next_link(client, make_topic, make_user):
    topic = make_topic(TopicState.published)
    rows = _comments(topic, make_user(), COMMENT_PAGE * 2 + 5)
    page = text(client.get(f"/topics/{topic.id}"))
    assert _threads(page) == [c.id for c in rows[:COMMENT_PAGE]]
    after = rows[COMMENT_PAGE - 1].id
    assert f'href="/topics/{topic.id}/comments?after={after}#comments"' in page  # works without JavaScript
    assert f'hx-get="/topics/{topic.id}/comments?after={after}"' in page

    second = client.get(f"/topics/{topic.id}/comments?after={after}")  # no JS: the topic page at that page
    assert second.status_code == 200 and "<html" in text(second)
    assert _threads(text(second)) == [c.id for c in rows[COMMENT_PAGE:COMMENT_PAGE * 2]]
    assert "Show the first comments" in text(second) or "显示最早的评论" in text(second)

    fragment = client.get(f"/topics/{topic.id}/comments?after={rows[COMMENT_PAGE * 2 - 1].id}", headers=HX)
    body = text(fragment)
    assert "<html" not in body and "comments-title" not in body  # only the threads, swapped in after the last
    assert _threads(body) == [c.id for c in rows[COMMENT_PAGE * 2:]]
    assert "more-comments" not in body  # the last page
    assert "HX-Request" in fragment.headers["Vary"]
    assert client.get(f"/topics/{topic.id}/comments?after=abc").status_code == 400


def test_replies_are_grouped_under_their_thread_and_capped(client, make_topic, make_user):
    topic = make_topic(TopicState.published)
    author = make_user()
    first, second = _comments(topic, author, 2)
    replies = _comments(topic, author, REPLIES_SHOWN + 3, parent=first, start=100)
    late = _comments(topic, author, 1, parent=second, start=200)[0]
    page = text(client.get(f"/topics/{topic.id}"))
    ids = [int(i) for i in re.findall(r'<article id="comment-(\d+)"', page)]
    assert ids == [first.id, *[r.id for r in replies[:REPLIES_SHOWN]], second.id, late.id]
    more = f"/comments/{first.id}/replies?after={replies[REPLIES_SHOWN - 1].id}"
    assert more in page
    rest = client.get(more, headers=HX)
    assert [int(i) for i in re.findall(r'<article id="comment-(\d+)"', text(rest))] == \
        [r.id for r in replies[REPLIES_SHOWN:]]
    full = client.get(more)
    assert full.status_code == 200 and "<html" in text(full) and replies[-1].body in text(full)


def test_a_hidden_comment_keeps_its_place_for_its_replies_but_not_its_text(client, make_topic, make_user):
    topic = make_topic(TopicState.published)
    author = make_user()
    root = _comments(topic, author, 1)[0]
    _comments(topic, author, 1, parent=root, start=1)
    root.hidden_at, root.hidden_reason = utcnow(), "广告"
    db.session.commit()
    page = text(client.get(f"/topics/{topic.id}"))
    assert f'id="comment-{root.id}"' in page and "意见1号" in page and "意见0号" not in page


def test_reply_and_edit_forms_are_fetched_when_asked_for(client_for, make_topic, make_user):
    topic = make_topic(TopicState.published)
    resident, unverified = make_user(), make_user(verified=False)
    c = client_for(resident)
    response = c.post(f"/topics/{topic.id}/comments", {"body": "同意", "stance": "support", "idempotency_key": "a1"})
    assert response.status_code == 303
    comment = db.session.scalar(sa.select(Comment))
    page = text(c.get(f"/topics/{topic.id}"))
    assert 'name="parent_id"' not in page and "<textarea" in page  # only the new-comment form
    assert f'href="/comments/{comment.id}/reply"' in page and f'href="/comments/{comment.id}/edit"' in page

    fragment = text(c.get(f"/comments/{comment.id}/reply", headers=HX))
    assert "<html" not in fragment and f'name="parent_id" value="{comment.id}"' in fragment
    full = text(c.get(f"/comments/{comment.id}/reply"))
    assert "<html" in full and f'name="parent_id" value="{comment.id}"' in full
    assert client_for(unverified).get(f"/comments/{comment.id}/reply").status_code == 403

    edit = text(c.get(f"/comments/{comment.id}/edit", headers=HX))
    assert "<html" not in edit and "同意" in edit and f'action="/comments/{comment.id}/edit"' in edit

    reply = c.post(f"/topics/{topic.id}/comments", {"body": "补充一句", "stance": "neutral", "parent_id": str(comment.id),
                                                   "idempotency_key": "a2"})
    assert reply.status_code == 303
    comment.created_at -= timedelta(minutes=11)  # the edit window (rules.comment_actions_for) has passed
    db.session.commit()
    page = text(c.get(f"/topics/{topic.id}"))
    assert f'href="/comments/{comment.id}/edit"' not in page and "补充一句" in page


def test_a_new_comment_past_the_first_page_lands_on_its_page(client_for, make_topic, make_user):
    topic = make_topic(TopicState.published)
    resident = make_user()
    _comments(topic, make_user(), COMMENT_PAGE + 1)
    response = client_for(resident).post(f"/topics/{topic.id}/comments",
                                         {"body": "新意见", "stance": "support", "idempotency_key": "n1"})
    new = db.session.scalar(sa.select(Comment).where(Comment.body == "新意见"))
    assert response.status_code == 303
    assert response.headers["Location"] == f"/topics/{topic.id}/comments?after={new.id - 1}#comment-{new.id}"
    assert "新意见" in text(client_for(resident).get(response.headers["Location"]))


def _statements(app, client, path: str, **kw) -> tuple[int, int]:
    seen = []
    listener = lambda *args: seen.append(args[2])  # noqa: E731
    db.session.commit()
    sa.event.listen(db.engine, "before_cursor_execute", listener)
    try:
        response = client.get(path, **kw)
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", listener)
    assert response.status_code == 200
    return len(seen), len(response.data)


def test_the_topic_page_costs_the_same_at_10_and_300_comments(app, client_for, make_topic, make_user):
    topic = make_topic(TopicState.published)
    author, reader = make_user(), make_user()
    c = client_for(reader)
    roots = _comments(topic, author, 8)
    _comments(topic, author, 2, parent=roots[0], start=50)
    _comments(topic, author, 1, parent=roots[1], start=60)  # the second page has replies too (their authors load)
    small = _statements(app, c, f"/topics/{topic.id}")
    small_more = _statements(app, c, f"/topics/{topic.id}/comments?after={roots[0].id}", headers=HX)
    roots += _comments(topic, author, 230, start=1000)
    for i, root in enumerate(roots[:30]):
        _comments(topic, author, 2, parent=root, start=5000 + 10 * i)
    assert topic.comment_count >= 300
    large = _statements(app, c, f"/topics/{topic.id}")
    large_more = _statements(app, c, f"/topics/{topic.id}/comments?after={roots[0].id}", headers=HX)
    assert large[0] == small[0] and large_more[0] == small_more[0]
    assert large[1] < 150_000 and large[1] < 4 * small[1]  # bytes grow with one page, not with the topic


def test_a_hidden_topics_comment_pages_are_for_moderators_only(client, client_for, make_topic, make_user, moderator):
    author = make_user()
    topic = make_topic(TopicState.published, author=author)
    root = _comments(topic, make_user(), 1)[0]
    topic.hidden_at = utcnow()
    db.session.commit()
    for path in (f"/topics/{topic.id}/comments?after=0", f"/comments/{root.id}/replies"):
        assert client.get(path).status_code == 404
        assert client_for(author).get(path).status_code == 404  # the author reads the topic, not its comments
        assert client_for(moderator).get(path).status_code == 200


def test_threads_and_replies_read_the_thread_index(app, backend, make_topic, make_user):
    """The page's threads, the replies under them and the "has a shown reply"
    test go through (topic_id, parent_id, id), not the topic's every comment."""
    from app.consultation.comments import comment_page

    topic = make_topic(TopicState.published)
    author = make_user()
    tops = _comments(topic, author, 3)
    _comments(topic, author, 2, parent=tops[0], start=10)
    seen = []

    def record(conn, cursor, statement, parameters, context, executemany):
        seen.append((statement, parameters))

    sa.event.listen(db.engine, "before_cursor_execute", record)
    try:
        comment_page(topic, None)
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", record)
    statements = [(sql, params) for sql, params in seen if "FROM comment" in sql]
    assert len(statements) == 2, statements  # the threads, then their first replies
    conn = db.session.connection()
    if backend == "postgresql":
        conn.exec_driver_sql("SET LOCAL enable_seqscan = off")  # tiny tables: otherwise read whole
    prefix = "EXPLAIN QUERY PLAN " if backend == "sqlite" else "EXPLAIN "
    for statement, parameters in statements:
        plan = "\n".join(str(row[-1] if backend == "sqlite" else row[0])
                         for row in conn.exec_driver_sql(prefix + statement, parameters))
        assert "ix_comment_thread" in plan, plan
    db.session.rollback()


def test_hiding_a_comment_on_a_later_page_comes_back_to_that_page(client_for, moderator, make_topic, make_user):
    """Without JavaScript a moderator hides from the page that shows the comment:
    a missing reason comes back (422) on that page with the comment and its
    form, and success goes back to it, not to the topic's first comments."""
    topic = make_topic(TopicState.published)
    rows = _comments(topic, make_user(), COMMENT_PAGE + 3)
    late = rows[-1]
    mod = client_for(moderator)
    refused = mod.post(f"/comments/{late.id}/moderate", {"action": "hide", "reason": ""})
    assert refused.status_code == 422
    assert late.id in _threads(text(refused)) and rows[0].id not in _threads(text(refused))
    done = mod.post(f"/comments/{late.id}/moderate", {"action": "hide", "reason": "广告"})
    assert done.status_code == 303
    assert done.headers["Location"].endswith(
        f"/topics/{topic.id}/comments?after={late.id - 1}#comment-{late.id}")  # its page starts at its thread


def test_the_moderation_queue_comes_a_page_at_a_time(client_for, moderator, make_topic, make_user):
    """Each of the queue's three lists shows a page, newest first, says how many
    wait in all and links to the next page (a real link: no JavaScript needed),
    so the queue's page stays small however much is reported or hidden."""
    from app.consultation.moderation import QUEUE_PAGE

    topic = make_topic(TopicState.published)
    author = make_user()
    rows = _comments(topic, author, QUEUE_PAGE + 4)
    for row in rows:
        row.report_count = 1
    db.session.commit()
    mod = client_for(moderator)
    page = text(mod.get(f"/c/{topic.community_id}/moderation"))
    shown = [int(i) for i in re.findall(r'id="queue-comment-(\d+)"', page)]
    assert shown == [c.id for c in reversed(rows)][:QUEUE_PAGE]
    assert f"({QUEUE_PAGE + 4})" in page  # the heading counts them all
    link = re.search(r'href="([^"]*comments_before=\d+[^"]*)"', page).group(1).replace("&amp;", "&")
    rest = text(mod.get(link))
    assert [int(i) for i in re.findall(r'id="queue-comment-(\d+)"', rest)] == [c.id for c in reversed(rows)][QUEUE_PAGE:]
    assert "comments_before=" not in rest.split('id="comments-title"')[1].split("</section>")[0]
    assert mod.get(f"/c/{topic.community_id}/moderation?comments_before=abc").status_code == 400
