"""Creating and reading notifications. Domains register their kinds with a
translatable message; `notify` stores only the kind and its parameters."""
from __future__ import annotations

from typing import Callable, Iterable

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from app.extensions import db
from app.notifications.models import Notification
from app.sqltypes import utcnow

_KINDS: dict[str, tuple[object, Callable[[dict], dict] | None]] = {}


def register_kind(kind: str, message, render_params: Callable[[dict], dict] | None = None) -> None:
    """`message` is a lazy_gettext string with %(name)s placeholders;
    `render_params` turns stored codes (a role name) into words at read time."""
    _KINDS[kind] = (message, render_params)


def message_for(notification: Notification) -> str:
    if notification.kind not in _KINDS:
        return str(_l("You have a new notification."))
    template, render_params = _KINDS[notification.kind]
    params = dict(notification.params or {})
    try:
        if render_params:
            params = render_params(params)
        return str(template) % params
    except (KeyError, TypeError, ValueError):
        return str(template)


def notify(user, kind: str, link: str = "", **params) -> Notification:
    if kind not in _KINDS:
        raise ValueError(f"unregistered notification kind {kind!r}")
    n = Notification(user_id=user.id, kind=kind, link=link, params=params)
    db.session.add(n)
    db.session.flush()
    return n


def notify_many(users: Iterable, kind: str, link: str = "", **params) -> int:
    count = 0
    for user in users:
        notify(user, kind, link, **params)
        count += 1
    return count


def unread_count(user) -> int:
    return db.session.scalar(
        sa.select(sa.func.count(Notification.id)).where(
            Notification.user_id == user.id, Notification.read_at.is_(None)
        )
    ) or 0


def notifications_of(user, *, before_id: int | None = None, limit: int = 30) -> list[Notification]:
    query = sa.select(Notification).where(Notification.user_id == user.id)
    if before_id is not None:
        query = query.where(Notification.id < before_id)
    return list(db.session.scalars(query.order_by(Notification.id.desc()).limit(limit)))


def notification_of(user, notification_id: int) -> Notification | None:
    """The user's own notification, or None (another person's id is not found)."""
    return db.session.scalar(
        sa.select(Notification).where(
            Notification.id == notification_id, Notification.user_id == user.id
        )
    )


def mark_read(notification: Notification) -> None:
    if notification.read_at is None:
        notification.read_at = utcnow()
        db.session.flush()


def mark_all_read(user) -> int:
    result = db.session.execute(
        sa.update(Notification)
        .where(Notification.user_id == user.id, Notification.read_at.is_(None))
        .values(read_at=utcnow())
    )
    return result.rowcount or 0
