"""The balance ledger. Every movement of hours is one transaction whose
postings (integer minutes) sum to zero; accounts are locked in id order
(SELECT … FOR UPDATE on PostgreSQL; SQLite's BEGIN IMMEDIATE serialises
writers), floors are checked, cached balances move in the same transaction,
and an idempotency key per initiator makes a resubmitted form a no-op."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Callable

import sqlalchemy as sa
from sqlalchemy.dialects import sqlite
from sqlalchemy.orm import make_transient_to_detached
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.util import identity_key
from flask_babel import lazy_gettext as _l

from app.accounts.models import User
from app.audit.models import AuditEntry
from app.audit.services import client_ip, record
from app.domain import DomainError
from app.extensions import db
from app.sqltypes import utcnow
from app.timebank.models import Account, AccountKind, Posting, ServiceRecord, TimebankSettings, Txn, TxnKind


from app.notifications.services import register_kind  # noqa: E402

register_kind("timebank.capped", _l("Your balance reached the community's maximum of %(cap)d hours; %(minutes)d minutes went"
                                    " to the community pool (公益池). Your service record keeps every minute."))


@dataclass(frozen=True)
class LedgerRules:
    unit_minutes: int = 30
    max_balance: int | None = None  # minutes; Nanjing caps at 1500 h


_SETTINGS_TABLE = TimebankSettings.__table__
# Core statements on the tables (not the ORM entities) skip the ORM's execution path: built once, run often.
_SETTINGS = (sa.select(_SETTINGS_TABLE.c.unit_minutes, _SETTINGS_TABLE.c.max_balance)
             .where(_SETTINGS_TABLE.c.community_id == sa.bindparam("community")))


def community_rules(community_id: int) -> LedgerRules:
    """The community's unit and maximum balance (defaults when it set none)."""
    row = db.session.execute(_SETTINGS, {"community": community_id}).first()
    return LedgerRules(*row) if row else LedgerRules()


UNITS = (15, 30, 60)  # minutes; hours move in multiples of the unit


def save_settings(actor: User, community_id: int, *, unit_minutes: int, max_balance_hours: int | None) -> LedgerRules:
    """A community's rules: the unit amounts move in, and an optional maximum
    balance (Nanjing caps at 1500 h) above which credits go to the pool. The
    cap applies to later credits; balances already above it are kept."""
    if unit_minutes not in UNITS:
        raise DomainError(_l("Choose 15, 30 or 60 minutes."), field="unit_minutes")
    if max_balance_hours is not None and not 1 <= max_balance_hours <= 100_000:
        raise DomainError(_l("The maximum balance is between 1 and 100,000 hours."), field="max_balance_hours")
    settings = db.session.get(TimebankSettings, community_id) or TimebankSettings(community_id=community_id)
    before = (settings.unit_minutes, settings.max_balance)
    settings.unit_minutes = unit_minutes
    settings.max_balance = None if max_balance_hours is None else max_balance_hours * 60
    db.session.add(settings)
    db.session.flush()
    record(actor, "timebank.settings", community_id=community_id, object_type="timebank_settings",
           object_id=community_id, before=list(before), after=[settings.unit_minutes, settings.max_balance])
    return LedgerRules(settings.unit_minutes, settings.max_balance)


def set_credit_line(actor: User, resident: User, hours: int, reason: str) -> Account:
    """A resident may go up to `hours` below zero (for example an elderly
    resident who needs help before they can give any); 0 closes the line. The
    line can never be set below what the resident already owes."""
    if type(hours) is not int or not 0 <= hours <= 1000:
        raise DomainError(_l("The credit line is between 0 and 1,000 hours."), field="hours")
    if not reason.strip():
        raise DomainError(_l("Give the reason for the credit line."), field="reason")
    account = account_of(resident)
    balance = lock_accounts([account.id])[account.id].balance
    if balance < -hours * 60:
        owed = -balance
        raise DomainError(_l("%(name)s already owes %(hours)s hours; the line cannot be smaller than that.",
                             name=resident.display_name,
                             hours=f"{owed // 60}:{owed % 60:02d}" if owed % 60 else str(owed // 60)), field="hours")
    before = account.floor
    account.floor = -hours * 60
    db.session.flush()
    record(actor, "timebank.credit_line", account, community_id=account.community_id, user=resident.id,
           before=before, after=account.floor, reason=reason.strip()[:200])
    return account


def credit_lines(community_id: int) -> list[Account]:
    return list(db.session.scalars(sa.select(Account).where(Account.community_id == community_id,
                                                            Account.floor < 0).order_by(Account.id)))


def positive_minutes(value, *, unit: int | None = None) -> int:
    """The amount checked as the ledger takes it: a positive int (never float,
    never bool; a TypeError otherwise) and, with `unit`, a multiple of it (a
    DomainError on the field "minutes" otherwise). Returns it unchanged; other
    domains check an amount with it before they ask for hours to move."""
    if type(value) is not int:
        raise TypeError("minutes must be an int")
    if value <= 0:
        raise DomainError(_l("The number of minutes must be positive."), field="minutes")
    if unit and value % unit:
        raise DomainError(_l("Amounts are multiples of %(unit)d minutes.", unit=unit), field="minutes")
    return value


def _get_or_create(query, make) -> Account:
    """Accounts are made on first use; two first uses at once must end with one
    account (the unique constraint decides, the loser reads the winner's row)."""
    account = db.session.scalar(query)
    if account is not None:
        return account
    try:
        with db.session.begin_nested():
            account = make()
            db.session.add(account)
            db.session.flush()
        return account
    except sa.exc.IntegrityError:
        return db.session.scalar(query)


def system_account(community_id: int, kind: AccountKind) -> Account:
    return _get_or_create(
        sa.select(Account).where(Account.community_id == community_id, Account.kind == kind,
                                 Account.user_id.is_(None)),
        lambda: Account(community_id=community_id, kind=kind, balance=0, floor=0))


def account_of(user: User, *, create: bool = True) -> Account | None:
    """The resident's account; only verified residents hold one."""
    query = sa.select(Account).where(Account.user_id == user.id)
    if not create:
        return db.session.scalar(query)
    if not user.is_verified:
        raise DomainError(_l("Only verified residents hold a time-bank account."))
    return _get_or_create(query, lambda: Account(community_id=user.community_id, kind=AccountKind.resident,
                                                 user_id=user.id, balance=0, floor=0))


_ACCOUNT, _TXN, _POSTING = Account.__table__, Txn.__table__, Posting.__table__


def _id(account: Account | int) -> int:
    return account if type(account) is int else account.id


# The hot path's statements, built once (building them costs more than running them).
# _LOCK_ACCOUNTS also serves credit lines and the cap's split on both databases; the rest
# are SQLite's posting steps (on PostgreSQL timebank_post does them).
_LOCK_ACCOUNTS = (
    sa.select(_ACCOUNT.c.id, _ACCOUNT.c.community_id, _ACCOUNT.c.kind, _ACCOUNT.c.balance, _ACCOUNT.c.floor)
    .where(_ACCOUNT.c.id.in_(sa.bindparam("ids", expanding=True))).order_by(_ACCOUNT.c.id).with_for_update())
_INSERT_TXN_ONCE = (sqlite.insert(_TXN).on_conflict_do_nothing(index_elements=["initiated_by_id", "idempotency_key"])
                    .returning(_TXN.c.id))
_INSERT_POSTINGS = sa.insert(_POSTING)
_INSERT_AUDIT = sa.insert(AuditEntry.__table__)
_ACCOUNT_OF_USERS = (sa.select(_ACCOUNT.c.user_id, _ACCOUNT.c.id)
                     .where(_ACCOUNT.c.user_id.in_(sa.bindparam("users", expanding=True))))
_MOVE_BALANCE = (sa.update(_ACCOUNT).where(_ACCOUNT.c.id == sa.bindparam("account"))
                 .values(balance=_ACCOUNT.c.balance + sa.bindparam("change")))


def lock_accounts(ids: list[int]) -> dict[int, sa.Row]:
    """Lock the accounts in id order and read their current balances, in one
    round trip (FOR UPDATE on PostgreSQL; SQLite's BEGIN IMMEDIATE already
    serialises writers): {account id: row with .id and .balance}. A domain
    moving hours through several accounts in one transaction takes this lock
    over all of them first, so `post` later takes locks it already holds."""
    return {row.id: row for row in db.session.execute(_LOCK_ACCOUNTS, {"ids": sorted(set(ids))})}


def _insert_txn_once(values: dict) -> int | None:
    """INSERT … ON CONFLICT (initiated_by_id, idempotency_key) DO NOTHING
    RETURNING id: the new transaction's id, or None when the key was used
    before. One statement instead of a look-up followed by an insert."""
    return db.session.execute(_INSERT_TXN_ONCE, values).scalar()


def _existing_id(initiated_by_id: int, idempotency_key: str) -> int | None:
    return db.session.scalar(sa.select(Txn.id).where(Txn.initiated_by_id == initiated_by_id,
                                                     Txn.idempotency_key == idempotency_key))


# Kinds whose amount is a multiple of the community's unit; service credits
# (and their reversals) may be any whole number of minutes.
UNIT_BOUND = frozenset({TxnKind.grant, TxnKind.transfer, TxnKind.donation, TxnKind.exchange})


def post(kind: TxnKind, legs: list[tuple[Account | User | int, int]], *, initiated_by: User,
         idempotency_key: str, confirmed_by: User | None = None, memo: str = "",
         reference: tuple[str, int | None] = ("", None), reverses: Txn | None = None) -> tuple[Txn, bool]:
    """Post one balanced transaction; legs are (account, account id or
    resident, minutes). Returns (txn, created); a repeated idempotency key
    returns the first transaction and moves nothing. A resident's account is
    made on first use (only verified residents hold one).

    The hot path of the time bank: find the accounts, lock and read them in id
    order, check the unit (UNIT_BOUND kinds) and the floors, insert the
    transaction (the key decides), insert the postings, move the cached
    balances (the CHECK backs the floor), write the audit entry. On PostgreSQL
    that is one call of the `timebank_post` function (one round trip, see its
    migration); on SQLite, whose statements cost no round trip, the same steps
    as prebuilt statements. Account objects the session holds get their new
    balances."""
    if not idempotency_key or len(idempotency_key) > 64:
        raise DomainError(_l("This form has expired. Please reload the page and try again."))
    if len(legs) < 2:
        raise ValueError("a transaction has at least two postings")
    for _account, amount in legs:
        if type(amount) is not int or amount == 0:
            raise TypeError("posting amounts are non-zero int minutes")
    if sum(amount for _a, amount in legs) != 0:
        raise ValueError("postings must sum to zero")
    values = {"kind": kind, "reference_type": reference[0], "reference_id": reference[1],
              "reverses_id": getattr(reverses, "id", None), "initiated_by_id": initiated_by.id,
              "confirmed_by_id": getattr(confirmed_by, "id", None), "idempotency_key": idempotency_key,
              "memo": memo[:200], "created_at": utcnow()}
    targets = [(None, target.id) if isinstance(target, User) else (_id(target), None) for target, _ in legs]
    db.session.flush()  # rows this transaction added through the ORM are visible to the statements below
    posting = _post_in_database if db.session.get_bind().dialect.name == "postgresql" else _post_statements
    status, txn_id, community_id, unit, balances = posting(
        values, targets, [amount for _, amount in legs], LedgerRules.unit_minutes if kind in UNIT_BOUND else None)
    if status == "missing" and any(user_id for _, user_id in targets):  # a resident's first posting
        legs = [(account_of(target) if isinstance(target, User) else target, amount) for target, amount in legs]
        return post(kind, legs, initiated_by=initiated_by, idempotency_key=idempotency_key,
                    confirmed_by=confirmed_by, memo=memo, reference=reference, reverses=reverses)
    if status == "missing":
        raise ValueError("no such account")
    if status == "communities":
        raise DomainError(_l("Hours move within one community."))
    if status == "unit":
        raise DomainError(_l("Amounts are multiples of %(unit)d minutes.", unit=unit), field="minutes")
    if status == "short":
        raise DomainError(_l("Not enough hours: the balance would fall below its limit."), field="minutes")
    if status == "replay":
        return db.session.get(Txn, txn_id), False
    for account_id, balance in balances.items():
        held = db.session.identity_map.get(identity_key(Account, account_id))
        if held is not None:
            set_committed_value(held, "balance", balance)
    txn = Txn(id=txn_id, community_id=community_id, **values)
    make_transient_to_detached(txn)
    db.session.add(txn)
    return txn, True


_POST = ("SELECT status, txn_id, community_id, unit, account_ids, balances FROM timebank_post(%(kind)s, "
         "%(accounts)s::integer[], %(users)s::integer[], %(amounts)s::integer[], %(initiated_by_id)s, "
         "%(confirmed_by_id)s, %(idempotency_key)s, %(memo)s, %(reference_type)s, %(reference_id)s, "
         "%(reverses_id)s, %(created_at)s, %(unit_default)s, %(ip)s)")

Posted = tuple[str, int | None, int | None, int | None, dict[int, int]]  # status, txn, community, unit, balances


def _post_in_database(values: dict, targets: list[tuple[int | None, int | None]], amounts: list[int],
                      unit_default: int | None) -> Posted:
    """PostgreSQL: the whole posting in one call of `timebank_post`."""
    status, txn_id, community_id, unit, account_ids, balances = db.session.connection().exec_driver_sql(_POST, {
        **values, "kind": values["kind"].name, "accounts": [a for a, _ in targets],
        "users": [u for _, u in targets] if any(u for _, u in targets) else None,
        "amounts": amounts, "unit_default": unit_default, "ip": client_ip.get()}).one()
    return (status, txn_id, community_id, unit,
            dict(zip(account_ids, balances, strict=True)) if status == "posted" else {})


def _post_statements(values: dict, targets: list[tuple[int | None, int | None]], amounts: list[int],
                     unit_default: int | None) -> Posted:
    """SQLite (BEGIN IMMEDIATE already serialises writers): the same steps as
    `timebank_post`, as prebuilt statements."""
    users = [user_id for _, user_id in targets if user_id]
    found = dict(db.session.execute(_ACCOUNT_OF_USERS, {"users": users}).all()) if users else {}
    legs = [(account_id or found.get(user_id), amount)
            for (account_id, user_id), amount in zip(targets, amounts, strict=True)]
    if any(account_id is None for account_id, _ in legs):
        return "missing", None, None, None, {}
    delta: dict[int, int] = {}
    for account_id, amount in legs:
        delta[account_id] = delta.get(account_id, 0) + amount
    rows = lock_accounts(list(delta))  # also serialises two submissions of the same form
    if len({row.community_id for row in rows.values()}) > 1:
        return "communities", None, None, None, {}
    if len(rows) != len(delta):
        return "missing", None, None, None, {}
    community_id = next(iter(rows.values())).community_id
    if unit_default is not None:
        unit = db.session.execute(_SETTINGS, {"community": community_id}).scalar() or unit_default
        if sum(amount for amount in amounts if amount > 0) % unit:
            return "unit", None, community_id, unit, {}
    balances = {account_id: rows[account_id].balance + change for account_id, change in delta.items()}
    short = any(rows[a].kind is not AccountKind.issuance and balances[a] < rows[a].floor for a in delta)
    txn_id = None if short else _insert_txn_once({**values, "community_id": community_id})
    if txn_id is None:  # a replay of a form that went through earlier is neither a new posting nor an overdraft
        existing = _existing_id(values["initiated_by_id"], values["idempotency_key"])
        return ("short" if existing is None else "replay"), existing, community_id, None, {}
    running = {account_id: rows[account_id].balance for account_id in delta}  # read under the lock
    postings = []
    for account_id, amount in legs:
        running[account_id] += amount
        postings.append({"txn_id": txn_id, "account_id": account_id, "amount": amount,
                         "balance_after": running[account_id]})
    db.session.execute(_INSERT_POSTINGS, postings)
    db.session.execute(_MOVE_BALANCE, [{"account": account_id, "change": change}
                                       for account_id, change in delta.items() if change])
    db.session.execute(_INSERT_AUDIT, [{
        "actor_id": values["initiated_by_id"], "action": f"timebank.{values['kind'].name}", "object_type": "txn",
        "object_id": txn_id, "community_id": community_id, "detail": _audit_detail(values, legs),
        "ip": client_ip.get(), "at": values["created_at"]}])
    return "posted", txn_id, community_id, None, balances


def _audit_detail(values: dict, legs: list[tuple[int, int]]) -> dict:
    return {"legs": [[account_id, amount] for account_id, amount in legs], "confirmed_by": values["confirmed_by_id"]}


def capped_legs(account: Account, minutes: int, source: Account) -> list[tuple[Account, int]]:
    """The legs for `post` crediting `account` with `minutes` from `source`; above the community's maximum balance the excess goes
    to the pool in the same transaction. The balance the split is computed
    from is read under the lock of all three accounts (taken in id order, the
    same set `post` takes), so two credits at once cannot both fill the room."""
    cap = community_rules(account.community_id).max_balance
    if cap is None:
        return [(source, -minutes), (account, minutes)]
    pool = system_account(account.community_id, AccountKind.pool)
    balance = lock_accounts([source.id, account.id, pool.id])[account.id].balance
    kept = min(max(cap - balance, 0), minutes)
    legs = [(source, -minutes), (account, kept), (pool, minutes - kept)]
    return [(target, amount) for target, amount in legs if amount]


def day_ceiling() -> int:
    """The most verified service (minutes) one volunteer is credited for one day."""
    from flask import current_app

    return int(current_app.config.get("TIMEBANK_DAY_CEILING_HOURS", 12)) * 60


# -- what another domain adds to service credits ---------------------------------------------
# A domain whose work earns service credits (volunteering's activities) registers at import the
# rules its reference type adds and how a request of its kind is confirmed: it credits hours
# through the ledger, and the ledger never imports it.

@dataclass(frozen=True)
class ServiceReference:
    check: Callable[[User, int, int | None], None]  # (volunteer, minutes, reference id): DomainError refuses
    problems: Callable[[], list[str]]  # the breaches `verify` reports


_SERVICE_REFERENCES: dict[str, ServiceReference] = {}
_REQUEST_CONFIRMATIONS: dict = {}  # RequestKind → confirm(ledger_request, requester, actor) -> Txn


def register_service_reference(reference_type: str, *, check, problems) -> None:
    _SERVICE_REFERENCES[reference_type] = ServiceReference(check, problems)


def register_request_confirmation(kind, confirm) -> None:
    _REQUEST_CONFIRMATIONS[kind] = confirm


def check_service(volunteer: User, minutes: int, *, served_on: date, recorded_by: User, verified_by: User,
                   reference: tuple[str, int | None]) -> None:
    """The rules every service credit keeps (四眼原则): nobody records or
    verifies their own service (the CHECK constraints back this); at most the
    day's ceiling for one volunteer; and what the credit's reference adds (an
    activity's ceiling, registered by volunteering). A DomainError when one is
    broken; the exchange checks its service records with it before hours move."""
    if volunteer.id in (recorded_by.id, verified_by.id):
        raise DomainError(_l("Nobody records or verifies their own service: a second staff member must confirm it."))
    day = db.session.scalar(sa.select(sa.func.coalesce(sa.func.sum(ServiceRecord.minutes), 0)).where(
        ServiceRecord.volunteer_id == volunteer.id, ServiceRecord.served_on == served_on)) or 0
    if day + minutes > day_ceiling():
        raise DomainError(_l("%(name)s would have more than %(hours)d hours of service on %(day)s.",
                             name=volunteer.display_name, hours=day_ceiling() // 60, day=served_on.isoformat()),
                          field="minutes")
    if reference[0] in _SERVICE_REFERENCES:
        _SERVICE_REFERENCES[reference[0]].check(volunteer, minutes, reference[1])


def credit_service(volunteer: User, minutes: int, *, description: str, served_on: date, recorded_by: User,
                   verified_by: User, idempotency_key: str,
                   reference: tuple[str, int | None] = ("", None)) -> ServiceRecord:
    """Verified volunteer service: one service record and one transaction
    issuance → volunteer (any whole number of minutes), exactly once per key,
    within the rules of `check_service`."""
    minutes = positive_minutes(minutes)
    account = account_of(volunteer)
    lock_accounts([account.id])  # one volunteer's credits one at a time: the day's ceiling holds under concurrency
    replay = db.session.scalar(sa.select(ServiceRecord).join(Txn, ServiceRecord.txn_id == Txn.id).where(
        Txn.initiated_by_id == recorded_by.id, Txn.idempotency_key == idempotency_key))
    if replay is not None:
        return replay
    check_service(volunteer, minutes, served_on=served_on, recorded_by=recorded_by, verified_by=verified_by,
                   reference=reference)
    issuance = system_account(volunteer.community_id, AccountKind.issuance)
    txn, created = post(TxnKind.service, capped_legs(account, minutes, issuance), initiated_by=recorded_by,
                        confirmed_by=verified_by, idempotency_key=idempotency_key, memo=description,
                        reference=reference)
    if not created:
        return db.session.scalar(sa.select(ServiceRecord).where(ServiceRecord.txn_id == txn.id))
    kept = sum(amount for acc, amount in _legs_of(txn) if acc == account.id)
    if kept < minutes:  # the community's maximum balance: the volunteer is told where the rest went
        from app.notifications.services import notify

        notify(volunteer, "timebank.capped", endpoint="timebank.my_timebank", minutes=minutes - kept,
               cap=community_rules(volunteer.community_id).max_balance // 60)
    return record_service(volunteer, minutes, description=description, served_on=served_on, recorded_by=recorded_by,
                          verified_by=verified_by, txn=txn, reference=reference)


def record_service(volunteer: User, minutes: int, *, description: str, served_on: date, recorded_by: User,
                   verified_by: User, txn: Txn, reference: tuple[str, int | None]) -> ServiceRecord:
    """The volunteer's service record of `txn` (the whole minutes served, even
    when the community's maximum balance sent part of the hours to the pool);
    the rules are `check_service`'s, checked before the hours moved."""
    service = ServiceRecord(community_id=volunteer.community_id, volunteer_id=volunteer.id, minutes=minutes,
                            description=description[:200], served_on=served_on, reference_type=reference[0],
                            reference_id=reference[1], recorded_by_id=recorded_by.id, verified_by_id=verified_by.id,
                            txn_id=txn.id)
    db.session.add(service)
    db.session.flush()
    return service


def _legs_of(txn: Txn) -> list[tuple[int, int]]:
    return [(account_id, amount) for account_id, amount in db.session.execute(
        sa.select(Posting.account_id, Posting.amount).where(Posting.txn_id == txn.id).order_by(Posting.id))]


def grant(resident: User, minutes: int, *, reason: str, initiated_by: User, confirmed_by: User,
          idempotency_key: str) -> Txn:
    """Hours from issuance to a priority resident, confirmed by a second staff member."""
    if confirmed_by.id == initiated_by.id:
        raise DomainError(_l("A second staff member must confirm."), field="confirmed_by")
    if not reason.strip():
        raise DomainError(_l("Give the reason for the grant."), field="reason")
    minutes = positive_minutes(minutes, unit=community_rules(resident.community_id).unit_minutes)
    account = account_of(resident)
    issuance = system_account(resident.community_id, AccountKind.issuance)
    txn, _ = post(TxnKind.grant, capped_legs(account, minutes, issuance), initiated_by=initiated_by,
                  confirmed_by=confirmed_by, idempotency_key=idempotency_key, memo=reason.strip())
    return txn


def transfer(sender: User, receiver: User, minutes: int, *, idempotency_key: str, memo: str = "") -> Txn:
    """赠与 / 通存通兑 between residents of one community, in the community's
    unit (the ledger checks it: a transfer is one round trip on PostgreSQL)."""
    if sender.id == receiver.id:
        raise DomainError(_l("Choose someone else to give hours to."), field="receiver")
    _verified(sender, receiver)
    minutes = positive_minutes(minutes)
    txn, _ = post(TxnKind.transfer, [(sender, -minutes), (receiver, minutes)], initiated_by=sender,
                  idempotency_key=idempotency_key, memo=memo)
    return txn


def donate(donor: User, minutes: int, *, idempotency_key: str) -> Txn:
    _verified(donor)
    minutes = positive_minutes(minutes)
    pool = system_account(donor.community_id, AccountKind.pool)
    txn, _ = post(TxnKind.donation, [(donor, -minutes), (pool, minutes)], initiated_by=donor,
                  idempotency_key=idempotency_key)
    return txn


def _verified(*users: User) -> None:
    for user in users:
        if not user.is_verified:
            raise DomainError(_l("Only verified residents hold a time-bank account."))


def reverse(original: Txn, *, reason: str, initiated_by: User, confirmed_by: User, idempotency_key: str) -> Txn:
    """Undo a transaction with its mirror image, by a social worker with a
    reason, confirmed by a second staff member. A service credit's record is
    corrected by a negative record that references it."""
    if confirmed_by.id == initiated_by.id:
        raise DomainError(_l("A second staff member must confirm."), field="confirmed_by")
    if not reason.strip():
        raise DomainError(_l("Give the reason for the reversal."), field="reason")
    if original.kind is TxnKind.reversal:
        raise DomainError(_l("A reversal cannot itself be reversed; post a new transaction instead."))
    already = db.session.scalar(sa.select(Txn).where(Txn.reverses_id == original.id))
    if already is not None:
        if already.initiated_by_id == initiated_by.id and already.idempotency_key == idempotency_key:
            return already
        raise DomainError(_l("This transaction has already been reversed."))
    service = db.session.scalar(sa.select(ServiceRecord).where(ServiceRecord.txn_id == original.id))
    if service is not None and service.volunteer_id in (initiated_by.id, confirmed_by.id):
        raise DomainError(_l("Nobody records or verifies their own service: a second staff member must confirm it."))
    legs = [(account_id, -amount) for account_id, amount in _legs_of(original)]
    txn, created = post(TxnKind.reversal, legs, initiated_by=initiated_by, confirmed_by=confirmed_by,
                        idempotency_key=idempotency_key, memo=reason.strip(), reverses=original,
                        reference=("txn", original.id))
    if created and service is not None:
        db.session.add(ServiceRecord(
            community_id=service.community_id, volunteer_id=service.volunteer_id, minutes=-service.minutes,
            description=reason.strip()[:200], served_on=service.served_on, reference_type="correction",
            reference_id=service.id, recorded_by_id=initiated_by.id, verified_by_id=confirmed_by.id,
            txn_id=txn.id, corrects_id=service.id))
        db.session.flush()
    return txn


def service_minutes(user: User) -> int:
    """Cumulative verified service (corrections included): what stars and certificates count."""
    return db.session.scalar(sa.select(sa.func.coalesce(sa.func.sum(ServiceRecord.minutes), 0))
                             .where(ServiceRecord.volunteer_id == user.id)) or 0


# -- verification (`flask timebank verify`) ------------------------------------------------------

def verify() -> dict:
    """Recompute everything from postings: each transaction sums to zero,
    cached balances equal their postings, no floor broken, service records
    match service transactions, reversals reference existing transactions."""
    problems: list[str] = []
    unbalanced = db.session.execute(sa.select(Posting.txn_id, sa.func.sum(Posting.amount)).group_by(Posting.txn_id)
                                    .having(sa.func.sum(Posting.amount) != 0)).all()
    problems += [f"transaction {t} sums to {s}" for t, s in unbalanced]
    empty = db.session.scalars(sa.select(Txn.id).where(~sa.exists().where(Posting.txn_id == Txn.id))).all()
    problems += [f"transaction {t} has no postings" for t in empty]
    sums = dict(db.session.execute(sa.select(Posting.account_id, sa.func.sum(Posting.amount))
                                   .group_by(Posting.account_id)).all())
    accounts = db.session.scalars(sa.select(Account)).all()
    for a in accounts:
        if a.balance != sums.get(a.id, 0):
            problems.append(f"account {a.id}: cached balance {a.balance} but postings sum to {sums.get(a.id, 0)}")
        if a.kind is not AccountKind.issuance and sums.get(a.id, 0) < a.floor:
            problems.append(f"account {a.id} is below its floor")
    service_txns = db.session.execute(
        sa.select(Txn.id, sa.func.count(ServiceRecord.id)).outerjoin(ServiceRecord, ServiceRecord.txn_id == Txn.id)
        .where(Txn.kind == TxnKind.service).group_by(Txn.id)).all()
    problems += [f"service transaction {t} has {n} service records" for t, n in service_txns if n != 1]
    orphans = db.session.scalars(sa.select(ServiceRecord.id).where(ServiceRecord.txn_id.is_(None))).all()
    problems += [f"service record {r} has no transaction" for r in orphans]
    for txn in db.session.scalars(sa.select(Txn).where(Txn.kind == TxnKind.reversal)):
        if txn.reverses_id is None or db.session.get(Txn, txn.reverses_id) is None:
            problems.append(f"reversal {txn.id} references no transaction")
    problems += balance_after_problems()
    total = sum(sums.values())
    if total != 0:
        problems.append(f"all postings sum to {total}")
    problems += service_rule_problems()
    return {"transactions": db.session.scalar(sa.select(sa.func.count(Txn.id))) or 0,
            "postings": db.session.scalar(sa.select(sa.func.count(Posting.id))) or 0,
            "accounts": len(accounts), "service_records": db.session.scalar(
                sa.select(sa.func.count(ServiceRecord.id))) or 0, "problems": problems}


def balance_after_problems() -> list[str]:
    """Every posting's balance_after is the previous posting's of its account
    (0 before the first) plus its amount, and each account's cached balance is
    its last posting's balance_after. Read in one pass over postings in
    (account, id) order, the index's order."""
    problems: list[str] = []
    rows = db.session.execute(sa.select(Posting.account_id, Posting.id, Posting.amount, Posting.balance_after)
                              .order_by(Posting.account_id, Posting.id)).yield_per(10_000)
    last: dict[int, int] = {}
    for account_id, posting_id, amount, balance_after in rows:
        expected = last.get(account_id, 0) + amount
        if balance_after != expected:
            problems.append(f"posting {posting_id} (account {account_id}): balance after {balance_after} "
                            f"but the previous balance plus its amount is {expected}")
        last[account_id] = balance_after
    for account_id, balance in db.session.execute(sa.select(Account.id, Account.balance).order_by(Account.id)):
        if balance != last.get(account_id, 0):
            problems.append(f"account {account_id}: cached balance {balance} but its last posting's balance "
                            f"after is {last.get(account_id, 0)}")
    return problems


def service_rule_problems() -> list[str]:
    """Service records that break the four-eyes rules: recorded or verified
    by their own volunteer (possible in a database the CHECK constraints were
    added to later), more than the day's ceiling for one volunteer, more
    than a reference allows (an activity's planned minutes × attendees)."""
    problems = []
    for record_id, volunteer_id, recorded_by, verified_by in db.session.execute(
            sa.select(ServiceRecord.id, ServiceRecord.volunteer_id, ServiceRecord.recorded_by_id,
                      ServiceRecord.verified_by_id).where(sa.or_(ServiceRecord.recorded_by_id == ServiceRecord.volunteer_id,
                                                                 ServiceRecord.verified_by_id == ServiceRecord.volunteer_id))
            .order_by(ServiceRecord.id)):
        if verified_by == volunteer_id:
            problems.append(f"service record {record_id} is verified by its own volunteer (user {volunteer_id})")
        if recorded_by == volunteer_id:
            problems.append(f"service record {record_id} is recorded by its own volunteer (user {volunteer_id})")
    ceiling = day_ceiling()
    day_total = sa.func.sum(ServiceRecord.minutes)
    for volunteer_id, served_on, minutes in db.session.execute(
            sa.select(ServiceRecord.volunteer_id, ServiceRecord.served_on, day_total)
            .group_by(ServiceRecord.volunteer_id, ServiceRecord.served_on).having(day_total > ceiling)
            .order_by(ServiceRecord.volunteer_id, ServiceRecord.served_on)):
        problems.append(f"volunteer {volunteer_id} has {minutes} minutes of service on {served_on}, "
                        f"above the day's ceiling of {ceiling}")
    for reference in _SERVICE_REFERENCES.values():
        problems += reference.problems()
    return problems


def service_records_of(user: User, limit: int | None = None) -> list[ServiceRecord]:
    """The volunteer's service records, latest first (the `limit` latest)."""
    return list(db.session.scalars(sa.select(ServiceRecord).where(ServiceRecord.volunteer_id == user.id)
                                   .order_by(ServiceRecord.served_on.desc(), ServiceRecord.id.desc()).limit(limit)))


def service_minutes_in(user: User, year: int) -> int:
    return db.session.scalar(sa.select(sa.func.coalesce(sa.func.sum(ServiceRecord.minutes), 0)).where(
        ServiceRecord.volunteer_id == user.id, ServiceRecord.served_on >= date(year, 1, 1),
        ServiceRecord.served_on <= date(year, 12, 31))) or 0


def postings_of(account: Account, limit: int = 50) -> list[tuple[Posting, Txn]]:
    return list(db.session.execute(sa.select(Posting, Txn).join(Txn, Posting.txn_id == Txn.id)
                                   .where(Posting.account_id == account.id)
                                   .order_by(Posting.id.desc()).limit(limit)).all())


def community_totals(community_id: int, year: int) -> dict:
    """Public figures (no personal data): volunteers and verified hours this year."""
    this_year = sa.and_(ServiceRecord.community_id == community_id, ServiceRecord.served_on >= date(year, 1, 1),
                        ServiceRecord.served_on <= date(year, 12, 31))
    minutes = db.session.scalar(sa.select(sa.func.coalesce(sa.func.sum(ServiceRecord.minutes), 0))
                                .where(this_year)) or 0
    volunteers = db.session.scalar(sa.select(sa.func.count(sa.distinct(ServiceRecord.volunteer_id)))
                                   .where(this_year, ServiceRecord.minutes > 0)) or 0
    return {"minutes": minutes, "volunteers": volunteers}


# -- grants and reversals that a second staff member confirms ----------------------------------

def request_grant(actor: User, resident: User, minutes: int, reason: str):
    """A social worker asks to grant hours to a priority resident (e.g. 80+ living alone)."""
    from app.timebank.models import LedgerRequest, RequestKind

    if resident.community_id is None or not resident.is_verified:
        raise DomainError(_l("Only verified residents hold a time-bank account."), field="user_id")
    if resident.id == actor.id:
        raise DomainError(_l("Nobody asks for hours for themselves."), field="user_id")
    positive_minutes(minutes, unit=community_rules(resident.community_id).unit_minutes)
    if not reason.strip():
        raise DomainError(_l("Give the reason for the grant."), field="reason")
    ledger_request = LedgerRequest(community_id=resident.community_id, kind=RequestKind.grant, user_id=resident.id,
                            minutes=minutes, reason=reason.strip()[:200], requested_by_id=actor.id)
    db.session.add(ledger_request)
    db.session.flush()
    record(actor, "timebank.request_grant", ledger_request, community_id=ledger_request.community_id, minutes=minutes)
    return ledger_request


def may_confirm(actor: User, community_id: int) -> bool:
    """Who can be the second person: a social worker of the community, or
    (where a community has only one social worker) its subdistrict's staff."""
    from app.permissions import social_worker_community_ids, staff_subdistrict_ids
    from app.places.models import Community

    if community_id in social_worker_community_ids(actor):
        return True
    community = db.session.get(Community, community_id)
    return community is not None and community.subdistrict_id in staff_subdistrict_ids(actor)


def request_reversal(actor: User, txn: Txn, reason: str):
    from app.timebank.models import LedgerRequest, RequestKind

    if not reason.strip():
        raise DomainError(_l("Give the reason for the reversal."), field="reason")
    if txn.kind is TxnKind.reversal or db.session.scalar(sa.select(Txn.id).where(Txn.reverses_id == txn.id)):
        raise DomainError(_l("This transaction has already been reversed."))
    ledger_request = LedgerRequest(community_id=txn.community_id, kind=RequestKind.reversal, txn_id=txn.id,
                            reason=reason.strip()[:200], requested_by_id=actor.id)
    db.session.add(ledger_request)
    db.session.flush()
    record(actor, "timebank.request_reversal", ledger_request, community_id=ledger_request.community_id, txn=txn.id)
    return ledger_request


def decide_request(actor: User, ledger_request, *, confirm: bool) -> Txn | None:
    """The second staff member confirms (hours move, exactly once) or declines."""
    from app.timebank.models import RequestKind

    if ledger_request.decided_at is not None:
        raise DomainError(_l("This request has already been decided."))
    if ledger_request.requested_by_id == actor.id:
        raise DomainError(_l("A second staff member must confirm."))
    if not may_confirm(actor, ledger_request.community_id):
        raise DomainError(_l("Only the community's social workers or its subdistrict's staff can confirm."))
    if ledger_request.user_id == actor.id:
        raise DomainError(_l("Nobody confirms hours for themselves: another staff member must."))
    requester = db.session.get(User, ledger_request.requested_by_id)
    txn = None
    if confirm:
        key = f"request-{ledger_request.id}"
        if ledger_request.kind is RequestKind.grant:
            txn = grant(db.session.get(User, ledger_request.user_id), ledger_request.minutes, reason=ledger_request.reason,
                        initiated_by=requester, confirmed_by=actor, idempotency_key=key)
        elif ledger_request.kind is RequestKind.reversal:
            txn = reverse(db.session.get(Txn, ledger_request.txn_id), reason=ledger_request.reason, initiated_by=requester,
                          confirmed_by=actor, idempotency_key=key)
        else:  # a kind another domain asks for (an activity's service credit)
            txn = _REQUEST_CONFIRMATIONS[ledger_request.kind](ledger_request, requester, actor)
    ledger_request.decided_by_id, ledger_request.decided_at, ledger_request.confirmed = actor.id, utcnow(), confirm
    ledger_request.result_txn_id = getattr(txn, "id", None)
    db.session.flush()
    record(actor, "timebank.confirm_request" if confirm else "timebank.decline_request", ledger_request,
           community_id=ledger_request.community_id)
    return txn


def pending_requests(community_id: int) -> list:
    from app.timebank.models import LedgerRequest

    return list(db.session.scalars(sa.select(LedgerRequest).where(
        LedgerRequest.community_id == community_id, LedgerRequest.decided_at.is_(None)).order_by(LedgerRequest.id)))


def recent_transactions(community_id: int, limit: int = 30) -> list[Txn]:
    return list(db.session.scalars(sa.select(Txn).where(Txn.community_id == community_id)
                                   .order_by(Txn.id.desc()).limit(limit)))


# -- the pool's reservations (app.timebank.exchange) are part of what `verify` checks -------------

_verify_postings = verify


def verify() -> dict:  # noqa: F811 - extends the verification above with the reservations
    """Everything above, and the pool's reservations: never above its balance, none held by a closed request."""
    from app.timebank.exchange import reservation_problems

    report = _verify_postings()
    report["problems"] += reservation_problems()
    return report


_reverse_postings = reverse


def reverse(original: Txn, **kwargs) -> Txn:  # noqa: F811 - extends the reversal above with the pool's promises
    """Everything above; and a reversal that takes minutes out of a pool never
    leaves it holding less than its reservations (app.timebank.exchange)."""
    from app.timebank.exchange import guard_pool_reservations

    txn = _reverse_postings(original, **kwargs)
    guard_pool_reservations(original.community_id)
    return txn
