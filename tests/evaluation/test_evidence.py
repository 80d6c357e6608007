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




def _agreement_with_past_dates(places, clerk, worker):
    """In force since 200 days ago: two items due 140 days ago (one delivered), one payment due 110 days ago and
    paid in full five days before it."""
    from datetime import timedelta

    from app.agreements import services as agreements
    from app.agreements.models import Delivery
    from app.localtime import today

    start = today() - timedelta(days=200)
    a = agreements.create(clerk, places.department, places.community, title="困难群众走访委托协议", starts_on=start,
                          ends_on=start + timedelta(days=365), internal_note="", request=None)
    for title, amount in (("入户走访", "1200.00"), ("台账整理", "300.00")):
        agreements.add_item(clerk, a, title=title, deliverables="", due_on=start + timedelta(days=60), amount=amount)
    agreements.add_milestone(clerk, a, label="全款", due_on=start + timedelta(days=90), amount="1500.00")
    agreements.sign(clerk, a)
    agreements.sign(worker, a)
    agreements.record_fulfilment(worker, a, a.items[0].id, Delivery.delivered, "走访记录 52 份")
    agreements.record_payment(clerk, a, a.milestones[0].id, "1500.00", start + timedelta(days=85))
    db.session.commit()
    return a


def test_agreements_and_admission_requests_on_both_sides_sheets(places, staff, clerk, worker, submit):
    from datetime import timedelta

    from app.agreements import admission
    from app.localtime import today

    _agreement_with_past_dates(places, clerk, worker)
    unlisted = submit(title="协助拆除违章搭建")
    admission.decide(staff, unlisted, None)  # on neither list: an agreement, or the committee declines
    admission.decline(worker, unlisted, "不在两份清单内，且无委托协议")
    submit(title="开展老年人高龄津贴资格认证")
    db.session.commit()
    year_start, year_end = today() - timedelta(days=365), today() + timedelta(days=30)

    committee = community_evidence(places.community, year_start, year_end).agreements
    assert committee == {"signed": 1, "fulfilled": 1, "overdue": 1}
    department = department_evidence(places.department, year_start, year_end).admission
    assert department == {"requested": 2, "declined": 1, "paid": 1, "due": 1}
    # another community's and an earlier period's records do not count
    assert community_evidence(places.sibling, year_start, year_end).agreements == \
        {"signed": 0, "fulfilled": 0, "overdue": 0}
    long_ago = department_evidence(places.department, date(2000, 1, 1), date(2000, 12, 31)).admission
    assert long_ago == {"requested": 0, "declined": 0, "paid": 0, "due": 0}
