"""Family in the time bank (亲属关联): links two people agree to, proxies
(代办) an elderly resident names among linked adult relatives, and the
hours a resident gives a linked relative in any community of the
installation (通存通兑) or donates to their community's pool.

Other domains ask this module one question before a relative acts for a
resident, `can_act_for(actor, resident)`, and show every such act with
`acting_label(actor, resident)` ("由 X 代办") and record it with
`**on_behalf(actor, resident)` in the audit entry."""
from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from app.accounts.models import User
from app.extensions import db
from app.timebank.family_models import FamilyLink, FamilyProxy, LinkStatus, Relation


@dataclass(frozen=True)
class Relative:
    """A linked relative as `user` sees them: who, what they are to `user`, the link."""
    person: User
    relation: Relation
    link: FamilyLink


def linked_relatives(user: User) -> list[Relative]:
    """The people `user` has an accepted link with, by name."""
    links = db.session.scalars(sa.select(FamilyLink).where(
        FamilyLink.status == LinkStatus.accepted,
        sa.or_(FamilyLink.requester_id == user.id, FamilyLink.addressee_id == user.id))
        .options(sa.orm.joinedload(FamilyLink.requester), sa.orm.joinedload(FamilyLink.addressee))).all()
    relatives = [Relative(link.other(user.id), link.relation_seen_by(user.id), link) for link in links]
    return sorted(relatives, key=lambda r: (r.person.display_name, r.person.id))


def accepted_link(a: User | int, b: User | int) -> FamilyLink | None:
    """The accepted link between two people, whichever side asked."""
    a_id, b_id = getattr(a, "id", a), getattr(b, "id", b)
    if a_id == b_id:
        return None
    return db.session.scalar(sa.select(FamilyLink).where(
        FamilyLink.pair_low == min(a_id, b_id), FamilyLink.pair_high == max(a_id, b_id),
        FamilyLink.status == LinkStatus.accepted))


def _active_proxy(actor_id: int, resident_id: int) -> FamilyProxy | None:
    return db.session.scalar(sa.select(FamilyProxy).join(FamilyLink, FamilyProxy.link_id == FamilyLink.id).where(
        FamilyProxy.proxy_id == actor_id, FamilyProxy.resident_id == resident_id, FamilyProxy.revoked_at.is_(None),
        FamilyLink.status == LinkStatus.accepted))


def can_act_for(actor: User, resident: User) -> bool:
    """True when `actor` is an active designated proxy (代办) of `resident`:
    named by the resident (or by a social worker with the resident's recorded
    consent), not revoked, the family link still accepted, both accounts
    active. Acting for oneself is not proxy work: False."""
    if actor is None or resident is None or not getattr(actor, "is_authenticated", True):
        return False
    if actor.id == resident.id or not actor.is_active or not resident.is_active:
        return False
    return _active_proxy(actor.id, resident.id) is not None


def residents_represented_by(actor: User) -> list[User]:
    """The residents `actor` is an active proxy for, by name (what a proxy's pages offer to act for)."""
    return list(db.session.scalars(sa.select(User).join(FamilyProxy, FamilyProxy.resident_id == User.id)
                                   .join(FamilyLink, FamilyProxy.link_id == FamilyLink.id)
                                   .where(FamilyProxy.proxy_id == actor.id, FamilyProxy.revoked_at.is_(None),
                                          FamilyLink.status == LinkStatus.accepted, User.is_active.is_(True))
                                   .order_by(User.display_name, User.id)))


def acting_label(actor: User | None, resident: User | None):
    """"由 X 代办" when `actor` acted for `resident` (a proxy, or a social worker
    for a resident without a phone), translated when shown; None when the
    resident acted themself. Templates: `{% if label %}<small>{{ label }}</small>{% endif %}`."""
    if actor is None or resident is None or actor.id == resident.id:
        return None
    return _l("Done by %(name)s on their behalf", name=actor.display_name)


def on_behalf(actor: User, resident: User) -> dict:
    """Audit detail for an act done for someone else: `record(actor, action, obj,
    **on_behalf(actor, resident))`; the audit log's sentence then ends with
    "(由 actor 代 resident 办理)". Empty when the resident acted themself."""
    if actor is None or resident is None or actor.id == resident.id:
        return {}
    return {"on_behalf_of": resident.id, "on_behalf_of_name": resident.display_name,
            "proxy_name": actor.display_name}
