"""Logging in and out with server-side sessions.

The cookie carries the user id (Flask-Login) and a random session token; the
token's row must exist, be unrevoked and carry the user's current session
version, so logging out, logging out everywhere, changing the password or
being deactivated makes an old cookie worthless even if replayed."""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import make_response, redirect, request, session, url_for
from flask_babel import gettext as _
from flask_login import login_user, logout_user

from app.accounts import services
from app.extensions import htmx

SESSION_TOKEN = "sid"


def register(login_manager) -> None:
    @login_manager.user_loader
    def _load_user(user_id: str):
        try:
            uid = int(user_id)
        except (TypeError, ValueError):
            return None
        return services.session_user(uid, session.get(SESSION_TOKEN))

    @login_manager.unauthorized_handler
    def _unauthorized():
        next_url = request.full_path.rstrip("?") if request.method == "GET" else None
        if htmx and not htmx.boosted and htmx.current_url:
            # a fragment request: come back to the page it was made from
            parts = urlsplit(htmx.current_url)
            next_url = parts.path + (f"?{parts.query}" if parts.query else "")
        target = url_for("accounts.login", next=next_url)
        if htmx:
            # A 3xx would be followed invisibly; tell htmx to navigate instead.
            response = make_response("", 401)
            response.headers["HX-Redirect"] = target
            return response
        from flask import flash

        flash(_("Please log in to continue."), "info")
        return redirect(target)


def log_in(user) -> None:
    """Start a fresh session (no fixation: the old session dict is dropped)."""
    session.clear()
    session.permanent = True
    session[SESSION_TOKEN] = services.start_session(
        user, user_agent=request.headers.get("User-Agent", ""), ip=request.remote_addr or ""
    )
    login_user(user)


def refresh_session(user) -> None:
    """After a password change: this device stays logged in with a new token."""
    session[SESSION_TOKEN] = services.start_session(
        user, user_agent=request.headers.get("User-Agent", ""), ip=request.remote_addr or ""
    )


def log_out() -> None:
    services.end_session(session.get(SESSION_TOKEN))
    logout_user()
    session.clear()
