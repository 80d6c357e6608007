"""Security headers on pages, fragments and errors; no-store when personal."""
from __future__ import annotations

from tests.conftest import text


def _check(response):
    h = response.headers
    csp = h["Content-Security-Policy"]
    for part in ["default-src 'self'", "object-src 'none'", "base-uri 'none'", "frame-ancestors 'none'",
                 "script-src 'self'"]:
        assert part in csp
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert h["X-Content-Type-Options"] == "nosniff"
    assert h["Referrer-Policy"] == "same-origin"
    assert h["X-Frame-Options"] == "DENY"


def test_headers_on_page_fragment_and_errors(client_for, make_user, client):
    _check(client.get("/"))
    _check(client.get("/does-not-exist"))
    _check(client.post("/logout"))  # 400 CSRF error page
    static = client.get("/static/css/app.css")
    _check(static)
    static.close()
    user = make_user()
    c = client_for(user)
    _check(c.get("/notifications/badge", headers={"HX-Request": "true"}))
    forbidden = c.get("/admin")
    assert forbidden.status_code == 403
    _check(forbidden)


def test_authenticated_pages_are_not_cached(client_for, make_user, client):
    assert "no-store" not in client.get("/").headers.get("Cache-Control", "")
    c = client_for(make_user())
    for path in ["/", "/account", "/notifications"]:
        assert c.get(path).headers["Cache-Control"] == "no-store"


def test_error_pages_are_generic_and_bilingual(app, client):
    response = client.get("/nope")
    assert response.status_code == 404 and "找不到页面" in text(response)
    client.post("/prefs/locale", {"locale": "en"})
    english = client.get("/nope")
    assert "Not found" in text(english) and "Traceback" not in text(english)


def test_500_is_generic_with_no_stack_trace(app, client):
    @app.get("/boom-test-only")
    def boom():
        raise RuntimeError("secret internals")

    response = client.get("/boom-test-only")
    assert response.status_code == 500
    assert "secret internals" not in text(response) and "Traceback" not in text(response)
    assert "系统出现问题" in text(response)
    _check(response)


def test_413_when_too_large(app, client):
    app.config["MAX_CONTENT_LENGTH"] = 1000
    response = client.post("/login", {"login": "x" * 5000, "password": "y"}, csrf=False)
    assert response.status_code == 413 and "提交的内容过大" in text(response)


def test_max_content_length_is_set(app):
    assert app.config["MAX_CONTENT_LENGTH"] == 20 * 1024 * 1024


def test_htmx_error_responses_are_fragments_with_a_message(client_for, make_user):
    c = client_for(make_user())
    response = c.get("/admin", headers={"HX-Request": "true"})
    assert response.status_code == 403
    assert "<html" not in text(response) and "data-error-message" in text(response)


def test_static_files_carry_no_session_cookie(client_for, make_user, client):
    """Static files are cached by browsers and proxies: a Set-Cookie there
    would be shared, and it refreshes the session for no reason."""
    for c in (client, client_for(make_user())):
        static = c.get("/static/css/app.css")
        assert static.status_code == 200
        assert "Set-Cookie" not in static.headers
        assert "Cookie" not in static.headers.get("Vary", "")
        static.close()
