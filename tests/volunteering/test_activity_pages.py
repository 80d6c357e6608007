"""The community's activity calendar comes a page at a time, with previous
and next links that work without JavaScript."""
from __future__ import annotations

import re
from datetime import timedelta

from app.extensions import db
from app.sqltypes import utcnow
from app.volunteering import services
from app.volunteering.services import ACTIVITY_PAGE
from tests.conftest import text


def _publish(organiser, community, n: int) -> None:
    soon = utcnow() + timedelta(days=1)
    for i in range(n):
        start = soon + timedelta(hours=i)
        services.publish(organiser, community, title=f"活动{i:03d}", description="", category="环境", place="p",
                         starts_at=start, ends_at=start + timedelta(hours=1),
                         signup_deadline=start - timedelta(hours=1), places=1, minutes=60)
    db.session.commit()


def test_the_calendar_pages_with_previous_and_next_links(client, make_user, places):
    organiser = make_user("social_worker")
    _publish(organiser, places.community, ACTIVITY_PAGE + 5)
    url = f"/c/{places.community.id}/activities"
    first = text(client.get(url))
    titles = re.findall(r"活动(\d{3})", first)
    assert titles == [f"{i:03d}" for i in range(ACTIVITY_PAGE)]  # soonest first
    assert f'rel="next" href="{url}?page=2"' in first and 'rel="prev"' not in first
    second = text(client.get(f"{url}?page=2"))
    assert re.findall(r"活动(\d{3})", second) == [f"{i:03d}" for i in range(ACTIVITY_PAGE, ACTIVITY_PAGE + 5)]
    assert f'rel="prev" href="{url}?page=1"' in second and 'rel="next"' not in second
    past = client.get(f"{url}?page=3")  # past the end: an empty page with a way back, not an error
    assert past.status_code == 200 and not re.findall(r"活动\d{3}", text(past)) and 'rel="prev"' in text(past)
    assert client.get(f"{url}?page=0").status_code == 400
    assert client.get(f"{url}?page=abc").status_code == 400


def test_a_short_calendar_has_no_page_links(client, make_user, places):
    _publish(make_user("social_worker"), places.community, 3)
    page = text(client.get(f"/c/{places.community.id}/activities"))
    assert 'rel="next"' not in page and 'class="pages"' not in page
