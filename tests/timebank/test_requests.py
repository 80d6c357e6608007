"""Grants and reversals: one staff member asks, a second confirms; only then hours move."""
from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa

from app.domain import DomainError
from app.extensions import db
from app.timebank import ledger
from app.timebank.models import LedgerRequest, Txn
from tests.conftest import text


def test_grant_needs_a_second_staff_member(make_user):
    first, second = make_user("social_worker"), make_user("social_worker")
    elder = make_user(display_name="独居老人")
    request = ledger.request_grant(first, elder, 120, "80岁以上独居")
    assert ledger.account_of(elder, create=False) is None  # nothing moved yet
    with pytest.raises(DomainError):
        ledger.decide_request(first, request, confirm=True)
    txn = ledger.decide_request(second, request, confirm=True)
    assert ledger.account_of(elder).balance == 120 and txn.confirmed_by_id == second.id
    with pytest.raises(DomainError):
        ledger.decide_request(second, request, confirm=True)  # decided once
    with pytest.raises(DomainError):
        ledger.request_grant(first, elder, 45, "不是整数倍")


def test_reversal_request_and_decline(make_user):
    first, second = make_user("social_worker"), make_user("social_worker")
    volunteer = make_user()
    service = ledger.credit_service(volunteer, 60, description="录错", served_on=date.today(), recorded_by=first,
                                    verified_by=first, idempotency_key="s")
    txn = db.session.get(Txn, service.txn_id)
    declined = ledger.request_reversal(first, txn, "核对")
    ledger.decide_request(second, declined, confirm=False)
    assert ledger.account_of(volunteer).balance == 60
    confirmed = ledger.request_reversal(first, txn, "活动未开展")
    ledger.decide_request(second, confirmed, confirm=True)
    assert ledger.account_of(volunteer).balance == 0 and ledger.service_minutes(volunteer) == 0
    with pytest.raises(DomainError):
        ledger.request_reversal(first, txn, "再次")


def test_management_page_flow(client_for, make_user, places):
    first, second = make_user("social_worker", display_name="李社工"), make_user("social_worker", display_name="黄社工")
    elder = make_user(display_name="孙奶奶")
    a, b = client_for(first), client_for(second)
    bad = a.post(f"/c/{places.community.id}/timebank/manage", {"user_id": str(elder.id), "minutes": "45", "reason": "x"})
    assert bad.status_code == 422 and "30 分钟的整数倍" in text(bad)
    assert a.post(f"/c/{places.community.id}/timebank/manage",
                  {"user_id": str(elder.id), "minutes": "60", "reason": "80岁以上独居"}).status_code == 303
    request = db.session.scalar(sa.select(LedgerRequest))
    assert "须由另一名工作人员确认" in text(a.get(f"/c/{places.community.id}/timebank/manage"))
    a.post(f"/ledger-requests/{request.id}/confirm")
    assert ledger.account_of(elder, create=False) is None
    assert b.post(f"/ledger-requests/{request.id}/confirm").status_code == 303
    assert ledger.account_of(elder).balance == 60


def test_a_reversal_reason_refused_answers_422_on_the_page(client_for, make_user, places):
    staff, volunteer = make_user("social_worker"), make_user()
    service = ledger.credit_service(volunteer, 60, description="录错", served_on=date(2026, 3, 1), recorded_by=staff,
                                    verified_by=make_user("social_worker"), idempotency_key="s")
    db.session.commit()
    c = client_for(staff)
    refused = c.post(f"/txns/{service.txn_id}/reversal-request", {"reason": ""})
    assert refused.status_code == 422 and "此项必填" in text(refused)
    assert db.session.scalar(sa.select(sa.func.count(LedgerRequest.id))) == 0
    outsider = client_for(make_user("social_worker", scope=places.other))
    assert outsider.post(f"/txns/{service.txn_id}/reversal-request", {"reason": "核对"}).status_code == 404


def test_a_grant_for_someone_outside_the_community_is_not_found(client_for, make_user, places):
    staff, stranger = make_user("social_worker"), make_user(community=places.other)
    response = client_for(staff).post(f"/c/{places.community.id}/timebank/manage",
                                      {"user_id": str(stranger.id), "minutes": "60", "reason": "80岁以上独居"})
    assert response.status_code in (404, 422)
    assert db.session.scalar(sa.select(sa.func.count(LedgerRequest.id))) == 0
