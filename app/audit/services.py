"""Writing the audit log. Every service that changes state calls `record`."""
from __future__ import annotations

from contextvars import ContextVar
from datetime import date, datetime
from typing import Any


from app.audit.models import AuditEntry
from app.extensions import db
from app.sqltypes import utcnow

# Set per request by the app (the client address); empty for CLI and tests.
client_ip: ContextVar[str] = ContextVar("client_ip", default="")


def _values(actor, action: str, obj: Any, community_id: int | None, object_type: str | None,
            object_id: int | None, detail: dict[str, Any]) -> dict[str, Any]:
    actor, obj = _unproxied(actor), _unproxied(obj)
    if obj is not None:
        object_type = object_type or type(obj).__name__.lower()
        object_id = object_id if object_id is not None else getattr(obj, "id", None)
    return {"actor_id": getattr(actor, "id", None), "action": action, "object_type": object_type or "",
            "object_id": object_id, "community_id": community_id,
            "detail": {k: _plain(v) for k, v in detail.items()}, "ip": client_ip.get(), "at": utcnow()}


def record(
    actor,
    action: str,
    obj: Any = None,
    *,
    community_id: int | None = None,
    object_type: str | None = None,
    object_id: int | None = None,
    **detail: Any,
) -> AuditEntry:
    """Add an audit entry to the current transaction (flushed, not committed)."""
    entry = AuditEntry(**_values(actor, action, obj, community_id, object_type, object_id, detail))
    db.session.add(entry)
    db.session.flush()
    return entry


def _unproxied(value: Any) -> Any:
    """The object behind a proxy such as `current_user`, so its type names the
    entry (not "localproxy") and its id is read."""
    getter = getattr(value, "_get_current_object", None)
    return getter() if callable(getter) else value


def _plain(value: Any) -> Any:
    """JSON-safe values: enums by name, everything else as text unless simple."""
    value = _unproxied(value)
    if hasattr(value, "name") and hasattr(value, "value"):
        return value.name
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(getattr(value, "id", None), int):  # a model: its kind and id, not its repr
        return f"{type(value).__name__.lower()} #{value.id}"
    if type(value).__str__ is object.__str__ and type(value).__repr__ is object.__repr__:
        return type(value).__name__.lower()
    return str(value)
