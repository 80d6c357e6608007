"""The facts on a sheet come from the platform's own records, for the round's period only."""
from __future__ import annotations

from datetime import date, datetime, timezone
from decimal import Decimal as D

from app.consultation.models import Rating, Topic, TopicState
from app.evaluation.evidence import community_evidence, department_evidence
from app.extensions import db
from app.timebank import ledger


def _topic(places, author, title, completed_at, state=TopicState.completed):
    topic = Topic(community_id=places.community.id, author_id=author.id, title=title, body="…", state=state,
                  completed_at=completed_at)
    db.session.add(topic)
    db.session.flush()
    return topic


def test_a_committees_topics_ratings_and_hours_in_the_period(places, make_user):
    author, worker = make_user(), make_user("social_worker")
    raters = [make_user() for _ in range(3)]
    inside = _topic(places, author, "加装电梯", datetime(2026, 5, 1, 2, tzinfo=timezone.utc))
    _topic(places, author, "去年的事", datetime(2025, 12, 31, 15, tzinfo=timezone.utc))  # 2025-12-31 23:00 local
    _topic(places, author, "还在办", None, state=TopicState.in_progress)
    for rater, score in zip(raters, [5, 4, 4], strict=True):
        db.session.add(Rating(topic_id=inside.id, user_id=rater.id, score=score))
    unrated = _topic(places, author, "无人评价", datetime(2026, 6, 1, tzinfo=timezone.utc))
    ledger.credit_service(raters[0], 90, description="助老", served_on=date(2026, 3, 1), recorded_by=worker,
                          verified_by=worker, idempotency_key="e1")
    ledger.credit_service(raters[1], 60, description="助老", served_on=date(2025, 12, 31), recorded_by=worker,
                          verified_by=worker, idempotency_key="e2")
    db.session.commit()
    evidence = community_evidence(places.community, date(2026, 1, 1), date(2026, 12, 31))
    assert [t.title for t in evidence.topics] == ["加装电梯", "无人评价"]
    assert evidence.topics[0].ratings == 3 and evidence.topics[0].mean_rating == D("4.33")  # 13/3
    assert evidence.topics[1].id == unrated.id and evidence.topics[1].mean_rating is None
    assert evidence.mean_rating == D("4.33") and evidence.ratings == 3
    assert (evidence.service_minutes, evidence.service_records) == (90, 1)
    assert community_evidence(places.sibling, date(2026, 1, 1), date(2026, 12, 31)).topics == []


def test_a_departments_evidence_without_admission_records_says_so(places):
    assert department_evidence(places.department, date(2026, 1, 1), date(2026, 12, 31)).admission is None
