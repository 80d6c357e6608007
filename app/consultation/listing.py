"""Finding topics: a community's public list (filtered, sorted, keyset
pages), Chinese substring search on both databases, and one's own topics."""
from __future__ import annotations

import base64
import re
from datetime import UTC, datetime

import sqlalchemy as sa

from app.accounts.models import User
from app.consultation.models import PUBLIC_STATES, Topic, TopicState

# The states a public list can be narrowed to, in the order a topic passes them.
FILTER_STATES = (TopicState.published, TopicState.deliberating, TopicState.decided, TopicState.in_progress,
                 TopicState.completed)
from app.extensions import db
from app.inputs import MAX_ID, in_calendar

S = TopicState


# -- listing and search ------------------------------------------------------------------

SORTS = ("newest", "supported", "active")
PAGE = 20


def _like(q: str) -> str:
    return "%" + q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]+")


def search_ids(q: str) -> sa.ColumnElement:
    """A condition on Topic.id for a Chinese substring search: SQLite FTS5 with
    the trigram tokenizer, PostgreSQL pg_trgm (both index ≥ 3 characters;
    shorter words such as 电梯 fall back to LIKE on both). Control characters
    count as spaces: a NUL would end SQLite's string inside the FTS5 phrase and
    PostgreSQL refuses it in text."""
    q = _CONTROL.sub(" ", q).strip()
    if db.engine.dialect.name == "sqlite" and len(q) >= 3:
        phrase = '"' + q.replace('"', '""') + '"'
        return Topic.id.in_(sa.select(sa.column("rowid")).select_from(sa.table("topic_fts"))
                            .where(sa.text("topic_fts MATCH :phrase").bindparams(phrase=phrase)))
    pattern = _like(q)
    return sa.or_(Topic.title.ilike(pattern, escape="\\"), Topic.body.ilike(pattern, escape="\\"))


def _cursor_encode(value, topic_id: int) -> str:
    raw = f"{value.isoformat() if isinstance(value, datetime) else value}|{topic_id}"
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


class BadCursor(ValueError):
    """A list cursor this site did not write (the page answers 400)."""


def _cursor_decode(cursor: str, sort: str) -> tuple[int | datetime, int]:
    """(sort key, topic id) of the last topic shown; every part checked, so a
    crafted cursor never reaches the query."""
    try:
        if len(cursor) > 200:
            raise ValueError
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode("ascii")
        value, topic_id = raw.rsplit("|", 1)
        last_id = int(topic_id)
        if sort == "supported":
            typed: int | datetime = int(value)
            valid = 0 <= typed <= MAX_ID
        else:
            typed = datetime.fromisoformat(value)
            valid = typed.tzinfo is not None and in_calendar(typed.astimezone(UTC))
    except (ValueError, OverflowError):  # binascii.Error and UnicodeDecodeError are ValueErrors
        raise BadCursor(cursor) from None
    if not valid or not 0 < last_id <= MAX_ID:
        raise BadCursor(cursor)
    return typed, last_id


def list_topics(community_id: int, *, state: str = "", category_id: int | None = None, sort: str = "newest",
                q: str = "", cursor: str | None = None, limit: int = PAGE) -> tuple[list[Topic], str | None]:
    """Public topics of a community, filtered, sorted, keyset-paginated
    (BadCursor when `cursor` is not one this function returned)."""
    query = sa.select(Topic).where(Topic.community_id == community_id, Topic.state.in_(PUBLIC_STATES - {S.merged}),
                                   Topic.hidden_at.is_(None))
    if state in TopicState.__members__ and TopicState[state] in PUBLIC_STATES:
        query = query.where(Topic.state == TopicState[state])
    if category_id:
        query = query.where(Topic.category_id == category_id)
    if q.strip():
        query = query.where(search_ids(q))
    sort = sort if sort in SORTS else "newest"
    key = {"newest": sa.func.coalesce(Topic.published_at, Topic.created_at), "supported": Topic.support_count,
           "active": Topic.last_activity_at}[sort]
    if cursor:
        typed, last_id = _cursor_decode(cursor, sort)
        query = query.where(sa.or_(key < typed, sa.and_(key == typed, Topic.id < last_id)))
    rows = list(db.session.scalars(query.order_by(key.desc(), Topic.id.desc()).limit(limit + 1)))
    more = len(rows) > limit
    rows = rows[:limit]
    next_cursor = None
    if more and rows:
        last = rows[-1]
        value = {"newest": last.published_at or last.created_at, "supported": last.support_count,
                 "active": last.last_activity_at}[sort]
        next_cursor = _cursor_encode(value, last.id)
    return rows, next_cursor


def my_topics(user: User) -> list[Topic]:
    return list(db.session.scalars(sa.select(Topic).where(sa.or_(Topic.author_id == user.id))
                                   .order_by(Topic.id.desc())))
