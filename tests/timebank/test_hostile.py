"""A hostile user of the exchange and of family hours: choosing oneself as the
helper through one's own standing offer, other communities' ids, replays."""
from __future__ import annotations

import pytest

from app.domain import DomainError
from app.extensions import db
from app.timebank import exchange
from app.timebank.exchange_models import HelpRequest
from tests.timebank.test_exchange import ask, category, fund, make_proxy


@pytest.fixture
def staff(make_user):
    return make_user("social_worker"), make_user("social_worker")


def test_who_acts_for_a_resident_cannot_make_themself_the_helper_through_their_own_offer(make_user, staff, places):
    elder, son = make_user(), make_user()
    make_proxy(elder, son)
    fund(elder, 120, staff, "e")
    listing = exchange.save_listing(son, category_id=category(son.community_id).id, title="陪诊")
    with pytest.raises(DomainError):
        ask(son, elder, listing=listing)  # the proxy would choose themself (choose() refuses exactly this)
    worker = make_user("social_worker", community=places.community)  # a social worker living in the community
    worker_listing = exchange.save_listing(worker, category_id=category(elder.community_id).id, title="代买药")
    with pytest.raises(DomainError):
        ask(worker, elder, listing=worker_listing)  # nor a social worker acting for the resident
    assert db.session.query(HelpRequest).count() == 0
    assert ask(elder, elder, listing=listing).helper_id == son.id  # the resident themself may choose their son's offer


def test_a_form_key_cannot_take_the_key_of_a_service_payment(make_user, staff):
    """The give form's key is a hidden field the sender controls: typed as
    "help-<id>" it took the key the confirmation pays the helper with, and the
    confirmation then found "its" transaction already posted: the request was
    served, the helper never paid (the hours stayed in the family)."""
    from app.timebank import family
    from app.timebank.family_models import Relation
    from tests.timebank.test_exchange import balance, happened

    elder, spouse, volunteer = make_user(), make_user(), make_user()
    fund(elder, 180, staff, "e")
    link = family.ask_link(elder, spouse, Relation.spouse)
    family.accept_link(spouse, link)
    help_request = ask(elder, elder, minutes=60)
    exchange.choose(elder, help_request, exchange.offer(volunteer, help_request).id)
    happened(help_request)
    family.give_to_relative(elder, spouse, 60, idempotency_key=f"help-{help_request.id}")
    exchange.confirm(elder, help_request)
    assert (balance(volunteer), balance(spouse), balance(elder)) == (60, 60, 60)


def test_a_social_worker_does_not_approve_pool_support_that_pays_themself(make_user, staff, places):
    from tests.timebank.test_exchange import fund_pool

    worker = make_user("social_worker", community=places.community)  # also a resident with a standing offer
    elder, donor = make_user(), make_user()
    fund_pool(places.community.id, 120, donor, staff)
    listing = exchange.save_listing(worker, category_id=category(worker.community_id).id, title="上门理发")
    help_request = ask(elder, elder, minutes=60, pool_reason="独居老人", listing=listing)
    assert help_request.helper_id == worker.id
    with pytest.raises(DomainError):
        exchange.decide_pool(worker, help_request, approve=True)
    assert exchange.pool_of(places.community.id)["reserved"] == 0
    exchange.decide_pool(staff[0], help_request, approve=True)  # another social worker may
    assert exchange.pool_of(places.community.id)["reserved"] == 60


# -- through the pages: other communities' ids, unverified residents, absurd numbers -------------

def test_other_communities_ids_show_nothing(client_for, make_user, staff, places):
    from app.timebank import family
    from app.timebank.family_models import Relation
    from tests.timebank.test_exchange import happened

    elder, volunteer, son = make_user(), make_user(), make_user()
    fund(elder, 120, staff, "e")
    help_request = ask(elder, elder)
    exchange.choose(elder, help_request, exchange.offer(volunteer, help_request).id)
    happened(help_request)
    exchange.send_message(elder, help_request, "请带上轮椅")
    open_request = ask(elder, elder, minutes=30)
    claim = exchange.start_claim(volunteer, elder, minutes=30, description="买菜", served_on=__import__(
        "app.localtime", fromlist=["today"]).today())
    family.accept_link(son, family.ask_link(elder, son, Relation.child))
    transfer = family.give_to_relative(elder, son, 30, idempotency_key="gift-1")
    db.session.commit()
    outsider = make_user(community=places.other)  # a resident of another subdistrict
    far_worker = make_user("social_worker", scope=places.other)
    near_worker = make_user("social_worker", scope=places.sibling)  # same subdistrict, other community
    ids = dict(h=help_request.id, o=open_request.id, c=claim.id, t=transfer.id, k=places.community.id)
    for person in (outsider, far_worker, near_worker):
        client = client_for(person)
        for url in ("/help/{h}", "/help/{o}", "/help/claims/{c}", "/family/transfers/{t}"):
            page = client.get(url.format(**ids))
            assert page.status_code == 404, (person.display_name, url)
        for url in ("/c/{k}/help/manage", "/c/{k}/timebank/family"):
            assert client.get(url.format(**ids)).status_code in (403, 404), url
        for url, data in (("/help/{h}/confirm", {"minutes": "60"}), ("/help/{h}/message", {"body": "hi"}),
                          ("/help/{h}/cancel", {}), ("/help/{o}/pool", {"approve": "1"}),
                          ("/help/claims/{c}/answer", {"accept": "1"}), ("/help/claims/{c}/decide", {"uphold": "1"})):
            assert client.post(url.format(**ids), data).status_code in (403, 404), url
    db.session.expire_all()
    assert help_request.state.name == "matched" and claim.state.name == "pending"
    assert "请带上轮椅" not in client_for(outsider).get("/help").get_data(as_text=True)


def test_unverified_residents_and_absurd_minutes_move_nothing(client_for, make_user, staff):
    elder = make_user()
    fund(elder, 600, staff, "e")
    unverified = make_user(verified=False)
    when = (__import__("app.sqltypes", fromlist=["utcnow"]).utcnow() + __import__("datetime").timedelta(days=2))
    form = {"category_id": category(elder.community_id).id, "needed_at": when.strftime("%Y-%m-%dT%H:%M"),
            "place": "5幢"}
    assert client_for(unverified).post("/help/new", form | {"minutes": "60"}).status_code in (403, 404, 422)
    client = client_for(elder)
    for minutes in ("-60", "0", "1000000000000", "60.5", "60.000", "NaN", "Infinity", "1e3", "６０x", " "):
        assert client.post("/help/new", form | {"minutes": minutes}).status_code == 422, minutes
    assert client.post("/help/new", form | {"minutes": "60", "place": "楼" * 5000}).status_code == 422
    assert db.session.query(HelpRequest).count() == 0
    for minutes in ("-60", "0", "1000000000000", "NaN", "60.5"):
        page = client.post("/my/family/donate", {"minutes": minutes, "idempotency_key": "d", "confirm": "1"})
        assert page.status_code == 422, minutes
    from tests.timebank.test_exchange import balance

    assert balance(elder) == 600


def test_a_resubmitted_record_of_help_is_one_record(client_for, make_user, staff):
    """The record form has no key: sent twice (a second tab, a double tap on a
    slow phone) it made two pending records of the same help, and a receiver
    who confirmed both notices paid the same service twice."""
    from app.localtime import today
    from app.timebank.exchange_models import ServiceClaim
    from tests.timebank.test_exchange import balance

    elder, volunteer = make_user(), make_user()
    fund(elder, 120, staff, "e")
    elder.phone = "13912345678"
    db.session.commit()
    client = client_for(volunteer)
    form = {"receiver": "13912345678", "minutes": "60", "description": "陪同就医", "served_on": today().isoformat()}
    first, second = client.post("/help/claims/new", form), client.post("/help/claims/new", form)
    assert first.status_code == 303 and second.status_code == 422
    claims = db.session.query(ServiceClaim).all()
    assert len(claims) == 1
    exchange.answer_claim(elder, claims[0], accept=True)
    assert balance(volunteer) == 60
