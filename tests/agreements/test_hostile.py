"""A hostile party or outsider on an agreement's pages: notes stay private, a
signature counts once, signed terms and absurd amounts change nothing."""
from __future__ import annotations

from app.agreements import services
from app.agreements.models import AgreementState
from app.extensions import db
from app.localtime import today
from tests.conftest import text


def test_outsiders_read_no_note_and_replays_count_once(draft_agreement, clerk, worker, staff, make_user, places,
                                                       client, client_for):
    agreement = draft_agreement()
    far_staff = make_user("subdistrict_staff", scope=places.other_subdistrict)
    assert client_for(far_staff).get(f"/agreements/{agreement.id}").status_code == 404  # a draft elsewhere
    assert client.get(f"/agreements/{agreement.id}").status_code in (302, 404)
    signer = client_for(clerk)
    assert signer.post(f"/agreements/{agreement.id}/sign").status_code == 303
    again = signer.post(f"/agreements/{agreement.id}/sign")  # the second tab
    assert again.status_code in (303, 403, 409, 422)
    db.session.expire_all()
    assert agreement.state is AgreementState.signing and agreement.community_signed_at is None
    # the terms are fixed by the first signature, whatever the page posts
    assert signer.post(f"/agreements/{agreement.id}/items", {"title": "加一项", "due_on": today().isoformat(),
                                                             "amount": "100"}).status_code in (403, 409, 422)
    assert client_for(worker).post(f"/agreements/{agreement.id}/sign").status_code == 303
    db.session.expire_all()
    assert agreement.state is AgreementState.in_force and len(agreement.items) == 1
    for reader in (client, client_for(make_user()), client_for(far_staff),
                   client_for(make_user("social_worker", scope=places.sibling))):
        page = reader.get(f"/agreements/{agreement.id}")
        assert page.status_code == 200 and "预算科目" not in text(page)
    assert "预算科目" not in text(client.get(f"/s/{places.subdistrict.id}/agreements"))
    assert "预算科目" in text(client_for(worker).get(f"/agreements/{agreement.id}"))
    milestone = agreement.milestones[0]
    for amount in ("-1", "0", "0.001", "NaN", "Infinity", "1e12", "1000000000000", "1200.005", "１２００x"):
        page = signer.post(f"/agreements/{agreement.id}/milestones/{milestone.id}/payment",
                           {"amount": amount, "received_on": today().isoformat()})
        assert page.status_code == 422, amount
    assert client_for(far_staff).post(f"/agreements/{agreement.id}/milestones/{milestone.id}/payment",
                                      {"amount": "1", "received_on": today().isoformat()}).status_code in (403, 404)
    db.session.expire_all()
    assert services.total_of(p.amount for p in milestone.payments) == 0
