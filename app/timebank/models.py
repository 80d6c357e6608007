"""Two records, never mixed: the service record (志愿服务记录,
verified minutes of service, never spent) and the balance (时间币), a
double-entry ledger whose transactions' postings sum to zero. Both are
append-only: database triggers refuse UPDATE and DELETE on postings,
transactions and service records; a mistake is undone by a reversing
transaction that references the original."""
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


class AccountKind(enum.Enum):
    resident = "resident"  # one per verified resident
    pool = "pool"  # 公益池: donations; pays for services to residents in need
    issuance = "issuance"  # the only account that may go below its floor


class TimebankSettings(db.Model):
    __table_args__ = (sa.CheckConstraint("unit_minutes > 0", name="unit_positive"),
                      sa.CheckConstraint("max_balance IS NULL OR max_balance > 0", name="cap_positive"))
    community_id: Mapped[int] = mapped_column(sa.ForeignKey("community.id"), primary_key=True)
    unit_minutes: Mapped[int] = mapped_column(default=30)
    max_balance: Mapped[Optional[int]]  # minutes; Nanjing caps at 1500 h


class Account(db.Model):
    """The balance is a cache of the sum of the account's postings, updated in
    the same transaction; the CHECK keeps every account but issuance at or
    above its floor (0, or minus a credit line)."""

    __table_args__ = (
        sa.CheckConstraint("kind = 'issuance' OR balance >= floor", name="floor"),
        sa.CheckConstraint("floor <= 0", name="floor_nonpositive"),
        sa.CheckConstraint("(kind = 'resident') = (user_id IS NOT NULL)", name="owner"),
        sa.Index("uq_account_system", "community_id", "kind", unique=True,
                 sqlite_where=sa.text("user_id IS NULL"), postgresql_where=sa.text("user_id IS NULL")),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(sa.ForeignKey("community.id"), index=True)
    kind: Mapped[AccountKind] = mapped_column(enum_column(AccountKind))
    user_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("user.id"), unique=True)
    balance: Mapped[int] = mapped_column(default=0)
    floor: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    user = relationship("User")


class TxnKind(Labelled):
    service = "service", _l("Volunteer service")  # issuance → volunteer, for verified service
    grant = "grant", _l("Grant")  # issuance → a priority resident (e.g. 80+ living alone), confirmed by a second staff member
    transfer = "transfer", _l("Transfer")  # resident → resident (family, 通存通兑/赠与)
    donation = "donation", _l("Donation to the pool")  # resident → pool
    exchange = "exchange", _l("Service between neighbours")  # receiver → provider, after a service between neighbours
    reversal = "reversal", _l("Reversal")  # undoes an earlier transaction


class Txn(db.Model):
    # (created_at, id): the last transaction before a moment is one index lookup (statements)
    __table_args__ = (sa.UniqueConstraint("initiated_by_id", "idempotency_key"),
                      sa.Index("ix_txn_created_at_id", "created_at", "id"))
    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(sa.ForeignKey("community.id"), index=True)
    kind: Mapped[TxnKind] = mapped_column(enum_column(TxnKind))
    reference_type: Mapped[str] = mapped_column(sa.String(30), default="")  # activity, service, …
    reference_id: Mapped[Optional[int]]
    reverses_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("txn.id"), unique=True)  # at most one reversal
    initiated_by_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"))
    confirmed_by_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("user.id"))
    idempotency_key: Mapped[str] = mapped_column(sa.String(64))
    memo: Mapped[str] = mapped_column(sa.String(200), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    postings: Mapped[list["Posting"]] = relationship(order_by="Posting.id", viewonly=True)


class Posting(db.Model):
    # (account_id, id): an account's postings in the order the ledger wrote them, so the balance
    # before a period is one lookup (the last posting before it) and a period's movements a range
    # (account_id, txn_id, id): an account's last posting up to a transaction, one lookup
    __table_args__ = (sa.CheckConstraint("amount <> 0", name="nonzero"),
                      sa.Index("ix_posting_account_id_id", "account_id", "id"),
                      sa.Index("ix_posting_account_txn", "account_id", "txn_id", "id"))
    id: Mapped[int] = mapped_column(primary_key=True)
    txn_id: Mapped[int] = mapped_column(sa.ForeignKey("txn.id"), index=True)
    account_id: Mapped[int] = mapped_column(sa.ForeignKey("account.id"))
    amount: Mapped[int]  # minutes; the postings of a transaction sum to zero
    # the account's balance right after this posting (written with it, under the account's lock)
    balance_after: Mapped[int]


class ServiceRecord(db.Model):
    """志愿服务记录: who served, how long, who recorded and who verified it
    (谁组织谁记录、谁记录谁证明). A correction is a negative record that
    references the one it corrects."""

    __table_args__ = (
        sa.CheckConstraint("minutes <> 0", name="nonzero"),
        sa.CheckConstraint("(minutes > 0) = (corrects_id IS NULL)", name="correction_sign"),
        # nobody records or verifies their own service (四眼原则). On PostgreSQL these are CHECKs
        # (NOT VALID for rows older than the rule, which `verify` reports); SQLite cannot add a
        # CHECK to a table without rebuilding it, so there a BEFORE INSERT trigger keeps the same
        # rule (the table is append-only: an INSERT is the only way a row arrives).
        sa.CheckConstraint("verified_by_id <> volunteer_id", name="not_self_verified"),
        sa.CheckConstraint("recorded_by_id <> volunteer_id", name="not_self_recorded"),
        # exactly once per volunteer per activity (a correction is a separate, negative record)
        sa.Index("uq_service_record_activity", "reference_type", "reference_id", "volunteer_id", unique=True,
                 sqlite_where=sa.text("minutes > 0 AND reference_type = 'activity'"),
                 postgresql_where=sa.text("minutes > 0 AND reference_type = 'activity'")),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(sa.ForeignKey("community.id"), index=True)
    volunteer_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"), index=True)
    minutes: Mapped[int]
    description: Mapped[str] = mapped_column(sa.String(200))
    served_on: Mapped[date]
    reference_type: Mapped[str] = mapped_column(sa.String(30), default="")
    reference_id: Mapped[Optional[int]]
    recorded_by_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"))
    verified_by_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"))
    txn_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("txn.id"))
    corrects_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("service_record.id"), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class RequestKind(enum.Enum):
    grant = "grant"
    reversal = "reversal"
    service = "service"  # an activity's credit that needs a second staff member (an override, the organiser's own)


class LedgerRequest(db.Model):
    """A grant, a reversal or an activity's service credit that one social
    worker asks for and a second staff member confirms (or declines); only
    the confirmation moves hours."""

    __table_args__ = (sa.CheckConstraint("minutes IS NULL OR minutes > 0", name="minutes_positive"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(sa.ForeignKey("community.id"), index=True)
    kind: Mapped[RequestKind] = mapped_column(enum_column(RequestKind))
    user_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("user.id"))  # the grant's recipient
    minutes: Mapped[Optional[int]]
    txn_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("txn.id"))  # the transaction to reverse
    activity_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("activity.id"))  # the service's activity
    reason: Mapped[str] = mapped_column(sa.String(200))
    requested_by_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"))
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    decided_by_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("user.id"))
    decided_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    confirmed: Mapped[Optional[bool]]
    result_txn_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("txn.id"))

    user = relationship("User", foreign_keys=[user_id])
    requested_by = relationship("User", foreign_keys=[requested_by_id])
    activity = relationship("Activity")
