"""The public face and the set-up of places."""
from __future__ import annotations

import re

import sqlalchemy as sa

from app.extensions import db
from app.places.models import Community, Department, Grid, Subdistrict
from tests.conftest import text


def test_home_and_community_pages_are_public_and_hide_personal_data(client, places, make_user):
    resident = make_user(login="13912340000", display_name="张阿姨")
    home = client.get("/")
    assert home.status_code == 200
    body = text(home)
    assert "朝阳社区" in body and "东林社区" in body and "娄东街道" in body
    page = client.get(f"/c/{places.community.id}")
    assert page.status_code == 200 and "朝阳社区" in text(page) and "第一网格" in text(page)
    for response in (home, page):
        assert resident.phone not in text(response) and "张阿姨" not in text(response)
        assert "no-store" not in response.headers.get("Cache-Control", "")


def test_closed_community_is_not_public(client, places):
    places.sibling.is_active = False
    db.session.commit()
    assert client.get(f"/c/{places.sibling.id}").status_code == 404
    assert "南园社区" not in text(client.get("/"))
    assert client.get("/c/99999").status_code == 404


def test_subdistrict_staff_see_every_community_of_their_subdistrict_only(client_for, make_user, places):
    staff = client_for(make_user("subdistrict_staff"))
    body = text(staff.get("/manage/communities"))
    assert "朝阳社区" in body and "南园社区" in body and "东林社区" not in body


def test_social_worker_sees_own_communities_with_figures(client_for, make_user, places):
    make_user(verified=False)
    make_user()
    body = text(client_for(make_user("social_worker")).get("/manage/communities"))
    assert "朝阳社区" in body and "南园社区" not in body
    assert re.search(r'data-label="注册居民">2</td>', body) and re.search(r'data-label="待认证">1</td>', body)


def test_admin_sets_up_places(client_for, make_user, places):
    admin = client_for(make_user("admin"))
    assert admin.post("/admin/subdistricts/new", {"name": "陆渡街道", "city": "太仓市"}).status_code == 303
    sd = db.session.scalar(sa.select(Subdistrict).where(Subdistrict.name == "陆渡街道"))
    response = admin.post("/admin/communities/new", {
        "subdistrict_id": str(sd.id), "name": "新港社区", "kind": "community", "households": "1200",
        "address": "新港路1号", "description": "", "is_active": "y"})
    assert response.status_code == 303
    community = db.session.scalar(sa.select(Community).where(Community.name == "新港社区"))
    assert community.households == 1200 and community.subdistrict_id == sd.id
    assert admin.post(f"/admin/communities/{community.id}/grids", {"name": "一网格"}).status_code == 303
    grid = db.session.scalar(sa.select(Grid).where(Grid.community_id == community.id))
    assert admin.post(f"/admin/grids/{grid.id}/edit", {"name": "东网格"}).status_code == 303
    assert admin.post("/admin/departments/new", {"subdistrict_id": "", "name": "太仓市城管局", "is_active": "y"}).status_code == 303
    dept = db.session.scalar(sa.select(Department).where(Department.name == "太仓市城管局"))
    assert dept.subdistrict_id is None
    overview = text(admin.get("/admin"))
    assert "陆渡街道" in overview and "新港社区" in overview and "太仓市城管局" in overview
    db.session.refresh(grid)
    assert grid.name == "东网格"


def test_place_form_errors_keep_input(client_for, make_user, places):
    admin = client_for(make_user("admin"))
    dup = admin.post("/admin/communities/new", {"subdistrict_id": str(places.subdistrict.id), "name": "朝阳社区",
                                                "kind": "community", "households": "", "address": "某路"})
    assert dup.status_code == 422 and "该街道已有同名社区" in text(dup) and 'value="某路"' in text(dup)
    bad = admin.post("/admin/communities/new", {"subdistrict_id": str(places.subdistrict.id), "name": "新社区",
                                                "kind": "community", "households": "很多"})
    assert bad.status_code == 422 and 'value="新社区"' in text(bad)
    assert admin.post("/admin/subdistricts/new", {"name": ""}).status_code == 422


def test_closing_a_community_is_audited(client_for, make_user, places):
    from app.audit.models import AuditEntry

    admin = client_for(make_user("admin"))
    admin.post(f"/admin/communities/{places.sibling.id}/edit", {
        "subdistrict_id": str(places.subdistrict.id), "name": "南园社区", "kind": "community", "households": "2000"})
    db.session.refresh(places.sibling)
    assert places.sibling.is_active is False
    entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "places.update_community")
                              .order_by(AuditEntry.id.desc()))
    assert entry.detail["is_active"] is False and entry.community_id == places.sibling.id
