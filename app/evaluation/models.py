"""A round of the two-way evaluation, its rubrics, the sheets evaluators fill
in, and the residents' satisfaction survey."""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import ClassVar, Optional

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, declared_attr, mapped_column, relationship

from app.domain import Labelled
from app.extensions import db
from app.sqltypes import UTCDateTime, enum_column, utcnow


class RoundState(Labelled):
    draft = "draft", _l("Being prepared")  # being set up: rubrics, who evaluates whom, survey
    open = "open", _l("Open for scoring")  # evaluators fill in sheets, residents answer the survey
    closed = "closed", _l("Closed, under review")  # sheets locked, results under review
    published = "published", _l("Published")  # grades, finals and charts are public


ROUND_STATE_LABELS = RoundState.labels()


class Direction(Labelled):
    gov_to_community = "gov_to_community", _l("Government evaluates committees")  # departments and the subdistrict score each committee (履职履约)
    community_to_gov = "community_to_gov", _l("Committees evaluate government")  # each committee scores each department


DIRECTION_LABELS = Direction.labels()


class SheetState(Labelled):
    draft = "draft", _l("Not submitted")
    submitted = "submitted", _l("Submitted")


SHEET_STATE_LABELS = SheetState.labels()

GRADE_LABELS = {"excellent": _l("Excellent"), "good": _l("Good"), "pass": _l("Pass"), "fail": _l("Fail")}


class EvaluationRound(db.Model):
    __table_args__ = (
        sa.UniqueConstraint("subdistrict_id", "year"),
        sa.CheckConstraint("survey_weight BETWEEN 0 AND 100", name="survey_weight_range"),
        sa.CheckConstraint("0 <= pass_from AND pass_from <= good_from AND good_from <= excellent_from"
                           " AND excellent_from <= 100", name="thresholds_ordered"),
        sa.CheckConstraint("remind_days >= 0", name="remind_days_nonneg"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    subdistrict_id: Mapped[int] = mapped_column(sa.ForeignKey("subdistrict.id"), index=True)
    year: Mapped[int]
    title: Mapped[str] = mapped_column(sa.String(80))
    period_start: Mapped[date]
    period_end: Mapped[date]
    deadline: Mapped[date]  # last day for sheets and survey answers (local date)
    remind_days: Mapped[int] = mapped_column(default=3)  # reminders this many days before the deadline
    state: Mapped[RoundState] = mapped_column(enum_column(RoundState), default=RoundState.draft)
    excellent_from: Mapped[int] = mapped_column(default=90)
    good_from: Mapped[int] = mapped_column(default=75)
    pass_from: Mapped[int] = mapped_column(default=60)
    survey_enabled: Mapped[bool] = mapped_column(default=False)
    survey_weight: Mapped[int] = mapped_column(default=0)
    copied_from_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("evaluation_round.id"))
    created_by_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    opened_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    closed_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    published_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)

    subdistrict = relationship("Subdistrict")
    criteria: Mapped[list["Criterion"]] = relationship(
        back_populates="round", order_by="(Criterion.direction, Criterion.position)", cascade="all, delete-orphan")
    questions: Mapped[list["SurveyQuestion"]] = relationship(
        back_populates="round", order_by="SurveyQuestion.position", cascade="all, delete-orphan")


class Criterion(db.Model):
    __tablename__ = "evaluation_criterion"
    __table_args__ = (sa.CheckConstraint("weight BETWEEN 1 AND 100", name="weight_range"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(sa.ForeignKey("evaluation_round.id"), index=True)
    direction: Mapped[Direction] = mapped_column(enum_column(Direction))
    position: Mapped[int]
    name: Mapped[str] = mapped_column(sa.String(60))
    description: Mapped[str] = mapped_column(sa.String(300), default="")
    weight: Mapped[int]

    round: Mapped[EvaluationRound] = relationship(back_populates="criteria")


class Sheet(db.Model):
    """Who evaluates whom: one evaluator's sheet for one party, a community
    (gov_to_community) or a department (community_to_gov)."""

    __tablename__ = "evaluation_sheet"
    __table_args__ = (
        sa.CheckConstraint("(direction = 'gov_to_community' AND community_id IS NOT NULL AND department_id IS NULL)"
                           " OR (direction = 'community_to_gov' AND department_id IS NOT NULL"
                           " AND community_id IS NULL)", name="party_matches_direction"),
        sa.UniqueConstraint("round_id", "evaluator_id", "community_id", "department_id"),
        sa.Index("ix_evaluation_sheet_evaluator", "evaluator_id", "round_id"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(sa.ForeignKey("evaluation_round.id"), index=True)
    direction: Mapped[Direction] = mapped_column(enum_column(Direction))
    evaluator_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"))
    community_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("community.id"))
    department_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("department.id"))
    state: Mapped[SheetState] = mapped_column(enum_column(SheetState), default=SheetState.draft)
    saved_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    submitted_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)

    round: Mapped[EvaluationRound] = relationship()
    evaluator = relationship("User")
    community = relationship("Community")
    department = relationship("Department")
    scores: Mapped[list["Score"]] = relationship(back_populates="sheet", cascade="all, delete-orphan")

    @property
    def party(self):
        return self.community if self.direction is Direction.gov_to_community else self.department

    @property
    def party_id(self) -> int:
        return self.community_id if self.direction is Direction.gov_to_community else self.department_id


class _OneAnswerEach:
    """A sheet's scores and a survey's answers: each row answers one question
    of one form, once (`answer_keys`: the form's and the question's columns),
    with a value within the scale (`scale`, both ends included); the database
    refuses anything else."""

    answer_keys: ClassVar[tuple[str, str]]
    scale: ClassVar[tuple[int, int]]
    id: Mapped[int] = mapped_column(primary_key=True, sort_order=-1)

    @declared_attr.directive
    def __table_args__(cls) -> tuple:
        low, high = cls.scale
        return (sa.UniqueConstraint(*cls.answer_keys),
                sa.CheckConstraint(f"value BETWEEN {low} AND {high}", name="value_range"))


class Score(_OneAnswerEach, db.Model):
    __tablename__ = "evaluation_score"
    answer_keys, scale = ("sheet_id", "criterion_id"), (0, 100)
    sheet_id: Mapped[int] = mapped_column(sa.ForeignKey("evaluation_sheet.id"), index=True)
    criterion_id: Mapped[int] = mapped_column(sa.ForeignKey("evaluation_criterion.id"))
    value: Mapped[Decimal] = mapped_column(sa.Numeric(4, 1))
    comment: Mapped[str] = mapped_column(sa.String(500), default="")

    sheet: Mapped[Sheet] = relationship(back_populates="scores")


class Reminder(db.Model):
    """A reminder sent to an evaluator: the automatic one at most once per round
    (the unique index), by hand at most once a day."""

    __tablename__ = "evaluation_reminder"
    __table_args__ = (
        sa.UniqueConstraint("round_id", "user_id", "sent_on"),
        sa.Index("uq_evaluation_reminder_automatic", "round_id", "user_id", unique=True,
                 sqlite_where=sa.text("by_hand = 0"), postgresql_where=sa.text("by_hand = false")),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(sa.ForeignKey("evaluation_round.id"), index=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"))
    sent_on: Mapped[date]
    by_hand: Mapped[bool] = mapped_column(default=False)
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class SurveyQuestion(db.Model):
    __tablename__ = "evaluation_survey_question"
    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(sa.ForeignKey("evaluation_round.id"), index=True)
    position: Mapped[int]
    text: Mapped[str] = mapped_column(sa.String(120))

    round: Mapped[EvaluationRound] = relationship(back_populates="questions")


class SurveyResponse(db.Model):
    """One verified resident's answers about their own committee; recorded_by is
    the social worker who entered it for a resident without a phone."""

    __tablename__ = "evaluation_survey_response"
    __table_args__ = (sa.UniqueConstraint("round_id", "resident_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(sa.ForeignKey("evaluation_round.id"), index=True)
    community_id: Mapped[int] = mapped_column(sa.ForeignKey("community.id"))
    resident_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"))
    recorded_by_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    answers: Mapped[list["SurveyAnswer"]] = relationship(back_populates="response", cascade="all, delete-orphan")

    @property
    def by_proxy(self) -> bool:
        return self.recorded_by_id is not None


class SurveyAnswer(_OneAnswerEach, db.Model):
    __tablename__ = "evaluation_survey_answer"
    answer_keys, scale = ("response_id", "question_id"), (1, 5)
    response_id: Mapped[int] = mapped_column(sa.ForeignKey("evaluation_survey_response.id"), index=True)
    question_id: Mapped[int] = mapped_column(sa.ForeignKey("evaluation_survey_question.id"))
    value: Mapped[int]

    response: Mapped[SurveyResponse] = relationship(back_populates="answers")
