"""A hostile evaluator: nobody scores the committee or the department they themselves belong to."""
from __future__ import annotations

import pytest
import sqlalchemy as sa

from app.accounts.models import Role
from app.accounts.services import assign_role
from app.domain import DomainError
from app.evaluation import services
from app.evaluation.models import Direction, Sheet
from app.extensions import db


def test_nobody_is_assigned_to_score_their_own_committee_or_department(world):
    # a department's officer who also sits on the committee of the community the department serves
    assign_role(None, world.officer, Role.committee_member, world.places.community.id)
    db.session.commit()
    with pytest.raises(DomainError):
        services.assign(world.staff, world.round, Direction.gov_to_community, world.officer,
                        [world.places.community.id])
    with pytest.raises(DomainError):
        services.assign(world.staff, world.round, Direction.community_to_gov, world.officer,
                        [world.places.department.id])
    services.assign_everyone(world.staff, world.round, Direction.gov_to_community)
    services.assign_everyone(world.staff, world.round, Direction.community_to_gov)
    own = db.session.scalars(sa.select(Sheet).where(
        Sheet.round_id == world.round.id, Sheet.evaluator_id == world.officer.id,
        sa.or_(Sheet.community_id == world.places.community.id,
               Sheet.department_id == world.places.department.id))).all()
    assert own == []
    # they still score the other department
    assert db.session.scalar(sa.select(Sheet.id).where(Sheet.evaluator_id == world.officer.id,
                                                       Sheet.department_id == world.dept2.id))
