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
