"""The four-eyes rule wherever hours are created (四眼原则: a credit above plan, a credit to the organiser, grants and reversals need a second staff member): each
attack of the security review as a test, and `verify` finding records that
break the rules when they were planted behind the rules' back."""
from __future__ import annotations

from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from app.domain import DomainError
from app.extensions import db
from app.sqltypes import utcnow
from app.timebank import ledger
from app.volunteering import certificates, hours
from app.volunteering import services as activities
from app.timebank.models import LedgerRequest, RequestKind, ServiceRecord, Txn
from tests.conftest import text
from tests.volunteering.helpers import ended

GENUINE = "真实有效"


@pytest.fixture
def organiser(make_user, places):
    """A social worker who also lives in the community (a verified resident and a volunteer)."""
    user = make_user("social_worker", community=places.community, display_name="李社工")
    activities.register_volunteer(user, skills="组织", availability="工作日", consent=True)
    db.session.commit()
    return user


def _activity(organiser, places, *, minutes=120, starts_in=timedelta(days=2), places_=5):
    start = utcnow() + starts_in
    return activities.publish(organiser, places.community, title="敬老服务", description="", category="助老",
                              place="活动中心", starts_at=start, ends_at=start + timedelta(hours=2),
                              signup_deadline=start - timedelta(hours=1), places=places_, minutes=minutes)


def _volunteer(make_user, **kw):
    user = make_user(**kw)
    activities.register_volunteer(user, skills="", availability="", consent=True)
    return user


def _attending(activity, volunteer, staff):
    activities.sign_up(volunteer, activity)
    activities.mark_attendance(staff, activities.signup_of(volunteer, activity), True)
    return activities.signup_of(volunteer, activity)


def _service_minutes_total() -> int:
    return db.session.scalar(sa.select(sa.func.coalesce(sa.func.sum(ServiceRecord.minutes), 0))) or 0


# -- the attacks -------------------------------------------------------------------------------

def test_an_override_of_a_hundred_million_minutes_is_refused(client_for, make_user, places, organiser):
    activity = _activity(organiser, places)
    signup = _attending(activity, _volunteer(make_user), organiser)
    ended(activity)
    db.session.commit()
    org = client_for(organiser)
    response = org.post(f"/activities/{activity.id}/confirm",
                        {f"minutes-{signup.id}": "100000000", f"reason-{signup.id}": "辛苦"})
    assert response.status_code == 422
    page = text(response)
    assert "请填写 1 到 120 之间的整数" in page and 'value="100000000"' in page and 'value="辛苦"' in page
    assert _service_minutes_total() == 0
    # the service refuses it too, whatever the view lets through
    with pytest.raises(DomainError):
        activities.confirm(organiser, activity, {signup.id: (100_000_000, "辛苦")})
    assert _service_minutes_total() == 0


def test_confirming_before_the_activity_has_started_is_refused(client_for, make_user, places, organiser):
    activity = _activity(organiser, places)
    _attending(activity, _volunteer(make_user), organiser)
    db.session.commit()
    with pytest.raises(DomainError):
        activities.confirm(organiser, activity, {}, early_reason="提前结束")
    response = client_for(organiser).post(f"/activities/{activity.id}/confirm")
    assert response.status_code == 422 and "本活动尚未开始" in text(response)
    assert _service_minutes_total() == 0


def test_closing_early_needs_the_reason(make_user, places, organiser):
    activity = _activity(organiser, places)
    volunteer = _volunteer(make_user)
    _attending(activity, volunteer, organiser)
    activity.starts_at = utcnow() - timedelta(minutes=30)  # under way, ends in 90 minutes
    activity.ends_at = utcnow() + timedelta(minutes=90)
    with pytest.raises(DomainError) as refused:
        activities.confirm(organiser, activity, {})
    assert refused.value.field == "early_reason"
    assert activities.confirm(organiser, activity, {}, early_reason="暴雨，提前结束") == 1
    assert ledger.service_minutes(volunteer) == 120


def test_the_organiser_cannot_credit_their_own_hours(client_for, make_user, places, organiser):
    """Sign up for one's own activity, mark one's own attendance, confirm: nothing is credited
    until a second staff member confirms, and the record then names that person."""
    activity = _activity(organiser, places)
    activities.sign_up(organiser, activity)
    own = activities.signup_of(organiser, activity)
    with pytest.raises(DomainError):
        activities.mark_attendance(organiser, own, True)
    activities.check(organiser, activity)  # checking in at the venue is what everyone does
    ended(activity)
    db.session.commit()
    org = client_for(organiser)
    assert org.post(f"/activities/{activity.id}/confirm").status_code == 303
    assert ledger.account_of(organiser, create=False) is None and _service_minutes_total() == 0
    request = db.session.scalar(sa.select(LedgerRequest))
    assert (request.kind, request.user_id, request.minutes) == (RequestKind.service, organiser.id, 120)
    assert "待另一名工作人员确认" in text(org.get(f"/activities/{activity.id}/roster"))
    org.post(f"/ledger-requests/{request.id}/confirm")  # not by themselves
    assert _service_minutes_total() == 0
    second = make_user("social_worker", display_name="黄社工")
    assert client_for(second).post(f"/ledger-requests/{request.id}/confirm").status_code == 303
    record = db.session.scalar(sa.select(ServiceRecord))
    assert (record.volunteer_id, record.minutes) == (organiser.id, 120)
    assert record.recorded_by_id == record.verified_by_id == second.id
    assert ledger.verify()["problems"] == []


def test_a_staff_member_confirming_their_own_attendance_needs_a_second(make_user, places, organiser):
    """Not only the publisher: whoever confirms may not credit themselves either."""
    colleague = make_user("social_worker", community=places.community)
    activities.register_volunteer(colleague, skills="", availability="", consent=True)
    activity = _activity(organiser, places)
    _attending(activity, colleague, organiser)
    ended(activity)
    assert activities.confirm(colleague, activity, {}) == 0
    assert hours.pending_service_request(activity, colleague.id) is not None
    with pytest.raises(DomainError):
        ledger.decide_request(colleague, hours.pending_service_request(activity, colleague.id), confirm=True)


def test_fewer_minutes_need_a_reason_and_a_second_staff_member(make_user, places, organiser):
    activity = _activity(organiser, places)
    volunteer = _volunteer(make_user)
    signup = _attending(activity, volunteer, organiser)
    ended(activity)
    with pytest.raises(DomainError) as refused:
        activities.confirm(organiser, activity, {signup.id: (60, " ")})
    assert refused.value.field == f"reason-{signup.id}"
    assert activities.confirm(organiser, activity, {signup.id: (60, "提前离开")}) == 0
    assert ledger.account_of(volunteer, create=False) is None
    request = hours.pending_service_request(activity, volunteer.id)
    with pytest.raises(DomainError):
        ledger.decide_request(organiser, request, confirm=True)
    ledger.decide_request(make_user("social_worker"), request, confirm=True)
    assert ledger.service_minutes(volunteer) == 60


def test_subdistrict_staff_can_be_the_second_person(client_for, make_user, places, organiser):
    """A community with one social worker: its subdistrict's staff confirm; another subdistrict's cannot."""
    activity = _activity(organiser, places)
    signup = _attending(activity, _volunteer(make_user), organiser)
    ended(activity)
    activities.confirm(organiser, activity, {signup.id: (90, "迟到半小时")})
    request = db.session.scalar(sa.select(LedgerRequest))
    db.session.commit()
    outsider = client_for(make_user("subdistrict_staff", scope=places.other_subdistrict))
    assert outsider.get(f"/c/{places.community.id}/timebank/requests").status_code == 404
    assert outsider.post(f"/ledger-requests/{request.id}/confirm").status_code == 404
    staff = client_for(make_user("subdistrict_staff", display_name="王科长"))
    assert "迟到半小时" in text(staff.get(f"/c/{places.community.id}/timebank/requests"))
    assert "待确认时长" in text(staff.get("/manage/communities"))
    assert staff.post(f"/ledger-requests/{request.id}/confirm").headers["Location"] == \
        f"/c/{places.community.id}/timebank/requests"
    assert _service_minutes_total() == 90


def test_nobody_records_or_verifies_their_own_service(make_user):
    staff, volunteer = make_user("social_worker"), make_user()
    for recorder, verifier in [(volunteer, staff), (staff, volunteer)]:
        with pytest.raises(DomainError):
            ledger.credit_service(volunteer, 60, description="自证", served_on=date.today(), recorded_by=recorder,
                                  verified_by=verifier, idempotency_key=f"self-{recorder.id}")
    assert _service_minutes_total() == 0
    with pytest.raises(DomainError):  # nor asks a grant for themselves
        ledger.request_grant(volunteer, volunteer, 60, "自己")


@pytest.mark.parametrize("column", ["verified_by_id", "recorded_by_id"])
def test_the_database_refuses_a_self_verified_service_record(make_user, column):
    staff, volunteer = make_user("social_worker"), make_user()
    service = ledger.credit_service(volunteer, 60, description="助老", served_on=date.today(), recorded_by=staff,
                                    verified_by=staff, idempotency_key="ok")
    values = {"community_id": volunteer.community_id, "volunteer_id": volunteer.id, "minutes": 30,
              "description": "直接写库", "served_on": date.today(), "reference_type": "", "recorded_by_id": staff.id,
              "verified_by_id": staff.id, "txn_id": service.txn_id, "created_at": utcnow(), column: volunteer.id}
    with pytest.raises(sa.exc.IntegrityError), db.session.begin_nested():
        db.session.execute(sa.insert(ServiceRecord.__table__).values(**values))


def test_a_day_has_a_ceiling_for_each_volunteer(app, make_user):
    staff, volunteer = make_user("social_worker"), make_user()
    today, tomorrow = date.today(), date.today() + timedelta(days=1)

    def credit(minutes, day, key):
        return ledger.credit_service(volunteer, minutes, description="巡查", served_on=day, recorded_by=staff,
                                     verified_by=staff, idempotency_key=key)

    credit(600, today, "a")
    with pytest.raises(DomainError):
        credit(121, today, "b")  # 12 hours a day by default
    credit(120, today, "c")
    credit(720, tomorrow, "d")
    app.config["TIMEBANK_DAY_CEILING_HOURS"] = 4  # configurable
    with pytest.raises(DomainError):
        credit(241, today + timedelta(days=2), "e")
    assert ledger.service_minutes(volunteer) == 1440


def test_an_activity_credits_at_most_planned_minutes_times_attendees(make_user, places, organiser):
    activity = _activity(organiser, places, minutes=60)
    volunteer, absent = _volunteer(make_user), _volunteer(make_user)
    _attending(activity, volunteer, organiser)
    activities.sign_up(absent, activity)
    ended(activity)

    def credit(who, minutes, key):
        return ledger.credit_service(who, minutes, description="活动", served_on=date.today(), recorded_by=organiser,
                                     verified_by=organiser, idempotency_key=key, reference=("activity", activity.id))

    with pytest.raises(DomainError):
        credit(volunteer, 61, "over")  # above the plan for one volunteer
    credit(volunteer, 60, "ok")
    with pytest.raises(DomainError):
        credit(absent, 60, "absent")  # one attendee × 60 minutes: the activity has credited all it can
    assert ledger.verify()["problems"] == []


# -- numbers from forms ------------------------------------------------------------------------

@pytest.mark.parametrize("typed", ["١٢٠", "²", "１２０", "1_000", "+5", "-5", "1e3", "12.0", "", "0x10"])
def test_numbers_typed_into_the_roster_are_ascii_digits(client_for, make_user, places, organiser, typed):
    activity = _activity(organiser, places)
    signup = _attending(activity, _volunteer(make_user), organiser)
    ended(activity)
    db.session.commit()
    response = client_for(organiser).post(f"/activities/{activity.id}/confirm",
                                          {f"minutes-{signup.id}": typed, f"reason-{signup.id}": "核对"})
    if typed == "":  # an empty field means the planned minutes
        assert response.status_code == 303 and _service_minutes_total() == 120
    else:
        assert response.status_code == 422 and "请用数字 0–9 填写整数" in text(response)
        assert _service_minutes_total() == 0


def test_number_fields_refuse_other_digits_and_keep_what_was_typed(client_for, make_user, places):
    org = client_for(make_user("social_worker"))
    form = {"title": "敬老服务", "category": "助老", "place": "活动中心", "starts_at": "2030-01-10T09:00",
            "ends_at": "2030-01-10T11:00", "signup_deadline": "2030-01-09T18:00", "places": "٥", "minutes": "120"}
    response = org.post(f"/c/{places.community.id}/activities/new", form)
    assert response.status_code == 422 and "请用数字 0–9 填写整数" in text(response) and 'value="٥"' in text(response)
    response = org.post(f"/c/{places.community.id}/activities/new", {**form, "places": "5", "minutes": "100000000"})
    assert response.status_code == 422 and "请填写 1 到 720 之间的整数" in text(response)
    assert org.post(f"/c/{places.community.id}/activities/new", {**form, "places": " 5 "}).status_code == 303


# -- certificates ------------------------------------------------------------------------------

def test_a_certificate_whose_hours_were_reversed_says_so(client, make_user):
    first, second = make_user("social_worker"), make_user("social_worker")
    volunteer = make_user()
    service = ledger.credit_service(volunteer, 600, description="防汛巡查", served_on=date.today(),
                                    recorded_by=first, verified_by=first, idempotency_key="s")
    certificate = certificates.issue(volunteer, date.today(), date.today())
    db.session.commit()
    assert GENUINE in text(client.get(f"/certificates/{certificate.code}"))
    request = ledger.request_reversal(first, db.session.get(Txn, service.txn_id), "活动未开展")
    ledger.decide_request(second, request, confirm=True)
    db.session.commit()
    page = text(client.get(f"/certificates/{certificate.code}"))
    assert GENUINE not in page and "已更正" in page and "现为 0 小时" in page
    assert GENUINE not in text(client.get(f"/verify?code={certificate.code}"))


# -- verify finds what the rules would have refused -------------------------------------------

def _without_the_rules(monkeypatch):
    """As in a database from before the rules: no constraint (dropped in this transaction, which
    the caller rolls back) and no service check."""
    if db.session.get_bind().dialect.name == "sqlite":
        for name in ("ck_service_record_not_self_verified", "ck_service_record_not_self_recorded"):
            db.session.execute(sa.text(f"DROP TRIGGER {name}"))
    else:
        db.session.execute(sa.text("ALTER TABLE service_record DROP CONSTRAINT ck_service_record_not_self_verified, "
                                   "DROP CONSTRAINT ck_service_record_not_self_recorded"))
    monkeypatch.setattr(ledger, "check_service", lambda *a, **kw: None)


def test_verify_reports_self_verified_and_over_ceiling_records(monkeypatch, make_user, places, organiser):
    staff, volunteer = make_user("social_worker"), _volunteer(make_user)
    activity = _activity(organiser, places, minutes=60)
    _attending(activity, volunteer, organiser)
    ended(activity)
    db.session.commit()
    _without_the_rules(monkeypatch)
    self_verified = ledger.credit_service(organiser, 60, description="自证", served_on=date(2026, 1, 5),
                                          recorded_by=staff, verified_by=organiser, idempotency_key="self")
    self_recorded = ledger.credit_service(organiser, 60, description="自记", served_on=date(2026, 1, 6),
                                          recorded_by=organiser, verified_by=staff, idempotency_key="rec")
    ledger.credit_service(volunteer, 800, description="一天八百分钟", served_on=date(2026, 1, 7), recorded_by=staff,
                          verified_by=staff, idempotency_key="long")
    ledger.credit_service(volunteer, 300, description="活动", served_on=date.today(), recorded_by=organiser,
                          verified_by=organiser, idempotency_key="act", reference=("activity", activity.id))
    problems = ledger.verify()["problems"]
    assert problems == [
        f"service record {self_verified.id} is verified by its own volunteer (user {organiser.id})",
        f"service record {self_recorded.id} is recorded by its own volunteer (user {organiser.id})",
        f"volunteer {volunteer.id} has 800 minutes of service on 2026-01-07, above the day's ceiling of 720",
        f"activity {activity.id} credited 300 minutes of service, above its ceiling of 60 planned minutes × "
        "1 attendees",
    ]
    db.session.rollback()  # the constraint is back
    with pytest.raises(sa.exc.IntegrityError), db.session.begin_nested():
        db.session.execute(sa.insert(ServiceRecord.__table__).values(
            community_id=volunteer.community_id, volunteer_id=volunteer.id, minutes=30, description="x",
            served_on=date.today(), reference_type="", recorded_by_id=staff.id, verified_by_id=volunteer.id,
            created_at=utcnow()))


def test_the_verify_command_fails_on_a_self_verified_record(app, monkeypatch, make_user):
    from app.timebank.cli import verify_command

    staff, volunteer = make_user("social_worker"), make_user()
    _without_the_rules(monkeypatch)
    ledger.credit_service(volunteer, 60, description="自证", served_on=date.today(), recorded_by=staff,
                          verified_by=volunteer, idempotency_key="self")
    result = app.test_cli_runner().invoke(verify_command)
    assert result.exit_code == 1 and "verified by its own volunteer" in result.output
    db.session.rollback()
