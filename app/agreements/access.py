"""Who stands for whom: a department's staff, a community's committee (its
social workers and committee members, who sign and decline for it), and the
subdistrict's staff who decide admission."""
from __future__ import annotations

import sqlalchemy as sa

from app.accounts.models import Role, RoleAssignment, User
from app.extensions import db
from app.permissions import is_admin, staff_subdistrict_ids


def _roles(user) -> list:
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return []
    return list(user.roles)


def department_ids(user) -> set[int]:
    return {a.department_id for a in _roles(user) if a.role is Role.department_staff}


def committee_community_ids(user) -> set[int]:
    """Communities whose committee the user acts for: chair, members, social workers."""
    return {a.community_id for a in _roles(user) if a.role in (Role.social_worker, Role.committee_member)}


def speaks_for_department(user, department_id: int) -> bool:
    return department_id in department_ids(user)


def speaks_for_committee(user, community_id: int) -> bool:
    return community_id in committee_community_ids(user)


def decides_for(user, community) -> bool:
    """Subdistrict staff of the community's subdistrict decide its admission requests."""
    return community.subdistrict_id in staff_subdistrict_ids(user)


def may_read_private(user, department_id: int, community) -> bool:
    """The two parties and the subdistrict (and the administrator) read requests, drafts and internal notes."""
    return (speaks_for_department(user, department_id) or speaks_for_committee(user, community.id)
            or decides_for(user, community) or is_admin(user))


def committee_of(community_id: int) -> list[User]:
    """Those told when a request or an agreement reaches the community."""
    return list(db.session.scalars(
        sa.select(User).join(RoleAssignment, RoleAssignment.user_id == User.id).where(
            RoleAssignment.community_id == community_id,
            RoleAssignment.role.in_((Role.social_worker, Role.committee_member)), User.is_active.is_(True))
        .distinct().order_by(User.id)))


def staff_of_department(department_id: int) -> list[User]:
    return list(db.session.scalars(
        sa.select(User).join(RoleAssignment, RoleAssignment.user_id == User.id).where(
            RoleAssignment.department_id == department_id, RoleAssignment.role == Role.department_staff,
            User.is_active.is_(True)).distinct().order_by(User.id)))


def staff_of_subdistrict(subdistrict_id: int) -> list[User]:
    return list(db.session.scalars(
        sa.select(User).join(RoleAssignment, RoleAssignment.user_id == User.id).where(
            RoleAssignment.subdistrict_id == subdistrict_id, RoleAssignment.role == Role.subdistrict_staff,
            User.is_active.is_(True)).distinct().order_by(User.id)))
