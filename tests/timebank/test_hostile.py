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
