"""Reading the audit log, scoped."""
from __future__ import annotations

from app.audit.services import record
from app.extensions import db
from tests.conftest import text


def test_admin_sees_all_entries_and_staff_only_their_subdistrict(client_for, make_user, places):
    record(None, "test.inside", object_type="thing", object_id=1, community_id=places.community.id)
    record(None, "test.outside", object_type="thing", object_id=2, community_id=places.other.id)
    db.session.commit()
    admin = text(client_for(make_user("admin")).get("/audit"))
    assert "test.inside" in admin and "test.outside" in admin
    staff = text(client_for(make_user("subdistrict_staff")).get("/audit"))
    assert "test.inside" in staff and "test.outside" not in staff


def test_audit_filter_and_detail(client_for, make_user, places):
    record(None, "places.rename", object_type="community", object_id=places.community.id,
           community_id=places.community.id, name="新名字")
    record(None, "accounts.other", object_type="user", object_id=1)
    db.session.commit()
    body = text(client_for(make_user("admin")).get("/audit?action=places."))
    assert "places.rename" in body and "name=新名字" in body and "accounts.other" not in body


def test_entries_record_the_client_address(client_for, make_user):
    from sqlalchemy import select

    from app.audit.models import AuditEntry

    worker = make_user("social_worker")
    resident = make_user(verified=False)
    client_for(worker).post(f"/verification/{resident.id}/verify", environ_base={"REMOTE_ADDR": "10.1.2.3"})
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "accounts.verify_residence"))
    assert entry.ip == "10.1.2.3"
