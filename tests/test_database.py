"""Concurrent writers queue instead of failing (SQLite BEGIN IMMEDIATE)."""
from __future__ import annotations

import threading

import sqlalchemy as sa

from app.audit.models import AuditEntry
from app.audit.services import record
from app.extensions import db


def test_concurrent_read_then_write_transactions_all_commit(app, places):
    """Each thread reads, then writes in the same transaction: with deferred
    BEGIN two such SQLite transactions deadlock and one fails with "database
    is locked"; with BEGIN IMMEDIATE they queue."""
    errors: list[BaseException] = []
    barrier = threading.Barrier(6)

    def worker(n: int):
        with app.app_context():
            try:
                barrier.wait()
                for i in range(10):
                    db.session.scalar(sa.select(sa.func.count(AuditEntry.id)))
                    record(None, "test.concurrent", object_type="thing", object_id=n * 100 + i)
                    db.session.commit()
            except BaseException as exc:  # noqa: BLE001 - reported below
                errors.append(exc)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    count = db.session.scalar(sa.select(sa.func.count(AuditEntry.id)).where(AuditEntry.action == "test.concurrent"))
    assert count == 60


def test_demo_seed_loads_one_account_per_role(app):
    from app import demo
    from app.accounts.models import Role

    assert demo.is_empty()
    users = demo.seed()
    db.session.commit()
    roles = {a.role for u in users.values() for a in u.roles}
    assert roles == set(Role)
    assert users["13800000001"].is_verified and not users["13800000002"].is_verified
    assert not demo.is_empty()
    from app.consultation.models import Topic, TopicState

    states = set(db.session.scalars(sa.select(Topic.state)))
    assert {TopicState.pending_review, TopicState.published, TopicState.deliberating,
            TopicState.completed} <= states


def test_seed_demo_cli_if_empty(app):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["seed-demo", "--if-empty"])
    assert first.exit_code == 0 and "admin" in first.output
    second = runner.invoke(args=["seed-demo", "--if-empty"])
    assert second.exit_code == 0 and "not loaded" in second.output
    refused = runner.invoke(args=["seed-demo"])
    assert refused.exit_code != 0
