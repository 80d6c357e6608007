"""Engine set-up per backend.

SQLite: WAL, a busy timeout and foreign keys on every connection, and write
transactions that start with BEGIN IMMEDIATE so concurrent writers queue for
the lock instead of failing with "database is locked" when a read transaction
tries to upgrade (SQLAlchemy docs, "Serializable isolation / Savepoints /
Transactional DDL" pysqlite recipe). Read-only requests (GET/HEAD) begin
deferred so readers never wait for each other.
"""
from __future__ import annotations

from contextvars import ContextVar

from sqlalchemy import event
from sqlalchemy.engine import Engine

# True unless the current unit of work is known to be read-only.
write_intent: ContextVar[bool] = ContextVar("write_intent", default=True)


def configure_engine(engine: Engine) -> None:
    if engine.dialect.name != "sqlite":
        return

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        # Let SQLAlchemy (not pysqlite) emit BEGIN, so we choose its kind.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=15000")
        if engine.url.database not in (None, "", ":memory:"):
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn):
        conn.exec_driver_sql("BEGIN IMMEDIATE" if write_intent.get() else "BEGIN")


# Search objects made by hand in migrations (FTS5 tables, pg_trgm indexes):
# not models, so autogenerate and the model/migration check leave them alone.
UNMODELLED = ("topic_fts", "ix_topic_title_trgm", "ix_topic_body_trgm")


def include_object(obj, name, type_, reflected, compare_to) -> bool:
    return not (reflected and name and name.startswith(UNMODELLED))


def answers() -> bool:
    """Whether the database answers a trivial query (the health check); rolls
    back and says no on any failure."""
    import sqlalchemy as sa

    from app.extensions import db

    try:
        db.session.execute(sa.text("SELECT 1"))
    except Exception:  # noqa: BLE001 - any database failure means "not ready"
        db.session.rollback()
        return False
    return True
