"""Registration, login, the account page, preferences, residence verification."""
from __future__ import annotations

import math
import re

from flask import abort, current_app, make_response, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from app import errors
from app.accounts import bp
from app.accounts import auth, picker, services
from app.accounts.forms import (
    CsrfOnlyForm,
    LoginForm,
    PasswordChangeForm,
    RegisterForm,
    RejectForm,
    ResidenceForm,
    community_choices,
)
from app.accounts.models import TextSize
from app.blueprints import FormPost
from app.domain import DomainError
from app.extensions import limiter
from app.permissions import social_worker_community_ids
from app.places.services import public_communities, public_community
from app.web import (
    flash_error,
    flash_success,
    form_status,
    found,
    permission_required,
    render,
    safe_next,
    see_other,
    submit_form,
    wants_fragment,
)



def _login_key() -> str:
    return "login:" + services.normalise_login(request.form.get("login", ""))


def _failed(response) -> bool:
    return response.status_code != 303


def _known_device() -> str | None:
    return auth.known_device_key(request.form.get("login", ""))


def _device_key() -> str:
    return f"device:{_known_device()}"


def _register_probe_limit():
    """Each inline check and each failed registration tells whether a number
    is registered: they share one allowance per address."""
    return limiter.shared_limit(lambda: current_app.config["REGISTER_PROBE_LIMIT_PER_IP"], scope="register-probe",
                                methods=["POST"], deduct_when=_failed)


# -- registration ----------------------------------------------------------------

def _register_form() -> RegisterForm:
    form = RegisterForm()
    form.community.choices = community_choices(public_communities())
    return form


@bp.route("/register", methods=["GET", "POST"])
@_register_probe_limit()
@limiter.limit(lambda: current_app.config["REGISTER_LIMIT_PER_IP"], methods=["POST"],
               deduct_when=lambda r: r.status_code == 303)
def register():
    if current_user.is_authenticated:
        return see_other("accounts.show_account")
    form = _register_form()

    def register_and_log_in():
        user = services.register_resident(
            login=form.login.data, display_name=form.display_name.data,
            community=found(public_community(int(form.community.data))), password=form.password.data,
            household=form.household.data or "")
        auth.log_in(user)
        return user

    return submit_form(
        form, register_and_log_in, done=url_for("accounts.show_account"), page="accounts/register.html",
        message=lambda user: _("Welcome! A social worker of %(community)s will verify your residence.",
                               community=user.community.name))


@bp.post("/register/check")
@_register_probe_limit()
def check_register_field():
    """Inline validation (htmx): re-render the one field that just changed."""
    form = _register_form()
    name = request.headers.get("HX-Trigger-Name", "")
    if name not in RegisterForm.checkable:
        return render("errors/error.html", "errors/_error.html", status=400, oob_flash=False,
                      code=400, title=_("Bad request"), message=_("Unknown field."))
    field = form[name]
    field.validate(form)
    return render("accounts/_register_field.html", "accounts/_register_field.html",
                  oob_flash=False, f=field)


# -- login and logout --------------------------------------------------------------

@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["LOGIN_LIMIT_PER_IP"], methods=["POST"], deduct_when=_failed,
               exempt_when=_known_device)
@limiter.limit(lambda: current_app.config["LOGIN_LIMIT_PER_ACCOUNT"], methods=["POST"],
               key_func=_login_key, deduct_when=_failed, exempt_when=_known_device)
@limiter.limit(lambda: current_app.config["LOGIN_LIMIT_PER_DEVICE"], methods=["POST"],
               key_func=_device_key, deduct_when=_failed, exempt_when=lambda: not _known_device())
def login():
    next_url = safe_next(request.args.get("next"), default="/")
    if current_user.is_authenticated:
        return see_other(next_url)
    form = LoginForm()
    if form.validate_on_submit():
        user = services.authenticate(form.login.data, form.password.data)
        if user is not None:
            auth.log_in(user)
            return see_other(next_url)
        form.form_errors.append(_("The mobile number/username or password is not correct."))
    return render("accounts/login.html", form=form, next_url=next_url, status=form_status(form),
                  demo_accounts=_demo_accounts())


def _demo_accounts():
    if not current_app.config.get("DEMO_MODE"):
        return []
    from app.demo import DEMO_ACCOUNTS, DEMO_PASSWORD

    return [(login, label, DEMO_PASSWORD) for login, label in DEMO_ACCOUNTS]


def _login_rate_limited(e):
    minutes = max(1, math.ceil(e.limit.limit.get_expiry() / 60)) if hasattr(e, "limit") else 15
    form = LoginForm()
    message = _("Too many login attempts. Please wait %(minutes)d minutes and try again.", minutes=minutes)
    form.form_errors.append(message)
    response = render("accounts/login.html", form=form, status=429,
                      next_url=safe_next(request.args.get("next")), demo_accounts=_demo_accounts(),
                      rate_limited=True)
    return response


errors.page_overrides[(429, "accounts.login")] = _login_rate_limited


@bp.post("/logout")
def logout():
    auth.log_out()
    flash_success(_("You have logged out."))
    return see_other("home.index")


@bp.post("/logout-everywhere")
@login_required
def logout_everywhere():
    services.revoke_all_sessions(current_user, reason="logout_everywhere")
    auth.log_out()
    flash_success(_("You have been logged out on every device."))
    return see_other("accounts.login")


# -- the account page ----------------------------------------------------------------

@bp.get("/account")
@login_required
def show_account():
    return render("accounts/account.html", sessions=services.active_sessions(current_user, auth.session_policy()))


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def change_password():
    form = PasswordChangeForm()

    def change():
        services.change_password(current_user, form.current_password.data, form.new_password.data)
        auth.refresh_session(current_user)

    return submit_form(form, change, done=url_for("accounts.show_account"), page="accounts/password.html",
                       message=_("Your password has been changed. Other devices have been logged out."))


@bp.route("/account/residence", methods=["GET", "POST"])
@login_required
def edit_residence():
    form = ResidenceForm(obj=current_user)
    form.community_id.choices = community_choices(public_communities())
    return submit_form(
        form, lambda: services.resubmit_residence(
            current_user, community=found(public_community(int(form.community_id.data))),
            household=form.household.data or ""),
        done=url_for("accounts.show_account"), page="accounts/residence.html",
        message=_("Sent. A social worker will verify your residence."))


# -- display preferences (language, 适老模式) --------------------------------------------

def _back():
    return safe_next(request.form.get("next") or request.referrer and _path_of(request.referrer))


def _path_of(url: str) -> str:
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    if parts.netloc and parts.netloc != request.host:
        return "/"
    return parts.path + (f"?{parts.query}" if parts.query else "")


@bp.get("/display")
def display_settings():
    here = url_for("accounts.display_settings")
    return render("accounts/display.html", next_url=safe_next(request.args.get("next"), default=here))


@bp.post("/prefs/locale")
def set_locale():
    locale = request.form.get("locale", "")
    if locale not in current_app.config["LANGUAGES"]:
        flash_error(_("Unknown language."))
        return see_other(_back())
    return _store_preference("locale", locale, locale=locale)


@bp.post("/prefs/text-size")
def set_text_size():
    try:
        size = TextSize[request.form.get("text_size", "")]
    except KeyError:
        flash_error(_("Unknown text size."))
        return see_other(_back())
    return _store_preference("text_size", size.name, text_size=size)


@bp.get("/prefs/locale")
def choose_locale():
    """A visitor's language link: only the cookie (a visitor's pages carry no form token, so no POST)."""
    if current_user.is_authenticated or request.args.get("locale") not in current_app.config["LANGUAGES"]:
        return see_other(safe_next(request.args.get("next")))
    return _store_preference("locale", request.args["locale"], back=request.args.get("next"))


@bp.get("/prefs/text-size")
def choose_text_size():
    """A visitor's text-size link: only the cookie."""
    if current_user.is_authenticated or request.args.get("text_size") not in TextSize.__members__:
        return see_other(safe_next(request.args.get("next")))
    return _store_preference("text_size", request.args["text_size"], back=request.args.get("next"))


def _store_preference(cookie: str, value: str, back: str | None = None, **prefs):
    """Per user when logged in, and in a cookie so it also holds after logout."""
    if current_user.is_authenticated:
        services.set_preferences(current_user, **prefs)
    response = make_response(see_other(safe_next(back) if back is not None else _back()))
    response.set_cookie(cookie, value, max_age=365 * 24 * 3600, httponly=True, samesite="Lax",
                        secure=current_app.config["SESSION_COOKIE_SECURE"])
    return response


# -- residence verification (居住认证) ---------------------------------------------------

@bp.get("/verification")
@permission_required("verify_residents")
def verification_queue():
    residents = services.residents_awaiting_verification(social_worker_community_ids(current_user))
    return render("accounts/verification.html", residents=residents, **_queue_forms())


def _queue_forms(reject_form=None):
    blank = RejectForm(formdata=None)
    return {"decision_form": CsrfOnlyForm(), "reject_form": reject_form or blank, "blank_reject_form": blank}


def _resident_for_decision(user_id: int):
    return found(services.resident_in(social_worker_community_ids(current_user), user_id))


def _decided(resident, message=None):
    if message is not None:
        flash_success(message)
    return render("accounts/verification.html", "accounts/_verification_row.html",
                  resident=resident, residents=[], **_queue_forms()) \
        if wants_fragment() else see_other("accounts.verification_queue")


@bp.post("/verification/<int:user_id>/verify")
@permission_required("verify_residents")
def verify_resident(user_id: int):
    resident = _resident_for_decision(user_id)
    form = CsrfOnlyForm()
    if not form.validate_on_submit():
        return see_other("accounts.verification_queue")
    try:
        services.decide_residence(current_user, resident, approve=True)
    except DomainError as e:
        flash_error(e.message)
        return see_other("accounts.verification_queue")
    return _decided(resident, _("%(name)s is now a verified resident.", name=resident.display_name))


def _on_queue(resident, form, action, message):
    """The refusal's form on the verification queue: on success the resident's
    row (htmx) or the queue; otherwise the queue with the form as typed."""
    return submit_form(
        form, action, done=url_for("accounts.verification_queue"), message=message % {"name": resident.display_name},
        answer=lambda _none: _decided(resident), rerender=lambda: render(
            "accounts/verification.html", "accounts/_verification_row.html", status=form_status(form),
            resident=resident, rejecting_id=resident.id, **_queue_forms(form),
            residents=services.residents_awaiting_verification(social_worker_community_ids(current_user))))


bp.form_posts(
    FormPost("/verification/<int:user_id>/reject", "reject_resident", RejectForm,
             lambda user, resident, form: services.decide_residence(user, resident, approve=False,
                                                                    reason=form.reason.data),
             _l("The request of %(name)s was not approved.")),
    load=_resident_for_decision, guard=permission_required("verify_residents"), submit=_on_queue)


_FIELD_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_-]{0,39}")


@bp.get("/c/<int:community_id>/residents/pick")
@permission_required("verify_residents")
def pick_resident(community_id: int):
    """The residents matching what a social worker types into a staff form's
    resident picker (app/accounts/picker.py), as its radio buttons: another
    community is not found."""
    if community_id not in social_worker_community_ids(current_user):
        abort(404)
    name = request.args.get("name", "")
    if not _FIELD_NAME.fullmatch(name):
        abort(400)
    return picker.choices(community_id, name, request.args.get(f"{name}_q", ""))
