"""What the platform already knows about an evaluated party, shown on the
evaluator's sheet so scores rest on facts: one function per kind of party.

A committee: topics its residents raised that were carried out in the
period, with residents' satisfaction ratings of them, and verified volunteer
service hours. A department: what it asked of communities under the two lists
and whether it kept to its agreements.

Agreements and admission requests (准入/委托协议) come from `app.agreements`
through `agreement_evidence_for_community` and
`admission_evidence_for_department`; every figure is counted from its
records, none is typed in."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from fractions import Fraction

import sqlalchemy as sa

from app import localtime
from app.consultation.models import Rating, Topic, TopicState
from app.evaluation.scoring import round_half_up
from app.extensions import db
from app.timebank.models import ServiceRecord


@dataclass
class CompletedTopic:
    id: int
    title: str
    ratings: int
    mean_rating: Decimal | None  # 1–5, two places


@dataclass
class CommunityEvidence:
    topics: list[CompletedTopic] = field(default_factory=list)
    service_minutes: int = 0
    service_records: int = 0
    agreements: dict | None = None  # from agreement_evidence_for_community; None: not recorded on the platform

    @property
    def ratings(self) -> int:
        return sum(t.ratings for t in self.topics)

    @property
    def mean_rating(self) -> Decimal | None:
        rated = [t for t in self.topics if t.ratings]
        if not rated:
            return None
        total = sum((Fraction(t.mean_rating) * t.ratings for t in rated), Fraction(0))
        return round_half_up(total / sum(t.ratings for t in rated))


@dataclass
class DepartmentEvidence:
    admission: dict | None = None  # from admission_evidence_for_department; None: not recorded on the platform


def _period(period_start: date, period_end: date):
    return localtime.start_of_day_utc(period_start), localtime.start_of_day_utc(period_end.fromordinal(
        period_end.toordinal() + 1))


def community_evidence(community, period_start: date, period_end: date) -> CommunityEvidence:
    """A committee's record in the period: topics completed (with their ratings) and volunteer service."""
    start, end = _period(period_start, period_end)
    rows = db.session.execute(
        sa.select(Topic.id, Topic.title, sa.func.count(Rating.id), sa.func.coalesce(sa.func.sum(Rating.score), 0))
        .outerjoin(Rating, Rating.topic_id == Topic.id)
        .where(Topic.community_id == community.id, Topic.state == TopicState.completed,
               Topic.completed_at >= start, Topic.completed_at < end)
        .group_by(Topic.id, Topic.title).order_by(Topic.id)).all()
    topics = [CompletedTopic(tid, title, int(count),
                             round_half_up(Fraction(int(total), int(count))) if count else None)
              for tid, title, count, total in rows]
    minutes, records = db.session.execute(
        sa.select(sa.func.coalesce(sa.func.sum(ServiceRecord.minutes), 0), sa.func.count(ServiceRecord.id))
        .where(ServiceRecord.community_id == community.id, ServiceRecord.served_on >= period_start,
               ServiceRecord.served_on <= period_end)).one()
    return CommunityEvidence(topics, int(minutes), int(records),
                             agreement_evidence_for_community(community, period_start, period_end))


def department_evidence(department, period_start: date, period_end: date) -> DepartmentEvidence:
    """A department's record in the period: admission requests and agreements."""
    return DepartmentEvidence(admission_evidence_for_department(department, period_start, period_end))


def agreement_evidence_for_community(community, period_start: date, period_end: date) -> dict | None:
    """Entrustment agreements (委托协议) the committee holds for the period: those
    signed by both sides whose term overlaps it, and their items due in it —
    fulfilled (reported delivered) or overdue (past due and not delivered, as of
    the period's end or today, whichever comes first)."""
    from app.agreements import services as agreements
    from app.agreements.models import AgreementState, Delivery

    as_of = min(localtime.today(), period_end)
    signed = [a for a in agreements.agreements_of_community(community.id)
              if a.state is AgreementState.in_force and a.starts_on <= period_end and a.ends_on >= period_start]
    items = [i for a in signed for i in a.items if period_start <= i.due_on <= period_end]
    fulfilled = sum(1 for i in items if (r := agreements.latest_report(i)) is not None
                    and r.status is Delivery.delivered)
    overdue = sum(1 for i in items if agreements.item_overdue(i, as_of))
    return {"signed": len(signed), "fulfilled": fulfilled, "overdue": overdue}


def admission_evidence_for_department(department, period_start: date, period_end: date) -> dict | None:
    """What the department asked of communities in the period (社区事务准入申请),
    how many the committees declined as not on the two lists (减负), and of its
    agreements' payments due in the period, how many were paid in full by their
    date (费随事转, as of the period's end or today)."""
    from app.agreements import services as agreements
    from app.agreements.models import AdmissionRequest, AgreementState, RequestState

    start, end = _period(period_start, period_end)
    counts = dict(db.session.execute(
        sa.select(AdmissionRequest.state, sa.func.count(AdmissionRequest.id))
        .where(AdmissionRequest.department_id == department.id, AdmissionRequest.submitted_at >= start,
               AdmissionRequest.submitted_at < end).group_by(AdmissionRequest.state)).all())
    as_of = min(localtime.today(), period_end)
    due = [m for a in agreements.agreements_of_department(department.id) if a.state is AgreementState.in_force
           for m in a.milestones if period_start <= m.due_on <= period_end and m.due_on <= as_of]
    paid = sum(1 for m in due if sum((p.amount for p in m.payments if p.received_on <= m.due_on),
                                     Decimal(0)) >= m.amount)
    return {"requested": sum(counts.values()), "declined": counts.get(RequestState.declined, 0),
            "paid": paid, "due": len(due)}


def evidence_for(sheet):
    round_ = sheet.round
    if sheet.community_id is not None:
        return community_evidence(sheet.community, round_.period_start, round_.period_end)
    return department_evidence(sheet.department, round_.period_start, round_.period_end)
