"""Setting up places: subdistricts, communities, grids, departments (admin)."""
from __future__ import annotations

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from app.audit.services import record
from app.domain import DomainError, NotFound
from app.extensions import db
from app.places.models import Community, CommunityKind, Department, Grid, Subdistrict

# Other domains set up their own defaults for a new community (categories, …).
community_created_hooks: list = []


def public_communities() -> list[Community]:
    """Active communities, for the public home page and registration."""
    return list(db.session.scalars(
        sa.select(Community).join(Subdistrict)
        .where(Community.is_active.is_(True))
        .order_by(Subdistrict.name, Community.kind, Community.name)
    ))


def public_community(community_id: int) -> Community | None:
    return db.session.scalar(
        sa.select(Community).where(Community.id == community_id, Community.is_active.is_(True))
    )


def public_subdistrict(subdistrict_id: int) -> Subdistrict:
    """A subdistrict, public as its lists and figures are (村(居)务公开); none: NotFound."""
    subdistrict = db.session.get(Subdistrict, subdistrict_id)
    if subdistrict is None:
        raise NotFound
    return subdistrict


def _unique(model, message, **filters) -> None:
    exclude = filters.pop("exclude_id", None)
    query = sa.select(model.id).filter_by(**filters)
    if exclude:
        query = query.where(model.id != exclude)
    if db.session.scalar(query) is not None:
        raise DomainError(message, field="name")


def save_subdistrict(actor, subdistrict: Subdistrict | None, *, name: str, city: str) -> Subdistrict:
    name = name.strip()
    _unique(Subdistrict, _l("A subdistrict with this name already exists."), name=name,
            exclude_id=subdistrict.id if subdistrict else None)
    created = subdistrict is None
    subdistrict = subdistrict or Subdistrict()
    subdistrict.name, subdistrict.city = name, city.strip()
    db.session.add(subdistrict)
    db.session.flush()
    record(actor, "places.create_subdistrict" if created else "places.update_subdistrict",
           subdistrict, name=name)
    return subdistrict


def save_community(actor, community: Community | None, *, subdistrict: Subdistrict, name: str,
                   kind: CommunityKind, households: int | None, address: str, description: str,
                   is_active: bool = True) -> Community:
    name = name.strip()
    _unique(Community, _l("This subdistrict already has a community with this name."),
            name=name, subdistrict_id=subdistrict.id, exclude_id=community.id if community else None)
    created = community is None
    community = community or Community()
    community.subdistrict_id = subdistrict.id
    community.name, community.kind, community.households = name, kind, households
    community.address, community.description = address.strip(), description.strip()
    community.is_active = is_active
    db.session.add(community)
    db.session.flush()
    if created:
        for hook in community_created_hooks:
            hook(community)
    record(actor, "places.create_community" if created else "places.update_community",
           community, community_id=community.id, name=name, is_active=is_active)
    return community


def save_grid(actor, grid: Grid | None, *, community: Community, name: str) -> Grid:
    name = name.strip()
    _unique(Grid, _l("This community already has a grid with this name."), name=name,
            community_id=community.id, exclude_id=grid.id if grid else None)
    created = grid is None
    grid = grid or Grid(community_id=community.id)
    grid.name = name
    db.session.add(grid)
    db.session.flush()
    record(actor, "places.create_grid" if created else "places.update_grid", grid,
           community_id=community.id, name=name)
    return grid


def save_department(actor, department: Department | None, *, subdistrict: Subdistrict | None,
                    name: str, is_active: bool = True) -> Department:
    name = name.strip()
    _unique(Department, _l("A department with this name already exists here."), name=name,
            subdistrict_id=subdistrict.id if subdistrict else None,
            exclude_id=department.id if department else None)
    created = department is None
    department = department or Department()
    department.subdistrict_id = subdistrict.id if subdistrict else None
    department.name, department.is_active = name, is_active
    db.session.add(department)
    db.session.flush()
    record(actor, "places.create_department" if created else "places.update_department",
           department, name=name, is_active=is_active)
    return department


def community_stats(community_ids: list[int]) -> dict[int, dict[str, int]]:
    """Residents and pending verifications per community, in one query."""
    from app.accounts.models import ResidenceStatus, User

    stats = {cid: {"residents": 0, "verified": 0, "pending": 0} for cid in community_ids}
    if not community_ids:
        return stats
    rows = db.session.execute(
        sa.select(User.community_id, User.residence_status, sa.func.count(User.id))
        .where(User.community_id.in_(community_ids), User.is_active.is_(True))
        .group_by(User.community_id, User.residence_status)
    )
    for community_id, status, count in rows:
        stats[community_id]["residents"] += count
        if status is ResidenceStatus.verified:
            stats[community_id]["verified"] += count
        elif status is ResidenceStatus.pending:
            stats[community_id]["pending"] += count
    return stats


# -- loaders and lists for the views ---------------------------------------------------


def place_for(user, model, place_id: int | None):
    """A subdistrict, community, grid or department for the administrator who
    sets places up: Forbidden for anyone else, NotFound for an unknown id.
    `place_id` None (a new place) gives None."""
    from app.domain import Forbidden, NotFound
    from app.permissions import can

    if not can(user, "manage_places"):
        raise Forbidden()
    if place_id is None:
        return None
    place = db.session.get(model, place_id)
    if place is None:
        raise NotFound()
    return place


def subdistricts() -> list[Subdistrict]:
    return list(db.session.scalars(sa.select(Subdistrict).order_by(Subdistrict.name)))


def subdistricts_with_places() -> list[Subdistrict]:
    """Every subdistrict with its communities (and their grids) and departments, for the
    administration overview: the same four statements however many there are."""
    from sqlalchemy.orm import selectinload

    return list(db.session.scalars(sa.select(Subdistrict).options(
        selectinload(Subdistrict.communities).selectinload(Community.grids),
        selectinload(Subdistrict.departments)).order_by(Subdistrict.name)))


def city_departments() -> list[Department]:
    return list(db.session.scalars(
        sa.select(Department).where(Department.subdistrict_id.is_(None)).order_by(Department.name)))


def overseen_by(user) -> list[Community]:
    """The communities whose non-public figures the user may read."""
    from app.permissions import overseen_communities

    return list(db.session.scalars(overseen_communities(user)))
