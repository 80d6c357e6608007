"""Generic error pages in the reader's language, never a stack trace."""
from __future__ import annotations

import logging

from flask import redirect, render_template, request
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, SecurityError

from app.domain import Forbidden, NotFound
from app.extensions import db, htmx

log = logging.getLogger(__name__)

MESSAGES = {
    400: (_l("Bad request"), _l("The request could not be understood. Please go back and try again.")),
    401: (_l("Please log in"), _l("You need to log in to do this.")),
    403: (_l("Not allowed"), _l("You do not have permission to do this.")),
    404: (_l("Not found"), _l("This page does not exist, or you cannot see it.")),
    405: (_l("Not allowed"), _l("This action is not available here.")),
    413: (_l("Too large"), _l("What you sent is too large. Photos may be at most 5 MB each.")),
    429: (_l("Too many attempts"), _l("Too many attempts. Please wait a few minutes and try again.")),
    500: (_l("Something went wrong"), _l("Something went wrong on our side. Please try again later.")),
}
CSRF_MESSAGE = _l("This form has expired or was not sent from this site. Please reload the page and try again.")

# endpoint -> view that renders its own page for a status (e.g. the login form on 429)
page_overrides: dict[tuple[int, str], object] = {}
# POST-only endpoint -> function of its URL arguments giving the page that owns it,
# where that is not simply the nearest parent path (e.g. a motion's page is its meeting's)
post_owners: dict[str, object] = {}


def error_response(code: int, message=None):
    title, default_message = MESSAGES.get(code, MESSAGES[500])
    template = "errors/_error.html" if htmx and not htmx.boosted else "errors/error.html"
    body = render_template(template, code=code, title=title, message=message or default_message)
    return body, code, {"Vary": "HX-Request"}


def register(app) -> None:
    @app.errorhandler(CSRFError)
    def _csrf(e):
        return error_response(400, CSRF_MESSAGE)

    @app.errorhandler(NotFound)
    def _not_found(e):
        db.session.rollback()
        return error_response(404)

    @app.errorhandler(Forbidden)
    def _forbidden(e):
        db.session.rollback()
        return error_response(403)

    @app.errorhandler(SecurityError)
    def _untrusted_host(e: SecurityError):
        # A Host outside TRUSTED_HOSTS: no URLs can be built for it, so no page.
        return str(MESSAGES[400][1]), 400, {"Content-Type": "text/plain; charset=utf-8"}

    @app.errorhandler(HTTPException)
    def _http(e: HTTPException):
        override = page_overrides.get((e.code, request.endpoint or ""))
        if override is not None:
            return override(e)
        if e.code == 405 and request.method == "GET" and (owner := _owning_page(request.path)):
            return redirect(owner, code=303)
        return error_response(e.code or 500)

    @app.errorhandler(Exception)
    def _unhandled(e: Exception):
        if isinstance(e, HTTPException):
            return _http(e)
        log.exception("unhandled error on %s %s", request.method, request.path)
        db.session.rollback()
        return error_response(500)



def _owning_page(path: str) -> str | None:
    """The page a POST-only URL belongs to (its nearest parent path that answers
    GET): after a form posted without JavaScript failed, the address bar shows
    the POST URL, and reloading it must land on the page, not a 405."""
    from flask import current_app
    from werkzeug.exceptions import HTTPException as RoutingError

    adapter = current_app.url_map.bind("")
    try:
        endpoint, args = adapter.match(path, method="POST")
    except Exception:  # noqa: BLE001 - not a POST route either: fall back to the parent path
        endpoint, args = None, {}
    if endpoint in post_owners and (owner := post_owners[endpoint](**args)):
        return owner
    parts = path.rstrip("/").split("/")
    while len(parts) > 1:
        parts.pop()
        candidate = "/".join(parts) or "/"
        try:
            adapter.match(candidate, method="GET")
        except RoutingError:
            continue
        return candidate
    return None
