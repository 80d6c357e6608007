"""Bodies (议事机构) and their seats: a body's name, kind and voting rules;
members, residents of the community or named people without an account."""
from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from app.accounts.models import User
from app.audit.services import record
from app.domain import DomainError
from app.extensions import db
from app.meetings.models import Body, BodyKind, BodyMember, EligibleBasis
from app.meetings.rules import VotingRules, Threshold
from app.meetings.permissions import _seated, member_of

def save_body(actor, community, body: Body | None = None, *, name: str, kind: BodyKind,
              eligible_basis: EligibleBasis = EligibleBasis.members, eligible_count: int | None = None,
              quorum: tuple[int, int, bool] = (2, 3, True), decision: tuple[int, int, bool] = (1, 2, False)) -> Body:
    name = name.strip()
    if not name:
        raise DomainError(_l("Give the body a name."), field="name")
    for (num, den, _incl), field in ((quorum, "quorum"), (decision, "decision")):
        if not (0 < num <= den):
            raise DomainError(_l("A share is a fraction between 0 and 1, such as 2/3."), field=field)
    clash = sa.select(Body.id).where(Body.community_id == community.id, Body.name == name)
    if body is not None:
        clash = clash.where(Body.id != body.id)
    if db.session.scalar(clash):
        raise DomainError(_l("This community already has a body with this name."), field="name")
    if eligible_count is not None and eligible_count < 1:
        raise DomainError(_l("The eligible number must be at least 1."), field="eligible_count")
    created = body is None
    body = body or Body(community_id=community.id)
    body.name, body.kind, body.eligible_basis, body.eligible_count = name, kind, eligible_basis, eligible_count
    body.quorum_num, body.quorum_den, body.quorum_inclusive = quorum
    body.decision_num, body.decision_den, body.decision_inclusive = decision
    db.session.add(body)
    db.session.flush()
    record(actor, "meetings.create_body" if created else "meetings.update_body", body,
           community_id=body.community_id, kind=kind, name=name)
    return body


def rules_of(body: Body) -> VotingRules:
    return VotingRules.for_body(body.rule_set,
                          quorum=Threshold(Fraction(body.quorum_num, body.quorum_den), body.quorum_inclusive),
                          decision=Threshold(Fraction(body.decision_num, body.decision_den), body.decision_inclusive))


def add_member(actor, body: Body, *, user: User | None = None, name: str = "", household: str = "",
               is_adult: bool = True, area: Decimal | None = None) -> BodyMember:
    """A seat: a resident of the community, or a named person without an account."""
    if user is not None and user.community_id != body.community_id:
        raise DomainError(_l("Members must live in this community."), field="user_id")
    if user is not None and member_of(user, body):
        raise DomainError(_l("This person is already a member."), field="user_id")
    name = (name or (user.display_name if user else "")).strip()
    if not name:
        raise DomainError(_l("Give the member's name."), field="name")
    if body.kind is BodyKind.owners_assembly:
        if area is None or area <= 0:
            raise DomainError(_l("Enter the owner's floor area in m², e.g. 89.50."), field="area")
        area = Decimal(area).quantize(Decimal("0.01"))
    member = BodyMember(body_id=body.id, user_id=getattr(user, "id", None), name=name, household=household.strip(),
                        is_adult=is_adult, area=area)
    db.session.add(member)
    db.session.flush()
    record(actor, "meetings.add_member", body, community_id=body.community_id, member=member.id, name=name)
    return member


def member_in(body: Body, member_id: int | None) -> BodyMember | None:
    """A seat of this body (another body's member id is not found)."""
    return db.session.scalar(sa.select(BodyMember).where(BodyMember.id == (member_id or 0),
                                                         BodyMember.body_id == body.id))


def remove_member(actor, member: BodyMember) -> None:
    member.is_active = False
    record(actor, "meetings.remove_member", member.body, community_id=member.body.community_id, member=member.id)


def active_members(body: Body) -> list[BodyMember]:
    return list(db.session.scalars(sa.select(BodyMember).join(Body).where(BodyMember.body_id == body.id, _seated())
                                   .order_by(BodyMember.id)))
