"""Places: 街道/镇 → 社区/村 → 网格, and government departments."""
from __future__ import annotations

from datetime import datetime
from typing import Optional

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, declared_attr, mapped_column, relationship

from app.domain import Labelled
from app.extensions import db
from app.sqltypes import UTCDateTime, enum_column, utcnow


class CommunityKind(Labelled):
    community = "community", _l("Community (社区)")  # urban, 居民委员会
    village = "village", _l("Village (村)")  # rural, 村民委员会


class Subdistrict(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(40), unique=True)
    city: Mapped[str] = mapped_column(sa.String(40), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    communities: Mapped[list["Community"]] = relationship(
        back_populates="subdistrict", order_by="Community.name"
    )
    departments: Mapped[list["Department"]] = relationship(
        back_populates="subdistrict", order_by="Department.name"
    )


class Community(db.Model):
    __table_args__ = (
        sa.UniqueConstraint("subdistrict_id", "name"),
        sa.CheckConstraint("households IS NULL OR households >= 0", name="households_nonneg"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    subdistrict_id: Mapped[int] = mapped_column(sa.ForeignKey("subdistrict.id"), index=True)
    name: Mapped[str] = mapped_column(sa.String(40))
    kind: Mapped[CommunityKind] = mapped_column(
        enum_column(CommunityKind), default=CommunityKind.community
    )
    households: Mapped[Optional[int]]
    address: Mapped[str] = mapped_column(sa.String(120), default="")
    description: Mapped[str] = mapped_column(sa.Text, default="")
    is_active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    # a community is shown with its subdistrict's name (lists, choices, documents): loaded in the
    # same statement, not one more per subdistrict on every page listing communities
    subdistrict: Mapped[Subdistrict] = relationship(back_populates="communities", lazy="joined", innerjoin=True)
    grids: Mapped[list["Grid"]] = relationship(back_populates="community", order_by="Grid.name")

    @property
    def full_name(self) -> str:
        """As documents name it: 娄东街道朝阳社区."""
        return f"{self.subdistrict.name}{self.name}"


class Grid(db.Model):
    __table_args__ = (sa.UniqueConstraint("community_id", "name"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(sa.ForeignKey("community.id"), index=True)
    name: Mapped[str] = mapped_column(sa.String(40))

    community: Mapped[Community] = relationship(back_populates="grids")


class Department(db.Model):
    """A government department; subdistrict_id is NULL for a city-level one."""

    __table_args__ = (sa.UniqueConstraint("subdistrict_id", "name"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    subdistrict_id: Mapped[Optional[int]] = mapped_column(
        sa.ForeignKey("subdistrict.id"), index=True
    )
    name: Mapped[str] = mapped_column(sa.String(40))
    is_active: Mapped[bool] = mapped_column(default=True)

    subdistrict: Mapped[Optional[Subdistrict]] = relationship(back_populates="departments")


class CommunityCategory:
    """A community's own categories (its topics' 议题分类, its kinds of help):
    each name once per community, in the order its social workers set, and
    retired (`is_active` false) rather than deleted, so what was filed under
    one keeps it. A table adds its `name` column."""

    id: Mapped[int] = mapped_column(primary_key=True, sort_order=-2)
    community_id: Mapped[int] = mapped_column(sa.ForeignKey("community.id"), index=True, sort_order=-1)
    position: Mapped[int] = mapped_column(default=0)
    is_active: Mapped[bool] = mapped_column(default=True)

    @declared_attr.directive
    def __table_args__(cls) -> tuple:
        return (sa.UniqueConstraint("community_id", "name"),)
