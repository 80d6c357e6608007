"""Activity pages: publish, sign up, QR check-in, roster and confirmation."""
from __future__ import annotations

import sqlalchemy as sa

from app.extensions import db
from app.timebank import ledger
from app.timebank.models import ServiceRecord
from app.volunteering.models import Activity
from tests.conftest import text
from tests.volunteering.helpers import ended


def test_activity_from_publication_to_credited_hours(app, client_for, make_user, places, client):
    organiser = make_user("social_worker", display_name="李社工")
    org = client_for(organiser)
    bad = org.post(f"/c/{places.community.id}/activities/new", {
        "title": "敬老服务", "category": "助老", "place": "活动中心", "starts_at": "2030-01-10T09:00",
        "ends_at": "2030-01-10T08:00", "signup_deadline": "2030-01-09T18:00", "places": "2", "minutes": "120"})
    assert bad.status_code == 422 and "报名截止须早于开始时间" in text(bad) and 'value="敬老服务"' in text(bad)
    ok = org.post(f"/c/{places.community.id}/activities/new", {
        "title": "敬老服务", "category": "助老", "place": "活动中心", "starts_at": "2030-01-10T09:00",
        "ends_at": "2030-01-10T11:00", "signup_deadline": "2030-01-09T18:00", "places": "2", "minutes": "120"})
    assert ok.status_code == 303
    activity = db.session.scalar(sa.select(Activity))
    assert "敬老服务" in text(client.get(f"/c/{places.community.id}/activities"))

    volunteer = make_user(display_name="王阿姨")
    vol = client_for(volunteer)
    assert "注册志愿者后报名" in text(vol.get(f"/activities/{activity.id}"))
    no_consent = vol.post("/my/volunteer", {"skills": "理发", "availability": "周末"})
    assert no_consent.status_code == 422 and 'value="理发"' in text(no_consent)
    assert vol.post(f"/my/volunteer?next=/activities/{activity.id}", {"skills": "理发", "consent": "y"}).headers[
        "Location"] == f"/activities/{activity.id}"
    assert vol.post(f"/activities/{activity.id}/signup").status_code == 303
    assert "您已报名成功，有名额" in text(vol.get(f"/activities/{activity.id}"))

    from app.volunteering.views import _serializer

    with app.test_request_context():
        token = _serializer().dumps({"a": activity.id})
    page = text(vol.get(f"/activities/{activity.id}/check?t={token}"))
    assert 'name="t"' in page
    forged = vol.post(f"/activities/{activity.id}/check", {"t": token + "x", "out": "0"})
    assert forged.status_code == 303
    assert vol.post(f"/activities/{activity.id}/check", {"t": token, "out": "0"}).status_code == 303
    roster = text(org.get(f"/activities/{activity.id}/roster"))
    assert "王阿姨" in roster and "已签到" in roster
    assert "时长（分钟）" in roster and "会议纪要" not in roster  # time, not a meeting's minutes
    assert org.get(f"/activities/{activity.id}/qr.svg").headers["Content-Type"] == "image/svg+xml"
    ended(activity)
    assert org.post(f"/activities/{activity.id}/confirm").status_code == 303
    assert org.post(f"/activities/{activity.id}/confirm").status_code == 303  # twice: credited once
    assert db.session.scalar(sa.select(sa.func.count(ServiceRecord.id))) == 1
    assert ledger.account_of(volunteer).balance == 120
    assert "敬老服务" in text(vol.get("/my/timebank"))


def test_other_community_organiser_gets_404(client_for, make_user, places):
    from datetime import timedelta

    from app.sqltypes import utcnow
    from app.volunteering import services as activities

    organiser = make_user("social_worker")
    start = utcnow() + timedelta(days=1)
    activity = activities.publish(organiser, places.community, title="t", description="", category="环境", place="p",
                                  starts_at=start, ends_at=start + timedelta(hours=1),
                                  signup_deadline=start - timedelta(hours=1), places=1, minutes=60)
    db.session.commit()
    outsider = client_for(make_user("social_worker", scope=places.other))
    assert outsider.get(f"/activities/{activity.id}/roster").status_code == 404
    assert outsider.post(f"/activities/{activity.id}/confirm").status_code == 404


def test_check_in_link_expires_and_a_replay_changes_nothing(app, client_for, make_user, places, monkeypatch):
    from datetime import timedelta

    from app.sqltypes import utcnow
    from app.volunteering import services as activities
    from app.volunteering import views as activity_views

    organiser, volunteer = make_user("social_worker"), make_user()
    start = utcnow() + timedelta(days=1)
    activity = activities.publish(organiser, places.community, title="t", description="", category="环境", place="p",
                                  starts_at=start, ends_at=start + timedelta(hours=1),
                                  signup_deadline=start - timedelta(hours=1), places=2, minutes=60)
    activities.register_volunteer(volunteer, skills="", availability="", consent=True)
    activities.sign_up(volunteer, activity)
    db.session.commit()
    with app.test_request_context():
        token = activity_views._serializer().dumps({"a": activity.id})
    c = client_for(volunteer)
    monkeypatch.setattr(activity_views, "CHECK_MAX_AGE", -1)  # every token is too old
    assert "签到链接已过期" in text(c.get(f"/activities/{activity.id}/check?t={token}"))
    c.post(f"/activities/{activity.id}/check", {"t": token, "out": "0"})
    signup = activities.signup_of(volunteer, activity)
    assert signup.checked_in_at is None
    monkeypatch.setattr(activity_views, "CHECK_MAX_AGE", 4 * 3600)
    c.post(f"/activities/{activity.id}/check", {"t": token, "out": "0"})
    db.session.refresh(signup)
    first = signup.checked_in_at
    assert first is not None
    c.post(f"/activities/{activity.id}/check", {"t": token, "out": "0"})  # the same link again
    db.session.refresh(signup)
    assert signup.checked_in_at == first


def _upcoming(organiser, community):
    from datetime import timedelta

    from app.sqltypes import utcnow
    from app.volunteering import services

    start = utcnow() + timedelta(days=1)
    activity = services.publish(organiser, community, title="t", description="", category="环境", place="p",
                                starts_at=start, ends_at=start + timedelta(hours=1),
                                signup_deadline=start - timedelta(hours=1), places=1, minutes=60)
    db.session.commit()
    return activity


def test_a_cancel_reason_refused_answers_422_on_the_field_and_keeps_it(client_for, make_user, places):
    from app.volunteering.models import ActivityState

    organiser = make_user("social_worker")
    activity = _upcoming(organiser, places.community)
    c = client_for(organiser)
    empty = c.post(f"/activities/{activity.id}/cancel", {"reason": ""})
    assert empty.status_code == 422 and "此项必填" in text(empty)
    long = "雨" * 201
    too_long = c.post(f"/activities/{activity.id}/cancel", {"reason": long})
    assert too_long.status_code == 422 and long in text(too_long)
    db.session.refresh(activity)
    assert activity.state is ActivityState.published


def test_actions_follow_the_state(make_user, places):
    from app.volunteering import services

    organiser, volunteer, outsider = make_user("social_worker"), make_user(), make_user("social_worker",
                                                                                       scope=places.other)
    services.register_volunteer(volunteer, skills="", availability="", consent=True)
    activity = _upcoming(organiser, places.community)
    assert services.actions_for(volunteer, activity).sign_up
    assert not services.actions_for(volunteer, activity).organise
    assert services.actions_for(organiser, activity).cancel
    assert not services.actions_for(outsider, activity).cancel
    services.sign_up(volunteer, activity)
    mine = services.actions_for(volunteer, activity)
    assert mine.cancel_signup and not mine.sign_up and mine.has_place
    services.cancel(organiser, activity, "下雨")
    closed = services.actions_for(organiser, activity)
    assert closed.organise and not (closed.cancel or closed.confirm or closed.mark_attendance)
    assert not services.actions_for(volunteer, activity).cancel_signup


def _published(organiser, places, *, volunteer=None):
    from datetime import timedelta

    from app.sqltypes import utcnow
    from app.volunteering import services as activities

    start = utcnow() + timedelta(days=1)
    activity = activities.publish(organiser, places.community, title="t", description="", category="环境", place="p",
                                  starts_at=start, ends_at=start + timedelta(hours=1),
                                  signup_deadline=start - timedelta(hours=1), places=2, minutes=60)
    if volunteer is not None:
        activities.register_volunteer(volunteer, skills="", availability="", consent=True)
        activities.sign_up(volunteer, activity)
    db.session.commit()
    return activity


EXPIRED = "表单已过期或来源无效，请刷新页面后重试。"


def test_a_button_whose_form_is_refused_says_so_and_changes_nothing(app, client_for, make_user, places):
    """The form a button posts (only its CSRF token) is checked by the form
    itself where the site-wide check is off: a refused form is a message back
    on the page (303), never 403 "no permission", and nothing changes."""
    from app.volunteering import services as activities
    from app.volunteering.models import Signup

    organiser, volunteer, other = make_user("social_worker"), make_user(), make_user()
    activity = _published(organiser, places, volunteer=other)
    activities.register_volunteer(volunteer, skills="", availability="", consent=True)
    db.session.commit()
    app.config["WTF_CSRF_CHECK_DEFAULT"] = False  # the form's own check decides
    vol = client_for(volunteer)
    refused = vol.post(f"/activities/{activity.id}/signup", csrf=False)
    assert refused.status_code == 303 and refused.headers["Location"] == f"/activities/{activity.id}"
    assert EXPIRED in text(vol.get(f"/activities/{activity.id}"))
    assert activities.signup_of(volunteer, activity) is None
    org = client_for(organiser)
    signup = db.session.scalar(sa.select(Signup).where(Signup.volunteer_id == other.id))
    marked = org.post(f"/activities/{activity.id}/attendance", {"signup_id": signup.id, "attended": "1"}, csrf=False)
    assert marked.status_code == 303 and EXPIRED in text(org.get(f"/activities/{activity.id}/roster"))
    db.session.refresh(signup)
    assert not signup.attended
    assert vol.post(f"/activities/{activity.id}/signup").status_code == 303  # with its token: signed up
    assert activities.signup_of(volunteer, activity) is not None


def test_a_refused_confirmation_keeps_the_roster_and_what_was_typed(app, client_for, make_user, places):
    """The roster's confirmation without a valid form: 422 with the message
    and the typed minutes, nothing credited."""
    from app.volunteering import services as activities

    organiser, volunteer = make_user("social_worker"), make_user()
    activity = _published(organiser, places, volunteer=volunteer)
    signup = activities.signup_of(volunteer, activity)
    activities.mark_attendance(organiser, signup, True)
    ended(activity)
    db.session.commit()
    app.config["WTF_CSRF_CHECK_DEFAULT"] = False
    org = client_for(organiser)
    refused = org.post(f"/activities/{activity.id}/confirm", {f"minutes-{signup.id}": "45",
                                                              f"reason-{signup.id}": "早退"}, csrf=False)
    assert refused.status_code == 422
    assert EXPIRED in text(refused) and 'value="45"' in text(refused) and "早退" in text(refused)
    assert db.session.scalar(sa.select(sa.func.count(ServiceRecord.id))) == 0


def test_a_post_without_its_token_is_a_form_error_not_a_permission_error(client_for, make_user, places):
    """With the site-wide check on (as served), a missing token is refused
    before the route: 400 with the reload message, not 403."""
    from app.volunteering import services as activities

    organiser, volunteer = make_user("social_worker"), make_user()
    activity = _published(organiser, places)
    activities.register_volunteer(volunteer, skills="", availability="", consent=True)
    db.session.commit()
    refused = client_for(volunteer).post(f"/activities/{activity.id}/signup", csrf=False)
    assert refused.status_code == 400 and EXPIRED in text(refused)
    assert activities.signup_of(volunteer, activity) is None
