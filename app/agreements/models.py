"""社区事务准入 and 委托协议: what a department asks a community to do, the
basis on which it was admitted (a list item of the version in force) or the
entrustment agreement that pays for it (费随事转), and that agreement's
fulfilment and payments.

Money is Decimal yuan with two places (Numeric(12, 2)); totals are computed
from the items, never stored or typed."""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Optional

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.consultation.models import StoredImage
from app.domain import Labelled
from app.extensions import db
from app.lists import models as _lists  # noqa: F401  (requests point at list items)
from app.sqltypes import UTCDateTime, enum_column, utcnow

CENT = Decimal("0.01")


class AdmissionSettings(db.Model):
    """A subdistrict's two deadlines, in working days (Mon–Fri): how far ahead a
    department files a request, and how soon it is decided."""

    __table_args__ = (sa.CheckConstraint("notice_days BETWEEN 0 AND 250 AND decision_days BETWEEN 1 AND 250",
                                         name="days_in_range"),)
    subdistrict_id: Mapped[int] = mapped_column(sa.ForeignKey("subdistrict.id"), primary_key=True)
    notice_days: Mapped[int] = mapped_column(default=30)
    decision_days: Mapped[int] = mapped_column(default=15)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_by_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("user.id"))


class RequestState(Labelled):
    submitted = "submitted", _l("awaiting decision")  # 待审核: the subdistrict confirms the match
    admitted = "admitted", _l("admitted (statutory duty)")  # 准入: on the statutory list (依法履职)
    assisted = "assisted", _l("admitted as assistance")  # 准入 as assistance: on the assisted list (协助政府)
    needs_agreement = "needs_agreement", _l("needs an entrustment agreement")  # on neither list: an agreement, or the committee declines
    declined = "declined", _l("declined by the community")  # 社区拒绝 (减负)
    under_agreement = "under_agreement", _l("admitted under an agreement")  # an entrustment agreement for it is in force
    withdrawn = "withdrawn", _l("withdrawn")  # by the department before a decision


REQUEST_LABELS = RequestState.labels()


class AdmissionRequest(db.Model):
    """社区事务准入申请: one department's task for one community. A request to
    several communities is one row each (sharing `batch`), since each
    community's committee answers for itself. `list_version_id` and the
    proposals are recorded at submission; `matched_item_id` when decided. A
    later revision of the lists never rewrites either."""

    __table_args__ = (sa.CheckConstraint("starts_on <= ends_on", name="period_ordered"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    batch: Mapped[str] = mapped_column(sa.String(24), index=True)
    department_id: Mapped[int] = mapped_column(sa.ForeignKey("department.id"), index=True)
    community_id: Mapped[int] = mapped_column(sa.ForeignKey("community.id"), index=True)
    title: Mapped[str] = mapped_column(sa.String(80))
    description: Mapped[str] = mapped_column(sa.Text, default="")
    starts_on: Mapped[date]
    ends_on: Mapped[date]
    workload: Mapped[str] = mapped_column(sa.String(100))  # 每月约 4 小时, 入户 200 户
    needs_stamp: Mapped[bool] = mapped_column(default=False)
    claimed_item_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("list_item.id"))
    list_version_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("list_version.id"))
    proposals: Mapped[list] = mapped_column(sa.JSON, default=list)  # [[item_id, score], …] best first
    state: Mapped[RequestState] = mapped_column(enum_column(RequestState), default=RequestState.submitted,
                                                index=True)
    submitted_by_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"))
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    decide_by: Mapped[date]  # the last working day for the subdistrict's decision
    matched_item_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("list_item.id"))
    decided_by_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("user.id"))
    decided_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    declined_by_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("user.id"))
    declined_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    reason: Mapped[str] = mapped_column(sa.String(300), default="")  # of a decline or a withdrawal

    department = relationship("Department")
    community = relationship("Community")
    claimed_item = relationship("ListItem", foreign_keys=[claimed_item_id])
    matched_item = relationship("ListItem", foreign_keys=[matched_item_id])
    list_version = relationship("ListVersion")
    submitted_by = relationship("User", foreign_keys=[submitted_by_id])

    @property
    def is_decided(self) -> bool:
        return self.decided_at is not None

    @property
    def tone(self) -> str:
        return TONES[self.state]

    @property
    def is_overdue(self) -> bool:
        from app.agreements.admission import is_overdue

        return is_overdue(self)


class AgreementState(Labelled):
    draft = "draft", _l("draft")  # terms may change; nobody has signed
    signing = "signing", _l("awaiting the other signature")  # one side signed: the terms are fixed
    in_force = "in_force", _l("in force")  # both signed
    superseded = "superseded", _l("superseded by an amendment")  # an amendment came into force


class Agreement(db.Model):
    """委托协议 between a department and a community's committee. Once anyone
    has signed, its terms (this row's terms, items and milestones) never
    change; an amendment is a new version whose `previous_id` names it."""

    __table_args__ = (sa.CheckConstraint("starts_on <= ends_on", name="period_ordered"),
                      sa.UniqueConstraint("previous_id", name="one_amendment"))
    id: Mapped[int] = mapped_column(primary_key=True)
    department_id: Mapped[int] = mapped_column(sa.ForeignKey("department.id"), index=True)
    community_id: Mapped[int] = mapped_column(sa.ForeignKey("community.id"), index=True)
    request_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("admission_request.id"))
    previous_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("agreement.id"))
    version: Mapped[int] = mapped_column(default=1)
    title: Mapped[str] = mapped_column(sa.String(80))
    starts_on: Mapped[date]
    ends_on: Mapped[date]
    internal_note: Mapped[str] = mapped_column(sa.Text, default="")  # the parties' own; never public
    state: Mapped[AgreementState] = mapped_column(enum_column(AgreementState), default=AgreementState.draft,
                                                  index=True)
    created_by_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    department_signed_by_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("user.id"))
    department_signed_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    community_signed_by_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("user.id"))
    community_signed_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)

    department = relationship("Department")
    community = relationship("Community")
    request = relationship("AdmissionRequest", foreign_keys=[request_id])
    previous = relationship("Agreement", remote_side=[id])
    department_signed_by = relationship("User", foreign_keys=[department_signed_by_id])
    community_signed_by = relationship("User", foreign_keys=[community_signed_by_id])
    items: Mapped[list["AgreementItem"]] = relationship(back_populates="agreement", order_by="AgreementItem.id",
                                                        cascade="all, delete-orphan")
    milestones: Mapped[list["Milestone"]] = relationship(back_populates="agreement", order_by="Milestone.due_on",
                                                         cascade="all, delete-orphan")

    @property
    def total(self) -> Decimal:
        """The funding: the sum of the items, never typed."""
        return sum((i.amount for i in self.items), Decimal("0")).quantize(CENT)

    @property
    def scheduled(self) -> Decimal:
        return sum((m.amount for m in self.milestones), Decimal("0")).quantize(CENT)

    @property
    def tone(self) -> str:
        return TONES[self.state]

    @property
    def flags(self):
        """Overdue items and unpaid payments, computed now."""
        from app.agreements.services import flags_of

        return flags_of(self)

    @property
    def is_signed(self) -> bool:
        return self.state in (AgreementState.in_force, AgreementState.superseded)


class AgreementItem(db.Model):
    __table_args__ = (sa.CheckConstraint("amount >= 0", name="amount_nonneg"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    agreement_id: Mapped[int] = mapped_column(sa.ForeignKey("agreement.id"), index=True)
    title: Mapped[str] = mapped_column(sa.String(80))
    deliverables: Mapped[str] = mapped_column(sa.Text, default="")
    due_on: Mapped[date]
    amount: Mapped[Decimal] = mapped_column(sa.Numeric(12, 2))

    agreement: Mapped[Agreement] = relationship(back_populates="items")
    reports: Mapped[list["Fulfilment"]] = relationship(order_by="Fulfilment.id", viewonly=True)


class Milestone(db.Model):
    """A payment the department owes on a date (付款节点)."""

    __table_args__ = (sa.CheckConstraint("amount > 0", name="amount_positive"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    agreement_id: Mapped[int] = mapped_column(sa.ForeignKey("agreement.id"), index=True)
    label: Mapped[str] = mapped_column(sa.String(60))
    due_on: Mapped[date]
    amount: Mapped[Decimal] = mapped_column(sa.Numeric(12, 2))

    agreement: Mapped[Agreement] = relationship(back_populates="milestones")
    payments: Mapped[list["Payment"]] = relationship(order_by="Payment.id", viewonly=True)

    @property
    def received(self) -> Decimal:
        return sum((p.amount for p in self.payments), Decimal("0")).quantize(CENT)


class Delivery(Labelled):
    delivered = "delivered", _l("delivered")
    partly = "partly", _l("partly delivered")
    not_delivered = "not_delivered", _l("not delivered")


DELIVERY_LABELS = Delivery.labels()
DELIVERY_STYLES = {Delivery.delivered: "status-verified", Delivery.partly: "status-pending",
                   Delivery.not_delivered: "status-pending"}  # the badge's colour


SIDE_LABELS = {"department": _l("the department"), "community": _l("the community")}


class Fulfilment(db.Model):
    """履约: a report on one item; the latest report is the item's status. Never
    edited, so the history of what was reported stays."""

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(sa.ForeignKey("agreement_item.id"), index=True)
    status: Mapped[Delivery] = mapped_column(enum_column(Delivery))
    evidence: Mapped[str] = mapped_column(sa.Text, default="")
    recorded_by_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    recorded_by = relationship("User")
    photos: Mapped[list["FulfilmentPhoto"]] = relationship(order_by="FulfilmentPhoto.id", viewonly=True)


class FulfilmentPhoto(StoredImage, db.Model):
    """Evidence photo of a fulfilment."""

    id: Mapped[int] = mapped_column(primary_key=True)
    fulfilment_id: Mapped[int] = mapped_column(sa.ForeignKey("fulfilment.id"), index=True)


class Payment(db.Model):
    """Money the community received against a milestone (recorded by either side)."""

    __table_args__ = (sa.CheckConstraint("amount > 0", name="amount_positive"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    milestone_id: Mapped[int] = mapped_column(sa.ForeignKey("milestone.id"), index=True)
    amount: Mapped[Decimal] = mapped_column(sa.Numeric(12, 2))
    received_on: Mapped[date]
    recorded_by_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


# how a state reads at a glance (the status classes of app.css)
TONES = {RequestState.submitted: "status-pending", RequestState.needs_agreement: "status-pending",
         RequestState.admitted: "status-verified", RequestState.assisted: "status-verified",
         RequestState.under_agreement: "status-verified", RequestState.declined: "status-rejected",
         RequestState.withdrawn: "muted", AgreementState.draft: "status-pending",
         AgreementState.signing: "status-pending", AgreementState.in_force: "status-verified",
         AgreementState.superseded: "muted"}
