"""Time bank I's state machine, extended with spending: donations to the pool,
help requests (paid by the requester or with pool support), reservations
approved and released, helpers chosen and services confirmed. After every step
the balances match a plain model, the ledger verifies (reservations included)
and the pool's reservations never exceed its balance."""
from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa
from hypothesis import strategies as st
from hypothesis.stateful import initialize, invariant, precondition, rule

from app.domain import DomainError
from app.extensions import db
from app.sqltypes import utcnow
from app.timebank import exchange, ledger
from app.timebank.exchange_models import HelpRequest, HelpState, PoolState
from tests.conftest import run_state_machine
from tests.timebank.test_ledger import LedgerMachine


class ExchangeMachine(LedgerMachine):
    @initialize()
    def setup(self):  # replaces Time bank I's: its people, then something for them to spend
        super().setup()
        self.pool = 0
        self.requests: dict[int, dict] = {}  # id → requester index, minutes, helper index
        for person in self.people:  # something to spend from the start
            ledger.grant(person, 120, reason="优先对象", initiated_by=self.staff[0], confirmed_by=self.staff[1],
                         idempotency_key=self._key())
            self.model[person.id] += 120

    def _community(self):
        return self.people[0].community_id

    def _spendable(self, index):
        return self.model[self.people[index].id]

    @rule(who=st.integers(0, 3), units=st.integers(1, 3))
    def donate(self, who, units):
        person = self.people[who]
        try:
            ledger.donate(person, 30 * units, idempotency_key=self._key())
        except DomainError:
            assert self.model[person.id] < 30 * units
            return
        self.model[person.id] -= 30 * units
        self.pool += 30 * units

    @rule(who=st.integers(0, 3), units=st.integers(1, 4), pool=st.booleans(), helper=st.integers(0, 4))
    def request(self, who, units, pool, helper):
        """A request; with a helper index other than the requester's, offered and chosen at once."""
        person = self.people[who]
        category = exchange.categories(self._community())[0]
        try:
            made = exchange.post_request(person, person, category_id=category.id, place="家", minutes=30 * units,
                                         needed_at=utcnow() + timedelta(days=1), pool_reason="独居" if pool else None)
        except DomainError:
            assert not pool and self._spendable(who) < 30 * units
            return
        self.requests[made.id] = {"who": who, "minutes": 30 * units, "helper": None}
        if helper < len(self.people) and helper != who:
            exchange.choose(person, made, exchange.offer(self.people[helper], made).id)
            self.requests[made.id]["helper"] = helper

    def _pick(self, data, *states, pool_states=None):
        ids = sorted(i for i in self.requests if (r := db.session.get(HelpRequest, i)).state in states
                     and (pool_states is None or r.pool_state in pool_states))
        return db.session.get(HelpRequest, data.draw(st.sampled_from(ids))) if ids else None

    @precondition(lambda self: self.requests)
    @rule(data=st.data())
    def reserve(self, data):
        """A social worker approves pool support: it reserves, never beyond the pool's free minutes."""
        target = self._pick(data, HelpState.open, HelpState.matched, pool_states={PoolState.asked})
        if target is None:
            return
        free = self.pool - exchange.reserved_minutes(self._community())
        try:
            exchange.decide_pool(self.staff[0], target, approve=True)
        except DomainError:
            assert free < target.minutes
            return
        assert free >= target.minutes and target.pool_minutes == target.minutes

    @precondition(lambda self: self.requests)
    @rule(data=st.data(), helper=st.integers(0, 3))
    def choose(self, data, helper):
        target = self._pick(data, HelpState.open)
        if target is None or self.people[helper].id == target.requester_id:
            return
        exchange.choose(target.requester, target, exchange.offer(self.people[helper], target).id)
        self.requests[target.id]["helper"] = helper

    @precondition(lambda self: self.requests)
    @rule(data=st.data())
    def release(self, data):
        """Cancelling before the service: a reservation goes back to the pool's free minutes."""
        target = self._pick(data, HelpState.open, HelpState.matched)
        if target is None:
            return
        reserved = exchange.reserved_minutes(self._community())
        held = target.pool_minutes if target.pool_state is PoolState.approved else 0
        exchange.cancel(target.requester, target, "不需要了")
        assert exchange.reserved_minutes(self._community()) == reserved - held

    @precondition(lambda self: self.requests)
    @rule(data=st.data())
    def confirm(self, data):
        target = self._pick(data, HelpState.matched)
        if target is None:
            return
        self.n += 1
        target.needed_at = utcnow() - timedelta(days=400 + self.n)  # a day of its own: the day's ceiling aside
        db.session.flush()
        state = self.requests[target.id]
        pool_part = target.pool_minutes if target.pool_state is PoolState.approved else 0
        payer, helper = self.people[state["who"]], self.people[state["helper"]]
        try:
            exchange.confirm(payer, target)
        except DomainError:
            assert self.model[payer.id] < target.minutes - pool_part
            return
        self.model[payer.id] -= target.minutes - pool_part
        self.model[helper.id] += target.minutes
        self.pool -= pool_part
        # the same confirmation again (a second device): nothing moves
        try:
            exchange.confirm(payer, target)
        except DomainError:
            pass
        else:
            raise AssertionError("a second confirmation went through")

    @invariant()
    def the_pool_matches_and_is_never_promised_twice(self):
        if not hasattr(self, "requests"):
            return
        pool = exchange.pool_of(self._community())
        assert pool["balance"] == self.pool
        assert 0 <= pool["reserved"] <= pool["balance"]
        open_reservations = db.session.scalar(sa.select(sa.func.count(HelpRequest.id)).where(
            HelpRequest.pool_state == PoolState.approved,
            HelpRequest.state.in_([HelpState.served, HelpState.cancelled])))
        assert open_reservations == 0


def test_exchange_state_machine(app, make_user):
    run_state_machine(ExchangeMachine, make_user, steps=40)
