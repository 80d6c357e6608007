"""Admins manage accounts and scoped role assignments."""
from __future__ import annotations

import sqlalchemy as sa

from app.accounts.models import ResidenceStatus, Role, RoleAssignment, User
from app.extensions import db
from tests.conftest import text


def test_admin_creates_a_verified_resident_account(client_for, make_user, places):
    admin = client_for(make_user("admin"))
    response = admin.post("/admin/users/new", {
        "login": "13711112222", "display_name": "钱阿婆", "password": "plum blossom river",
        "community": str(places.community.id), "household": "1幢101", "verified": "y"})
    assert response.status_code == 303
    user = db.session.scalar(sa.select(User).where(User.phone == "13711112222"))
    assert user.residence_status is ResidenceStatus.verified and user.residence_decided_at is not None


def test_admin_create_user_errors_keep_fields(client_for, make_user):
    make_user(login="taken_name")
    response = client_for(make_user("admin")).post("/admin/users/new", {
        "login": "taken_name", "display_name": "新人", "password": "plum blossom river"})
    assert response.status_code == 422
    assert "已注册" in text(response) and 'value="新人"' in text(response)


def test_admin_assigns_and_removes_scoped_roles(client_for, make_user, places):
    admin = client_for(make_user("admin"))
    user = make_user(community=None)
    ok = admin.post(f"/admin/users/{user.id}/roles", {"role": "social_worker", "scope": f"community:{places.community.id}"})
    assert ok.status_code == 303
    assignment = db.session.scalar(sa.select(RoleAssignment).where(RoleAssignment.user_id == user.id))
    assert assignment.role is Role.social_worker and assignment.community_id == places.community.id
    wrong_kind = admin.post(f"/admin/users/{user.id}/roles", {"role": "subdistrict_staff",
                                                             "scope": f"community:{places.community.id}"})
    assert wrong_kind.status_code == 422 and "需要选择其他类型" in text(wrong_kind)
    duplicate = admin.post(f"/admin/users/{user.id}/roles", {"role": "social_worker",
                                                            "scope": f"community:{places.community.id}"})
    assert duplicate.status_code == 422 and "已有该角色" in text(duplicate)
    removed = admin.post(f"/admin/users/{user.id}/roles/{assignment.id}/delete")
    assert removed.status_code == 303
    assert db.session.scalar(sa.select(sa.func.count(RoleAssignment.id)).where(RoleAssignment.user_id == user.id)) == 0


def test_role_scope_is_enforced_by_the_database(app, make_user, places):
    user = make_user()
    db.session.add(RoleAssignment(user_id=user.id, role=Role.social_worker))  # no community
    try:
        db.session.flush()
    except sa.exc.IntegrityError:
        db.session.rollback()
    else:  # pragma: no cover - the assertion explains the failure
        raise AssertionError("a social worker role without a community was accepted")


def test_admin_cannot_lock_themselves_out(client_for, make_user):
    admin_user = make_user("admin")
    admin = client_for(admin_user)
    admin.post(f"/admin/users/{admin_user.id}/active", {"active": "0"})
    db.session.refresh(admin_user)
    assert admin_user.is_active
    own_admin = admin_user.roles[0]
    admin.post(f"/admin/users/{admin_user.id}/roles/{own_admin.id}/delete")
    assert db.session.get(RoleAssignment, own_admin.id) is not None


def test_admin_edits_user_and_lists_with_search(client_for, make_user, places):
    admin = client_for(make_user("admin"))
    user = make_user(display_name="孙奶奶")
    response = admin.post(f"/admin/users/{user.id}/edit", {"display_name": "孙秀英", "community_id": str(places.sibling.id),
                                                           "household": "2幢"})
    assert response.status_code == 303
    db.session.refresh(user)
    assert user.display_name == "孙秀英" and user.community_id == places.sibling.id
    assert user.residence_status is ResidenceStatus.pending  # a new community must verify again
    listing = admin.get("/admin/users?q=孙秀英")
    assert "孙秀英" in text(listing)
    assert user.login_name in text(admin.get(f"/admin/users/{user.id}"))


def test_user_list_load_more_fragment(client_for, make_user):
    admin = client_for(make_user("admin"))
    users = [make_user() for _ in range(51)]
    page = admin.get("/admin/users")
    assert 'id="more-users"' in text(page)
    fragment = admin.get(f"/admin/users?after={users[48].id}", headers={"HX-Request": "true"})
    body = text(fragment)
    assert "<html" not in body and users[49].display_name in body and users[0].display_name not in body


def test_create_admin_cli(app):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["create-admin", "--login", "root_admin", "--password", "long enough secret"])
    assert result.exit_code == 0, result.output
    user = db.session.scalar(sa.select(User).where(User.username == "root_admin"))
    assert user.has_role(Role.admin)
    weak = runner.invoke(args=["create-admin", "--login", "root2", "--password", "password"])
    assert weak.exit_code != 0 and db.session.scalar(sa.select(User).where(User.username == "root2")) is None
