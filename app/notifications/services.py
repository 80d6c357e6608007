"""Creating and reading notifications.

A notification stores a message key (`kind`), its parameters and where it
points (an endpoint and its arguments); the sentence and the link are made
when it is read, in the reader's language and time zone. A domain registers
each kind once:

    register_kind("accounts.role_granted", _l("You have been given a new role: %(role)s."),
                  labels={"role": ROLE_LABELS})
    notify(user, "accounts.role_granted", endpoint="accounts.account", role=role)

Parameters may be plain values (names, counts, titles a person typed),
datetimes (shown at read in the reader's zone), enum members or label keys
(stored by name, translated at read through the kind's `labels`) and lazy
translatable strings (stored as their message id, translated at read).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timezone
from enum import Enum
from typing import Any, Callable, Iterable

import sqlalchemy as sa
from flask import url_for
from flask_babel import format_datetime, gettext
from flask_babel import lazy_gettext as _l
from werkzeug.routing import BuildError

from app.extensions import db
from app.notifications.models import Notification
from app.sqltypes import utcnow

DATETIME_TAG = "__datetime__"
MESSAGE_TAG = "__message__"


@dataclass(frozen=True)
class Kind:
    message: Any
    labels: dict[str, dict] = field(default_factory=dict)
    render_params: Callable[[dict], dict] | None = None


_KINDS: dict[str, Kind] = {}


def register_kind(kind: str, message, render_params: Callable[[dict], dict] | None = None, *,
                  labels: dict[str, dict] | None = None) -> None:
    """`message` is a lazy_gettext string with %(name)s placeholders; `labels`
    maps a parameter to its label mapping (enum member or key -> lazy label)."""
    _KINDS[kind] = Kind(message, dict(labels or {}), render_params)


# -- storing -------------------------------------------------------------------

def _stored(value: Any) -> Any:
    if isinstance(value, datetime):
        moment = value if value.tzinfo else value.replace(tzinfo=timezone.utc)
        return {DATETIME_TAG: moment.astimezone(timezone.utc).isoformat()}
    if isinstance(value, Enum):
        return value.name
    if hasattr(value, "_args") and hasattr(value, "_func"):  # a lazy translatable string
        return {MESSAGE_TAG: str(value._args[0]) if value._args else str(value)}
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, (list, tuple)):
        return [_stored(v) for v in value]
    if hasattr(value, "_get_current_object"):  # a proxy such as current_user
        value = value._get_current_object()
    return str(value)


def notify(user, kind: str, *, endpoint: str | None = None, values: dict | None = None,
           link: str = "", **params) -> Notification:
    """Tell `user` something: `kind` and `params` make the sentence at read
    time; `endpoint` and `values` make the link (`link` is the old form)."""
    if kind not in _KINDS:
        raise ValueError(f"unregistered notification kind {kind!r}")
    n = Notification(user_id=user.id, kind=kind, link=link, endpoint=endpoint or "",
                     endpoint_args={k: _stored(v) for k, v in (values or {}).items()} or None,
                     params={k: _stored(v) for k, v in params.items()})
    db.session.add(n)
    db.session.flush()
    return n


def notify_many(users: Iterable, kind: str, *, endpoint: str | None = None, values: dict | None = None,
                link: str = "", **params) -> int:
    count = 0
    for user in users:
        notify(user, kind, endpoint=endpoint, values=values, link=link, **params)
        count += 1
    return count


# -- reading -------------------------------------------------------------------

def _label(mapping: dict, name: Any) -> Any:
    for key, label in mapping.items():
        if key == name or getattr(key, "name", None) == name:
            return str(label)
    return name


def _shown(value: Any) -> Any:
    if isinstance(value, dict) and DATETIME_TAG in value:
        return format_datetime(datetime.fromisoformat(value[DATETIME_TAG]), "yyyy-MM-dd HH:mm")
    if isinstance(value, dict) and MESSAGE_TAG in value:
        return gettext(value[MESSAGE_TAG])
    return value


def message_for(notification: Notification) -> str:
    """The sentence in the current reader's language and time zone."""
    spec = _KINDS.get(notification.kind)
    if spec is None:
        return str(_l("You have a new notification."))
    params = {k: _shown(v) for k, v in (notification.params or {}).items()}
    for name, mapping in spec.labels.items():
        if name in params:
            params[name] = _label(mapping, params[name])
    try:
        if spec.render_params:
            params = spec.render_params(params)
        return str(spec.message) % params
    except (KeyError, TypeError, ValueError):
        return str(spec.message)


def link_for(notification: Notification) -> str:
    """Where the notification points, built now; the stored link for old rows."""
    if notification.endpoint:
        try:
            return url_for(notification.endpoint, **(notification.endpoint_args or {}))
        except BuildError:
            pass
    return notification.link or url_for("notifications.list_notifications")


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
