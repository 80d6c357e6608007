"""The balance ledger: double entry, floors, idempotency, reversals, append-only."""
from __future__ import annotations

from datetime import date, timedelta

import pytest
import sqlalchemy as sa
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

from app.domain import DomainError
from app.extensions import db
from tests.conftest import run_in_threads, run_state_machine
from app.timebank import ledger
from app.audit.models import AuditEntry
from app.timebank.models import Account, AccountKind, Posting, ServiceRecord, TimebankSettings, Txn, TxnKind

TODAY = date(2026, 11, 22)


@pytest.fixture
def staff(make_user):
    return make_user("social_worker", display_name="李社工"), make_user("social_worker", display_name="黄社工")


def _credit(volunteer, minutes, staff, key, served_on=TODAY):
    return ledger.credit_service(volunteer, minutes, description="助老陪伴", served_on=served_on, recorded_by=staff[0],
                                 verified_by=staff[1], idempotency_key=key)


def test_service_credit_is_one_record_and_one_balanced_transaction(make_user, staff):
    volunteer = make_user()
    service = _credit(volunteer, 90, staff, "a1")
    account = ledger.account_of(volunteer)
    assert account.balance == 90 and service.minutes == 90
    txn = db.session.get(Txn, service.txn_id)
    assert sorted(p.amount for p in txn.postings) == [-90, 90]
    issuance = ledger.system_account(volunteer.community_id, AccountKind.issuance)
    assert issuance.balance == -90  # the only account allowed below zero
    assert ledger.verify()["problems"] == []


def test_replayed_key_moves_nothing(make_user, staff):
    volunteer = make_user()
    first = _credit(volunteer, 60, staff, "same-key")
    second = _credit(volunteer, 60, staff, "same-key")
    assert first.id == second.id
    assert ledger.account_of(volunteer).balance == 60
    assert db.session.scalar(sa.select(sa.func.count(ServiceRecord.id))) == 1


def test_minutes_are_ints_and_units_apply(make_user, staff):
    a, b = make_user(), make_user()
    _credit(a, 120, staff, "seed")
    with pytest.raises(TypeError):
        ledger.transfer(a, b, 30.0, idempotency_key="f")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        ledger.transfer(a, b, True, idempotency_key="b")  # type: ignore[arg-type]
    with pytest.raises(DomainError):
        ledger.transfer(a, b, 45, idempotency_key="u")  # not a multiple of 30
    with pytest.raises(DomainError):
        ledger.transfer(a, b, -30, idempotency_key="n")
    ledger.transfer(a, b, 60, idempotency_key="ok")
    assert (ledger.account_of(a).balance, ledger.account_of(b).balance) == (60, 60)
    _credit(a, 7, staff, "odd")  # service may credit any whole number of minutes
    assert ledger.account_of(a).balance == 67


def test_no_account_but_issuance_goes_below_its_floor(make_user, staff):
    a, b = make_user(), make_user()
    _credit(a, 30, staff, "seed")
    with pytest.raises(DomainError):
        ledger.transfer(a, b, 60, idempotency_key="over")
    assert ledger.account_of(a).balance == 30
    account = ledger.account_of(a)
    account.floor = -60  # a credit line the community set
    ledger.transfer(a, b, 60, idempotency_key="credit")
    assert ledger.account_of(a).balance == -30
    with pytest.raises(sa.exc.IntegrityError):  # the CHECK constraint backs the service
        db.session.execute(sa.update(Account).where(Account.id == account.id).values(balance=-100))
    db.session.rollback()


def test_replay_after_the_hours_were_spent_returns_the_first_transfer(make_user, staff):
    """A form resubmitted after the balance moved on is a replay, not an overdraft."""
    a, b, c = make_user(), make_user(), make_user()
    _credit(a, 60, staff, "seed")
    first = ledger.transfer(a, b, 60, idempotency_key="gift")
    assert ledger.transfer(a, b, 60, idempotency_key="gift").id == first.id
    assert (ledger.account_of(a).balance, ledger.account_of(b).balance) == (0, 60)
    with pytest.raises(DomainError):
        ledger.transfer(a, c, 60, idempotency_key="another")
    audit = db.session.scalar(sa.select(sa.func.count()).select_from(AuditEntry)
                              .where(AuditEntry.action == "timebank.transfer"))
    assert audit == 1 and ledger.verify()["problems"] == []


def test_hours_move_within_one_community(make_user, staff, places):
    a = make_user()
    elsewhere = make_user(community=places.other)
    _credit(a, 60, staff, "seed")
    _credit(elsewhere, 60, (make_user("social_worker", scope=places.other),) * 2, "seed-other")
    with pytest.raises(DomainError):
        ledger.post(TxnKind.transfer, [(ledger.account_of(a), -30), (ledger.account_of(elsewhere), 30)],
                    initiated_by=a, idempotency_key="cross")
    assert ledger.account_of(a).balance == 60


def test_a_posting_is_one_round_trip_on_postgresql_and_writes_the_same_rows_on_both(app, backend, make_user, staff):
    """PostgreSQL posts through the timebank_post function (one statement);
    SQLite through five. Both leave the same transaction, postings, balances
    and audit entry, and a refusal leaves the caller's transaction usable."""
    a, b = make_user(), make_user()
    _credit(a, 90, staff, "seed")
    source, target = ledger.account_of(a), ledger.account_of(b)
    db.session.commit()
    assert (a.id, source.balance, target.balance) == (a.id, 90, 0)  # loaded again before counting
    seen: list[str] = []

    def count(conn, cursor, statement, *args):
        seen.append(statement)

    sa.event.listen(db.engine, "before_cursor_execute", count)
    try:
        txn, created = ledger.post(TxnKind.transfer, [(source, -60), (target, 60)], initiated_by=a,
                                   idempotency_key="one-trip", memo="买菜")
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", count)
    assert created
    assert len(seen) == (1 if backend == "postgresql" else 6)  # SQLite: lock, unit, txn, postings, balances, audit
    assert (source.balance, target.balance) == (30, 60)  # the objects the session holds moved with the rows
    db.session.commit()
    db.session.expire_all()
    txn = db.session.get(Txn, txn.id)
    assert (txn.kind, txn.memo, txn.initiated_by_id, txn.community_id) == (TxnKind.transfer, "买菜", a.id,
                                                                           a.community_id)
    assert [(p.account_id, p.amount) for p in sorted(txn.postings, key=lambda p: p.id)] == [(source.id, -60),
                                                                                            (target.id, 60)]
    entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.object_type == "txn",
                                                          AuditEntry.object_id == txn.id))
    assert (entry.action, entry.actor_id, entry.community_id) == ("timebank.transfer", a.id, a.community_id)
    assert entry.detail == {"legs": [[source.id, -60], [target.id, 60]], "confirmed_by": None}
    with pytest.raises(DomainError):
        ledger.post(TxnKind.transfer, [(source, -60), (target, 60)], initiated_by=a, idempotency_key="too-much")
    with pytest.raises(ValueError):
        ledger.post(TxnKind.transfer, [(source, -30), (999_999, 30)], initiated_by=a, idempotency_key="nobody")
    assert ledger.account_of(a).balance == 30  # the refusals did not abort the transaction
    assert ledger.post(TxnKind.transfer, [(source, -60), (target, 60)], initiated_by=a,
                       idempotency_key="one-trip") == (txn, False)
    assert ledger.verify()["problems"] == []


def test_the_ledger_keeps_the_unit_and_finds_residents_accounts(app, backend, make_user, staff, places):
    """Unit-bound kinds move multiples of the community's unit whoever calls
    post (service credits need not: see above); a leg may name a resident, whose account is made on first use; a
    transfer between residents who hold accounts is one statement on PostgreSQL."""
    a, b, newcomer = make_user(), make_user(), make_user()
    _credit(a, 300, staff, "seed")
    _credit(b, 30, staff, "seed-b")
    db.session.add(TimebankSettings(community_id=places.community.id, unit_minutes=60))
    db.session.commit()
    for kind in (TxnKind.transfer, TxnKind.donation, TxnKind.grant, TxnKind.exchange):
        with pytest.raises(DomainError, match="60"):
            ledger.post(kind, [(a, -90), (b, 90)], initiated_by=a, idempotency_key=f"odd-{kind.name}")
    assert ledger.account_of(a).balance == 300
    ledger.transfer(a, newcomer, 60, idempotency_key="first")  # the newcomer's account is made now
    assert ledger.account_of(newcomer, create=False).balance == 60
    db.session.commit()
    a_id, b_id = a.id, b.id  # loaded again before counting
    seen: list[str] = []

    def count(conn, cursor, statement, *args):
        seen.append(statement)

    sa.event.listen(db.engine, "before_cursor_execute", count)
    try:
        ledger.transfer(a, b, 120, idempotency_key="counted")
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", count)
    if backend == "postgresql":
        assert len(seen) == 1
    assert (ledger.account_of(a).balance, ledger.account_of(b).balance) == (300 - 60 - 120, 30 + 120)
    unverified = make_user(verified=False)
    with pytest.raises(DomainError):
        ledger.post(TxnKind.transfer, [(a, -60), (unverified, 60)], initiated_by=a, idempotency_key="nobody")
    assert (a_id, b_id) == (a.id, b.id) and ledger.verify()["problems"] == []


def test_only_verified_residents_hold_accounts(make_user, staff):
    with pytest.raises(DomainError):
        ledger.account_of(make_user(verified=False))


def test_cap_sends_the_excess_to_the_pool_in_the_same_transaction(make_user, staff, places):
    db.session.add(TimebankSettings(community_id=places.community.id, unit_minutes=30, max_balance=120))
    volunteer = make_user()
    _credit(volunteer, 100, staff, "c1")
    service = _credit(volunteer, 60, staff, "c2")
    assert ledger.account_of(volunteer).balance == 120
    pool = ledger.system_account(places.community.id, AccountKind.pool)
    assert pool.balance == 40
    assert sorted(p.amount for p in db.session.get(Txn, service.txn_id).postings) == [-60, 20, 40]
    assert ledger.service_minutes(volunteer) == 160  # the service record is whole: never capped
    from app.notifications.models import Notification

    note = db.session.scalar(sa.select(Notification).where(Notification.user_id == volunteer.id))
    assert note.kind == "timebank.capped" and note.params["minutes"] == 40


def test_grant_and_reversal_need_a_second_staff_member(make_user, staff):
    elder = make_user(display_name="独居老人")
    with pytest.raises(DomainError):
        ledger.grant(elder, 60, reason="80岁以上独居", initiated_by=staff[0], confirmed_by=staff[0],
                     idempotency_key="g")
    txn = ledger.grant(elder, 60, reason="80岁以上独居", initiated_by=staff[0], confirmed_by=staff[1],
                       idempotency_key="g")
    with pytest.raises(DomainError):
        ledger.reverse(txn, reason="录错", initiated_by=staff[0], confirmed_by=staff[0], idempotency_key="r")
    reversal = ledger.reverse(txn, reason="录错", initiated_by=staff[0], confirmed_by=staff[1], idempotency_key="r")
    assert reversal.reverses_id == txn.id and ledger.account_of(elder).balance == 0
    again = ledger.reverse(txn, reason="录错", initiated_by=staff[0], confirmed_by=staff[1], idempotency_key="r")
    assert again.id == reversal.id  # a replay
    with pytest.raises(DomainError):
        ledger.reverse(txn, reason="再来", initiated_by=staff[0], confirmed_by=staff[1], idempotency_key="r2")
    with pytest.raises(DomainError):
        ledger.reverse(reversal, reason="x", initiated_by=staff[0], confirmed_by=staff[1], idempotency_key="r3")


def test_reversing_a_service_credit_corrects_the_record(make_user, staff):
    volunteer = make_user()
    service = _credit(volunteer, 120, staff, "s")
    ledger.reverse(db.session.get(Txn, service.txn_id), reason="活动未实际开展", initiated_by=staff[0],
                   confirmed_by=staff[1], idempotency_key="rs")
    assert ledger.service_minutes(volunteer) == 0 and ledger.account_of(volunteer).balance == 0
    correction = db.session.scalar(sa.select(ServiceRecord).where(ServiceRecord.corrects_id == service.id))
    assert correction.minutes == -120
    assert ledger.verify()["problems"] == []


def test_a_reversal_that_would_break_a_floor_is_refused(make_user, staff):
    a, b = make_user(), make_user()
    service = _credit(a, 60, staff, "s")
    ledger.transfer(a, b, 60, idempotency_key="spent")
    with pytest.raises(DomainError):
        ledger.reverse(db.session.get(Txn, service.txn_id), reason="x", initiated_by=staff[0],
                       confirmed_by=staff[1], idempotency_key="r")


@pytest.mark.parametrize("table", ["posting", "txn", "service_record"])
def test_database_refuses_update_and_delete(app, make_user, staff, table):
    _credit(make_user(), 30, staff, "t")
    db.session.commit()
    for statement in (f"UPDATE {table} SET id = id", f"DELETE FROM {table}"):
        with pytest.raises(sa.exc.DatabaseError) as error:
            db.session.execute(sa.text(statement))
        assert "append-only" in str(error.value)
        db.session.rollback()
    assert db.session.scalar(sa.text(f"SELECT count(*) FROM {table}")) >= 1


def test_verify_cli_reports_and_fails_on_violations(app, make_user, staff):
    _credit(make_user(), 30, staff, "v")
    db.session.commit()
    runner = app.test_cli_runner()
    ok = runner.invoke(args=["timebank", "verify"])
    assert ok.exit_code == 0 and "no violations" in ok.output
    db.session.execute(sa.update(Account).where(Account.kind == AccountKind.resident).values(balance=999))
    db.session.commit()
    bad = runner.invoke(args=["timebank", "verify"])
    assert bad.exit_code == 1 and "cached balance 999" in bad.output


# -- concurrency ---------------------------------------------------------------------------

def _threads(app, n, work):
    return run_in_threads(app, range(n), work)


def test_eight_threads_confirming_the_same_credit_credit_once(app, make_user, staff):
    volunteer_id, staff_ids = make_user().id, (staff[0].id, staff[1].id)
    db.session.commit()

    def confirm(_i):
        from app.accounts.models import User

        v, s0, s1 = (db.session.get(User, i) for i in (volunteer_id, *staff_ids))
        ledger.credit_service(v, 120, description="活动", served_on=TODAY, recorded_by=s0, verified_by=s1,
                              idempotency_key="activity-7-volunteer")
        db.session.commit()

    assert _threads(app, 8, confirm) == []
    assert db.session.scalar(sa.select(sa.func.count(ServiceRecord.id))) == 1
    assert db.session.scalar(sa.select(Account.balance).where(Account.user_id == volunteer_id)) == 120


def test_simultaneous_credits_never_fill_past_the_cap(app, make_user, staff, places):
    """Eight credits at once near the maximum balance: together they keep the
    volunteer at the cap exactly, the rest reaches the pool."""
    db.session.add(TimebankSettings(community_id=places.community.id, unit_minutes=30, max_balance=300))
    volunteer = make_user()
    _credit(volunteer, 120, staff, "seed")
    volunteer_id, staff_ids = volunteer.id, (staff[0].id, staff[1].id)
    db.session.commit()

    def credit(i):
        from app.accounts.models import User

        v, s0, s1 = (db.session.get(User, n) for n in (volunteer_id, *staff_ids))
        ledger.credit_service(v, 60, description="活动", served_on=TODAY, recorded_by=s0, verified_by=s1,
                              idempotency_key=f"near-cap-{i}")

    assert _threads(app, 8, credit) == []
    assert db.session.scalar(sa.select(Account.balance).where(Account.user_id == volunteer_id)) == 300
    pool = ledger.system_account(places.community.id, AccountKind.pool)
    assert pool.balance == 120 + 8 * 60 - 300
    assert ledger.service_minutes(volunteer) == 120 + 8 * 60  # the service record keeps every minute
    assert ledger.verify()["problems"] == []
    # each posting's balance_after was computed under the lock: the volunteer's run 120, …, 300 without a gap
    afters = db.session.scalars(sa.select(Posting.balance_after).join(Account, Posting.account_id == Account.id)
                                .where(Account.user_id == volunteer_id).order_by(Posting.id)).all()
    assert afters[0] == 120 and afters[-1] == 300 and afters == sorted(afters)
    assert ledger.balance_after_problems() == []


def test_concurrent_random_transfers_keep_every_invariant(app, make_user, staff):
    import random

    users = [make_user() for _ in range(20)]
    for i, user in enumerate(users):
        _credit(user, 300, staff, f"seed-{i}")
    ids = [u.id for u in users]
    db.session.commit()

    def churn(worker):
        from app.accounts.models import User

        rnd = random.Random(worker)
        for n in range(200):
            a, b = rnd.sample(ids, 2)
            try:
                ledger.transfer(db.session.get(User, a), db.session.get(User, b), 30 * rnd.randint(1, 4),
                                idempotency_key=f"w{worker}-{n}")
                db.session.commit()
            except DomainError:  # not enough hours: refused, nothing moved
                db.session.rollback()

    assert _threads(app, 8, churn) == []
    report = ledger.verify()
    assert report["problems"] == []
    assert ledger.balance_after_problems() == []  # every posting's balance_after is exact under the race
    last = dict(db.session.execute(sa.select(Posting.account_id, Posting.balance_after).where(Posting.id.in_(
        sa.select(sa.func.max(Posting.id)).group_by(Posting.account_id)))).all())
    assert all(last[a.id] == a.balance for a in db.session.scalars(sa.select(Account)))
    balances = db.session.scalars(sa.select(Account.balance).where(Account.kind == AccountKind.resident)).all()
    assert sum(balances) == 20 * 300 and min(balances) >= 0


# -- a stateful model ---------------------------------------------------------------------------

class LedgerMachine(RuleBasedStateMachine):
    """Random credits, grants, transfers, reversals and replays against a plain
    model of balances; every invariant is checked after every step."""

    factory = None

    @initialize()
    def setup(self):
        self.staff = (self.factory("social_worker"), self.factory("social_worker"))
        self.people = [self.factory() for _ in range(4)]
        self.model = {p.id: 0 for p in self.people}
        self.txns: list[tuple[int, dict]] = []  # (txn id, balance deltas)
        self.keys: list[tuple[str, str, tuple]] = []
        self.n = 0

    def teardown(self):
        db.session.rollback()  # runs in the test's app context; each example makes its own people

    def _key(self):
        self.n += 1
        return f"k{self.n}-{id(self)}"

    @rule(who=st.integers(0, 3), minutes=st.integers(1, 240))
    def credit(self, who, minutes):
        person = self.people[who]
        key = self._key()
        # a day of its own per credit: the day's ceiling is not what this machine explores
        service = _credit(person, minutes, self.staff, key, served_on=TODAY - timedelta(days=self.n))
        self.model[person.id] += minutes
        self.txns.append((service.txn_id, {person.id: minutes}))
        self.keys.append(("credit", key, (who, minutes)))

    @rule(who=st.integers(0, 3), units=st.integers(1, 4))
    def grant(self, who, units):
        person = self.people[who]
        txn = ledger.grant(person, 30 * units, reason="优先对象", initiated_by=self.staff[0],
                           confirmed_by=self.staff[1], idempotency_key=self._key())
        self.model[person.id] += 30 * units
        self.txns.append((txn.id, {person.id: 30 * units}))

    @rule(a=st.integers(0, 3), b=st.integers(0, 3), units=st.integers(1, 4))
    def transfer(self, a, b, units):
        if a == b:
            return
        giver, taker = self.people[a], self.people[b]
        try:
            txn = ledger.transfer(giver, taker, 30 * units, idempotency_key=self._key())
        except DomainError:
            assert self.model[giver.id] < 30 * units
            return
        self.model[giver.id] -= 30 * units
        self.model[taker.id] += 30 * units
        self.txns.append((txn.id, {giver.id: -30 * units, taker.id: 30 * units}))

    @precondition(lambda self: self.keys)
    @rule(data=st.data())
    def replay(self, data):
        _kind, key, (who, minutes) = data.draw(st.sampled_from(self.keys))
        _credit(self.people[who], minutes, self.staff, key)  # the same form again: nothing moves

    @precondition(lambda self: self.txns)
    @rule(data=st.data())
    def reverse(self, data):
        txn_id, deltas = data.draw(st.sampled_from(self.txns))
        txn = db.session.get(Txn, txn_id)
        try:
            ledger.reverse(txn, reason="更正", initiated_by=self.staff[0], confirmed_by=self.staff[1],
                           idempotency_key=self._key())
        except DomainError:
            already = db.session.scalar(sa.select(Txn).where(Txn.reverses_id == txn_id)) is not None
            assert already or any(self.model[u] - d < 0 for u, d in deltas.items())
            return
        for user_id, delta in deltas.items():
            self.model[user_id] -= delta
        self.txns.remove((txn_id, deltas))

    @invariant()
    def balances_match_the_model_and_the_postings(self):
        if not hasattr(self, "people"):
            return
        for person in self.people:
            account = ledger.account_of(person, create=False)
            assert (account.balance if account else 0) == self.model[person.id]
        assert ledger.verify()["problems"] == []


def test_ledger_state_machine(app, make_user):
    run_state_machine(LedgerMachine, make_user, steps=25)
