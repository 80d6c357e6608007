"""Family in the time bank: links, gifts to relatives across communities (通存通兑), donations, proxies."""
from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa

from app.audit.models import AuditEntry
from app.audit.sentences import sentence_for
from app.domain import DomainError, NotFound
from app.extensions import db
from app.timebank import family, ledger
from app.timebank.family_models import FamilyProxy, FamilyTransfer, LinkStatus, Relation
from app.timebank.models import Account, AccountKind, TimebankSettings, Txn
from tests.conftest import run_in_threads, text

TODAY = date(2026, 11, 22)


@pytest.fixture
def staff(make_user):
    return make_user("social_worker", display_name="李社工"), make_user("social_worker", display_name="黄社工")


def _credit(user, minutes, staff, key):
    ledger.credit_service(user, minutes, description="助老", served_on=TODAY, recorded_by=staff[0],
                          verified_by=staff[1], idempotency_key=key)


def _linked(a, b, relation=Relation.parent):
    link = family.ask_link(a, b, relation)
    family.accept_link(b, link)
    return link


def test_ask_accept_refuse_withdraw_end(make_user):
    daughter, mother, other = make_user(display_name="李娜"), make_user(display_name="王秀英"), make_user()
    link = family.ask_link(daughter, mother, Relation.parent)
    assert family.actions_for(mother, link)["accept"] and not family.actions_for(daughter, link)["accept"]
    assert family.actions_for(daughter, link)["withdraw"] and not family.actions_for(other, link)["refuse"]
    with pytest.raises(DomainError):  # one open question per pair, whichever side asks
        family.ask_link(mother, daughter, Relation.child)
    with pytest.raises(DomainError):  # only the one asked answers
        family.accept_link(daughter, link)
    family.accept_link(mother, link)
    assert link.status is LinkStatus.accepted
    assert family.linked_relatives(mother)[0].relation is Relation.child  # the reverse of "my parent"
    with pytest.raises(NotFound):
        family.link_for(other, link.id)
    family.end_link(mother, link)
    assert link.status is LinkStatus.ended and family.linked_relatives(daughter) == []
    refused = family.ask_link(daughter, mother, Relation.parent)  # asking again after an end is allowed
    family.refuse_link(mother, refused)
    assert refused.status is LinkStatus.refused
    with pytest.raises(DomainError):  # a refusal stands for a while: no pressing the same question
        family.ask_link(daughter, mother, Relation.parent)
    family.ask_link(mother, daughter, Relation.child)  # the one who refused may still ask
    with pytest.raises(DomainError):
        family.ask_link(daughter, daughter, Relation.other)
    with pytest.raises(DomainError):
        family.ask_link(daughter, None, Relation.other)
    entries = {e.action: e for e in db.session.scalars(sa.select(AuditEntry).order_by(AuditEntry.id))}
    assert {"timebank.family_ask", "timebank.family_accept", "timebank.family_end", "timebank.family_refuse"} <= set(entries)
    assert "李娜" in sentence_for(entries["timebank.family_accept"], html=False)  # 王秀英 accepted the link with 李娜
    assert "王秀英" in sentence_for(entries["timebank.family_accept"], html=False)


def test_find_person_needs_phone_and_name(make_user):
    mother = make_user(display_name="王秀英", login="13900000009")
    assert family.find_person("13900000009", "王秀英").id == mother.id
    assert family.find_person("13900000009", "别人") is None


def test_transfer_to_a_relative_in_another_community(make_user, places, staff):
    son = make_user(display_name="张强")
    mother = make_user(display_name="刘桂兰", community=places.other)
    _credit(son, 300, staff, "s1")
    _linked(son, mother)
    t = family.give_to_relative(son, mother, 120, idempotency_key="k1")
    assert (ledger.account_of(son).balance, ledger.account_of(mother).balance) == (180, 120)
    assert t.from_community_id == places.community.id and t.to_community_id == places.other.id
    out_txn, in_txn = db.session.get(Txn, t.out_txn_id), db.session.get(Txn, t.in_txn_id)
    assert (out_txn.community_id, in_txn.community_id) == (places.community.id, places.other.id)
    # each community's ledger stays whole: A took the hours back, B issued them
    assert ledger.system_account(places.community.id, AccountKind.issuance).balance == -300 + 120
    assert ledger.system_account(places.other.id, AccountKind.issuance).balance == -120
    assert ledger.verify()["problems"] == []
    # both communities' audit logs have a sentence with the names
    entries = db.session.scalars(sa.select(AuditEntry).where(AuditEntry.action == "timebank.family_transfer")).all()
    assert {e.community_id for e in entries} == {places.community.id, places.other.id}
    assert "刘桂兰" in sentence_for(entries[0], html=False)
    # a resubmitted form (same key) moves nothing
    assert family.give_to_relative(son, mother, 120, idempotency_key="k1").id == t.id
    assert ledger.account_of(son).balance == 180
    # statement lines from each side
    assert "刘桂兰" in str(family.line_labels(son, [t.out_txn_id])[t.out_txn_id])
    assert "张强" in str(family.line_labels(mother, [t.in_txn_id])[t.in_txn_id])
    assert family.line_labels(staff[0], [t.out_txn_id]) == {}


def test_transfer_refusals(make_user, places, staff):
    a, stranger = make_user(), make_user()
    unverified = make_user(verified=False)
    _credit(a, 120, staff, "s")
    with pytest.raises(DomainError):
        family.give_to_relative(a, stranger, 60, idempotency_key="x1")
    _linked(a, unverified)
    with pytest.raises(DomainError):
        family.give_to_relative(a, unverified, 60, idempotency_key="x2")
    b = make_user()
    _linked(a, b)
    with pytest.raises(DomainError):
        family.give_to_relative(a, b, 150, idempotency_key="x3")
    with pytest.raises(DomainError):
        family.give_to_relative(a, b, 45, idempotency_key="x4")
    with pytest.raises(DomainError):
        family.give_to_relative(a, b, 0, idempotency_key="x5")
    # across communities the amount is a multiple of both units
    c = make_user(community=places.other)
    db.session.add(TimebankSettings(community_id=places.other.id, unit_minutes=60))
    _linked(a, c)
    with pytest.raises(DomainError):
        family.give_to_relative(a, c, 30, idempotency_key="x6")
    assert ledger.account_of(a).balance == 120 and db.session.scalar(sa.select(sa.func.count(FamilyTransfer.id))) == 0


def test_two_tabs_with_one_key_give_once(app, make_user, places, staff):
    son, mother = make_user(), make_user(community=places.other)
    _credit(son, 240, staff, "seed")
    _linked(son, mother)
    ids = son.id, mother.id
    db.session.commit()

    def give(_i):
        from app.accounts.models import User

        s, m = (db.session.get(User, i) for i in ids)
        family.give_to_relative(s, m, 120, idempotency_key="same-tab-key")

    assert run_in_threads(app, range(4), give) == []
    assert db.session.scalar(sa.select(sa.func.count(FamilyTransfer.id))) == 1
    assert db.session.scalar(sa.select(Account.balance).where(Account.user_id == ids[0])) == 120
    assert db.session.scalar(sa.select(Account.balance).where(Account.user_id == ids[1])) == 120
    assert ledger.verify()["problems"] == []


def test_donation(make_user, places, staff):
    a = make_user()
    _credit(a, 90, staff, "s")
    txn = family.donate_to_pool(a, 60, idempotency_key="d1")
    assert family.donate_to_pool(a, 60, idempotency_key="d1").id == txn.id
    assert ledger.system_account(places.community.id, AccountKind.pool).balance == 60
    with pytest.raises(DomainError):
        family.donate_to_pool(a, 60, idempotency_key="d2")
    with pytest.raises(DomainError):
        family.donate_to_pool(make_user(verified=False), 30, idempotency_key="d3")


def test_a_form_key_used_for_one_kind_of_gift_is_refused_for_the_other(make_user, places, staff):
    """The give and donate forms share the keys' namespace: a key (a hidden field
    its sender controls) already spent on a donation cannot make a gift look
    done, nor a gift's key a donation; each is refused as an expired form."""
    son, mother = make_user(), make_user()
    _linked(son, mother)
    _credit(son, 300, staff, "s")
    family.donate_to_pool(son, 60, idempotency_key="shared")
    with pytest.raises(DomainError):
        family.give_to_relative(son, mother, 60, idempotency_key="shared")
    family.give_to_relative(son, mother, 60, idempotency_key="gift")
    with pytest.raises(DomainError):
        family.donate_to_pool(son, 60, idempotency_key="gift")
    db.session.commit()
    assert ledger.account_of(son).balance == 180 and ledger.account_of(mother).balance == 60
    assert ledger.system_account(places.community.id, AccountKind.pool).balance == 60


def test_proxy_by_the_resident_and_by_a_social_worker_with_consent(make_user, places, staff):
    mother, daughter, son = make_user(display_name="王秀英"), make_user(display_name="李娜"), make_user()
    _linked(daughter, mother)
    with pytest.raises(DomainError):  # adults only
        family.designate_proxy(mother, mother, daughter, adult=False)
    with pytest.raises(DomainError):  # linked relatives only
        family.designate_proxy(mother, mother, son, adult=True)
    proxy = family.designate_proxy(mother, mother, daughter, adult=True)
    assert family.can_act_for(daughter, mother) and proxy.consent_recorded_by_id is None
    with pytest.raises(DomainError):
        family.designate_proxy(mother, mother, daughter, adult=True)
    family.revoke_proxy(mother, proxy, "")
    assert not family.can_act_for(daughter, mother)
    # a social worker of the community, with the resident's consent on record
    with pytest.raises(DomainError):
        family.designate_proxy(staff[0], mother, daughter, adult=True, consent_note="")
    outsider = make_user("social_worker", scope=places.other)
    with pytest.raises(DomainError):
        family.designate_proxy(outsider, mother, daughter, adult=True, consent_note="同意")
    proxy = family.designate_proxy(staff[0], mother, daughter, adult=True, consent_note="2026-11-20 上门，本人口头同意")
    assert (proxy.consent_recorded_by_id, proxy.consent_note) == (staff[0].id, "2026-11-20 上门，本人口头同意")
    assert proxy.consent_recorded_at is not None and family.can_act_for(daughter, mother)
    with pytest.raises(NotFound):
        family.proxy_for(outsider, proxy.id)
    with pytest.raises(DomainError):
        family.revoke_proxy(son, proxy)
    family.revoke_proxy(daughter, proxy, "工作调动")  # the proxy may step down
    assert db.session.scalar(sa.select(sa.func.count(FamilyProxy.id)).where(FamilyProxy.revoked_at.is_(None))) == 0
    entry = db.session.scalars(sa.select(AuditEntry).where(AuditEntry.action == "timebank.proxy_designate")
                               .order_by(AuditEntry.id.desc())).first()
    assert "王秀英" in sentence_for(entry, html=False) and "本人口头同意" in sentence_for(entry, html=False)


def test_a_proxys_act_reads_done_by_them_in_the_audit_log(make_user):
    from app.audit.services import record

    mother, daughter = make_user(display_name="王秀英"), make_user(display_name="李娜")
    entry = record(daughter, "timebank.family_accept", None, **family.on_behalf(daughter, mother))
    assert "李娜" in sentence_for(entry, html=False) and "王秀英" in sentence_for(entry, html=False)


def test_pages_and_who_sees_a_transfer(make_user, places, staff, client_for):
    son = make_user(display_name="张强")
    mother = make_user(display_name="刘桂兰", community=places.other)
    _credit(son, 240, staff, "s")
    _linked(son, mother)
    t = family.give_to_relative(son, mother, 60, idempotency_key="p1")
    db.session.commit()
    url = f"/family/transfers/{t.id}"
    assert client_for(son).get(url).status_code == 200
    assert client_for(mother).get(url).status_code == 200
    assert client_for(staff[0]).get(url).status_code == 200  # the sender's community
    assert client_for(make_user("social_worker", scope=places.other)).get(url).status_code == 200  # the receiver's
    assert client_for(make_user("social_worker", scope=places.sibling)).get(url).status_code == 404
    assert client_for(make_user()).get(url).status_code == 404
    statement = text(client_for(son).get("/my/timebank/statement"))
    assert "刘桂兰" in statement
    assert "张强" in text(client_for(mother).get("/my/timebank"))  # the receiver's line names the giver
    download = client_for(son).get("/my/timebank/statement.csv")
    assert download.status_code == 200 and "刘桂兰" in download.get_data().decode("utf-8-sig")
    assert client_for(staff[0]).get(f"/c/{places.community.id}/timebank/family").status_code == 200
    assert client_for(son).get(f"/c/{places.community.id}/timebank/family").status_code == 403


def test_give_form_confirms_then_gives_once(make_user, places, staff, client_for):
    son, mother = make_user(display_name="张强"), make_user(display_name="刘桂兰", community=places.other)
    _credit(son, 240, staff, "s")
    _linked(son, mother)
    db.session.commit()
    c = client_for(son)
    form = {"receiver_id": str(mother.id), "minutes": "120", "idempotency_key": "form-key-1"}
    page = c.post("/my/family/give", form)
    assert page.status_code == 200 and "刘桂兰" in text(page) and "张强" in text(page)
    assert db.session.scalar(sa.select(sa.func.count(FamilyTransfer.id))) == 0  # the first step moves nothing
    assert c.post("/my/family/give", {**form, "confirm": "1"}).status_code == 303
    assert c.post("/my/family/give", {**form, "confirm": "1"}).status_code == 303  # the second tab
    assert db.session.scalar(sa.select(sa.func.count(FamilyTransfer.id))) == 1
    refused = c.post("/my/family/give", {**form, "minutes": "45", "idempotency_key": "k2"})
    assert refused.status_code == 422 and "30" in text(refused)


def _statements(client, url) -> int:
    seen = []

    def count(*_args, **_kw):
        seen.append(1)

    sa.event.listen(db.engine, "before_cursor_execute", count)
    try:
        assert client.get(url).status_code == 200
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", count)
    return len(seen)


def test_family_pages_do_not_grow_with_relatives(make_user, places, staff, client_for):
    """The person's family page and the community's family page: the same
    statements for one relative or four (links, proxies, transfers)."""
    resident = make_user()
    _credit(resident, 600, staff, "seed")
    db.session.commit()
    pages = [(client_for(resident), "/my/family"), (client_for(staff[0]), f"/c/{places.community.id}/timebank/family"),
             (client_for(resident), "/my/timebank"), (client_for(resident), "/my/timebank/statement")]

    def add_relative(n):
        kin = make_user(community=places.other if n % 2 else places.community)
        _linked(resident, kin)
        family.give_to_relative(resident, kin, 30, idempotency_key=f"q{n}")
        family.designate_proxy(resident, resident, kin, adult=True)
        db.session.commit()

    add_relative(0)
    before = [_statements(c, url) for c, url in pages]
    for n in range(1, 4):
        add_relative(n)
    assert [_statements(c, url) for c, url in pages] == before


def test_two_relatives_giving_to_each_other_at_once_both_go_through(app, make_user, places, staff):
    """Across two communities each gift locks both issuance accounts: taken in id order, never a deadlock."""
    a, b = make_user(), make_user(community=places.other)
    _credit(a, 600, staff, "sa")
    ledger.credit_service(b, 600, description="助老", served_on=TODAY, recorded_by=staff[0], verified_by=staff[1],
                          idempotency_key="sb")
    _linked(a, b)
    pairs = [(a.id, b.id), (b.id, a.id)] * 3
    db.session.commit()

    def give(i):
        from app.accounts.models import User

        s, r = (db.session.get(User, n) for n in pairs[i])
        family.give_to_relative(s, r, 30, idempotency_key=f"cross-{i}")

    assert run_in_threads(app, range(len(pairs)), give) == []
    assert db.session.scalar(sa.select(sa.func.count(FamilyTransfer.id))) == 6
    assert db.session.scalar(sa.select(Account.balance).where(Account.user_id == a.id)) == 600
    assert ledger.verify()["problems"] == []
