"""People, their scoped roles, and their server-side login sessions."""
from __future__ import annotations

from datetime import datetime
from typing import Optional

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from flask_login import UserMixin
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.domain import Labelled
from app.extensions import db
from app.places.models import Community, Department, Grid, Subdistrict
from app.sqltypes import UTCDateTime, enum_column, utcnow


class Role(Labelled):
    """Scoped roles: social worker and committee member to a community, subdistrict
    staff to a subdistrict, department staff to a department, admin to none. Being a resident is not an
    assignment: it is living in a community (User.community_id)."""

    social_worker = "social_worker", _l("Social worker")  # scoped to a community
    committee_member = "committee_member", _l("Committee member")  # scoped to a community (a body, later)
    subdistrict_staff = "subdistrict_staff", _l("Subdistrict staff")  # scoped to a subdistrict
    department_staff = "department_staff", _l("Department staff")  # scoped to a department
    admin = "admin", _l("Administrator")  # unscoped


ROLE_LABELS = Role.labels()

ROLE_SCOPE = {
    Role.social_worker: "community",
    Role.committee_member: "community",
    Role.subdistrict_staff: "subdistrict",
    Role.department_staff: "department",
    Role.admin: None,
}


class ResidenceStatus(Labelled):
    none = "none", _l("Not a resident")  # not a resident of any community (staff accounts)
    pending = "pending", _l("Awaiting verification")  # 待认证
    verified = "verified", _l("Verified")  # 已认证
    rejected = "rejected", _l("Not approved")  # 未通过, with a reason


RESIDENCE_LABELS = ResidenceStatus.labels()


class TextSize(Labelled):
    standard = "standard", _l("Standard")
    large = "large", _l("Large")
    xlarge = "xlarge", _l("Extra large")


TEXT_SIZE_LABELS = TextSize.labels()


class User(UserMixin, db.Model):
    __table_args__ = (
        sa.CheckConstraint("username IS NOT NULL OR phone IS NOT NULL", name="has_login"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[Optional[str]] = mapped_column(sa.String(32), unique=True)
    phone: Mapped[Optional[str]] = mapped_column(sa.String(11), unique=True)
    display_name: Mapped[str] = mapped_column(sa.String(40))
    password_hash: Mapped[str] = mapped_column(sa.String(255))
    community_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("community.id"), index=True)
    grid_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("grid.id"))
    household: Mapped[str] = mapped_column(sa.String(60), default="")  # 户, e.g. 3幢2单元501
    residence_status: Mapped[ResidenceStatus] = mapped_column(
        enum_column(ResidenceStatus), default=ResidenceStatus.none, index=True
    )
    residence_note: Mapped[str] = mapped_column(sa.String(200), default="")
    residence_decided_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    residence_decided_by_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("user.id"))
    is_active: Mapped[bool] = mapped_column(default=True)
    session_version: Mapped[int] = mapped_column(default=1)
    locale: Mapped[Optional[str]] = mapped_column(sa.String(8))
    text_size: Mapped[TextSize] = mapped_column(enum_column(TextSize), default=TextSize.standard)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_login_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)

    community: Mapped[Optional[Community]] = relationship(foreign_keys=[community_id])
    grid: Mapped[Optional[Grid]] = relationship()
    roles: Mapped[list["RoleAssignment"]] = relationship(
        back_populates="user",
        cascade="all, delete-orphan",
        foreign_keys="RoleAssignment.user_id",
        order_by="RoleAssignment.id",
    )

    @property
    def login_name(self) -> str:
        return self.phone or self.username or ""

    @property
    def is_resident(self) -> bool:
        return self.community_id is not None

    @property
    def is_awaiting_verification(self) -> bool:
        return self.community_id is not None and self.residence_status is ResidenceStatus.pending

    @property
    def is_residence_refused(self) -> bool:
        """A social worker did not confirm the residence (the account page shows why)."""
        return self.community_id is not None and self.residence_status is ResidenceStatus.rejected

    @property
    def is_verified(self) -> bool:
        """Only verified residents support, vote, or hold time-bank accounts."""
        return self.community_id is not None and self.residence_status is ResidenceStatus.verified

    def has_role(self, role: Role) -> bool:
        return any(a.role is role for a in self.roles)

    @property
    def masked_phone(self) -> str:
        return f"{self.phone[:3]}****{self.phone[-4:]}" if self.phone else ""


class RoleAssignment(db.Model):
    __table_args__ = (
        sa.CheckConstraint(
            "(role IN ('social_worker', 'committee_member') AND community_id IS NOT NULL"
            " AND subdistrict_id IS NULL AND department_id IS NULL)"
            " OR (role = 'subdistrict_staff' AND subdistrict_id IS NOT NULL"
            " AND community_id IS NULL AND department_id IS NULL)"
            " OR (role = 'department_staff' AND department_id IS NOT NULL"
            " AND community_id IS NULL AND subdistrict_id IS NULL)"
            " OR (role = 'admin' AND community_id IS NULL AND subdistrict_id IS NULL"
            " AND department_id IS NULL)",
            name="scope_matches_role",
        ),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"), index=True)
    role: Mapped[Role] = mapped_column(enum_column(Role))
    community_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("community.id"), index=True)
    subdistrict_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("subdistrict.id"))
    department_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("department.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("user.id"))

    user: Mapped[User] = relationship(back_populates="roles", foreign_keys=[user_id])
    community: Mapped[Optional[Community]] = relationship()
    subdistrict: Mapped[Optional[Subdistrict]] = relationship()
    department: Mapped[Optional[Department]] = relationship()

    @property
    def scope(self):
        return self.community or self.subdistrict or self.department


class AuthSession(db.Model):
    """One logged-in device. The cookie holds a random token; only its hash is
    stored, so a leaked database cannot be replayed as cookies. It ends at an
    absolute lifetime after `created_at` and after an idle time since
    `last_seen_at` (config SESSION_LIFETIME, SESSION_IDLE_TIMEOUT[_STAFF])."""

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"), index=True)
    version: Mapped[int]  # the user's session_version when it was created
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)  # for the idle timeout
    user_agent: Mapped[str] = mapped_column(sa.String(200), default="")
    ip: Mapped[str] = mapped_column(sa.String(45), default="")
    revoked_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship()
