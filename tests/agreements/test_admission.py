"""Each admission outcome, the recorded basis, the deadlines and who may do what."""
from __future__ import annotations

from datetime import timedelta

import pytest

from app.agreements import admission
from app.agreements.models import AdmissionRequest, RequestState
from app.audit.models import AuditEntry
from app.domain import DomainError, Forbidden
from app.extensions import db
from app.localtime import today
from app.notifications.models import Notification


def _outcome_notes(user):
    return db.session.scalars(db.select(Notification).where(Notification.user_id == user.id,
                                                            Notification.kind == "admission.outcome")).all()


def test_submission_records_the_version_and_proposes_matching_items(submit, lists_v1, item):
    req = submit("老年人高龄津贴资格认证")
    assert req.list_version_id == lists_v1.id
    assert req.proposals and req.proposals[0][0] == item("高龄津贴资格认证").id
    assert req.state is RequestState.submitted
    assert db.session.scalar(db.select(AuditEntry.action).where(AuditEntry.object_id == req.id,
                                                                AuditEntry.action == "admission.submit"))


def test_statutory_item_admits(submit, staff, clerk, item):
    req = submit("为居民出具居住证明")
    admission.decide(staff, req, item("出具居住证明").id)
    assert req.state is RequestState.admitted and req.matched_item.title == "出具居住证明"
    assert len(_outcome_notes(clerk)) == 1


def test_assisted_item_admits_as_assistance(submit, staff, clerk, item):
    req = submit()
    admission.decide(staff, req, item("高龄津贴资格认证").id)
    assert req.state is RequestState.assisted
    assert len(_outcome_notes(clerk)) == 1


@pytest.mark.parametrize("choice", [None, "房屋安全鉴定"])
def test_no_item_or_an_excluded_one_needs_an_agreement(submit, staff, worker, clerk, item, choice):
    req = submit("组织辖区商户消防演练")
    admission.decide(staff, req, item(choice).id if choice else None)
    assert req.state is RequestState.needs_agreement
    assert db.session.scalar(db.select(Notification.id).where(Notification.user_id == worker.id,
                                                              Notification.kind == "admission.needs_agreement"))
    assert admission.actions_for(worker, req).decline and admission.actions_for(clerk, req).draft_agreement


def test_the_committee_declines_unlisted_work_with_a_reason(submit, staff, worker, clerk):
    req = submit("组织辖区商户消防演练")
    admission.decide(staff, req, None)
    with pytest.raises(DomainError) as e:
        admission.decline(worker, req, "  ")
    assert e.value.field == "reason"
    admission.decline(worker, req, "不在清单内，且无委托经费")
    assert req.state is RequestState.declined and req.reason == "不在清单内，且无委托经费"
    assert [n.params["outcome"] for n in _outcome_notes(clerk)] == ["needs_agreement", "declined"]


def test_the_committee_cannot_decline_listed_or_undecided_work(submit, staff, worker, item):
    req = submit()
    with pytest.raises(DomainError):
        admission.decline(worker, req, "不想做")
    admission.decide(staff, req, item("高龄津贴资格认证").id)
    with pytest.raises(DomainError):
        admission.decline(worker, req, "不想做")
    assert req.state is RequestState.assisted


def test_an_agreement_in_force_admits_the_request(submit, staff, worker, clerk, draft_agreement):
    from app.agreements import services

    req = submit("组织辖区商户消防演练")
    admission.decide(staff, req, None)
    agreement = draft_agreement(request=req)
    services.sign(clerk, agreement)
    assert req.state is RequestState.needs_agreement
    services.sign(worker, agreement)
    assert req.state is RequestState.under_agreement


def test_only_the_subdistrict_decides_and_only_once(submit, staff, worker, clerk, make_user, places, item):
    req = submit()
    for outsider in (worker, clerk, make_user("subdistrict_staff", scope=places.other_subdistrict)):
        with pytest.raises(Forbidden):
            admission.decide(outsider, req, None)
    admission.decide(staff, req, item("高龄津贴资格认证").id)
    with pytest.raises(DomainError):
        admission.decide(staff, req, None)


def test_an_item_of_another_version_is_refused(submit, staff, places, lists_v1, item):
    from app.lists import services as lists

    req = submit()
    draft = lists.start_draft(staff, places.subdistrict)
    lists.add_item(staff, draft, reason="新增", kind="statutory", title="组织居民会议", keywords="居民会议")
    v2 = lists.publish(staff, draft, effective_on=today())
    newer = next(i for i in v2.items if i.title == "高龄津贴资格认证")
    with pytest.raises(DomainError) as e:
        admission.decide(staff, req, newer.id)
    assert e.value.field == "item_id"


def test_a_later_revision_never_rewrites_the_recorded_basis(submit, staff, places, lists_v1, item):
    from app.lists import services as lists

    req = submit()
    admission.decide(staff, req, item("高龄津贴资格认证").id)
    db.session.commit()
    draft = lists.start_draft(staff, places.subdistrict)
    moved = next(i for i in draft.items if i.title == "高龄津贴资格认证")
    lists.change_item(staff, moved, reason="移入依法履职", kind="statutory", title="高龄津贴资格认证",
                      keywords="高龄津贴", department="民政科")
    lists.publish(staff, draft, effective_on=today())
    db.session.commit()
    db.session.expire_all()
    req = db.session.get(AdmissionRequest, req.id)
    assert req.list_version_id == lists_v1.id and req.matched_item.kind.name == "assisted"
    assert req.state is RequestState.assisted


def test_requests_are_filed_the_configured_working_days_ahead(submit, staff, places):
    too_soon = today() + timedelta(days=10)
    with pytest.raises(DomainError) as e:
        submit(starts_on=too_soon, ends_on=too_soon + timedelta(days=5))
    assert e.value.field == "starts_on"
    admission.save_settings(staff, places.subdistrict, notice_days=5, decision_days=3)
    req = submit(starts_on=too_soon, ends_on=too_soon + timedelta(days=5))
    assert req.decide_by == admission.add_working_days(today(), 3)


def test_an_undecided_request_past_its_deadline_is_overdue(submit, staff, item):
    req = submit()
    assert not admission.is_overdue(req)
    assert admission.is_overdue(req, today=req.decide_by + timedelta(days=1))
    admission.decide(staff, req, item("高龄津贴资格认证").id)
    assert not admission.is_overdue(req, today=req.decide_by + timedelta(days=1))


def test_settings_are_bounded_and_only_for_the_subdistricts_staff(staff, places, make_user):
    with pytest.raises(DomainError) as e:
        admission.save_settings(staff, places.subdistrict, notice_days=30, decision_days=0)
    assert e.value.field == "decision_days"
    with pytest.raises(Forbidden):
        admission.save_settings(make_user("subdistrict_staff", scope=places.other_subdistrict), places.subdistrict,
                                notice_days=1, decision_days=1)


def test_a_subdistrict_department_asks_only_its_own_communities(submit, places):
    with pytest.raises(DomainError) as e:
        submit(communities=[places.other])
    assert e.value.field == "communities"


def test_one_submission_to_several_communities_is_one_request_each(places, clerk, lists_v1):
    made = admission.submit(clerk, places.department, [places.community, places.sibling], title="人口普查入户登记",
                            description="", starts_on=today() + timedelta(days=60),
                            ends_on=today() + timedelta(days=70), workload="入户 300 户", needs_stamp=False,
                            claimed_item_id=None)
    assert [r.community_id for r in made] == [places.community.id, places.sibling.id]
    assert made[0].batch == made[1].batch


def test_the_claimed_item_must_be_on_the_lists_in_force(submit, item):
    with pytest.raises(DomainError) as e:
        submit(claimed_item_id=999999)
    assert e.value.field == "claimed_item_id"
    req = submit("一项新工作", claimed_item_id=item("出具居住证明").id)
    assert req.proposals[0][0] == item("出具居住证明").id


def test_the_department_withdraws_before_a_decision(submit, clerk, worker):
    req = submit()
    with pytest.raises(Forbidden):
        admission.withdraw(worker, req)
    admission.withdraw(clerk, req)
    assert req.state is RequestState.withdrawn
    assert admission.actions_for(clerk, req) == admission.Actions()


def test_a_declined_request_is_admitted_when_the_department_returns_with_an_agreement(
        submit, staff, worker, clerk, draft_agreement):
    from app.agreements import services

    req = submit("组织辖区商户消防演练")
    admission.decide(staff, req, None)
    admission.decline(worker, req, "无经费")
    assert admission.actions_for(clerk, req).draft_agreement
    agreement = draft_agreement(request=req)
    services.sign(clerk, agreement)
    services.sign(worker, agreement)
    assert req.state is RequestState.under_agreement
