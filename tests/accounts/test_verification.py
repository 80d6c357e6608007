"""Residence verification (居住认证) by social workers of the community."""
from __future__ import annotations

import sqlalchemy as sa

from app.accounts.models import ResidenceStatus
from app.audit.models import AuditEntry
from app.extensions import db
from app.notifications.models import Notification
from tests.conftest import text


def test_queue_shows_only_own_communities(client_for, make_user, places):
    worker = make_user("social_worker")
    mine = make_user(verified=False, display_name="待认证甲")
    theirs = make_user(community=places.other, verified=False, display_name="别处居民")
    done = make_user(display_name="已认证乙")
    page = client_for(worker).get("/verification")
    body = text(page)
    assert page.status_code == 200
    assert mine.display_name in body and theirs.display_name not in body and done.display_name not in body
    assert 'class="count">1<' in body  # the nav count


def test_verify_marks_verified_notifies_and_audits(client_for, make_user):
    worker = make_user("social_worker")
    resident = make_user(verified=False)
    response = client_for(worker).post(f"/verification/{resident.id}/verify")
    assert response.status_code == 303
    db.session.refresh(resident)
    assert resident.residence_status is ResidenceStatus.verified and resident.is_verified
    assert resident.residence_decided_by_id == worker.id
    note = db.session.scalar(sa.select(Notification).where(Notification.user_id == resident.id))
    assert note.kind == "accounts.residence_verified"
    entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "accounts.verify_residence"))
    assert entry.actor_id == worker.id and entry.object_id == resident.id and entry.community_id == resident.community_id


def test_reject_needs_a_reason_and_the_resident_reads_it(client_for, make_user):
    worker = make_user("social_worker")
    resident = make_user(verified=False)
    sw = client_for(worker)
    empty = sw.post(f"/verification/{resident.id}/reject", {"reason": "  "})
    assert empty.status_code == 422 and "请填写原因" in text(empty)
    db.session.refresh(resident)
    assert resident.residence_status is ResidenceStatus.pending
    assert sw.post(f"/verification/{resident.id}/reject", {"reason": "住址与台账不符，请到社区核实"}).status_code == 303
    account = text(client_for(resident).get("/account"))
    assert "未通过" in account and "住址与台账不符" in account
    # deciding twice is refused, without a 500
    again = sw.post(f"/verification/{resident.id}/verify")
    assert again.status_code == 303
    db.session.refresh(resident)
    assert resident.residence_status is ResidenceStatus.rejected


def test_resident_resubmits_after_rejection(client_for, make_user, places):
    worker = make_user("social_worker")
    resident = make_user(verified=False)
    client_for(worker).post(f"/verification/{resident.id}/reject", {"reason": "楼号有误"})
    c = client_for(resident)
    form = c.get("/account/residence")
    assert form.status_code == 200
    response = c.post("/account/residence", {"community_id": str(places.community.id), "household": "3幢501"})
    assert response.status_code == 303
    db.session.refresh(resident)
    assert resident.residence_status is ResidenceStatus.pending and resident.household == "3幢501"
    assert resident.residence_note == ""


def test_social_worker_of_another_community_gets_404(client_for, make_user, places):
    outsider = make_user("social_worker", scope=places.other)
    resident = make_user(verified=False)
    c = client_for(outsider)
    assert c.post(f"/verification/{resident.id}/verify").status_code == 404
    assert c.post(f"/verification/{resident.id}/reject", {"reason": "x"}).status_code == 404
    db.session.refresh(resident)
    assert resident.residence_status is ResidenceStatus.pending


def test_residents_and_staff_without_the_role_get_403(client_for, make_user):
    resident = make_user(verified=False)
    for user in (make_user(), make_user("subdistrict_staff"), make_user("admin")):
        c = client_for(user)
        assert c.get("/verification").status_code == 403
        assert c.post(f"/verification/{resident.id}/verify").status_code == 403


def test_htmx_verify_returns_the_row_and_an_oob_flash(client_for, make_user):
    worker = make_user("social_worker")
    resident = make_user(verified=False, display_name="赵大爷")
    response = client_for(worker).post(f"/verification/{resident.id}/verify", headers={"HX-Request": "true"})
    body = text(response)
    assert response.status_code == 200
    assert "<html" not in body
    assert f'id="resident-{resident.id}"' in body and "已认证" in body
    assert 'id="flash"' in body and 'hx-swap-oob="true"' in body and "赵大爷 已通过居住认证" in body
    assert "HX-Request" in response.headers["Vary"]


def test_htmx_reject_without_reason_returns_row_with_error(client_for, make_user):
    worker = make_user("social_worker")
    resident = make_user(verified=False)
    response = client_for(worker).post(f"/verification/{resident.id}/reject", {"reason": ""},
                                       headers={"HX-Request": "true"})
    assert response.status_code == 422
    body = text(response)
    assert "<html" not in body and f'id="resident-{resident.id}"' in body and "请填写原因" in body
    assert 'aria-invalid="true"' in body


def test_only_verified_residents_count_as_verified(make_user, places):
    assert make_user().is_verified
    assert not make_user(verified=False).is_verified
    assert not make_user("social_worker").is_verified  # staff without residence
