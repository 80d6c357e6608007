"""Activities: places and waiting list, check-in, confirmation exactly once."""
from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from app.domain import DomainError
from app.extensions import db
from tests.conftest import run_in_threads
from app.sqltypes import utcnow
from app.timebank import ledger
from app.volunteering import services as activities
from app.timebank.models import LedgerRequest, ServiceRecord
from app.volunteering.models import ActivityState, SignupStatus
from tests.volunteering.helpers import ended


@pytest.fixture
def staff(make_user):
    return make_user("social_worker", display_name="李社工"), make_user("social_worker", display_name="黄社工")


@pytest.fixture
def volunteer(make_user):
    """A verified resident registered as a volunteer (志愿者注册)."""
    def make(**kw):
        user = make_user(**kw)
        activities.register_volunteer(user, skills="陪聊", availability="周末", consent=True)
        return user
    return make


@pytest.fixture
def activity(staff, places):
    start = utcnow() + timedelta(days=2)
    a = activities.publish(staff[0], places.community, title="重阳节敬老服务", description="陪伴老人", category="助老",
                           place="社区活动中心", starts_at=start, ends_at=start + timedelta(hours=2),
                           signup_deadline=start - timedelta(hours=12), places=2, minutes=120)
    db.session.commit()
    return a


def test_places_waiting_list_and_promotion(activity, make_user, volunteer):
    a, b, c = volunteer(), volunteer(), volunteer()
    assert activities.sign_up(a, activity).status is SignupStatus.confirmed
    assert activities.sign_up(b, activity).status is SignupStatus.confirmed
    assert activities.sign_up(c, activity).status is SignupStatus.waitlisted
    with pytest.raises(DomainError):
        activities.sign_up(a, activity)
    activities.cancel_signup(a, activity)
    assert activities.signup_of(c, activity).status is SignupStatus.confirmed
    with pytest.raises(DomainError):
        activities.sign_up(make_user(verified=False), activity)


def test_confirmation_credits_attendees_once(activity, make_user, staff, volunteer):
    a, b = volunteer(), volunteer()
    for v in (a, b):
        activities.sign_up(v, activity)
    activities.check(a, activity)  # checked in at the venue
    activities.mark_attendance(staff[0], activities.signup_of(b, activity), True)
    ended(activity)
    with pytest.raises(DomainError):  # fewer minutes need a reason
        activities.confirm(staff[0], activity, {activities.signup_of(b, activity).id: (60, "")})
    credited = activities.confirm(staff[0], activity, {activities.signup_of(b, activity).id: (60, "提前离开")})
    assert credited == 1 and activity.state is ActivityState.confirmed
    assert ledger.account_of(a).balance == 120 and ledger.account_of(b, create=False) is None
    request = db.session.scalar(sa.select(LedgerRequest))  # the different figure waits for a second staff member
    assert (request.user_id, request.minutes, request.reason) == (b.id, 60, "提前离开")
    ledger.decide_request(staff[1], request, confirm=True)
    assert ledger.account_of(b).balance == 60
    record = db.session.scalar(sa.select(ServiceRecord).where(ServiceRecord.volunteer_id == b.id))
    assert (record.recorded_by_id, record.verified_by_id) == (staff[0].id, staff[1].id)
    assert activities.confirm(staff[0], activity, {}) == 0  # twice: nobody credited twice
    assert ledger.service_minutes(a) == 120


def test_absent_volunteers_are_not_credited(activity, make_user, staff, volunteer):
    a = volunteer()
    activities.sign_up(a, activity)
    ended(activity)
    assert activities.confirm(staff[0], activity, {}) == 0
    assert ledger.account_of(a, create=False) is None


def test_check_in_needs_a_place(activity, make_user, volunteer):
    with pytest.raises(DomainError):
        activities.check(volunteer(), activity)


def test_cancel_notifies_volunteers(activity, make_user, staff, volunteer):
    from app.notifications.models import Notification

    a = volunteer()
    activities.sign_up(a, activity)
    with pytest.raises(DomainError):
        activities.cancel(staff[0], activity, "")
    activities.cancel(staff[0], activity, "暴雨预警")
    assert db.session.scalar(sa.select(Notification.kind).where(Notification.user_id == a.id)) == \
        "timebank.activity_cancelled"


def test_eight_threads_confirming_the_same_activity_credit_once(app, activity, make_user, staff, volunteer):
    activity.places = 5
    volunteers = [volunteer() for _ in range(3)]
    for v in volunteers:
        activities.sign_up(v, activity)
    for s in activities.signups_of(activity):
        activities.mark_attendance(staff[0], s, True)
    ended(activity)
    ids = (activity.id, staff[0].id)
    db.session.commit()

    def load(_i):
        from app.accounts.models import User
        from app.volunteering.models import Activity

        return db.session.get(User, ids[1]), db.session.get(Activity, ids[0])

    errors = run_in_threads(app, range(8), lambda s: activities.confirm(s[0], s[1], {}), prepare=load)
    assert errors == []
    assert db.session.scalar(sa.select(sa.func.count(ServiceRecord.id))) == 3
    assert ledger.verify()["problems"] == []


def test_hours_carrying_out_a_decision_show_on_the_topic(staff, places, make_user, volunteer):
    from app.consultation import services as consultation
    from app.consultation.models import TopicEvent

    author = make_user()
    topic = consultation.create_topic(author, places.community, title="楼道清理", body="清理堆物", category_id=None,
                                      submit=True)
    consultation.publish(staff[0], topic)
    consultation.start_deliberation(staff[0], topic, "议事")
    from app.consultation.models import Outcome

    consultation.record_decision(staff[0], topic, Outcome.adopted, "通过")
    start = utcnow() + timedelta(days=1)
    act = activities.publish(staff[0], places.community, title="楼道清理志愿行动", description="", category="环境",
                             place="5幢", starts_at=start, ends_at=start + timedelta(hours=2),
                             signup_deadline=start - timedelta(hours=1), places=3, minutes=90, topic=topic)
    for _ in range(2):
        v = volunteer()
        activities.sign_up(v, act)
        activities.check(v, act)
    ended(act)
    activities.confirm(staff[0], act, {})
    note = db.session.scalar(sa.select(TopicEvent.note).where(TopicEvent.kind == "volunteer_hours"))
    assert note == "楼道清理志愿行动：2 名志愿者，服务 3 小时"


def test_sign_up_needs_registration_with_consent(activity, make_user):
    user = make_user()
    with pytest.raises(DomainError):
        activities.sign_up(user, activity)
    with pytest.raises(DomainError):
        activities.register_volunteer(user, skills="", availability="", consent=False)
    activities.register_volunteer(user, skills="理发", availability="周三下午", consent=True)
    assert activities.sign_up(user, activity).status is SignupStatus.confirmed
    with pytest.raises(DomainError):
        activities.register_volunteer(make_user(verified=False), skills="", availability="", consent=True)
