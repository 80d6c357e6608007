"""Entrustment agreements: money, both signatures, immutability, amendments, fulfilment and payments."""
from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.agreements import services
from app.agreements.models import Agreement, AgreementState, Delivery
from app.domain import DomainError, Forbidden, NotFound
from app.extensions import db
from app.localtime import today


@pytest.mark.parametrize("typed, expected", [("1200", "1200.00"), ("1,200.5", "1200.50"), ("¥88.80", "88.80"),
                                             ("300元", "300.00"), ("0", "0.00")])
def test_amounts_are_read_as_yuan_with_two_places(typed, expected):
    assert services.parse_yuan(typed) == Decimal(expected)
    assert str(services.parse_yuan(typed)) == expected


@pytest.mark.parametrize("typed", ["", "abc", "1.005", "-5", "NaN", "Infinity", "1e3x", "100000000"])
def test_bad_amounts_are_refused_on_the_field(typed):
    with pytest.raises(DomainError) as e:
        services.parse_yuan(typed)
    assert e.value.field == "amount"


cents = st.integers(min_value=0, max_value=10_000_000).map(lambda c: Decimal(c) / 100)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(amounts=st.lists(cents, min_size=1, max_size=8))
def test_the_total_is_the_sum_of_the_items_to_the_fen(amounts):
    """Totals are computed from items, never typed: exact, two places."""
    from app.agreements.models import AgreementItem

    agreement = Agreement(items=[AgreementItem(title=f"事项{i}", amount=services.parse_yuan(str(a)))
                                 for i, a in enumerate(amounts)])
    assert agreement.total == sum(amounts, Decimal(0))
    assert agreement.total.as_tuple().exponent == -2
    assert services.total_of(str(a) for a in amounts) == agreement.total


def test_stored_amounts_round_trip_exactly(draft_agreement):
    agreement = draft_agreement(items=[("入户走访", "0.10"), ("台账整理", "0.20"), ("宣传", "1234567.89")],
                                milestones=[("全款", "1234568.19")])
    db.session.expire_all()
    agreement = db.session.get(Agreement, agreement.id)
    assert agreement.total == Decimal("1234568.19") == agreement.scheduled
    assert all(isinstance(i.amount, Decimal) for i in agreement.items)


def test_both_sides_sign_and_then_it_is_in_force(draft_agreement, clerk, worker):
    agreement = draft_agreement()
    assert services.actions_for(clerk, agreement).sign and services.actions_for(worker, agreement).sign
    services.sign(clerk, agreement)
    assert agreement.state is AgreementState.signing
    assert not services.actions_for(clerk, agreement).sign
    with pytest.raises(DomainError):
        services.sign(clerk, agreement)  # the same side twice is not both sides
    services.sign(worker, agreement)
    assert agreement.state is AgreementState.in_force
    assert agreement.department_signed_by_id == clerk.id and agreement.community_signed_by_id == worker.id


def test_one_person_on_both_sides_cannot_sign_twice(draft_agreement, clerk, places, make_user):
    from app.accounts.models import Role
    from app.accounts.services import assign_role

    assign_role(None, clerk, Role.social_worker, places.community.id)
    agreement = draft_agreement()
    services.sign(clerk, agreement)
    with pytest.raises(DomainError):
        services.sign(clerk, agreement)
    assert agreement.state is AgreementState.signing and agreement.community_signed_at is None


def test_outsiders_cannot_sign(draft_agreement, staff, make_user, places):
    agreement = draft_agreement()
    for outsider in (staff, make_user("social_worker", scope=places.sibling), make_user()):
        with pytest.raises(Forbidden):
            services.sign(outsider, agreement)


def test_signing_needs_items_and_payments_that_add_up(draft_agreement, clerk):
    with pytest.raises(DomainError):
        services.sign(clerk, draft_agreement(items=[], milestones=[]))
    short = draft_agreement(items=[("入户走访", "1000")], milestones=[("首期款", "600")])
    with pytest.raises(DomainError):
        services.sign(clerk, short)
    with pytest.raises(DomainError) as e:
        services.add_milestone(clerk, short, label="尾款", due_on=short.ends_on, amount="400.01")
    assert e.value.field == "amount"


def test_after_the_first_signature_the_terms_cannot_change(draft_agreement, clerk, worker):
    agreement = draft_agreement()
    services.sign(clerk, agreement)
    item = agreement.items[0]
    with pytest.raises(DomainError):
        services.add_item(clerk, agreement, title="加项", deliverables="", due_on=agreement.ends_on, amount="1")
    with pytest.raises(DomainError):
        services.remove_item(worker, agreement, item.id)
    with pytest.raises(DomainError):
        services.add_milestone(clerk, agreement, label="再付", due_on=agreement.ends_on, amount="1")
    assert agreement.total == Decimal("1200.00")


def test_a_signed_agreement_refuses_changes_that_bypass_the_services(draft_agreement, clerk, worker):
    agreement = draft_agreement()
    services.sign(clerk, agreement)
    services.sign(worker, agreement)
    db.session.commit()
    agreement.items[0].amount = Decimal("9999.00")
    with pytest.raises(services.SignedAgreementError):
        db.session.flush()
    db.session.rollback()
    agreement = db.session.get(Agreement, agreement.id)
    agreement.title = "改过的标题"
    with pytest.raises(services.SignedAgreementError):
        db.session.flush()
    db.session.rollback()
    assert db.session.get(Agreement, agreement.id).items[0].amount == Decimal("1200.00")


def test_an_amendment_is_a_new_linked_version(draft_agreement, clerk, worker):
    agreement = draft_agreement()
    services.sign(clerk, agreement)
    services.sign(worker, agreement)
    amendment = services.amend(worker, agreement)
    assert amendment.previous_id == agreement.id and amendment.version == 2
    assert amendment.state is AgreementState.draft and agreement.state is AgreementState.in_force
    with pytest.raises(DomainError):
        services.amend(clerk, agreement)  # one amendment at a time
    services.add_item(clerk, amendment, title="追加宣传", deliverables="", due_on=amendment.ends_on, amount="300")
    services.add_milestone(clerk, amendment, label="追加款", due_on=amendment.ends_on, amount="300")
    services.sign(clerk, amendment)
    services.sign(worker, amendment)
    assert amendment.state is AgreementState.in_force and agreement.state is AgreementState.superseded
    assert agreement.total == Decimal("1200.00") and amendment.total == Decimal("1500.00")


def test_a_draft_cannot_be_amended(draft_agreement, clerk):
    with pytest.raises(DomainError):
        services.amend(clerk, draft_agreement())


def _in_force(draft_agreement, clerk, worker, **kw):
    agreement = draft_agreement(**kw)
    services.sign(clerk, agreement)
    services.sign(worker, agreement)
    return agreement


def test_fulfilment_and_payments_clear_the_flags(draft_agreement, clerk, worker):
    agreement = _in_force(draft_agreement, clerk, worker)
    item, milestone = agreement.items[0], agreement.milestones[0]
    later = max(item.due_on, milestone.due_on) + timedelta(days=1)
    flags = services.flags_of(agreement, today=later)
    assert (flags.overdue_items, flags.unpaid_milestones) == (1, 1)
    services.record_fulfilment(worker, agreement, item.id, Delivery.partly, "走访了一半")
    assert services.flags_of(agreement, today=later).overdue_items == 1
    services.record_fulfilment(worker, agreement, item.id, Delivery.delivered, "走访记录 58 户")
    assert services.flags_of(agreement, today=later).overdue_items == 0
    services.record_payment(worker, agreement, milestone.id, "1000", today())
    assert services.flags_of(agreement, today=later).unpaid_milestones == 1
    with pytest.raises(DomainError) as e:
        services.record_payment(clerk, agreement, milestone.id, "200.01", today())
    assert e.value.field == "amount"
    services.record_payment(clerk, agreement, milestone.id, "200", today())
    assert not services.flags_of(agreement, today=later).any
    assert services.is_fulfilled(agreement)
    assert [r.status for r in item.reports] == [Delivery.partly, Delivery.delivered]


def test_fulfilment_needs_evidence_and_an_agreement_in_force(draft_agreement, clerk, worker, staff):
    draft = draft_agreement()
    with pytest.raises(DomainError):
        services.record_fulfilment(worker, draft, draft.items[0].id, Delivery.delivered, "做完了")
    agreement = _in_force(draft_agreement, clerk, worker)
    with pytest.raises(DomainError) as e:
        services.record_fulfilment(worker, agreement, agreement.items[0].id, Delivery.delivered, "")
    assert e.value.field == "evidence"
    with pytest.raises(Forbidden):
        services.record_fulfilment(staff, agreement, agreement.items[0].id, Delivery.delivered, "做完了")
    with pytest.raises(NotFound):
        services.record_fulfilment(worker, agreement, draft.items[0].id, Delivery.delivered, "别的协议的事项")


def test_payments_are_not_recorded_ahead(draft_agreement, clerk, worker):
    agreement = _in_force(draft_agreement, clerk, worker)
    with pytest.raises(DomainError) as e:
        services.record_payment(clerk, agreement, agreement.milestones[0].id, "100", today() + timedelta(days=1))
    assert e.value.field == "received_on"


def test_fulfilment_photos_go_through_the_photo_pipeline(draft_agreement, clerk, worker):
    import io

    from PIL import Image

    agreement = _in_force(draft_agreement, clerk, worker)
    png = io.BytesIO()
    Image.new("RGB", (40, 30), (10, 120, 200)).save(png, format="PNG")
    report = services.record_fulfilment(worker, agreement, agreement.items[0].id, Delivery.delivered, "",
                                        [png.getvalue()])
    db.session.expire(report, ["photos"])
    assert [p.content_type for p in report.photos] == ["image/png"]
    with pytest.raises(DomainError) as e:
        services.record_fulfilment(worker, agreement, agreement.items[0].id, Delivery.delivered, "", [b"not an image"])
    assert e.value.field == "photos"


def test_drafts_are_private_and_signed_agreements_public(draft_agreement, clerk, worker, staff, make_user, places):
    from flask_login import AnonymousUserMixin

    agreement = draft_agreement()
    anonymous, resident = AnonymousUserMixin(), make_user()
    other_department_clerk = make_user("department_staff", scope=_other_department(places))
    for outsider in (anonymous, resident, other_department_clerk, make_user("social_worker", scope=places.sibling)):
        with pytest.raises(NotFound):
            services.agreement_for(outsider, agreement.id)
    assert services.agreement_for(staff, agreement.id) is agreement
    with pytest.raises(Forbidden):
        services.agreement_for(staff, agreement.id, to="work")
    services.sign(clerk, agreement)
    services.sign(worker, agreement)
    assert services.agreement_for(anonymous, agreement.id) is agreement
    assert not services.may_read_note(resident, agreement) and services.may_read_note(worker, agreement)
    with pytest.raises(NotFound):
        services.agreement_for(resident, agreement.id, to="work")


def _other_department(places):
    from app.places import services as place_services

    department = place_services.save_department(None, None, subdistrict=places.subdistrict, name="住建科")
    db.session.commit()
    return department


def test_a_department_drafts_only_with_its_own_communities_and_requests(places, clerk, submit, staff):
    from app.agreements import admission

    start = today()
    with pytest.raises(DomainError) as e:
        services.create(clerk, places.department, places.other, title="协议", starts_on=start, ends_on=start)
    assert e.value.field == "community_id"
    req = submit()
    with pytest.raises(DomainError):  # not (yet) one that needs an agreement
        services.create(clerk, places.department, places.community, title="协议", starts_on=start, ends_on=start,
                        request=req)
    admission.decide(staff, req, None)
    with pytest.raises(DomainError):
        services.create(clerk, places.department, places.sibling, title="协议", starts_on=start, ends_on=start,
                        request=req)
    with pytest.raises(DomainError) as e:
        services.create(clerk, places.department, places.community, title="协议", starts_on=start,
                        ends_on=start - timedelta(days=1))
    assert e.value.field == "ends_on"
