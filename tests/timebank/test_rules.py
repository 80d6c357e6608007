"""A community's time-bank rules (unit, maximum balance) and residents' credit
lines, set by its social workers on the management page."""
from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa

from app.audit.models import AuditEntry
from app.domain import DomainError
from app.extensions import db
from app.timebank import ledger
from tests.conftest import text


@pytest.fixture
def staff(make_user):
    return make_user("social_worker", display_name="李社工"), make_user("social_worker", display_name="黄社工")


def _credit(volunteer, minutes, staff, key):
    return ledger.credit_service(volunteer, minutes, description="助老", served_on=date(2026, 11, 1),
                                 recorded_by=staff[0], verified_by=staff[1], idempotency_key=key)


def test_rules_change_the_unit_and_the_cap(make_user, staff, places):
    a, b = make_user(), make_user()
    _credit(a, 120, staff, "seed")
    with pytest.raises(DomainError):
        ledger.transfer(a, b, 45, idempotency_key="t1")  # default unit: 30 minutes
    ledger.save_settings(staff[0], places.community.id, unit_minutes=15, max_balance_hours=2)
    assert ledger.community_rules(places.community.id) == ledger.LedgerRules(15, 120)
    ledger.transfer(a, b, 45, idempotency_key="t2")
    _credit(b, 90, staff, "over")  # 45 + 90 > 120: 15 minutes go to the pool
    assert ledger.account_of(b).balance == 120
    assert ledger.verify()["problems"] == []
    ledger.save_settings(staff[0], places.community.id, unit_minutes=30, max_balance_hours=None)
    assert ledger.community_rules(places.community.id) == ledger.LedgerRules(30, None)
    actions = db.session.scalars(sa.select(AuditEntry.action).where(AuditEntry.action == "timebank.settings")).all()
    assert len(actions) == 2


@pytest.mark.parametrize("unit,cap", [(20, None), (30, 0), (30, 100_001)])
def test_rules_refuse_odd_values(staff, places, unit, cap):
    with pytest.raises(DomainError):
        ledger.save_settings(staff[0], places.community.id, unit_minutes=unit, max_balance_hours=cap)


def test_credit_line_lets_a_resident_go_below_zero_down_to_it(make_user, staff):
    elder, helper = make_user(display_name="孙奶奶"), make_user()
    _credit(helper, 60, staff, "seed")
    with pytest.raises(DomainError):
        ledger.transfer(elder, helper, 60, idempotency_key="too-early")
    ledger.set_credit_line(staff[0], elder, 2, "独居老人，先享受服务")
    ledger.transfer(elder, helper, 60, idempotency_key="help-1")
    ledger.transfer(elder, helper, 60, idempotency_key="help-2")
    assert ledger.account_of(elder).balance == -120
    with pytest.raises(DomainError):
        ledger.transfer(elder, helper, 30, idempotency_key="help-3")  # the line is used up
    with pytest.raises(DomainError, match="孙奶奶 已透支 2 小时"):
        ledger.set_credit_line(staff[0], elder, 1, "缩减")  # cannot be smaller than what is owed
    ledger.set_credit_line(staff[0], elder, 3, "延长")
    assert ledger.account_of(elder).floor == -180 and ledger.credit_lines(elder.community_id)[0].user_id == elder.id
    assert ledger.verify()["problems"] == []
    with pytest.raises(DomainError):
        ledger.set_credit_line(staff[0], elder, 3, " ")  # a reason is needed


def test_management_page_saves_rules_and_keeps_bad_input(client_for, staff, places):
    client = client_for(staff[0])
    url = f"/c/{places.community.id}/timebank"
    response = client.post(url + "/settings", {"unit_minutes": "60", "max_balance_hours": "1500"})
    assert response.status_code == 303
    page = text(client.get(url + "/manage"))
    assert "每次以 60 分钟为单位存取" in page and "余额上限：1500 小时" in page
    assert "会议纪要" not in page  # the grant's minutes are time, not a meeting's minutes
    response = client.post(url + "/settings", {"unit_minutes": "60", "max_balance_hours": "-5"})
    assert response.status_code == 422 and 'value="-5"' in text(response)
    assert ledger.community_rules(places.community.id) == ledger.LedgerRules(60, 1500 * 60)


def test_management_page_sets_a_credit_line(client_for, make_user, staff, places):
    elder = make_user(display_name="孙奶奶")
    client = client_for(staff[0])
    url = f"/c/{places.community.id}/timebank"
    response = client.post(url + "/credit-line", {"user_id": str(elder.id), "hours": "2", "reason": "独居老人"})
    assert response.status_code == 303
    assert "孙奶奶 · 透支额度 2 小时，余额 0 小时" in text(client.get(url + "/manage"))
    response = client.post(url + "/credit-line", {"user_id": str(elder.id), "hours": "2", "reason": ""})
    assert response.status_code == 422


def test_rules_belong_to_the_community_of_the_social_worker(client_for, make_user, places):
    other = make_user("social_worker", scope=places.other)
    elder = make_user()
    client = client_for(other)
    url = f"/c/{places.community.id}/timebank"
    assert client.post(url + "/settings", {"unit_minutes": "60"}).status_code == 404
    assert client.post(url + "/credit-line", {"user_id": str(elder.id), "hours": "2", "reason": "x"}).status_code == 404
    assert ledger.community_rules(places.community.id) == ledger.LedgerRules()
    # a resident of another community is not in this community's list
    outsider = make_user(community=places.other)
    own = client_for(make_user("social_worker"))
    response = own.post(url + "/credit-line", {"user_id": str(outsider.id), "hours": "2", "reason": "x"})
    assert response.status_code in (404, 422) and ledger.account_of(outsider, create=False) is None
