"""The notification centre."""
from __future__ import annotations

import sqlalchemy as sa

from app.extensions import db
from app.notifications import services
from app.notifications.models import Notification
from tests.conftest import text


def _note(user, **params):
    n = services.notify(user, "accounts.residence_rejected", link="/account",
                        community=params.get("community", "朝阳社区"), reason=params.get("reason", "楼号有误"))
    db.session.commit()
    return n


def test_bell_shows_unread_count_and_list_renders_in_reader_language(client_for, make_user):
    user = make_user()
    _note(user)
    _note(user, reason="请补充住址")
    c = client_for(user)
    page = text(c.get("/"))
    assert 'id="notification-badge"' in page and 'class="count" aria-hidden="true">2<' in page
    listing = text(c.get("/notifications"))
    assert "您在朝阳社区的居住认证未通过：请补充住址" in listing
    c.post("/prefs/locale", {"locale": "en"})
    assert "Your residence verification for 朝阳社区 was not approved: 请补充住址" in text(c.get("/notifications"))


def test_opening_a_notification_marks_it_read_and_follows_its_link(client_for, make_user):
    user = make_user()
    n = _note(user)
    c = client_for(user)
    response = c.post(f"/notifications/{n.id}/read")
    assert response.status_code == 303 and response.headers["Location"] == "/account"
    db.session.refresh(n)
    assert n.read_at is not None
    assert services.unread_count(user) == 0


def test_someone_elses_notification_is_not_found(client_for, make_user):
    owner, other = make_user(), make_user()
    n = _note(owner)
    assert client_for(other).post(f"/notifications/{n.id}/read").status_code == 404
    db.session.refresh(n)
    assert n.read_at is None


def test_mark_all_read_with_and_without_htmx(client_for, make_user):
    user = make_user()
    for _ in range(3):
        _note(user)
    c = client_for(user)
    fragment = c.post("/notifications/read-all", headers={"HX-Request": "true"})
    assert fragment.status_code == 200
    assert "<html" not in text(fragment) and 'id="notification-list"' in text(fragment)
    assert services.unread_count(user) == 0
    _note(user)
    assert c.post("/notifications/read-all").status_code == 303
    assert db.session.scalar(sa.select(sa.func.count(Notification.id)).where(Notification.read_at.is_(None))) == 0


def test_badge_fragment(client_for, make_user):
    user = make_user()
    _note(user)
    response = client_for(user).get("/notifications/badge", headers={"HX-Request": "true"})
    assert response.status_code == 200 and "<html" not in text(response) and ">1<" in text(response)


def test_unknown_kind_is_refused(app, make_user):
    import pytest

    with pytest.raises(ValueError):
        services.notify(make_user(), "no.such.kind")


def test_list_pages_older_notifications(client_for, make_user):
    user = make_user()
    notes = [_note(user, reason=f"原因{i}") for i in range(35)]
    c = client_for(user)
    first = text(c.get("/notifications"))
    assert "原因34" in first and "原因0" not in first
    older = text(c.get(f"/notifications?before={notes[5].id}"))
    assert "原因0" in older and "原因34" not in older


# -- rendered when read ------------------------------------------------------

def test_role_granted_by_a_chinese_speaking_admin_reads_in_the_readers_language(client_for, make_user, places):
    from app.accounts.models import Role
    from app.accounts.services import assign_role

    admin, reader = make_user("admin"), make_user()
    admin.locale = "zh_CN"
    assign_role(admin, reader, Role.social_worker, places.community.id)
    db.session.commit()
    n = db.session.scalar(sa.select(Notification).where(Notification.user_id == reader.id))
    assert n.params == {"role": "social_worker"} and n.endpoint == "accounts.show_account"
    c = client_for(reader)
    assert "您获得了新角色：社工。" in text(c.get("/notifications"))
    c.post("/prefs/locale", {"locale": "en"})
    listing = text(c.get("/notifications"))
    assert "You have been given a new role: Social worker." in listing
    response = c.post(f"/notifications/{n.id}/read")
    assert response.headers["Location"] == "/account"


def test_a_time_is_shown_in_the_readers_zone(client_for, make_user):
    from datetime import datetime, timezone

    from flask_babel import lazy_gettext as _l

    services.register_kind("tests.meeting", _l("Meeting on %(when)s."))
    user = make_user()
    n = services.notify(user, "tests.meeting", endpoint="notifications.list_notifications",
                        when=datetime(2026, 5, 1, 0, 0, tzinfo=timezone.utc))  # 08:00 in Beijing
    db.session.commit()
    assert n.params["when"] == {services.DATETIME_TAG: "2026-05-01T00:00:00+00:00"}
    listing = text(client_for(user).get("/notifications"))
    assert "2026-05-01 08:00" in listing and "00:00" not in listing.split("Meeting")[-1][:40]


def test_a_label_key_and_a_lazy_string_are_translated_at_read(client_for, make_user):
    from flask_babel import lazy_gettext as _l

    from app.accounts.models import ROLE_LABELS, Role

    services.register_kind("tests.labelled", _l("You have been given a new role: %(role)s."),
                           labels={"role": ROLE_LABELS})
    user = make_user()
    services.notify(user, "tests.labelled", role=_l("Administrator"))
    services.notify(user, "tests.labelled", role=Role.admin)
    db.session.commit()
    c = client_for(user)
    c.post("/prefs/locale", {"locale": "en"})
    assert text(c.get("/notifications")).count("You have been given a new role: Administrator.") == 2


def test_old_rows_with_only_a_link_still_render_and_open(client_for, make_user):
    user = make_user()
    old = Notification(user_id=user.id, kind="accounts.residence_rejected", link="/account",
                       params={"community": "朝阳社区", "reason": "楼号有误"})
    db.session.add(old)
    db.session.commit()
    c = client_for(user)
    assert "您在朝阳社区的居住认证未通过：楼号有误" in text(c.get("/notifications"))
    assert c.post(f"/notifications/{old.id}/read").headers["Location"] == "/account"
