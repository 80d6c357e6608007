"""Logging in and out with server-side sessions.

The cookie carries the user id (Flask-Login) and a random session token; the
token's row must exist, be unrevoked and carry the user's current session
version, so logging out, logging out everywhere, changing the password or
being deactivated makes an old cookie worthless even if replayed. A session
also ends at its absolute lifetime and after an idle time (shorter for staff).

A second cookie remembers the devices that logged in (see "known devices"),
so a stranger spending an account's failed-login allowance cannot lock its
owner out of their own phone."""
from __future__ import annotations

import secrets
from urllib.parse import urlsplit

from flask import after_this_request, current_app, g, make_response, redirect, request, session, url_for
from flask_babel import gettext as _
from flask_login import login_user, logout_user
from itsdangerous import BadSignature, URLSafeTimedSerializer

from app.accounts import services
from app.extensions import htmx
from app.sqltypes import utcnow
from app.web import in_own_transaction

SESSION_TOKEN = "sid"
DEVICE_COOKIE = "linli_device"
DEVICE_ACCOUNTS = 5  # a family's shared phone remembers a few accounts


def register(login_manager) -> None:
    @login_manager.user_loader
    def _load_user(user_id: str):
        try:
            uid = int(user_id)
        except (TypeError, ValueError):
            return None
        auth_session = services.live_session(uid, session.get(SESSION_TOKEN), session_policy())
        if auth_session is None:
            return None
        user = auth_session.user
        if utcnow() - auth_session.last_seen_at > session_policy().touch_every(user):
            g._touch_session = auth_session.id
        return user

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


def session_policy() -> services.SessionPolicy:
    config = current_app.config
    return services.SessionPolicy(lifetime=config["SESSION_LIFETIME"], idle=config["SESSION_IDLE_TIMEOUT"],
                                  staff_idle=config["SESSION_IDLE_TIMEOUT_STAFF"])


def register_hooks(app) -> None:
    @app.after_request
    def _record_activity(response):
        """Restart the session's idle time, in a transaction of its own once
        the request's work is done (committed by the view, or abandoned)."""
        session_id = g.pop("_touch_session", None)
        if session_id is None:
            return response
        in_own_transaction(lambda: services.touch_session(session_id), what=f"activity of session {session_id}")
        return response


def log_in(user) -> None:
    """Start a fresh session (no fixation: the old session dict is dropped)."""
    session.clear()
    session.permanent = True
    session[SESSION_TOKEN] = services.start_session(
        user, user_agent=request.headers.get("User-Agent", ""), ip=request.remote_addr or ""
    )
    login_user(user)
    remember_device(user)


def refresh_session(user) -> None:
    """After a password change: this device stays logged in with a new token."""
    session[SESSION_TOKEN] = services.start_session(
        user, user_agent=request.headers.get("User-Agent", ""), ip=request.remote_addr or ""
    )


def log_out() -> None:
    services.end_session(session.get(SESSION_TOKEN))
    logout_user()
    session.clear()


# -- known devices ---------------------------------------------------------------
# Anyone can spend an account's failed-login allowance and lock its owner out.
# A device that logged in to the account before carries a signed cookie (an
# id of its own and the accounts it logged in to); with it the right password
# still works there, and that device's failures are counted on their own.

def _devices() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.secret_key, salt="linli.device")


def _device() -> dict | None:
    if "_device" not in g:
        try:
            g._device = _devices().loads(request.cookies.get(DEVICE_COOKIE, ""),
                                         max_age=current_app.config["DEVICE_COOKIE_LIFETIME"].total_seconds())
        except BadSignature:
            g._device = None
    return g._device


def remember_device(user) -> None:
    known = _device() or {"d": secrets.token_urlsafe(16), "u": []}
    device = {"d": known["d"], "u": ([user.id] + [u for u in known["u"] if u != user.id])[:DEVICE_ACCOUNTS]}

    @after_this_request
    def _set_cookie(response):
        response.set_cookie(DEVICE_COOKIE, _devices().dumps(device), path=url_for("accounts.login"),
                            max_age=int(current_app.config["DEVICE_COOKIE_LIFETIME"].total_seconds()),
                            httponly=True, samesite="Lax", secure=current_app.config["SESSION_COOKIE_SECURE"])
        return response


def known_device_key(login: str) -> str | None:
    """This device's id if it logged in to the account `login` names before."""
    device = _device()
    if not device:
        return None
    user = services.find_user_by_login(login)
    return device["d"] if user is not None and user.id in device["u"] else None
