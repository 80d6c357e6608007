"""Who may do what, in one place.

Every role is scoped: a social worker to communities, subdistrict
staff to a subdistrict, a department's staff to their department. Views load
objects through the scoped helpers here or in a domain's services, so an id
from another community is simply not found (404) and a permitted-but-wrong
role gets 403.
"""
from __future__ import annotations

from typing import Callable

import sqlalchemy as sa

from app.accounts.models import Role, User
from app.extensions import db
from app.places.models import Community


def _roles(user) -> list:
    if user is None or not getattr(user, "is_authenticated", False):
        return []
    return list(user.roles)


def is_admin(user) -> bool:
    return any(a.role is Role.admin for a in _roles(user))


def social_worker_community_ids(user) -> set[int]:
    """Communities where the user acts as social worker (moderation, verification)."""
    return {a.community_id for a in _roles(user) if a.role is Role.social_worker}


def staff_subdistrict_ids(user) -> set[int]:
    return {a.subdistrict_id for a in _roles(user) if a.role is Role.subdistrict_staff}


def overseen_community_ids(user) -> set[int] | None:
    """Communities whose non-public data the user may read: their social-worker
    communities and every community of their subdistricts. None means all
    (admin)."""
    if is_admin(user):
        return None
    ids = set(social_worker_community_ids(user))
    subdistricts = staff_subdistrict_ids(user)
    if subdistricts:
        ids |= set(
            db.session.scalars(
                sa.select(Community.id).where(Community.subdistrict_id.in_(subdistricts))
            )
        )
    return ids


def overseen_communities(user) -> sa.Select:
    query = sa.select(Community).order_by(Community.subdistrict_id, Community.name)
    ids = overseen_community_ids(user)
    return query if ids is None else query.where(Community.id.in_(ids or {-1}))


# -- actions -----------------------------------------------------------------

def _verify_resident(user, resident: User) -> bool:
    return resident.community_id in social_worker_community_ids(user)


def _oversee_community(user, community: Community) -> bool:
    ids = overseen_community_ids(user)
    return ids is None or community.id in ids


_RULES: dict[str, Callable] = {
    "manage_places": lambda user, _obj: is_admin(user),
    "manage_users": lambda user, _obj: is_admin(user),
    "view_audit": lambda user, _obj: is_admin(user) or bool(staff_subdistrict_ids(user)),
    "verify_residents": lambda user, _obj: bool(social_worker_community_ids(user)),
    "verify_resident": _verify_resident,
    "oversee_communities": lambda user, _obj: is_admin(user)
    or bool(social_worker_community_ids(user) or staff_subdistrict_ids(user)),
    "oversee_community": _oversee_community,
}


def can(user, action: str, obj=None) -> bool:
    """May `user` do `action` (to `obj`)? Unknown actions are refused loudly."""
    if action not in _RULES:
        raise KeyError(f"unknown permission {action!r}")
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    return bool(_RULES[action](user, obj))


def register_rule(action: str, rule: Callable) -> None:
    """Domains add their own actions here, so the answer stays in one module."""
    if action in _RULES:
        raise KeyError(f"permission {action!r} already defined")
    _RULES[action] = rule
