"""Security headers on every response: pages, fragments, errors, static."""
from __future__ import annotations

from flask import request
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
        return response


def _authenticated() -> bool:
    try:
        return bool(current_user and current_user.is_authenticated)
    except Exception:  # the user loader failed (database gone): treat as personal
        return True
