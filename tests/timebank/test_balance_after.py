"""Each posting stores its account's balance after it: written with the
posting on both databases, backfilled by the migration, checked by verify,
and what a statement reads its opening and closing balances from."""
from __future__ import annotations

import csv
import io
import re
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from flask_migrate import downgrade, upgrade

from app.accounts.models import User
from app.extensions import db
from app.timebank import ledger, statements
from app.timebank.models import Account, AccountKind, Posting, TimebankSettings, Txn, TxnKind
from tests.conftest import text

SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def staff(make_user):
    return make_user("social_worker", display_name="李社工"), make_user("social_worker", display_name="黄社工")


def _postings() -> list[tuple[int, int, int, int]]:
    return [tuple(row) for row in db.session.execute(
        sa.select(Posting.id, Posting.account_id, Posting.amount, Posting.balance_after).order_by(Posting.id))]


def _running_sums_hold(rows) -> None:
    balances: dict[int, int] = {}
    for _id, account_id, amount, balance_after in rows:
        balances[account_id] = balances.get(account_id, 0) + amount
        assert balance_after == balances[account_id]
    for account in db.session.scalars(sa.select(Account)):
        assert account.balance == balances.get(account.id, 0)


def _mixed_history(make_user, staff, places):
    """Credits (one split by the cap), a grant, transfers, a donation and reversals."""
    db.session.add(TimebankSettings(community_id=places.community.id, unit_minutes=30, max_balance=600))
    zhang, wang = make_user(display_name="张阿姨"), make_user(display_name="王大伯")
    first = ledger.credit_service(zhang, 180, description="助老", served_on=date(2026, 11, 1), recorded_by=staff[0],
                                  verified_by=staff[1], idempotency_key="s1")
    ledger.credit_service(wang, 120, description="助老", served_on=date(2026, 11, 1), recorded_by=staff[0],
                          verified_by=staff[1], idempotency_key="s2")
    ledger.grant(zhang, 480, reason="独居老人", initiated_by=staff[0], confirmed_by=staff[1], idempotency_key="g")
    gift = ledger.transfer(zhang, wang, 60, idempotency_key="t1", memo="谢谢")
    ledger.transfer(wang, zhang, 30, idempotency_key="t2")
    ledger.donate(wang, 30, idempotency_key="d")
    ledger.reverse(gift, reason="误转", initiated_by=staff[0], confirmed_by=staff[1], idempotency_key="r1")
    ledger.reverse(db.session.get(Txn, first.txn_id), reason="重复", initiated_by=staff[0], confirmed_by=staff[1],
                   idempotency_key="r2")
    db.session.commit()
    return zhang, wang


def test_balance_after_is_the_running_balance_after_credits_transfers_and_reversals(make_user, staff, places):
    zhang, wang = _mixed_history(make_user, staff, places)
    rows = _postings()
    _running_sums_hold(rows)
    account = ledger.account_of(zhang)
    # 180 in, 480 granted of which 420 kept (the cap is 600), 60 out, 30 in, 60 back, 180 reversed
    assert [b for _i, a, _m, b in rows if a == account.id] == [180, 600, 540, 570, 630, 450]
    pool = ledger.system_account(places.community.id, AccountKind.pool)
    assert [b for _i, a, _m, b in rows if a == pool.id] == [60, 90]
    assert ledger.verify()["problems"] == []


def test_the_migration_fills_balance_after_for_existing_postings(app, make_user, staff, places):
    _mixed_history(make_user, staff, places)
    before = _postings()
    community_id, staff_id = places.community.id, staff[0].id
    db.session.remove()
    downgrade(revision="3c9e5f1a7b24")
    columns = {c["name"] for c in sa.inspect(db.engine).get_columns("posting")}
    assert "balance_after" not in columns
    upgrade()
    after = _postings()
    assert after == before and len(after) > 10
    _running_sums_hold(after)
    column = next(c for c in sa.inspect(db.session.connection()).get_columns("posting") if c["name"] == "balance_after")
    assert column["nullable"] is False
    # the append-only rule and the posting path work again after the migration
    with pytest.raises(sa.exc.DBAPIError):
        db.session.execute(sa.update(Posting).values(balance_after=0))
    db.session.rollback()
    zhang = db.session.scalar(sa.select(Account).where(Account.kind == AccountKind.resident).order_by(Account.id))
    issuance = ledger.system_account(community_id, AccountKind.issuance)
    ledger.post(TxnKind.grant, [(issuance, -30), (zhang, 30)], initiated_by=db.session.get(User, staff_id),
                idempotency_key="after")
    db.session.commit()
    _running_sums_hold(_postings())
    assert ledger.verify()["problems"] == []


def _without_append_only(backend):
    """Lift the append-only trigger in this transaction (the caller rolls back)."""
    if backend == "sqlite":
        db.session.execute(sa.text("DROP TRIGGER posting_no_update"))
    else:
        db.session.execute(sa.text("DROP TRIGGER posting_append_only ON posting"))


def test_verify_catches_a_wrong_balance_after(app, backend, make_user, staff, places):
    _mixed_history(make_user, staff, places)
    assert ledger.verify()["problems"] == []
    planted = _postings()[3][0]
    _without_append_only(backend)
    db.session.execute(sa.update(Posting).where(Posting.id == planted).values(balance_after=Posting.balance_after + 30))
    problems = ledger.verify()["problems"]
    assert any(p.startswith(f"posting {planted} ") for p in problems), problems
    db.session.rollback()
    assert ledger.verify()["problems"] == []


def test_verify_catches_a_cached_balance_that_is_not_the_last_balance_after(app, backend, make_user, staff, places):
    zhang, _wang = _mixed_history(make_user, staff, places)
    account = ledger.account_of(zhang)
    last = max(i for i, a, _m, _b in _postings() if a == account.id)
    _without_append_only(backend)
    # the last posting and the cached balance agree with each other but not with the running sum
    db.session.execute(sa.update(Posting).where(Posting.id == last).values(balance_after=999))
    problems = ledger.balance_after_problems()
    assert any(p.startswith(f"posting {last} ") for p in problems)
    assert any(p.startswith(f"account {account.id}: cached balance") for p in problems)
    db.session.rollback()


# -- statements read balance_after --------------------------------------------------------------

def _at(monkeypatch, when: datetime) -> None:
    monkeypatch.setattr(ledger, "utcnow", lambda: when)


def _long_history(monkeypatch, make_user, staff, places, earlier: int, within: int = 3, later: int = 2):
    """`earlier` grants of 30 minutes in 2025, `within` in March 2026, `later` in 2027."""
    zhang = make_user(display_name="张阿姨")
    account = ledger.account_of(zhang)
    issuance = ledger.system_account(places.community.id, AccountKind.issuance)
    start = datetime(2025, 1, 1, tzinfo=timezone.utc)
    for n, (first, count, step) in enumerate(((start, earlier, timedelta(hours=1)),
                                              (datetime(2026, 3, 1, tzinfo=timezone.utc), within,
                                               timedelta(minutes=10)),
                                              (datetime(2027, 2, 1, tzinfo=timezone.utc), later, timedelta(hours=1)))):
        for i in range(count):
            _at(monkeypatch, first + i * step)
            ledger.post(TxnKind.grant, [(issuance, -30), (account, 30)], initiated_by=staff[0],
                        confirmed_by=staff[1], idempotency_key=f"g{zhang.id}-{n}-{i}", memo=f"第{n}-{i}笔")
    db.session.commit()
    return zhang


def test_opening_balance_in_the_middle_of_a_long_history(monkeypatch, make_user, staff, places):
    zhang = _long_history(monkeypatch, make_user, staff, places, earlier=40, within=3, later=2)
    st = statements.statement(zhang, date(2026, 1, 1), date(2026, 12, 31), SHANGHAI)
    assert st.opening == 40 * 30
    assert [(line.amount, line.balance) for line in st.lines] == [(30, 1230), (30, 1260), (30, 1290)]
    assert (st.credits, st.debits, st.closing) == (90, 0, 1290)
    assert st.next_after is None
    empty = statements.statement(zhang, date(2026, 5, 1), date(2026, 5, 31), SHANGHAI)
    assert (empty.opening, empty.closing, empty.lines) == (1290, 1290, [])
    before_all = statements.statement(zhang, date(2024, 1, 1), date(2024, 12, 31), SHANGHAI)
    assert (before_all.opening, before_all.closing, before_all.lines) == (0, 0, [])


def _statements_run(client) -> int:
    seen = []

    def count(conn, cursor, statement, *args):
        seen.append(statement)

    sa.event.listen(db.engine, "before_cursor_execute", count)
    try:
        page = client.get("/my/timebank/statement?period_from=2026-01-01&period_to=2026-12-31")
        assert page.status_code == 200
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", count)
    return len(seen)


def test_the_statement_costs_the_same_queries_for_10_and_300_earlier_postings(monkeypatch, client_for, make_user,
                                                                             staff, places):
    short = _long_history(monkeypatch, make_user, staff, places, earlier=10)
    long = _long_history(monkeypatch, make_user, staff, places, earlier=300)
    assert statements.statement(long, date(2026, 1, 1), date(2026, 12, 31), SHANGHAI).opening == 300 * 30
    assert _statements_run(client_for(short)) == _statements_run(client_for(long))


def test_the_statement_page_is_bounded_and_the_download_complete(monkeypatch, client_for, make_user, staff, places):
    within = statements.PAGE + 30
    zhang = _long_history(monkeypatch, make_user, staff, places, earlier=5, within=within)
    client = client_for(zhang)
    url = "/my/timebank/statement?period_from=2026-01-01&period_to=2026-12-31"
    first = text(client.get(url))
    assert first.count('data-label="变动"') == statements.PAGE
    assert "第1-0笔" in first and f"第1-{statements.PAGE - 1}笔" in first and f"第1-{statements.PAGE}笔" not in first
    following = re.search(r'href="([^"]*after=\d+)"', first).group(1).replace("&amp;", "&")
    second = text(client.get(following))
    assert second.count('data-label="变动"') == 30 and f"第1-{within - 1}笔" in second
    assert f"后 {statements.PAGE} 条收支" in first and f"后 {statements.PAGE} 条收支" not in second  # the last page
    assert "期末余额" in second and f"<strong>{(5 + within) // 2} 小时 30" in second  # 67 h 30 min on every page
    body = client.get(url.replace("statement", "statement.csv")).get_data().decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(body)))
    movements = [r for r in rows if any(cell.startswith("第1-") for cell in r)]
    assert len(movements) == within
    assert movements[-1][-1] == str((5 + within) * 30)
