"""The moderation badge's count (on every social worker's page) reads the
partial indexes of what waits for moderation, never the whole comment or
topic table; and it counts what the queue shows."""
from __future__ import annotations

from datetime import datetime, timezone

import sqlalchemy as sa

from app.consultation.models import Comment, Stance, TopicState
from app.consultation.moderation import queue_count
from app.extensions import db


def _world(make_topic, make_user, places):
    pending = make_topic(TopicState.pending_review, title="楼道堆物清理")
    reported = make_topic(TopicState.published, title="停车位划线")
    reported.report_count = 1
    quiet = make_topic(TopicState.published, title="路灯维修")
    author = make_user()
    now = datetime.now(timezone.utc)
    rows = [dict(held_by_keywords=True), dict(report_count=2), dict(report_count=1, deleted_at=now), dict(), dict()]
    for n, extra in enumerate(rows):
        db.session.add(Comment(topic_id=quiet.id, author_id=author.id, stance=Stance.neutral, body=f"意见{n}",
                               idempotency_key=f"k{n}", **extra))
    db.session.commit()
    return pending, reported


def _statements(work) -> list[tuple[str, object]]:
    seen = []

    def record(conn, cursor, statement, parameters, context, executemany):
        seen.append((statement, parameters))

    sa.event.listen(db.engine, "before_cursor_execute", record)
    try:
        work()
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", record)
    return seen


def test_the_count_is_what_waits(app, make_topic, make_user, places):
    _world(make_topic, make_user, places)
    # a pending topic, a reported topic, a held comment, a reported comment; not the deleted one
    assert queue_count({places.community.id}) == 4
    assert queue_count({places.sibling.id}) == 0


def test_the_count_reads_the_partial_indexes_not_the_tables(app, backend, make_topic, make_user, places):
    _world(make_topic, make_user, places)
    community_id = places.community.id
    statements = [(sql, params) for sql, params in _statements(lambda: queue_count({community_id}))
                  if sql.startswith("SELECT")]
    assert len(statements) == 2, statements
    plans = []
    conn = db.session.connection()  # the count's own transaction
    if backend == "postgresql":
        # the tables are tiny: without this the planner would read them whole whatever indexes exist
        conn.exec_driver_sql("SET LOCAL enable_seqscan = off")
    for statement, parameters in statements:
        prefix = "EXPLAIN QUERY PLAN " if backend == "sqlite" else "EXPLAIN "
        rows = conn.exec_driver_sql(prefix + statement, parameters).all()
        plans.append("\n".join(str(row[-1] if backend == "sqlite" else row[0]) for row in rows))
    db.session.rollback()
    topic_plan, comment_plan = plans
    assert "ix_topic_queued" in topic_plan, topic_plan
    assert "ix_comment_queued" in comment_plan, comment_plan
    if backend == "sqlite":
        # every access to comment goes through the partial index
        comment_lines = [line for line in comment_plan.splitlines() if " comment" in f" {line}"]
        assert comment_lines and all("ix_comment_queued" in line for line in comment_lines), comment_plan
        assert not any(line.strip() == "SCAN topic" for line in topic_plan.splitlines()), topic_plan
    else:
        assert "Seq Scan on comment" not in comment_plan and "Seq Scan on topic" not in topic_plan, plans


def test_the_queue_lists_read_their_partial_indexes(app, backend, make_topic, make_user, places):
    """The queue's pages (and their counts) read ix_topic_listed / ix_comment_listed on
    PostgreSQL, and never the whole comment table."""
    from app.consultation.moderation import moderation_queue

    _world(make_topic, make_user, places)
    community_id = places.community.id
    statements = [(sql, params) for sql, params in _statements(lambda: moderation_queue(community_id))
                  if sql.startswith("SELECT")]
    conn = db.session.connection()
    if backend == "postgresql":
        conn.exec_driver_sql("SET LOCAL enable_seqscan = off")
    prefix = "EXPLAIN QUERY PLAN " if backend == "sqlite" else "EXPLAIN "
    plans = ["\n".join(str(row[-1] if backend == "sqlite" else row[0])
                       for row in conn.exec_driver_sql(prefix + sql, params)) for sql, params in statements]
    db.session.rollback()
    comment_plans = [plan for (sql, _p), plan in zip(statements, plans, strict=True) if "FROM comment" in sql]
    reported_plans = [plan for (sql, _p), plan in zip(statements, plans, strict=True)
                      if "FROM topic" in sql and "hidden_at IS NOT NULL" in sql]
    assert len(comment_plans) == 2 and len(reported_plans) == 2  # each list: its count and its page
    if backend == "postgresql":  # production: the partial indexes
        assert all("ix_comment_listed" in plan for plan in comment_plans), comment_plans
        assert all("ix_topic_listed" in plan for plan in reported_plans), reported_plans
    else:  # SQLite without statistics may go through the topic instead; never through every comment
        assert not any(line.strip().startswith("SCAN comment") for plan in comment_plans
                       for line in plan.splitlines()), comment_plans
