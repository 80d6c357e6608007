"""Web helpers every blueprint uses: one page-or-fragment decision, htmx
responses, redirects after POST, permission checks, safe `next` URLs."""
from __future__ import annotations

import io
from functools import wraps
from urllib.parse import urlsplit

from flask import abort, current_app, flash, g, make_response, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.sansio.utils import host_is_trusted

from app.extensions import htmx
from app.permissions import can


def wants_fragment() -> bool:
    """A fragment only for a plain htmx request: boosted navigation and
    history restores need the whole page."""
    return bool(htmx) and not htmx.boosted and not htmx.history_restore_request


def render(page: str, fragment: str | None = None, *, status: int = 200, oob_flash: bool = True, **context):
    """Render `page`, or just `fragment` (which the page includes) for htmx.

    Fragment responses carry the flash region out of band so the message the
    mutation produced is announced (aria-live) where the page keeps it."""
    if fragment and wants_fragment():
        body = render_template(fragment, **context)
        if oob_flash:
            body += render_template("_macros/flash_oob.html")
    else:
        body = render_template(page, **context)
    response = make_response(body, status)
    response.vary.add("HX-Request")
    return response


def see_other(endpoint_or_url: str, **values):
    """303 after a successful POST (works with and without htmx)."""
    url = endpoint_or_url if endpoint_or_url.startswith("/") else url_for(endpoint_or_url, **values)
    return redirect(url, code=303)


def safe_next(target: str | None, default: str = "/") -> str:
    """Only same-site relative paths; anything else falls back to `default`."""
    if not target:
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//") \
            or "\\" in target:
        return default
    return target


def require(allowed: bool) -> None:
    if not allowed:
        abort(403)


def found(obj):
    """The object, or 404: for things loaded through scoped helpers."""
    if obj is None:
        abort(404)
    return obj


def permission_required(action: str):
    """Login first (anonymous → login page), then the permission (else 403)."""
    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            from app.extensions import login_manager

            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            require(can(current_user, action))
            return view(*args, **kwargs)
        return wrapped
    return decorator


def flash_success(message) -> None:
    flash(str(message), "success")


def flash_error(message) -> None:
    flash(str(message), "error")



def attach_error(form, error) -> None:
    """Show a service's DomainError on the field it names (else on the form)."""
    field = getattr(form, error.field, None) if error.field else None
    if field is not None:
        field.errors = list(field.errors) + [str(error.message)]
    else:
        form.form_errors.append(str(error.message))


def form_status(form) -> int:
    """422 when a submitted form has errors (htmx swaps it), else 200."""
    return 422 if form.errors or form.form_errors else 200


# -- one transaction path ----------------------------------------------------------------
#
# A request that may write (any method but GET/HEAD/OPTIONS) is one transaction:
# services flush, never commit; after the view answers, `finish_transaction`
# commits once when the answer is below 400 and nothing marked the request
# failed, and rolls back otherwise. An exception rolls back in the error handler.
# So no view commits, and a refused change never leaves half its rows behind.

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def mark_failed() -> None:
    """Roll this request's changes back even though it answers with a redirect
    (an action refused with a flash message, then 303 back to the page)."""
    g.transaction_failed = True


def keep_changes() -> None:
    """Commit this request's changes although it answers with an error status
    (a wrong check-in code must count towards the attempt limits while the
    person sees the 422 form)."""
    g.transaction_keep = True


def finish_transaction(response):
    from app.extensions import db

    if request.method in SAFE_METHODS:
        return response
    if g.get("transaction_keep") or (response.status_code < 400 and not g.get("transaction_failed")):
        db.session.commit()
    else:
        db.session.rollback()
    return response


def in_own_transaction(action, *, what: str) -> bool:
    """Run `action` after the request's own work, in a transaction of its own
    (the request's changes, if any, were committed or abandoned before): for
    bookkeeping a page triggers on its way out. A busy database, or a rule that
    refuses because a parallel request did it first, must not cost the person
    their page: it is rolled back and logged. Returns whether it committed."""
    from sqlalchemy.exc import SQLAlchemyError

    from app.database import write_intent
    from app.domain import DomainError
    from app.extensions import db

    db.session.rollback()
    token = write_intent.set(True)
    try:
        action()
        db.session.commit()
        return True
    except (SQLAlchemyError, DomainError):
        db.session.rollback()
        current_app.logger.warning("left undone after the page: %s", what, exc_info=True)
        return False
    finally:
        write_intent.reset(token)


def submit_form(form, action, *, done, message, page: str | None = None, fragment: str | None = None,
                rerender=None, answer=None, **context):
    """The form pattern every view shares. On a valid submission run `action`
    (the service call): a DomainError goes back onto the form (422, rolled
    back); success flashes `message` and answers 303 to `done` (committed once
    by the transaction path), or `answer(result)` where the page answers
    otherwise (an htmx row that replaces itself). `done` and `message` may be
    callables of the action's result. Otherwise (re)render the page, 422 when
    the submission had errors, keeping what the person typed — through
    `rerender()` where the page needs more than a template and the form (it
    answers with its own status)."""
    from app.domain import DomainError

    if form.validate_on_submit():
        try:
            result = action()
        except DomainError as e:
            attach_error(form, e)
        else:
            flash_success(message(result) if callable(message) else message)
            if answer is not None:
                return answer(result)
            return see_other(done(result) if callable(done) else done)
    if rerender is not None:
        return rerender()
    return render(page, fragment, form=form, status=form_status(form), **context)


def act(action, message, back: str, *, form=None, done=None):
    """A plain-POST action: run it; a DomainError is flashed and the request
    rolled back, success is flashed (`message`, or `message(result)` when it is
    callable) and committed; either way 303 back to `back`, or on success to
    `done(result)` when given (the new thing the action made). With `form`
    (what the button posted, often just its CSRF token), a form that does not
    validate is refused the same way, with its message, before anything runs."""
    from app.domain import DomainError

    try:
        if form is not None and (problem := form_refusal(form)):
            raise DomainError(problem)
        result = action()
    except DomainError as e:
        mark_failed()
        flash_error(e.message)
    else:
        flash_success(message(result) if callable(message) else message)
        if done is not None:
            return see_other(done(result))
    return see_other(back)


def form_refusal(form) -> str | None:
    """Why a submitted form is refused, in words for the person (None when it
    validates): a form error, never a 403 "no permission"."""
    if form.validate_on_submit():
        return None
    from app.errors import CSRF_MESSAGE, MESSAGES

    if "csrf_token" in form.errors:
        return str(CSRF_MESSAGE)
    messages = [m for errors in form.errors.values() for m in errors if isinstance(m, str)]
    return messages[0] if messages else str(MESSAGES[400][1])


def enum_from_form(enum_cls, name: str):
    """The enum member a form field names, or 400 (a tampered form)."""
    try:
        return enum_cls[request.form.get(name, "")]
    except KeyError:
        abort(400)


THIS_MACHINE = ("localhost", "127.0.0.1", "[::1]")


def external_url(endpoint: str, **values) -> str:
    """An absolute link, for QR codes and printed certificates: read away from
    the page, so they must name this site. Never built from the request's Host
    header alone (anyone can send any Host): PUBLIC_BASE_URL when set, else
    the request's host if TRUSTED_HOSTS lists it (Flask refuses the others
    outright) or it is this machine (development). Otherwise a path only, and
    an error in the log saying what to set."""
    path = url_for(endpoint, **values)
    if base := current_app.config.get("PUBLIC_BASE_URL"):
        return base.rstrip("/") + path
    trusted = current_app.config.get("TRUSTED_HOSTS")
    if (trusted and host_is_trusted(request.host, trusted)) or host_is_trusted(request.host, THIS_MACHINE):
        return url_for(endpoint, _external=True, **values)
    current_app.logger.error("absolute link asked for on host %r: set PUBLIC_BASE_URL (or TRUSTED_HOSTS)",
                             request.host)
    return path


def qr_svg(link: str, title: str, *, scale: int = 6):
    """A QR code for `link` as its own image/svg+xml response (shown with <img>,
    so segno's markup never runs inside the page)."""
    import segno

    # A standalone SVG document: without its xmlns a browser decodes nothing (naturalWidth 0).
    out = io.BytesIO()
    segno.make(link, error="m").save(out, kind="svg", scale=scale, title=title, xmldecl=False, svgns=True,
                                     encoding="utf-8")
    response = make_response(out.getvalue())
    response.headers["Content-Type"] = "image/svg+xml"
    return response
