"""A visitor's pages set no cookie and may be cached a minute (public, ETag,
304); the login and registration forms get the session cookie and their
token; a visitor's language and text size are links that set only a
preference cookie; signed-in pages stay no-store."""
from __future__ import annotations

import re

import pytest

from app.consultation.models import Topic, TopicState
from app.extensions import db
from app.sqltypes import utcnow
from tests.conftest import Client, text


@pytest.fixture
def make_topic(places, make_user):
    def make(state=TopicState.published):
        topic = Topic(community_id=places.community.id, author_id=make_user().id, title="3幢加装电梯意见征集",
                      body="请大家提意见。", state=state, published_at=utcnow())
        db.session.add(topic)
        db.session.commit()
        return topic
    return make


@pytest.fixture
def public_paths(places, make_topic):
    topic = make_topic(TopicState.published)
    c = places.community.id
    return ["/", "/communities", f"/c/{c}", f"/c/{c}/topics", f"/topics/{topic.id}", f"/c/{c}/activities",
            "/display"]


def test_a_visitors_pages_set_no_cookie_and_are_cacheable(app, public_paths):
    for path in public_paths:
        client = Client(app.test_client())
        response = client.get(path)
        assert response.status_code == 200, path
        assert "Set-Cookie" not in response.headers, path
        assert response.headers["Cache-Control"] == "public, max-age=60", path
        assert "Cookie" in response.headers["Vary"]  # a preference cookie changes the page
        assert 'name="csrf_token"' not in text(response) and "X-CSRFToken" not in text(response), path
        etag = response.headers["ETag"]
        again = client.get(path, headers={"If-None-Match": etag})
        assert again.status_code == 304 and again.data == b"" and "Set-Cookie" not in again.headers, path
        zipped = client.get(path, headers={"Accept-Encoding": "gzip"})
        assert zipped.headers["Content-Encoding"] == "gzip" and zipped.headers["ETag"] != etag
        assert client.get(path, headers={"Accept-Encoding": "gzip",
                                         "If-None-Match": zipped.headers["ETag"]}).status_code == 304, path


def test_a_changed_page_gets_a_new_etag(app, places, make_topic):
    topic = make_topic(TopicState.published)
    client = Client(app.test_client())
    first = client.get(f"/topics/{topic.id}").headers["ETag"]
    topic.title = "新的标题：小区绿化"
    db.session.commit()
    response = client.get(f"/topics/{topic.id}", headers={"If-None-Match": first})
    assert response.status_code == 200 and "新的标题" in text(response) and response.headers["ETag"] != first


def test_login_and_registration_get_the_cookie_and_work_with_their_token(app, make_user, places):
    user = make_user(login="13900001111")
    client = Client(app.test_client())
    page = client.get("/login")
    assert "linli_session=" in page.headers["Set-Cookie"] and "public" not in page.headers.get("Cache-Control", "")
    token = re.search(r'name="csrf_token" value="([^"]+)"', text(page)).group(1)
    assert f'"X-CSRFToken": "{token}"' in text(page)  # htmx requests from these pages carry it too
    assert client.post("/login", {"login": "13900001111", "password": "wrong"}, csrf=False).status_code == 400  # no token
    response = client.post("/login", {"login": "13900001111", "password": "correct horse battery",
                                      "csrf_token": token})
    assert response.status_code == 303
    home = client.get("/")
    assert home.headers["Cache-Control"] == "no-store" and "ETag" not in home.headers
    assert user.display_name in text(home)

    visitor = Client(app.test_client())
    form = visitor.get("/register")
    assert "linli_session=" in form.headers["Set-Cookie"]
    token = re.search(r'name="csrf_token" value="([^"]+)"', text(form)).group(1)
    refused = visitor.post("/register", {"csrf_token": token})
    assert refused.status_code == 422  # the token was accepted: the form's own errors answer


def test_a_visitors_preferences_are_links_that_set_only_their_cookie(app, places):
    client = Client(app.test_client())
    page = text(client.get("/communities"))
    assert 'href="/prefs/locale?locale=en&amp;next=/communities"' in page
    assert 'href="/prefs/text-size?text_size=large&amp;next=/communities"' in page or "text_size=" in page
    response = client.get("/prefs/locale?locale=en&next=/communities")
    assert response.status_code == 303 and response.headers["Location"] == "/communities"
    cookies = response.headers.getlist("Set-Cookie")
    assert len(cookies) == 1 and cookies[0].startswith("locale=en;")
    english = client.get("/communities")
    assert '<html lang="en"' in text(english) and "Set-Cookie" not in english.headers
    assert english.headers["Cache-Control"] == "public, max-age=60"
    size = client.get("/prefs/text-size?text_size=xlarge&next=/")
    assert size.headers["Set-Cookie"].startswith("text_size=xlarge;") and 'class="text-xlarge"' in text(client.get("/"))
    for bad in ["/prefs/locale?locale=fr&next=/", "/prefs/text-size?text_size=huge", "/prefs/locale?locale=en&next=//evil.example"]:
        response = client.get(bad)
        assert response.status_code == 303 and response.headers["Location"].startswith("/")
        assert not response.headers["Location"].startswith("//")
    assert "Set-Cookie" not in client.get("/prefs/locale?locale=fr&next=/").headers


def test_signed_in_pages_stay_private_and_their_preference_links_do_nothing(app, make_user):
    user = make_user()
    client = Client(app.test_client())
    client.login(user)
    response = client.get("/communities")
    assert response.headers["Cache-Control"] == "no-store" and "ETag" not in response.headers
    assert 'action="/prefs/locale"' in text(response)  # the POST forms, stored on the account
    link = client.get("/prefs/locale?locale=en&next=/communities")
    assert link.status_code == 303 and "locale=" not in link.headers.get("Set-Cookie", "")


def test_a_form_built_but_not_shown_starts_no_session(app):
    from flask import render_template_string

    from app.accounts.forms import DecisionForm

    @app.get("/built-form-test-only")
    def built_form():
        DecisionForm()  # as a page that prepares forms only a signed-in person sees
        return render_template_string("<p>公开</p>")

    @app.get("/shown-form-test-only")
    def shown_form():
        return render_template_string("<form>{{ form.csrf_token }}</form>", form=DecisionForm())

    client = Client(app.test_client())
    quiet = client.get("/built-form-test-only")
    assert "Set-Cookie" not in quiet.headers and quiet.headers["Cache-Control"] == "public, max-age=60"
    shown = client.get("/shown-form-test-only")
    assert "linli_session=" in shown.headers["Set-Cookie"] and "public" not in shown.headers.get("Cache-Control", "")
