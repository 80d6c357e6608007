"""A round's results, computed from its submitted sheets and survey answers
by `scoring` whenever they are read: nothing computed is stored, so every
number on the report is the sheets' arithmetic (and can be redone by hand)."""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from app.evaluation import scoring
from app.evaluation.models import (
    Criterion,
    Direction,
    EvaluationRound,
    RoundState,
    Sheet,
    SheetState,
    SurveyAnswer,
    SurveyResponse,
)
from app.evaluation.services import criteria_of, parties
from app.extensions import db


@dataclass
class SheetLine:
    """One submitted sheet as the round's staff see it (never public)."""
    sheet: Sheet
    total: Decimal
    trimmed: bool = False


@dataclass
class PartyRow:
    direction: Direction
    party: object  # a Community or a Department
    result: scoring.PartyResult | None  # None: no submitted sheet
    rank: int | None = None
    averages: dict[int, Decimal] = field(default_factory=dict)  # criterion id → mean score
    sheets: list[SheetLine] = field(default_factory=list)
    assigned: int = 0
    survey_questions: dict[int, Decimal] | None = None  # question id → mean answer, only from 5 responses
    survey_applies: bool = False  # residents answer about their own committee: the gov_to_community direction

    @property
    def key(self) -> tuple[str, int]:
        return (self.direction.name, self.party.id)


@dataclass
class DirectionResults:
    direction: Direction
    criteria: list[Criterion]
    rows: list[PartyRow]
    averages: dict[int, Decimal]  # criterion id → mean over every submitted sheet of the direction

    def row(self, party_id: int) -> PartyRow | None:
        return next((r for r in self.rows if r.party.id == party_id), None)


def thresholds_of(round_: EvaluationRound) -> scoring.Thresholds:
    return scoring.Thresholds(excellent=round_.excellent_from, good=round_.good_from, passing=round_.pass_from)


def _survey(round_: EvaluationRound) -> tuple[dict[int, list[Fraction]], dict[int, dict[int, Decimal]]]:
    """Per community: each response's exact mean answer; and each question's mean (half up)."""
    per_response = db.session.execute(
        sa.select(SurveyResponse.community_id, sa.func.sum(SurveyAnswer.value), sa.func.count(SurveyAnswer.id))
        .join(SurveyAnswer, SurveyAnswer.response_id == SurveyResponse.id)
        .where(SurveyResponse.round_id == round_.id).group_by(SurveyResponse.id, SurveyResponse.community_id)).all()
    responses: dict[int, list[Fraction]] = {}
    for community_id, total, count in per_response:
        responses.setdefault(community_id, []).append(Fraction(int(total), int(count)))
    per_question = db.session.execute(
        sa.select(SurveyResponse.community_id, SurveyAnswer.question_id, sa.func.sum(SurveyAnswer.value),
                  sa.func.count(SurveyAnswer.id))
        .join(SurveyAnswer, SurveyAnswer.response_id == SurveyResponse.id)
        .where(SurveyResponse.round_id == round_.id)
        .group_by(SurveyResponse.community_id, SurveyAnswer.question_id)).all()
    questions: dict[int, dict[int, Decimal]] = {}
    for community_id, question_id, total, count in per_question:
        questions.setdefault(community_id, {})[question_id] = scoring.round_half_up(Fraction(int(total), int(count)))
    return responses, questions


def compute(round_: EvaluationRound) -> dict[Direction, DirectionResults]:
    """Every party's result in both directions, from submitted sheets only."""
    sheets = list(db.session.scalars(
        sa.select(Sheet).where(Sheet.round_id == round_.id)
        .options(selectinload(Sheet.scores), selectinload(Sheet.evaluator)).order_by(Sheet.id)))
    thresholds = thresholds_of(round_)
    survey_responses, survey_questions = _survey(round_) if round_.survey_enabled else ({}, {})
    out = {}
    for direction in Direction:
        criteria = criteria_of(round_, direction)
        weights = {c.id: c.weight for c in criteria}
        rows = []
        every_sheet: list[dict[int, Decimal]] = []
        for party in parties(round_, direction):
            mine = [s for s in sheets if s.direction is direction and s.party_id == party.id]
            lines, scored = [], []
            for sheet in mine:
                if sheet.state is not SheetState.submitted or not criteria:
                    continue
                values = {s.criterion_id: Decimal(s.value) for s in sheet.scores}
                if set(values) != set(weights):
                    continue  # the rubric changed under a sheet: it cannot count (cannot happen once open)
                lines.append(SheetLine(sheet, scoring.sheet_total(values, weights)))
                scored.append(values)
            result = None
            responses = survey_responses.get(party.id) if direction is Direction.gov_to_community else None
            if lines:
                result = scoring.party_result([line.total for line in lines], responses,
                                              round_.survey_weight if round_.survey_enabled else 0, thresholds)
                for index in result.trimmed:
                    lines[index].trimmed = True
            questions = None
            if responses and len(responses) >= scoring.SURVEY_MIN_RESPONSES:
                questions = survey_questions.get(party.id)
            every_sheet += scored
            rows.append(PartyRow(direction, party, result, averages=scoring.criterion_averages(scored),
                                 sheets=lines, assigned=len(mine), survey_questions=questions,
                                 survey_applies=round_.survey_enabled and direction is Direction.gov_to_community))
        ranked = scoring.ranks({row.party.id: row.result.final for row in rows if row.result})
        for row in rows:
            row.rank = ranked.get(row.party.id)
        rows.sort(key=lambda r: (r.rank is None, r.rank or 0, r.party.name))
        out[direction] = DirectionResults(direction, criteria, rows, scoring.criterion_averages(every_sheet))
    return out


def history(round_: EvaluationRound, direction: Direction, party_id: int) -> list[tuple[int, Decimal | None]]:
    """The party's published finals year by year, up to this round (this round too once it is published)."""
    rounds = list(db.session.scalars(sa.select(EvaluationRound).where(
        EvaluationRound.subdistrict_id == round_.subdistrict_id, EvaluationRound.year <= round_.year,
        EvaluationRound.state == RoundState.published).order_by(EvaluationRound.year)))
    years = []
    for earlier in rounds:
        row = compute(earlier)[direction].row(party_id)
        years.append((earlier.year, row.result.final if row and row.result else None))
    return years
