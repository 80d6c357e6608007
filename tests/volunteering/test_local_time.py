"""Every calendar date is the community's local date (Asia/Shanghai), never
UTC's: the flows at 07:00-ish and 23:30 local time, with the clock frozen."""
from __future__ import annotations

import re
from datetime import date, datetime, timedelta, timezone

import pytest
import sqlalchemy as sa

from app import localtime
from app.extensions import db
from app.sqltypes import utcnow
from app.timebank import ledger
from app.volunteering import services as activities
from app.timebank.models import ServiceRecord
from tests.conftest import text

UTC = timezone.utc


def freeze(monkeypatch, moment: datetime) -> None:
    monkeypatch.setattr(localtime, "now_utc", lambda: moment)


def _activity_at(organiser, volunteer, community, starts_at: datetime):
    """An activity starting at `starts_at` (UTC) that `volunteer` attended and that has ended."""
    ahead = utcnow() + timedelta(days=1)
    activity = activities.publish(organiser, community, title="清晨巡河", description="", category="环境", place="河边",
                                  starts_at=ahead, ends_at=ahead + timedelta(hours=1),
                                  signup_deadline=ahead - timedelta(hours=1), places=3, minutes=60)
    activities.register_volunteer(volunteer, skills="", availability="", consent=True)
    activities.sign_up(volunteer, activity)
    activities.check(volunteer, activity)
    activity.starts_at, activity.ends_at = starts_at, starts_at + timedelta(hours=1)
    activity.signup_deadline = starts_at - timedelta(hours=1)
    db.session.flush()
    return activity


@pytest.mark.parametrize("starts_at, served_on", [
    (datetime(2024, 11, 29, 23, 50, tzinfo=UTC), date(2024, 11, 30)),  # 07:50 on 30 November in Beijing
    (datetime(2024, 11, 30, 15, 30, tzinfo=UTC), date(2024, 11, 30)),  # 23:30 on 30 November
])
def test_an_activity_is_served_on_its_local_day(make_user, places, starts_at, served_on):
    organiser, volunteer = make_user("social_worker"), make_user()
    activity = _activity_at(organiser, volunteer, places.community, starts_at)
    assert activities.confirm(organiser, activity, {}) == 1
    record = db.session.scalar(sa.select(ServiceRecord).where(ServiceRecord.volunteer_id == volunteer.id))
    assert record.served_on == served_on


def test_a_second_staff_members_credit_is_served_on_the_local_day(make_user, places):
    organiser = make_user("social_worker", community=places.community)  # also a resident who volunteers
    second = make_user("social_worker")
    activity = _activity_at(organiser, organiser, places.community, datetime(2024, 11, 29, 23, 50, tzinfo=UTC))
    activities.confirm(second, activity, {})  # the organiser's own service waits for a second staff member
    (request,) = activities.pending_credits(activity)
    ledger.decide_request(make_user("social_worker"), request, confirm=True)
    record = db.session.scalar(sa.select(ServiceRecord).where(ServiceRecord.volunteer_id == organiser.id))
    assert record.served_on == date(2024, 11, 30)


def _field(page: str, name: str) -> str:
    return re.search(rf'name="{name}"[^>]*value="([^"]*)"|value="([^"]*)"[^>]*name="{name}"', page).group(1)


@pytest.mark.parametrize("now, period", [
    (datetime(2030, 11, 29, 23, 10, tzinfo=UTC), ("2030-01-01", "2030-11-30")),  # 07:10 on 30 November
    (datetime(2030, 12, 31, 15, 30, tzinfo=UTC), ("2030-01-01", "2030-12-31")),  # 23:30 on 31 December
    (datetime(2030, 12, 31, 16, 30, tzinfo=UTC), ("2031-01-01", "2031-01-01")),  # 00:30 on 1 January
])
def test_default_periods_end_today_local(client_for, make_user, monkeypatch, now, period):
    c = client_for(make_user())
    freeze(monkeypatch, now)
    for url in ("/my/certificates", "/my/timebank/statement"):
        page = text(c.get(url))
        assert (_field(page, "period_from"), _field(page, "period_to")) == period, url


def test_this_year_begins_at_local_midnight(client_for, make_user, places, monkeypatch):
    staff, volunteer = make_user("social_worker"), make_user()
    for day, minutes, key in ((date(2030, 12, 31), 90, "old"), (date(2031, 1, 1), 60, "new")):
        ledger.credit_service(volunteer, minutes, description="助老", served_on=day, recorded_by=staff,
                              verified_by=staff, idempotency_key=key)
    db.session.commit()
    c = client_for(volunteer)
    freeze(monkeypatch, datetime(2030, 12, 31, 16, 30, tzinfo=UTC))  # 00:30 on 1 January 2031
    page = text(c.get("/my/timebank"))
    assert "累计 2 小时 30 分钟，今年 1 小时" in page
    assert "2031" in text(c.get(f"/c/{places.community.id}/timebank"))
