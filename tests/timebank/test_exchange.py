"""Spending hours: help requests, offers, the pool's reservations, confirmations
(once, under concurrency), records a volunteer starts, and who sees what."""
from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from app.domain import DomainError, NotFound
from app.extensions import db
from app.localtime import today
from app.sqltypes import utcnow
from app.timebank import exchange, ledger
from app.timebank.exchange_models import ClaimState, HelpRequest, HelpState, PoolState, ServiceClaim
from app.timebank.models import Account, ServiceRecord, Txn, TxnKind
from tests.conftest import run_in_threads, text

SOON = timedelta(days=1)


@pytest.fixture
def staff(make_user):
    return make_user("social_worker"), make_user("social_worker")


def fund(person, minutes, staff, key):
    ledger.grant(person, minutes, reason="测试", initiated_by=staff[0], confirmed_by=staff[1], idempotency_key=key)


def fund_pool(community_id, minutes, donor, staff):
    fund(donor, minutes, staff, f"pool-{donor.id}")
    ledger.donate(donor, minutes, idempotency_key=f"donate-{donor.id}")


def category(community_id, name="陪诊"):
    return next(c for c in exchange.categories(community_id) if c.name == name)


def ask(actor, resident, minutes=60, pool_reason=None, **kw):
    return exchange.post_request(actor, resident, category_id=category(resident.community_id).id,
                                 needed_at=utcnow() + SOON, place="3幢501", minutes=minutes, pool_reason=pool_reason,
                                 **kw)


def happened(help_request):
    """The service time lies behind us (confirmations come after it)."""
    help_request.needed_at = utcnow() - timedelta(hours=1)
    db.session.flush()


def served(elder, volunteer, staff, funded: int):
    """A funded resident's request that the volunteer took and whose time has passed: ready to confirm."""
    fund(elder, funded, staff, "e")
    help_request = ask(elder, elder)
    exchange.choose(elder, help_request, exchange.offer(volunteer, help_request).id)
    happened(help_request)
    return help_request


def balance(user):
    account = ledger.account_of(user, create=False)
    return account.balance if account else 0


def test_request_offer_choose_confirm_moves_hours_once_and_records_service(make_user, staff):
    elder, volunteer = make_user(), make_user()
    fund(elder, 120, staff, "e")
    help_request = ask(elder, elder)
    assert help_request.state is HelpState.open
    made = exchange.offer(volunteer, help_request, "我周三有空")
    exchange.choose(elder, help_request, made.id)
    assert help_request.state is HelpState.matched and help_request.helper_id == volunteer.id
    happened(help_request)
    txn = exchange.confirm(elder, help_request, minutes=90, rating=5, comment="很耐心")
    assert txn.kind is TxnKind.exchange
    assert (balance(elder), balance(volunteer)) == (30, 90)
    record = db.session.scalar(sa.select(ServiceRecord).where(ServiceRecord.txn_id == txn.id))
    assert record.volunteer_id == volunteer.id and record.minutes == 90 and record.verified_by_id == elder.id
    assert help_request.rating == 5 and help_request.state is HelpState.served
    with pytest.raises(DomainError):
        exchange.confirm(elder, help_request)
    assert balance(volunteer) == 90
    assert ledger.verify()["problems"] == []


def test_nobody_confirms_their_own_service_nor_offers_on_their_own_request(make_user, staff, places):
    from app.accounts.models import Role
    from app.accounts.services import assign_role

    elder, volunteer, stranger = make_user(), make_user(), make_user()
    fund(elder, 60, staff, "e")
    help_request = ask(elder, elder)
    with pytest.raises(DomainError):
        exchange.offer(elder, help_request)
    exchange.choose(elder, help_request, exchange.offer(volunteer, help_request).id)
    happened(help_request)
    # the helper becomes a social worker of the community (who may act for residents): still not their own service
    assign_role(None, volunteer, Role.social_worker, places.community.id)
    db.session.commit()
    with pytest.raises(DomainError, match="own service|自己提供的服务"):
        exchange.confirm(volunteer, help_request)
    with pytest.raises(DomainError):
        exchange.confirm(stranger, help_request)
    exchange.confirm(staff[1], help_request)  # another social worker, on the resident's behalf
    assert balance(volunteer) == 60


def test_balance_must_cover_the_estimate_or_the_pool_is_asked(make_user, staff):
    elder = make_user()
    with pytest.raises(DomainError) as refused:
        ask(elder, elder, minutes=60)
    assert refused.value.field == "minutes"
    with pytest.raises(DomainError) as refused:
        ask(elder, elder, minutes=60, pool_reason=" ")
    assert refused.value.field == "pool_reason"
    with pytest.raises(DomainError):
        ask(elder, elder, minutes=45, pool_reason="独居")  # not a multiple of the unit
    assert ask(elder, elder, minutes=60, pool_reason="独居老人").pool_state is PoolState.asked


def test_pool_approval_reserves_and_the_pool_is_never_promised_twice(make_user, staff, places):
    donor, elder, other_elder, volunteer = make_user(), make_user(), make_user(), make_user()
    fund_pool(places.community.id, 90, donor, staff)
    first = ask(elder, elder, minutes=60, pool_reason="独居")
    second = ask(other_elder, other_elder, minutes=60, pool_reason="独居")
    exchange.decide_pool(staff[0], first, approve=True)
    assert exchange.pool_of(places.community.id) == {"balance": 90, "reserved": 60, "free": 30}
    with pytest.raises(DomainError, match="30"):
        exchange.decide_pool(staff[1], second, approve=True)
    with pytest.raises(DomainError):
        exchange.decide_pool(staff[1], second, approve=False)  # a decline needs a reason
    exchange.decide_pool(staff[1], second, approve=False, reason="余额充足")
    assert second.pool_state is PoolState.declined
    # confirming consumes the reservation: pool → helper
    exchange.choose(elder, first, exchange.offer(volunteer, first).id)
    happened(first)
    exchange.confirm(elder, first)
    assert (balance(volunteer), balance(elder)) == (60, 0)
    assert exchange.pool_of(places.community.id) == {"balance": 30, "reserved": 0, "free": 30}
    assert first.pool_state is PoolState.consumed
    assert ledger.verify()["problems"] == []


def test_cancelling_releases_the_reservation(make_user, staff, places):
    donor, elder = make_user(), make_user()
    fund_pool(places.community.id, 60, donor, staff)
    help_request = ask(elder, elder, minutes=60, pool_reason="独居")
    exchange.decide_pool(staff[0], help_request, approve=True)
    assert exchange.pool_of(places.community.id)["free"] == 0
    exchange.cancel(elder, help_request, "不需要了")
    assert help_request.pool_state is PoolState.released
    assert exchange.pool_of(places.community.id)["free"] == 60
    with pytest.raises(DomainError):
        exchange.cancel(elder, help_request)


def test_nobody_decides_pool_support_for_themselves_or_their_family(make_user, staff, places):
    """The pool pays for a resident's help: the social worker deciding it is
    neither the requester nor a linked relative of theirs (four eyes)."""
    from app.timebank import family
    from app.timebank.family_models import Relation

    donor, mother = make_user(), make_user()
    fund_pool(places.community.id, 120, donor, staff)
    link = family.ask_link(staff[0], mother, Relation.parent)
    family.accept_link(mother, link)
    help_request = ask(mother, mother, minutes=60, pool_reason="独居")
    with pytest.raises(DomainError):
        exchange.decide_pool(staff[0], help_request, approve=True)  # her son is a social worker here
    assert help_request.pool_state is PoolState.asked
    exchange.decide_pool(staff[1], help_request, approve=True)  # his colleague decides
    assert help_request.pool_state is PoolState.approved


def test_a_request_that_expired_unanswered_frees_its_reservation(make_user, staff, places):
    """An open request whose time passed without a helper can no longer be
    served, so the pool minutes promised to it are free to promise again."""
    donor, elder, other_elder = make_user(), make_user(), make_user()
    fund_pool(places.community.id, 60, donor, staff)
    lapsed = ask(elder, elder, minutes=60, pool_reason="独居")
    exchange.decide_pool(staff[0], lapsed, approve=True)
    assert exchange.pool_of(places.community.id)["free"] == 0
    lapsed.needed_at = utcnow() - timedelta(hours=1)  # nobody offered in time
    db.session.flush()
    assert exchange.is_expired(lapsed)
    assert exchange.pool_of(places.community.id) == {"balance": 60, "reserved": 0, "free": 60}
    second = ask(other_elder, other_elder, minutes=60, pool_reason="独居")
    exchange.decide_pool(staff[1], second, approve=True)
    assert exchange.pool_of(places.community.id)["free"] == 0 and ledger.verify()["problems"] == []
    with pytest.raises(DomainError):
        exchange.offer(make_user(), lapsed)  # and it cannot come back to claim them


def test_verify_reports_reservations_above_the_pool(make_user, staff, places):
    donor, elder = make_user(), make_user()
    fund_pool(places.community.id, 60, donor, staff)
    help_request = ask(elder, elder, minutes=60, pool_reason="独居")
    exchange.decide_pool(staff[0], help_request, approve=True)
    help_request.pool_minutes = 90  # as a bug (or a hand edit) would leave it
    db.session.flush()
    assert any("reserves 90" in p for p in ledger.verify()["problems"])


def test_priority_residents_come_first_in_the_pool_queue(make_user, staff, places):
    early, priority = make_user(), make_user()
    first = ask(early, early, pool_reason="困难")
    second = ask(priority, priority, pool_reason="独居")
    exchange.set_priority(staff[0], priority, True, "85岁独居")
    queue = exchange.pool_queue(places.community.id)
    assert [(r.id, p) for r, p in queue] == [(second.id, True), (first.id, False)]


def test_accept_the_first_and_the_helper_stepping_back(make_user, staff):
    elder, v1, v2 = make_user(), make_user(), make_user()
    fund(elder, 60, staff, "e")
    help_request = ask(elder, elder, accept_first=True)
    exchange.offer(v1, help_request)
    assert help_request.helper_id == v1.id
    with pytest.raises(DomainError):
        exchange.offer(v2, help_request)
    exchange.withdraw(v1, help_request)
    assert help_request.state is HelpState.open and help_request.helper_id is None


def test_messages_only_between_requester_and_helper(make_user, staff):
    elder, volunteer, stranger = make_user(), make_user(), make_user()
    fund(elder, 60, staff, "e")
    help_request = ask(elder, elder)
    exchange.choose(elder, help_request, exchange.offer(volunteer, help_request).id)
    exchange.send_message(elder, help_request, "请带上医保卡")
    exchange.send_message(volunteer, help_request, "好的")
    with pytest.raises(DomainError):
        exchange.send_message(stranger, help_request, "你好")
    with pytest.raises(DomainError):
        exchange.send_message(elder, help_request, "长" * 301)
    assert [m.body for m in exchange.messages_of(help_request)] == ["请带上医保卡", "好的"]


def test_who_sees_a_request(make_user, staff, places):
    elder, volunteer, outsider = make_user(), make_user(), make_user(community=places.sibling)
    far = make_user(community=places.other)
    fund(elder, 60, staff, "e")
    help_request = ask(elder, elder)
    assert exchange.request_for(volunteer, help_request.id) is help_request  # open: the community's volunteers
    for nobody in (outsider, far, make_user("social_worker", scope=places.other)):
        with pytest.raises(NotFound):
            exchange.request_for(nobody, help_request.id)
    exchange.set_wider(outsider, True)  # opted in: the subdistrict's other communities
    assert exchange.request_for(outsider, help_request.id) is help_request
    exchange.set_wider(far, True)  # another subdistrict: still not
    with pytest.raises(NotFound):
        exchange.request_for(far, help_request.id)
    exchange.choose(elder, help_request, exchange.offer(volunteer, help_request).id)
    with pytest.raises(NotFound):  # matched: only the counterparties and the social workers
        exchange.request_for(outsider, help_request.id)
    assert exchange.request_for(staff[0], help_request.id) is help_request


def test_a_volunteer_of_another_community_is_paid_across_communities(make_user, staff, places):
    elder, helper = make_user(), make_user(community=places.sibling)
    fund(elder, 60, staff, "e")
    exchange.set_wider(helper, True)
    help_request = ask(elder, elder)
    exchange.choose(elder, help_request, exchange.offer(helper, help_request).id)
    happened(help_request)
    exchange.confirm(elder, help_request)
    assert (balance(elder), balance(helper)) == (0, 60)
    assert ledger.verify()["problems"] == []


def test_skills_matching_volunteers_are_told(make_user, staff):
    from app.notifications.models import Notification
    from app.volunteering import services as volunteering

    elder, barber, cook = make_user(), make_user(), make_user()
    volunteering.register_volunteer(barber, skills="理发、陪诊", availability="", consent=True)
    volunteering.register_volunteer(cook, skills="做饭", availability="", consent=True)
    fund(elder, 60, staff, "e")
    ask(elder, elder)
    told = set(db.session.scalars(sa.select(Notification.user_id).where(Notification.kind == "timebank.help_new")))
    assert told == {barber.id}


def test_categories_are_per_community_and_editable(make_user, staff, places):
    names = [c.name for c in exchange.categories(places.community.id)]
    assert names == ["陪诊", "助餐", "助洁", "代购", "理发", "上门探访", "手机使用帮助", "其他"]
    exchange.save_categories(staff[0], places.community, ["陪诊", "修电器", "其他"])
    assert [c.name for c in exchange.categories(places.community.id)] == ["陪诊", "修电器", "其他"]
    assert len(exchange.categories(places.sibling.id)) == 8
    elder = make_user()
    retired = next(c for c in exchange.categories(places.community.id, active=False) if c.name == "理发")
    with pytest.raises(DomainError):
        exchange.post_request(elder, elder, category_id=retired.id, needed_at=utcnow() + SOON, place="家",
                              minutes=30, pool_reason="独居")


def test_standing_offer_requested_makes_its_volunteer_the_helper(make_user, staff):
    elder, barber = make_user(), make_user()
    fund(elder, 60, staff, "e")
    listing = exchange.save_listing(barber, category_id=category(barber.community_id, "理发").id, title="周末上门理发")
    assert listing in exchange.listings_for(elder)
    help_request = ask(elder, elder, listing=listing)
    assert help_request.state is HelpState.matched and help_request.helper_id == barber.id
    with pytest.raises(DomainError):
        ask(barber, barber, listing=listing)


# -- records a volunteer starts -----------------------------------------------------------------

def test_claim_confirmed_moves_hours_and_records_service(make_user, staff):
    helper, receiver = make_user(), make_user()
    fund(receiver, 90, staff, "r")
    claim = exchange.start_claim(helper, receiver, minutes=90, description="修水管", served_on=today())
    with pytest.raises(DomainError):
        exchange.answer_claim(helper, claim, accept=True)  # nobody confirms their own service
    exchange.answer_claim(receiver, claim, accept=True)
    assert claim.state is ClaimState.confirmed and (balance(helper), balance(receiver)) == (90, 0)
    assert db.session.scalar(sa.select(ServiceRecord.minutes).where(ServiceRecord.volunteer_id == helper.id)) == 90


def test_claim_disputed_then_decided_by_a_social_worker(make_user, staff):
    helper, receiver = make_user(), make_user()
    fund(receiver, 60, staff, "r")
    claim = exchange.start_claim(helper, receiver, minutes=60, description="陪诊", served_on=today())
    with pytest.raises(DomainError):
        exchange.answer_claim(receiver, claim, accept=False)  # a dispute says what is wrong
    exchange.answer_claim(receiver, claim, accept=False, reason="只陪了半小时")
    with pytest.raises(DomainError):
        exchange.decide_claim(staff[0], claim, uphold=True, reason="")
    exchange.decide_claim(staff[0], claim, uphold=False, reason="双方确认只有半小时")
    assert claim.state is ClaimState.rejected and balance(helper) == 0
    second = exchange.start_claim(helper, receiver, minutes=60, description="陪诊", served_on=today())
    exchange.answer_claim(receiver, second, accept=False, reason="时间不对")
    exchange.decide_claim(staff[1], second, uphold=True, reason="医院记录为一小时")
    assert second.state is ClaimState.upheld and balance(helper) == 60


def test_claim_expires_when_read_and_the_command_tells_both_once(app, make_user, staff):
    from app.notifications.models import Notification

    helper, receiver = make_user(), make_user()
    claim = exchange.start_claim(helper, receiver, minutes=30, description="代购", served_on=today())
    assert not exchange.claim_expired(claim)
    claim.created_at = utcnow() - timedelta(days=8)
    db.session.commit()
    assert exchange.claim_expired(claim)  # no job ran
    with pytest.raises(DomainError, match="expired|过期"):
        exchange.answer_claim(receiver, claim, accept=True)
    app.config["TIMEBANK_CLAIM_DAYS"] = 10
    assert not exchange.claim_expired(claim)  # configurable
    app.config["TIMEBANK_CLAIM_DAYS"] = 7
    result = app.test_cli_runner().invoke(args=["timebank", "expire"])
    assert "expired records noticed: 1" in result.output
    result = app.test_cli_runner().invoke(args=["timebank", "expire"])
    assert "expired records noticed: 0" in result.output
    told = db.session.scalars(sa.select(Notification.user_id).where(Notification.kind == "timebank.claim_expired"))
    assert sorted(told) == sorted([helper.id, receiver.id])


def test_claim_receiver_must_be_found_in_the_subdistrict(make_user, places):
    helper = make_user()
    far = make_user(community=places.other, login="13900000009")
    with pytest.raises(DomainError) as refused:
        exchange.find_receiver(helper, "13900000009")
    assert refused.value.field == "receiver"
    near = make_user(community=places.sibling, login="13900000008")
    assert exchange.find_receiver(helper, "13900000008") == near
    assert far


# -- concurrency, on both databases -------------------------------------------------------------

def test_two_devices_confirming_at_once_make_one_transaction(app, make_user, staff):
    elder, volunteer = make_user(), make_user()
    help_request = served(elder, volunteer, staff, 120)
    ids = (help_request.id, elder.id)
    db.session.commit()

    def prepare(_i):
        from app.accounts.models import User

        return db.session.get(HelpRequest, ids[0]), db.session.get(User, ids[1])

    errors = run_in_threads(app, range(4), lambda state: exchange.confirm(state[1], state[0], rating=4), prepare)
    assert len(errors) == 3 and all(isinstance(e, DomainError) for e in errors), errors
    assert db.session.scalar(sa.select(sa.func.count(Txn.id)).where(Txn.kind == TxnKind.exchange)) == 1
    assert db.session.scalar(sa.select(Account.balance).where(Account.user_id == volunteer.id)) == 60
    assert db.session.scalar(sa.select(sa.func.count(ServiceRecord.id)).where(
        ServiceRecord.volunteer_id == volunteer.id)) == 1
    assert ledger.verify()["problems"] == []


def test_two_social_workers_approving_against_the_last_minutes_one_succeeds(app, make_user, staff, places):
    donor, e1, e2 = make_user(), make_user(), make_user()
    fund_pool(places.community.id, 60, donor, staff)
    r1 = ask(e1, e1, minutes=60, pool_reason="独居")
    r2 = ask(e2, e2, minutes=60, pool_reason="独居")
    pairs = [(staff[0].id, r1.id), (staff[1].id, r2.id)]
    db.session.commit()

    def prepare(pair):
        from app.accounts.models import User

        return db.session.get(User, pair[0]), db.session.get(HelpRequest, pair[1])

    errors = run_in_threads(app, pairs, lambda s: exchange.decide_pool(s[0], s[1], approve=True), prepare)
    assert len(errors) == 1 and isinstance(errors[0], DomainError), errors
    approved = db.session.scalar(sa.select(sa.func.count(HelpRequest.id)).where(
        HelpRequest.pool_state == PoolState.approved))
    assert approved == 1
    assert exchange.pool_of(places.community.id) == {"balance": 60, "reserved": 60, "free": 0}
    assert ledger.verify()["problems"] == []


# -- pages ------------------------------------------------------------------------------------

def test_request_form_shows_balance_and_posts(client_for, make_user, staff):
    elder = make_user()
    fund(elder, 60, staff, "e")
    client = client_for(elder)
    page = client.get("/help/new")
    assert page.status_code == 200 and "1" in text(page)
    cat = category(elder.community_id)
    when = (utcnow() + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    refused = client.post("/help/new", {"category_id": cat.id, "needed_at": when, "place": "5幢", "minutes": "240"})
    assert refused.status_code == 422 and "pool" in text(refused)
    done = client.post("/help/new", {"category_id": cat.id, "needed_at": when, "place": "5幢", "minutes": "60"})
    assert done.status_code == 303
    shown = client.get(done.headers["Location"])
    assert shown.status_code == 200 and "5幢" in text(shown)


def test_confirm_page_flow_and_second_submission(client_for, make_user, staff):
    elder, volunteer = make_user(), make_user()
    help_request = served(elder, volunteer, staff, 60)
    db.session.commit()
    client = client_for(elder)
    url = f"/help/{help_request.id}/confirm"
    assert client.post(url, {"minutes": "60", "rating": "5", "comment": "好"}).status_code == 303
    again = client.post(url, {"minutes": "60", "rating": "5"})
    assert again.status_code == 422
    assert db.session.scalar(sa.select(sa.func.count(Txn.id)).where(Txn.kind == TxnKind.exchange)) == 1
    assert client_for(volunteer).get(f"/help/{help_request.id}").status_code == 200
    assert client_for(make_user()).get(f"/help/{help_request.id}").status_code == 404


def test_social_worker_acts_for_a_resident_and_it_is_recorded(client_for, make_user, staff):
    from app.audit.models import AuditEntry

    elder = make_user()
    fund(elder, 60, staff, "e")
    db.session.commit()
    client = client_for(staff[0])
    assert client.get(f"/help/new?for={elder.id}").status_code == 200
    when = (utcnow() + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    done = client.post(f"/help/new?for={elder.id}", {"category_id": category(elder.community_id).id,
                                                     "needed_at": when, "place": "家", "minutes": "60"})
    assert done.status_code == 303
    help_request = db.session.scalar(sa.select(HelpRequest))
    assert help_request.requester_id == elder.id and help_request.posted_by_id == staff[0].id
    entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "timebank.help_post"))
    assert entry.actor_id == staff[0].id and entry.detail["acting"] == "social_worker"
    assert entry.detail["on_behalf_of"] == elder.id
    assert client_for(make_user()).get(f"/help/new?for={elder.id}").status_code == 404


# -- proxies (代办, app.timebank.family) ---------------------------------------------------------

def make_proxy(resident, relative):
    from app.timebank import family
    from app.timebank.family_models import Relation

    link = family.ask_link(resident, relative, Relation.child)
    family.accept_link(relative, link)
    return family.designate_proxy(resident, resident, relative, adult=True)


def test_a_proxy_posts_chooses_and_confirms_and_is_named_on_the_record(make_user, staff, places):
    from app.audit.models import AuditEntry
    from app.audit.sentences import sentence_for

    elder, daughter, volunteer = make_user(), make_user(community=places.sibling), make_user()
    make_proxy(elder, daughter)
    fund(elder, 60, staff, "e")
    help_request = ask(daughter, elder)
    assert help_request.requester_id == elder.id and help_request.posted_by_id == daughter.id
    assert exchange.request_for(daughter, help_request.id) is help_request
    exchange.choose(daughter, help_request, exchange.offer(volunteer, help_request).id)
    happened(help_request)
    exchange.confirm(daughter, help_request, rating=5)
    assert (balance(elder), balance(volunteer), balance(daughter)) == (0, 60, 0)
    assert str(exchange.behalf_label(elder, help_request.confirmed_by_id)).count(daughter.display_name) == 1
    entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "timebank.help_confirm"))
    assert entry.actor_id == daughter.id and entry.detail["on_behalf_of"] == elder.id
    assert elder.display_name in str(sentence_for(entry, html=False))


def test_a_proxy_cannot_confirm_a_service_they_gave(make_user, staff, places):
    elder, son = make_user(), make_user()
    make_proxy(elder, son)
    fund(elder, 60, staff, "e")
    listing = exchange.save_listing(son, category_id=category(son.community_id).id, title="陪诊")
    help_request = ask(elder, elder, listing=listing)  # the son is the helper
    happened(help_request)
    with pytest.raises(DomainError, match="own service|自己提供的服务"):
        exchange.confirm(son, help_request)
    with pytest.raises(DomainError):
        exchange.offer(son, ask(elder, elder, minutes=30, pool_reason="独居"))  # nor offer on what they act for
    exchange.confirm(elder, help_request)
    assert balance(son) == 60


# -- query counts: the lists do not grow with the rows ------------------------------------------

def _statements(app, client, url) -> int:
    import sqlalchemy as sa_

    counted = []

    def count(*_args):
        counted.append(1)

    engine = db.engines[None] if hasattr(db, "engines") else db.engine
    sa_.event.listen(engine, "before_cursor_execute", count)
    try:
        assert client.get(url).status_code == 200
    finally:
        sa_.event.remove(engine, "before_cursor_execute", count)
    return len(counted)


def _more(n, elder, volunteers):
    """n more requests (each with an offer, a chosen helper, a message), records of help and standing offers."""
    for i in range(n):
        requester = volunteers[(i + 1) % len(volunteers)]
        made = ask(requester, requester, minutes=30, pool_reason="独居")
        exchange.offer(elder, made, "我可以")
        exchange.choose(requester, made, db.session.scalar(sa.select(exchange.HelpOffer.id).where(
            exchange.HelpOffer.request_id == made.id)))
        exchange.send_message(requester, made, f"第{i}条")
        exchange.start_claim(requester, elder, minutes=30, description=f"帮忙{made.id}", served_on=today())
        exchange.save_listing(requester, category_id=category(requester.community_id).id, title=f"服务{i}")


def test_exchange_lists_run_the_same_statements_for_more_rows(app, client_for, make_user, staff, places):
    elder = make_user()
    volunteers = [make_user() for _ in range(3)]
    fund(elder, 60, staff, "e")
    _more(2, elder, volunteers)
    mine = ask(elder, elder)
    exchange.offer(volunteers[0], mine)
    db.session.commit()
    urls = ["/help", "/help/listings", f"/help/{mine.id}"]
    resident, worker = client_for(elder), client_for(staff[0])
    before = {url: _statements(app, resident, url) for url in urls}
    manage = f"/c/{places.community.id}/help/manage"
    before[manage] = _statements(app, worker, manage)
    _more(8, elder, volunteers)
    for v in volunteers[1:]:
        exchange.offer(v, mine)
    db.session.commit()
    after = {url: _statements(app, resident, url) for url in urls}
    after[manage] = _statements(app, worker, manage)
    assert after == before


def test_statement_lines_of_an_exchange_and_of_the_pool(make_user, staff, places):
    from app.localtime import zone
    from app.timebank import statements

    donor, elder, volunteer = make_user(), make_user(), make_user()
    fund_pool(places.community.id, 60, donor, staff)
    fund(elder, 30, staff, "e")
    help_request = ask(elder, elder, minutes=60, pool_reason="独居")
    exchange.decide_pool(staff[0], help_request, approve=True)
    exchange.choose(elder, help_request, exchange.offer(volunteer, help_request).id)
    happened(help_request)
    exchange.confirm(elder, help_request, minutes=90)  # 60 from the pool, 30 from the elder
    mine = statements.statement(volunteer, today() - timedelta(days=1), today(), zone())
    assert [(line.kind, line.amount) for line in mine.lines] == [(TxnKind.exchange, 90)]
    assert "陪诊" in mine.lines[0].memo and mine.service_minutes == 90
    theirs = statements.statement(elder, today() - timedelta(days=1), today(), zone())
    assert [(line.kind, line.amount) for line in theirs.lines][-1] == (TxnKind.exchange, -30)
    pool = [(p.amount, t.kind) for p, t in exchange.pool_statement(places.community.id)]
    assert pool == [(-60, TxnKind.exchange), (60, TxnKind.donation)]


def test_reversing_a_donation_cannot_break_the_pools_promises(make_user, staff, places):
    donor, elder = make_user(), make_user()
    fund_pool(places.community.id, 60, donor, staff)
    donation = db.session.scalar(sa.select(Txn).where(Txn.kind == TxnKind.donation))
    help_request = ask(elder, elder, minutes=60, pool_reason="独居")
    exchange.decide_pool(staff[0], help_request, approve=True)
    db.session.commit()
    with pytest.raises(DomainError):
        ledger.reverse(donation, reason="捐错了", initiated_by=staff[0], confirmed_by=staff[1], idempotency_key="r")
    db.session.rollback()
    help_request = db.session.get(HelpRequest, help_request.id)
    exchange.cancel(elder, help_request)
    ledger.reverse(db.session.get(Txn, donation.id), reason="捐错了", initiated_by=staff[0], confirmed_by=staff[1],
                   idempotency_key="r2")
    assert exchange.pool_of(places.community.id)["balance"] == 0


def test_the_demo_has_open_served_and_pool_supported_requests(app):
    from app import demo

    demo.seed()
    requests = db.session.scalars(sa.select(HelpRequest)).all()
    assert sum(1 for r in requests if r.state is HelpState.open) >= 2
    assert any(r.state is HelpState.served and r.rating == 5 for r in requests)
    assert any(r.pool_state is PoolState.approved for r in requests)
    assert db.session.scalar(sa.select(sa.func.count(ServiceClaim.id))) == 1
    assert ledger.verify()["problems"] == []
