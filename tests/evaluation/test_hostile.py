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
from tests.evaluation.conftest import open_with_one_sheet


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


def test_absurd_scores_late_sheets_and_late_survey_answers_change_nothing(world, client_for, make_user):
    from app.evaluation.models import SheetState, SurveyResponse
    from tests.conftest import text

    r, sheet, ids = open_with_one_sheet(world)
    client = client_for(world.officer)
    for typed in ("100.5", "-1", "101", "85.55", "NaN", "Infinity", "1e2", "+90", "9" * 40, "８５x"):
        page = client.post(f"/evaluation/sheets/{sheet.id}", {"action": "draft", f"score_{ids[0]}": typed})
        assert page.status_code == 422, typed
    resident = make_user()
    survey = client_for(resident)
    qs = [q.id for q in r.questions]
    for bad in ("0", "6", "-1", "NaN", "5.5"):
        assert survey.post(f"/evaluation/{r.id}/survey", {f"q_{q}": bad for q in qs}).status_code == 422, bad
    services.close_round(world.staff, r)
    db.session.commit()
    late = client.post(f"/evaluation/sheets/{sheet.id}", {"action": "submit", **{f"score_{i}": "90" for i in ids}})
    assert late.status_code in (403, 404, 409, 422)
    assert survey.post(f"/evaluation/{r.id}/survey", {f"q_{q}": "5" for q in qs}).status_code in (403, 404, 409, 422)
    db.session.expire_all()
    assert sheet.state is SheetState.draft and sheet.scores == []
    assert db.session.scalar(sa.select(sa.func.count(SurveyResponse.id))) == 0
    assert "赵干事" not in text(client_for(make_user()).get(f"/evaluation/{r.id}/results"))
