"""A resident's time-bank statement (对账单) for a period: the balance at the
start, every movement with the balance after it, the balance at the end,
and the verified service of the period beside it. Both records are read,
never mixed: the service record is not money and the balance is not service.
The same statement is shown as a printable page and downloaded as XLSX/CSV."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from app.accounts.models import User
from app.domain import DomainError
from app.extensions import db
from app.inputs import require_in_calendar
from app.timebank import ledger
from app.timebank.models import Posting, ServiceRecord, Txn, TxnKind

MAX_DAYS = 366 * 10  # a statement covers at most ten years

KIND_LABELS = {
    TxnKind.service: _l("Volunteer service"),
    TxnKind.grant: _l("Grant"),
    TxnKind.transfer: _l("Transfer"),
    TxnKind.donation: _l("Donation to the pool"),
    TxnKind.exchange: _l("Service between neighbours"),
    TxnKind.reversal: _l("Reversal"),
}


@dataclass(frozen=True)
class Line:
    at: datetime  # UTC
    txn_id: int
    kind: TxnKind
    memo: str
    amount: int  # minutes, + in, − out
    balance: int  # after this movement


@dataclass(frozen=True)
class Statement:
    holder: User
    period_from: date
    period_to: date
    has_account: bool
    opening: int
    lines: list[Line]
    services: list[ServiceRecord]

    @property
    def credits(self) -> int:
        return sum(line.amount for line in self.lines if line.amount > 0)

    @property
    def debits(self) -> int:
        return -sum(line.amount for line in self.lines if line.amount < 0)

    @property
    def closing(self) -> int:
        return self.opening + self.credits - self.debits

    @property
    def service_minutes(self) -> int:
        return sum(r.minutes for r in self.services)


def _utc_start(day: date, tz: ZoneInfo) -> datetime:
    return datetime.combine(day, time.min, tz).astimezone(timezone.utc)


def _check_period(period_from: date, period_to: date) -> None:
    require_in_calendar(period_from=period_from, period_to=period_to)  # year 1 or 9999 overflows in a time zone
    if period_from > period_to:
        raise DomainError(_l("The period starts after it ends."), field="period_from")
    if (period_to - period_from).days > MAX_DAYS:
        raise DomainError(_l("A statement covers at most ten years."), field="period_from")


def statement(user: User, period_from: date, period_to: date, tz: ZoneInfo) -> Statement:
    """Days are the community's calendar days (`tz`); the period includes both
    ends. The closing balance equals the opening balance plus the movements,
    and for a period that ends today it equals the account's balance."""
    _check_period(period_from, period_to)
    account = ledger.account_of(user, create=False)
    services = list(db.session.scalars(sa.select(ServiceRecord).where(
        ServiceRecord.volunteer_id == user.id, ServiceRecord.served_on >= period_from,
        ServiceRecord.served_on <= period_to).order_by(ServiceRecord.served_on, ServiceRecord.id)))
    if account is None:
        return Statement(user, period_from, period_to, False, 0, [], services)
    start, end = _utc_start(period_from, tz), _utc_start(period_to + timedelta(days=1), tz)
    opening = db.session.scalar(
        sa.select(sa.func.coalesce(sa.func.sum(Posting.amount), 0)).join(Txn, Posting.txn_id == Txn.id)
        .where(Posting.account_id == account.id, Txn.created_at < start)) or 0
    rows = db.session.execute(
        sa.select(Txn.created_at, Txn.id, Txn.kind, Txn.memo, sa.func.sum(Posting.amount))
        .join(Posting, Posting.txn_id == Txn.id)
        .where(Posting.account_id == account.id, Txn.created_at >= start, Txn.created_at < end)
        .group_by(Txn.id, Txn.created_at, Txn.kind, Txn.memo).order_by(Txn.created_at, Txn.id)).all()
    lines, balance = [], opening
    for at, txn_id, kind, memo, amount in rows:
        balance += amount
        lines.append(Line(at, txn_id, kind, memo, amount, balance))
    return Statement(user, period_from, period_to, True, opening, lines, services)


@dataclass(frozen=True)
class VolunteerHours:
    volunteer: User
    minutes: int  # verified service in the period, corrections included
    services: int  # services recorded in the period
    total: int  # all verified service: what stars count


def volunteer_hours(community_id: int, period_from: date, period_to: date) -> list[VolunteerHours]:
    """The community's volunteers with their verified service in the period
    (by the day served), most hours first: the figures a social worker reports
    (志愿服务时长统计). Read from the service record, never from balances."""
    _check_period(period_from, period_to)
    in_period = db.session.execute(
        sa.select(ServiceRecord.volunteer_id, sa.func.sum(ServiceRecord.minutes),
                  sa.func.count(ServiceRecord.id).filter(ServiceRecord.minutes > 0))
        .where(ServiceRecord.community_id == community_id, ServiceRecord.served_on >= period_from,
               ServiceRecord.served_on <= period_to).group_by(ServiceRecord.volunteer_id)).all()
    ids = [volunteer_id for volunteer_id, _m, _n in in_period]
    if not ids:
        return []
    totals = dict(db.session.execute(sa.select(ServiceRecord.volunteer_id, sa.func.sum(ServiceRecord.minutes))
                                     .where(ServiceRecord.volunteer_id.in_(ids))
                                     .group_by(ServiceRecord.volunteer_id)).all())
    users = {u.id: u for u in db.session.scalars(sa.select(User).where(User.id.in_(ids)))}
    rows = [VolunteerHours(users[v], int(minutes), int(count), int(totals[v])) for v, minutes, count in in_period]
    return sorted(rows, key=lambda r: (-r.minutes, r.volunteer.display_name))
