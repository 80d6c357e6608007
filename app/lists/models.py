"""The two lists (两份清单) of a subdistrict, versioned (动态调整).

A `ListVersion` is a draft while staff revise it, then published with an
effective date; published versions never change, so anything that relied on
one (an admission decision) keeps pointing at what it read. Items of one
version are its rows; `item_key` names the same item across versions so two
versions can be compared item by item, field by field.

Kinds: `statutory` (基层群众自治组织依法履行职责事项), `assisted`
(协助政府工作事项) and `excluded` (不应由社区承担的事项). A certificate matter
(盖章证明事项) the community still stamps is a statutory or assisted item with
`is_certificate`; a cancelled one (取消社区盖章证明事项) is an `excluded` item
with `is_certificate`, whose department now does it.
"""
from __future__ import annotations

import enum
from datetime import date, datetime
from typing import Optional

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.domain import Labelled
from app.extensions import db
from app.sqltypes import UTCDateTime, enum_column, utcnow


class VersionState(enum.Enum):
    draft = "draft"
    published = "published"


class ItemKind(Labelled):
    statutory = "statutory", _l("Duties by law")  # 依法履职
    assisted = "assisted", _l("Assisting the government")  # 协助政府
    excluded = "excluded", _l("Not the community's task")  # 不应承担


KIND_LABELS = ItemKind.labels()


class ListVersion(db.Model):
    """One version of a subdistrict's lists. A draft has no number yet; publishing
    gives it the next one (unique per subdistrict, so two concurrent publishes
    cannot both take it)."""

    __table_args__ = (
        sa.UniqueConstraint("subdistrict_id", "number"),
        sa.CheckConstraint("number IS NULL OR number > 0", name="number_positive"),
        sa.CheckConstraint("state <> 'published' OR (number IS NOT NULL AND effective_on IS NOT NULL"
                           " AND published_at IS NOT NULL)", name="published_complete"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    subdistrict_id: Mapped[int] = mapped_column(sa.ForeignKey("subdistrict.id"), index=True)
    number: Mapped[Optional[int]]  # 1, 2, 3 … per subdistrict, given at publication
    state: Mapped[VersionState] = mapped_column(enum_column(VersionState), default=VersionState.draft)
    based_on_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("list_version.id"))  # what the draft revises
    effective_on: Mapped[Optional[date]] = mapped_column(sa.Date)  # the community-local day it takes effect
    note: Mapped[str] = mapped_column(sa.Text, default="")  # why this revision (shown with the version)
    created_by_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    published_by_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("user.id"))
    published_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)

    subdistrict = relationship("Subdistrict")
    based_on: Mapped[Optional["ListVersion"]] = relationship(remote_side=[id])
    items: Mapped[list["ListItem"]] = relationship(
        back_populates="version", order_by="ListItem.kind, ListItem.position, ListItem.id",
        cascade="all, delete-orphan")
    removals: Mapped[list["ListRemoval"]] = relationship(
        back_populates="version", order_by="ListRemoval.id", cascade="all, delete-orphan")
    published_by = relationship("User", foreign_keys=[published_by_id])

    @property
    def is_draft(self) -> bool:
        return self.state is VersionState.draft


class ListItem(db.Model):
    """One item of one version. Items of a published version never change."""

    __table_args__ = (sa.UniqueConstraint("version_id", "item_key"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(sa.ForeignKey("list_version.id"), index=True)
    item_key: Mapped[str] = mapped_column(sa.String(32))  # the same item in every version
    kind: Mapped[ItemKind] = mapped_column(enum_column(ItemKind))
    position: Mapped[int] = mapped_column(default=0)  # order within its kind
    title: Mapped[str] = mapped_column(sa.String(200))  # 事项名称
    description: Mapped[str] = mapped_column(sa.Text, default="")  # 事项说明
    legal_basis: Mapped[str] = mapped_column(sa.Text, default="")  # 法律依据 (law and article)
    department: Mapped[str] = mapped_column(sa.String(80), default="")  # 责任部门, as published
    department_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("department.id"))
    category: Mapped[str] = mapped_column(sa.String(40), default="")  # 类别
    is_certificate: Mapped[bool] = mapped_column(default=False)  # 盖章证明事项
    materials: Mapped[str] = mapped_column(sa.Text, default="")  # 办理所需材料: what the resident brings
    keywords: Mapped[str] = mapped_column(sa.Text, default="")  # 关键词/别名, separated by 、
    change_reason: Mapped[str] = mapped_column(sa.Text, default="")  # why the draft added or changed it

    version: Mapped[ListVersion] = relationship(back_populates="items")
    department_ref = relationship("Department")

    @property
    def is_cancelled_certificate(self) -> bool:
        """取消社区盖章证明事项: a certificate matter the community no longer stamps."""
        return self.is_certificate and self.kind is ItemKind.excluded

    @property
    def keyword_list(self) -> list[str]:
        from app.lists.services import split_keywords

        return split_keywords(self.keywords)


class ListRemoval(db.Model):
    """An item a draft removed from the version it revises, and why."""

    __table_args__ = (sa.UniqueConstraint("version_id", "item_key"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(sa.ForeignKey("list_version.id"), index=True)
    item_key: Mapped[str] = mapped_column(sa.String(32))
    title: Mapped[str] = mapped_column(sa.String(200))
    reason: Mapped[str] = mapped_column(sa.Text)

    version: Mapped[ListVersion] = relationship(back_populates="removals")
