"""Security headers on every response: pages, fragments, errors, static."""
from __future__ import annotations

from flask import request, session
from flask.sessions import SecureCookieSessionInterface
from flask_login import current_user

CSP = "; ".join([
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self'",
    "form-action 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "frame-ancestors 'none'",
])


class SessionInterface(SecureCookieSessionInterface):
    """Static files never carry the session cookie: they are cached a year by
    browsers and shared caches, and refreshing the login from a stylesheet
    request would only spread it."""

    def save_session(self, app, session, response) -> None:
        if request.endpoint == "static":
            return
        super().save_session(app, session, response)


def register(app) -> None:
    app.session_interface = SessionInterface()

    @app.after_request
    def _headers(response):
        h = response.headers
        h.setdefault("Content-Security-Policy", CSP)
        h["X-Content-Type-Options"] = "nosniff"
        h["Referrer-Policy"] = "same-origin"
        h["X-Frame-Options"] = "DENY"
        h["Cross-Origin-Opener-Policy"] = "same-origin"
        h["Permissions-Policy"] = "geolocation=(), microphone=(), camera=(), payment=()"
        if request.is_secure:
            h["Strict-Transport-Security"] = "max-age=31536000; includeSubDomains"
        if request.endpoint != "static":
            response.vary.add("Cookie")
            # Personal pages must not be kept by the browser or a proxy.
            if _authenticated():
                h["Cache-Control"] = "no-store"
                h["Pragma"] = "no-cache"
            elif _forget_unshown_token(response) and _public(response):
                # a visitor's page without a session: a proxy or the browser may keep it a minute,
                # and ask again with its ETag (304 when unchanged). Compression runs after this and
                # marks the tag per encoding.
                h["Cache-Control"] = "public, max-age=60"
                response.add_etag()
                response.make_conditional(request)
        return response


def _forget_unshown_token(response) -> bool:
    """A visitor's page that built a form object but showed no form (the topic page, a meeting) made a
    CSRF token nobody received: drop it (with Flask-Login's `_fresh` mark that a non-empty session gets),
    so the page starts no session. True when no such token is left."""
    if (request.method in ("GET", "HEAD") and session.modified
            and set(session) - {"_fresh"} == {"csrf_token"}
            and not response.is_streamed and not response.direct_passthrough):
        body = response.get_data()
        if b"csrf_token" in body or b"X-CSRFToken" in body:
            return False
        session.clear()
        session.modified = False
    return True


def _public(response) -> bool:
    """A visitor's successful GET that neither reads nor sets a session and chose no caching itself."""
    return (request.method in ("GET", "HEAD") and response.status_code == 200 and not session
            and not session.modified and "Cache-Control" not in response.headers
            and "Set-Cookie" not in response.headers and not response.is_streamed
            and not response.direct_passthrough)


def _authenticated() -> bool:
    try:
        return bool(current_user and current_user.is_authenticated)
    except Exception:  # the user loader failed (database gone): treat as personal
        return True
