"""Spending hours (互助交换): help requests (求助) with offers, messages and
pool support (公益池), standing offers (服务项目), and records a volunteer
starts after a service that the receiver confirms or disputes. The hours
themselves move only through the ledger (app.timebank.ledger.post)."""
from __future__ import annotations

from datetime import date, datetime
from typing import Optional

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.domain import Labelled
from app.extensions import db
from app.places.models import CommunityCategory
from app.sqltypes import UTCDateTime, enum_column, utcnow

DEFAULT_CATEGORIES = ("陪诊", "助餐", "助洁", "代购", "理发", "上门探访", "手机使用帮助", "其他")


class HelpCategory(CommunityCategory, db.Model):
    """A community's kinds of help; the defaults are made on first use and
    its social workers may rename, add or retire them."""

    name: Mapped[str] = mapped_column(sa.String(30))


class ExchangeProfile(db.Model):
    """Per person: a priority resident (e.g. 80+ living alone, set by a social
    worker, first in the pool queue) and a volunteer's choice to see the
    subdistrict's other communities' requests."""

    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"), primary_key=True)
    is_priority: Mapped[bool] = mapped_column(default=False)
    priority_reason: Mapped[str] = mapped_column(sa.String(200), default="")
    priority_set_by_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("user.id"))
    wider: Mapped[bool] = mapped_column(default=False)


class HelpState(Labelled):
    open = "open", _l("Waiting for a helper")  # waiting for offers
    matched = "matched", _l("Helper chosen")  # a helper chosen; confirmed after the service
    served = "served", _l("Served")  # confirmed: hours moved once
    cancelled = "cancelled", _l("Cancelled")


class PoolState(Labelled):
    none = "none", _l("Not asked")
    asked = "asked", _l("Pool support asked")  # the requester asks the pool to pay
    approved = "approved", _l("Pool support approved (minutes reserved)")  # a social worker approved: the minutes are reserved on the pool
    declined = "declined", _l("Pool support declined")
    released = "released", _l("Reservation released")  # the request was cancelled: the reservation went back
    consumed = "consumed", _l("Paid by the pool")  # the pool paid


HELP_STATE_LABELS = HelpState.labels()
POOL_STATE_LABELS = PoolState.labels()


# how someone acted for a resident, as the audit log says it
ACTING_LABELS = {"self": _l("themself"), "proxy": _l("by their proxy, 代办"),
                 "social_worker": _l("by a social worker on their behalf, 代办")}


class HelpRequest(db.Model):
    __table_args__ = (
        sa.CheckConstraint("minutes > 0", name="minutes_positive"),
        sa.CheckConstraint("pool_minutes >= 0", name="pool_minutes_nonnegative"),
        sa.CheckConstraint("rating IS NULL OR (rating BETWEEN 1 AND 5)", name="rating_range"),
        sa.CheckConstraint("helper_id IS NULL OR helper_id <> requester_id", name="not_own_helper"),
        sa.Index("ix_help_request_community_state", "community_id", "state"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(sa.ForeignKey("community.id"))
    requester_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"), index=True)
    posted_by_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"))  # the requester, a proxy or a social worker
    category_id: Mapped[int] = mapped_column(sa.ForeignKey("help_category.id"))
    needed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    place: Mapped[str] = mapped_column(sa.String(100))
    minutes: Mapped[int]  # the estimate
    notes: Mapped[str] = mapped_column(sa.String(500), default="")
    accept_first: Mapped[bool] = mapped_column(default=False)
    listing_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("service_listing.id"))
    state: Mapped[HelpState] = mapped_column(enum_column(HelpState), default=HelpState.open)
    helper_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("user.id"), index=True)
    chosen_by_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("user.id"))
    matched_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    # pool support (公益池): asked with a reason, decided by a social worker; approval reserves pool_minutes
    pool_state: Mapped[PoolState] = mapped_column(enum_column(PoolState), default=PoolState.none)
    pool_reason: Mapped[str] = mapped_column(sa.String(200), default="")
    pool_minutes: Mapped[int] = mapped_column(default=0)
    pool_decided_by_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("user.id"))
    pool_decided_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    pool_decision: Mapped[str] = mapped_column(sa.String(200), default="")
    # the confirmation after the service
    served_minutes: Mapped[Optional[int]]
    rating: Mapped[Optional[int]]
    comment: Mapped[str] = mapped_column(sa.String(300), default="")
    confirmed_by_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("user.id"))
    confirmed_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    txn_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("txn.id"))
    cancelled_by_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("user.id"))
    cancel_reason: Mapped[str] = mapped_column(sa.String(200), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    requester = relationship("User", foreign_keys=[requester_id])
    posted_by = relationship("User", foreign_keys=[posted_by_id])
    helper = relationship("User", foreign_keys=[helper_id])
    confirmed_by = relationship("User", foreign_keys=[confirmed_by_id])
    category = relationship(HelpCategory)
    community = relationship("Community")


class HelpOffer(db.Model):
    __table_args__ = (sa.UniqueConstraint("request_id", "volunteer_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(sa.ForeignKey("help_request.id"), index=True)
    volunteer_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"))
    note: Mapped[str] = mapped_column(sa.String(200), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    volunteer = relationship("User")


class HelpMessage(db.Model):
    """Short messages between the requester (or who acts for them) and the helper."""

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(sa.ForeignKey("help_request.id"), index=True)
    author_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"))
    on_behalf_of_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("user.id"))
    body: Mapped[str] = mapped_column(sa.String(300))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    author = relationship("User", foreign_keys=[author_id])


class ServiceListing(db.Model):
    """服务项目: a volunteer's standing offer ("周末上门理发"), requestable by neighbours."""

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(sa.ForeignKey("community.id"), index=True)
    volunteer_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"), index=True)
    category_id: Mapped[int] = mapped_column(sa.ForeignKey("help_category.id"))
    title: Mapped[str] = mapped_column(sa.String(60))
    description: Mapped[str] = mapped_column(sa.String(300), default="")
    is_active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    volunteer = relationship("User")
    category = relationship(HelpCategory)


class ClaimState(Labelled):
    pending = "pending", _l("Waiting for confirmation")  # waiting for the receiver (expires after N days, computed when read)
    confirmed = "confirmed", _l("Confirmed")
    disputed = "disputed", _l("Disputed")  # waiting for a social worker
    upheld = "upheld", _l("Upheld by a social worker")  # a social worker decided the helper is right: hours moved
    rejected = "rejected", _l("Rejected by a social worker")  # a social worker decided against the record


CLAIM_STATE_LABELS = ClaimState.labels()


class ServiceClaim(db.Model):
    """"I helped for 90 minutes": a record a volunteer starts after a service;
    the receiver confirms (hours move) or disputes (a social worker decides)."""

    __table_args__ = (sa.CheckConstraint("minutes > 0", name="minutes_positive"),
                      sa.CheckConstraint("helper_id <> receiver_id", name="not_self"))
    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(sa.ForeignKey("community.id"), index=True)  # the receiver's
    helper_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"), index=True)
    receiver_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"), index=True)
    minutes: Mapped[int]
    description: Mapped[str] = mapped_column(sa.String(200))
    served_on: Mapped[date]
    state: Mapped[ClaimState] = mapped_column(enum_column(ClaimState), default=ClaimState.pending)
    dispute_reason: Mapped[str] = mapped_column(sa.String(200), default="")
    answered_by_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("user.id"))
    decided_by_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("user.id"))
    decision_reason: Mapped[str] = mapped_column(sa.String(200), default="")
    txn_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("txn.id"))
    expiry_noticed_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    helper = relationship("User", foreign_keys=[helper_id])
    receiver = relationship("User", foreign_keys=[receiver_id])
    answered_by = relationship("User", foreign_keys=[answered_by_id])
