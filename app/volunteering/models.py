"""Volunteering: activities a social worker publishes, volunteers' sign-ups
(with a waiting list) and check-in, certificates of verified service, and
the volunteer register. Hours are credited through the time bank's ledger
(app.timebank.ledger), which writes the service record; nothing here is
money. Table names are those of the time bank's days (no migration)."""
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


class ActivityState(enum.Enum):
    published = "published"
    cancelled = "cancelled"
    confirmed = "confirmed"  # hours credited; the activity is closed


class Activity(db.Model):
    """A volunteer activity (志愿服务活动) a social worker publishes."""

    __table_args__ = (sa.CheckConstraint("places > 0 AND minutes > 0", name="positive"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(sa.ForeignKey("community.id"), index=True)
    organiser_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"))
    title: Mapped[str] = mapped_column(sa.String(80))
    description: Mapped[str] = mapped_column(sa.Text, default="")
    category: Mapped[str] = mapped_column(sa.String(20))  # 助老, 环境, 文明劝导, 防疫, 助学
    place: Mapped[str] = mapped_column(sa.String(100))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    signup_deadline: Mapped[datetime] = mapped_column(UTCDateTime)
    places: Mapped[int]
    minutes: Mapped[int]  # credited per volunteer by default
    topic_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("topic.id"))  # the decision it carries out
    state: Mapped[ActivityState] = mapped_column(enum_column(ActivityState), default=ActivityState.published)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    community = relationship("Community")
    topic = relationship("Topic")

    @property
    def is_cancelled(self) -> bool:
        return self.state is ActivityState.cancelled


class SignupStatus(Labelled):
    confirmed = "confirmed", _l("place")  # has a place
    waitlisted = "waitlisted", _l("waiting list")
    cancelled = "cancelled", _l("cancelled")


SIGNUP_LABELS = SignupStatus.labels()


class Signup(db.Model):
    __table_args__ = (sa.UniqueConstraint("activity_id", "volunteer_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    activity_id: Mapped[int] = mapped_column(sa.ForeignKey("activity.id"), index=True)
    volunteer_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"), index=True)
    status: Mapped[SignupStatus] = mapped_column(enum_column(SignupStatus))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    checked_in_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    checked_out_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    attended: Mapped[bool] = mapped_column(default=False)  # marked by the organiser, or by checking in

    volunteer = relationship("User")

    @property
    def has_place(self) -> bool:
        return self.status is SignupStatus.confirmed

    @property
    def is_waitlisted(self) -> bool:
        return self.status is SignupStatus.waitlisted


class Certificate(db.Model):
    """志愿服务证明: a snapshot of a volunteer's verified service for a period,
    issued by their community. The verification code is random; the digest
    (an HMAC of the content) shows whether what is stored was altered."""

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(16), unique=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"), index=True)
    community_id: Mapped[int] = mapped_column(sa.ForeignKey("community.id"))
    holder_name: Mapped[str] = mapped_column(sa.String(40))
    community_name: Mapped[str] = mapped_column(sa.String(80))
    period_from: Mapped[date]
    period_to: Mapped[date]
    total_minutes: Mapped[int]
    services: Mapped[list] = mapped_column(sa.JSON)  # [[date, description, minutes], …]
    digest: Mapped[str] = mapped_column(sa.String(64))
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class VolunteerProfile(db.Model):
    """志愿者注册: skills, availability, and consent to keep service records."""

    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"), primary_key=True)
    skills: Mapped[str] = mapped_column(sa.String(200), default="")
    availability: Mapped[str] = mapped_column(sa.String(200), default="")
    consent_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
