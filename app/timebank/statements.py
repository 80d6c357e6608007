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

KIND_LABELS = TxnKind.labels()


PAGE = 100  # movements a statement page shows; the downloads hold every movement


@dataclass(frozen=True)
class Line:
    at: datetime  # UTC
    txn_id: int
    kind: TxnKind
    memo: str
    amount: int  # minutes, + in, − out
    balance: int  # after this movement
    posting_id: int = 0  # the page's position (the next page starts after it)


@dataclass(frozen=True)
class Statement:
    holder: User
    period_from: date
    period_to: date
    has_account: bool
    opening: int
    lines: list[Line]  # the page (every movement when asked with no limit)
    services: list[ServiceRecord]
    closing: int = 0
    credits: int = 0
    debits: int = 0
    next_after: int | None = None  # the next page starts after this posting; None on the last page
    service_total: int | None = None  # the period's verified service when `services` is one page of several
    services_next_after: int | None = None  # the next page of service records starts after this record

    @property
    def service_minutes(self) -> int:
        return self.service_total if self.service_total is not None else sum(r.minutes for r in self.services)

    @property
    def more_services(self) -> bool:
        return self.service_total is not None


def _utc_start(day: date, tz: ZoneInfo) -> datetime:
    return datetime.combine(day, time.min, tz).astimezone(timezone.utc)


def _check_period(period_from: date, period_to: date) -> None:
    require_in_calendar(period_from=period_from, period_to=period_to)  # year 1 or 9999 overflows in a time zone
    if period_from > period_to:
        raise DomainError(_l("The period starts after it ends."), field="period_from")
    if (period_to - period_from).days > MAX_DAYS:
        raise DomainError(_l("A statement covers at most ten years."), field="period_from")


def _last_before(account_id: int, moment: datetime, *, up_to: int | None = None) -> tuple[int, int]:
    """(posting id, balance after it) of the account's last posting made
    before `moment`, or (0, 0). The last transaction before `moment` is one
    lookup in (created_at, id) on txn; the account's postings up to it are
    read backwards in (account_id, txn_id, id) on posting (an account's
    postings are written under its lock, so their transaction ids rise with
    their ids) until one was made before `moment`: the first one read, as
    transactions are numbered in the order they are made. Two index lookups
    however long the history before, during or after the period; only
    history written out of time order (a backdated import) is walked."""
    boundary = (sa.select(Txn.id).where(Txn.created_at < moment)
                .order_by(Txn.created_at.desc(), Txn.id.desc()).limit(1).scalar_subquery())
    query = (sa.select(Posting.id, Posting.balance_after).join(Txn, Posting.txn_id == Txn.id)
             .where(Posting.account_id == account_id, Posting.txn_id <= boundary, Txn.created_at < moment)
             .order_by(Posting.txn_id.desc(), Posting.id.desc()).limit(1))
    if up_to is not None:
        query = query.where(Posting.id <= up_to)
    row = db.session.execute(query).first()
    return (row[0], row[1]) if row else (0, 0)


def statement(user: User, period_from: date, period_to: date, tz: ZoneInfo, *, after: int | None = None,
              limit: int | None = PAGE, services_after: int | None = None) -> Statement:
    """Days are the community's calendar days (`tz`); the period includes both
    ends. The period's movements are the account's postings after the last one
    made before the period starts, up to the last one made before it ends
    (in the ledger's order, posting id); the opening and closing balances are
    those two postings' `balance_after`, the totals one aggregate over that
    index range, so the closing balance is the opening balance plus the
    movements and the cost does not grow with the history before the period.
    `limit` movements from after posting `after` (None: every movement), and
    as many service records from after record `services_after`."""
    _check_period(period_from, period_to)
    account = ledger.account_of(user, create=False)
    services, service_total, services_next = _services(user, period_from, period_to, limit, services_after)
    pages = dict(service_total=service_total, services_next_after=services_next)
    if account is None:
        return Statement(user, period_from, period_to, False, 0, [], services, **pages)
    start, end = _utc_start(period_from, tz), _utc_start(period_to + timedelta(days=1), tz)
    last_id, closing = _last_before(account.id, end)
    first_after, opening = _last_before(account.id, start, up_to=last_id) if last_id else (0, 0)
    if last_id <= first_after:  # nothing in the period
        return Statement(user, period_from, period_to, True, opening, [], services, opening, **pages)
    in_period = sa.and_(Posting.account_id == account.id, Posting.id > first_after, Posting.id <= last_id)
    credits, debits = db.session.execute(sa.select(
        sa.func.coalesce(sa.func.sum(sa.case((Posting.amount > 0, Posting.amount), else_=0)), 0),
        sa.func.coalesce(sa.func.sum(sa.case((Posting.amount < 0, -Posting.amount), else_=0)), 0))
        .where(in_period)).one()
    query = (sa.select(Txn.created_at, Txn.id, Txn.kind, Txn.memo, Posting.amount, Posting.balance_after,
                       Posting.id).join(Txn, Posting.txn_id == Txn.id)
             .where(in_period, Posting.id > (after or 0)).order_by(Posting.id))
    rows = db.session.execute(query if limit is None else query.limit(limit + 1)).all()
    lines = [Line(*row) for row in (rows if limit is None else rows[:limit])]
    next_after = lines[-1].posting_id if limit is not None and len(rows) > limit else None
    return Statement(user, period_from, period_to, True, opening, lines, services, closing, int(credits),
                     int(debits), next_after, **pages)


def _services(user: User, period_from: date, period_to: date, limit: int | None, after: int | None = None
              ) -> tuple[list, int | None, int | None]:
    """The period's service records in date order: `limit` of them (None: all)
    after record `after` (keyset on date and id); their total minutes when the
    page is not the whole period (else None: the records are the whole
    period); and the record the next page starts after (None on the last)."""
    where = (ServiceRecord.volunteer_id == user.id, ServiceRecord.served_on >= period_from,
             ServiceRecord.served_on <= period_to)
    query = sa.select(ServiceRecord).where(*where).order_by(ServiceRecord.served_on, ServiceRecord.id)
    anchor = db.session.execute(sa.select(ServiceRecord.served_on, ServiceRecord.id).where(
        ServiceRecord.id == after, ServiceRecord.volunteer_id == user.id)).first() if after else None
    if anchor is not None:
        query = query.where(sa.or_(ServiceRecord.served_on > anchor.served_on,
                                   sa.and_(ServiceRecord.served_on == anchor.served_on, ServiceRecord.id > anchor.id)))
    services = list(db.session.scalars(query if limit is None else query.limit(limit + 1)))
    more = limit is not None and len(services) > limit
    if not more and anchor is None:
        return services, None, None
    total = db.session.scalar(sa.select(sa.func.sum(ServiceRecord.minutes)).where(*where))
    services = services[:limit] if more else services
    return services, int(total or 0), services[-1].id if more else None


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
