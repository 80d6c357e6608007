"""Chinese by default, English on request; elder-mode text sizes that persist."""
from __future__ import annotations

import re

from app.accounts.models import TextSize
from app.extensions import db
from tests.conftest import text


def test_chinese_by_default(client, places):
    body = text(client.get("/"))
    assert '<html lang="zh-CN"' in body and "我们的社区" in body and "登录" in body


def test_switch_to_english_and_back_with_a_cookie(client, places):
    response = client.post("/prefs/locale", {"locale": "en", "next": "/login"})
    assert response.status_code == 303 and response.headers["Location"] == "/login"
    body = text(client.get("/"))
    assert '<html lang="en"' in body and "Our communities" in body
    client.post("/prefs/locale", {"locale": "zh_CN"})
    assert "我们的社区" in text(client.get("/"))


def test_unknown_locale_and_offsite_next_are_refused(client, places):
    response = client.post("/prefs/locale", {"locale": "fr", "next": "https://evil.example/"})
    assert response.status_code == 303 and response.headers["Location"] == "/"
    assert "我们的社区" in text(client.get("/"))


def test_logged_in_choice_is_kept_on_the_account(client_for, make_user, app):
    user = make_user()
    c = client_for(user)
    c.post("/prefs/locale", {"locale": "en"})
    c.post("/prefs/text-size", {"text_size": "xlarge"})
    db.session.refresh(user)
    assert user.locale == "en" and user.text_size is TextSize.xlarge
    other_device = client_for(user)
    body = text(other_device.get("/"))
    assert '<html lang="en" class="text-xlarge"' in body


def test_text_size_cookie_when_logged_out(client, places):
    assert 'class="text-standard"' in text(client.get("/"))
    client.post("/prefs/text-size", {"text_size": "large"})
    body = text(client.get("/"))
    assert 'class="text-large"' in body
    assert re.search(r'text_size=large[^>]*aria-pressed="true"', body)  # a visitor's choice is a link
    client.post("/prefs/text-size", {"text_size": "huge"})
    assert 'class="text-large"' in text(client.get("/"))


def test_elder_mode_css_sizes(app):
    from pathlib import Path

    css = (Path(app.static_folder) / "css" / "app.css").read_text()
    assert ":root { --pico-font-size: 100%; --tap: 44px; }" in css  # 16 px body, 44 px targets
    assert ":root.text-large { --pico-font-size: 125%; --tap: 60px; }" in css  # 20 px, 60 px
    assert ":root.text-xlarge { --pico-font-size: 150%; --tap: 60px; }" in css  # 24 px, 60 px


def test_catalogs_are_complete_and_current():
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tools"))
    import i18n

    assert i18n.problems() == []


def test_translated_lazy_strings_in_notifications_and_roles(client_for, make_user):
    admin = client_for(make_user("admin"))
    user = make_user()
    admin.post(f"/admin/users/{user.id}/roles", {"role": "admin", "scope": ""})
    body = text(client_for(user).get("/notifications"))
    assert "您获得了新角色：系统管理员。" in body
