"""The audit log: who did what to which object, when, in which community."""
from __future__ import annotations

from datetime import datetime
from typing import Optional

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.sqltypes import UTCDateTime, utcnow


class AuditEntry(db.Model):
    __table_args__ = (
        sa.Index("ix_audit_entry_object", "object_type", "object_id"),
        sa.Index("ix_audit_entry_community_at", "community_id", "at"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    actor_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("user.id"))  # NULL: the system
    action: Mapped[str] = mapped_column(sa.String(60))
    object_type: Mapped[str] = mapped_column(sa.String(40))
    object_id: Mapped[Optional[int]]
    community_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("community.id"))
    detail: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    ip: Mapped[str] = mapped_column(sa.String(45), default="")

    actor = relationship("User")
