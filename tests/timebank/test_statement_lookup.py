"""A statement's opening and closing balances are two index lookups each,
whatever the account's history before, during or after the period: the same
balances as before, and (on SQLite, counted in the engine's own steps rather
than read from EXPLAIN) no more work for 300 postings than for 10."""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.timebank import ledger, statements
from app.timebank.models import AccountKind, Posting, Txn, TxnKind
from tests.timebank.test_balance_after import _long_history, staff  # noqa: F401 (a fixture)

SHANGHAI = ZoneInfo("Asia/Shanghai")
START = datetime(2026, 1, 1, tzinfo=timezone.utc)


def _expected(account_id: int, moment: datetime) -> int:
    """The balance from the postings themselves (what the lookup must agree with)."""
    return db.session.scalar(sa.select(sa.func.coalesce(sa.func.sum(Posting.amount), 0))
                             .join(Txn, Posting.txn_id == Txn.id)
                             .where(Posting.account_id == account_id, Txn.created_at < moment))


def _steps(account_id: int, moment: datetime) -> int:
    """SQLite virtual-machine steps (in hundreds) the lookup takes."""
    raw = db.session.connection().connection.driver_connection
    counted = [0]

    def tick():
        counted[0] += 1
        return 0

    raw.set_progress_handler(tick, 100)
    try:
        statements._last_before(account_id, moment)
    finally:
        raw.set_progress_handler(None, 100)
    return counted[0]


def test_balances_before_a_moment_match_the_postings(monkeypatch, make_user, staff, places):  # noqa: F811
    zhang = _long_history(monkeypatch, make_user, staff, places, earlier=12, within=4, later=5)
    account = ledger.account_of(zhang)
    for moment in (datetime(2024, 6, 1, tzinfo=timezone.utc), START, datetime(2026, 3, 1, 0, 15, tzinfo=timezone.utc),
                   datetime(2026, 6, 1, tzinfo=timezone.utc), datetime(2030, 1, 1, tzinfo=timezone.utc)):
        assert statements._last_before(account.id, moment)[1] == _expected(account.id, moment), moment
    st = statements.statement(zhang, date(2026, 1, 1), date(2026, 12, 31), SHANGHAI)
    assert (st.opening, st.closing, len(st.lines)) == (12 * 30, 16 * 30, 4)


def test_the_lookup_does_not_walk_the_history(monkeypatch, make_user, staff, places, backend):  # noqa: F811
    if backend != "sqlite":
        pytest.skip("counted in SQLite's engine steps; PostgreSQL uses the same indexes (test_migrations)")
    zhang = _long_history(monkeypatch, make_user, staff, places, earlier=10, within=10, later=10)
    account = ledger.account_of(zhang)
    moments = (START, datetime(2027, 1, 1, tzinfo=timezone.utc))  # the opening, and the closing of 2026
    few = [_steps(account.id, moment) for moment in moments]
    issuance = ledger.system_account(places.community.id, AccountKind.issuance)
    for i in range(300):  # ten times the history after the period
        monkeypatch.setattr(ledger, "utcnow", lambda i=i: datetime(2028, 1, 1, tzinfo=timezone.utc) + timedelta(hours=i))
        ledger.post(TxnKind.grant, [(issuance, -30), (account, 30)], initiated_by=staff[0], confirmed_by=staff[1],
                    idempotency_key=f"later-{i}")
    db.session.commit()
    many = [_steps(account.id, moment) for moment in moments]
    assert all(m <= f + 2 for f, m in zip(few, many, strict=True)), (few, many)  # a walk costs ~10× more
    st = statements.statement(zhang, date(2026, 1, 1), date(2026, 12, 31), SHANGHAI)
    assert (st.opening, st.closing, len(st.lines)) == (10 * 30, 20 * 30, 10)
