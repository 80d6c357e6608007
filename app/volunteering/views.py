"""Volunteering pages: the volunteer register, the public calendar of
activities, sign-up, the organiser's roster with QR check-in, attendance and
confirmation of hours; certificates, issued by a resident and checked by anyone."""
from __future__ import annotations

from datetime import timezone

from flask import current_app, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from wtforms.fields.choices import SelectChoice

from app.volunteering import bp
from app.accounts.forms import DecisionForm as EmptyForm
from app import localtime
from app.domain import DomainError
from app.inputs import NotAWholeNumber, int_arg, whole_number
from app.volunteering import services as activities
from app.volunteering import certificates
from app.volunteering.forms import ActivityForm, CancelForm, CertificateForm, VerifyForm, VolunteerForm
from app.volunteering.models import SIGNUP_LABELS, Activity, ActivityState, SignupStatus
from app.timebank.views import this_year_so_far
from app.web import (act, flash_success, form_refusal, found, permission_required, qr_svg, render, safe_next, see_other,
                     submit_form)

CHECK_MAX_AGE = 4 * 3600
STATE_LABELS = {ActivityState.published: None, ActivityState.cancelled: _l("cancelled"),
                ActivityState.confirmed: _l("hours confirmed")}


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="activity-check")


@bp.route("/my/volunteer", methods=["GET", "POST"])
@login_required
def register_volunteer():
    form = VolunteerForm(obj=activities.profile_of(current_user))
    return submit_form(form, lambda: activities.register_volunteer(
        current_user, skills=form.skills.data or "", availability=form.availability.data or "",
        consent=form.consent.data), done=request.args.get("next") and safe_next(request.args["next"])
        or url_for("timebank.my_timebank"), message=_("You are registered as a volunteer."),
        page="volunteering/volunteer.html")


@bp.get("/c/<int:community_id>/activities")
def list_activities(community_id: int):
    community = activities.community_for(current_user, community_id)
    number = int_arg("page", maximum=10_000) or 1
    shown, has_next = activities.upcoming(community.id, number)
    return render("volunteering/activities.html", community=community, activities=shown, page_number=number,
                  has_next=has_next, organiser=activities.organises(current_user, community.id))


def _local_to_utc(value):
    """A time typed in the community's local time, as the UTC instant it is stored as."""
    return value.replace(tzinfo=localtime.zone()).astimezone(timezone.utc)


@bp.route("/c/<int:community_id>/activities/new", methods=["GET", "POST"])
@permission_required("organise_activities")
def create_activity(community_id: int):
    community = activities.community_for(current_user, community_id, to="organise")
    form = ActivityForm()
    topics = activities.adopted_topics(community.id)
    form.topic_id.choices = [SelectChoice("", _("— none —"))] + [SelectChoice(str(t.id), f"#{t.id} {t.title}")
                                                                for t in topics]
    return submit_form(
        form, lambda: activities.publish(
            current_user, community, title=form.title.data, description=form.description.data or "",
            category=form.category.data, place=form.place.data, starts_at=_local_to_utc(form.starts_at.data),
            ends_at=_local_to_utc(form.ends_at.data), signup_deadline=_local_to_utc(form.signup_deadline.data),
            places=form.places.data, minutes=form.minutes.data,
            topic=next((t for t in topics if str(t.id) == form.topic_id.data), None)),
        done=lambda a: url_for("volunteering.show_activity", activity_id=a.id), message=_("The activity is published."),
        page="volunteering/activity_form.html", community=community)


@bp.get("/activities/<int:activity_id>")
def show_activity(activity_id: int):
    activity = activities.activity_for(current_user, activity_id)
    return render("volunteering/activity.html", activity=activity, form=EmptyForm(),
                  taken=len(activities.signups_of(activity, SignupStatus.confirmed)),
                  actions=activities.actions_for(current_user, activity), state_label=STATE_LABELS[activity.state])


@bp.post("/activities/<int:activity_id>/signup")
@login_required
def sign_up(activity_id: int):
    activity = activities.activity_for(current_user, activity_id)
    back = url_for("volunteering.show_activity", activity_id=activity.id)
    return act(lambda: activities.sign_up(current_user, activity),
               lambda signup: _signed_up_message(activity, signup), back, form=EmptyForm())


def _signed_up_message(activity: Activity, signup) -> str:
    """A place, or a place in the queue: say which, and where in the queue."""
    if signup.status is SignupStatus.waitlisted:
        return _("You are on the waiting list, number %(n)d. If a place opens up, it is yours and we will tell you.",
                 n=activities.waiting_position(activity, signup))
    return _("You are signed up.")


@bp.post("/activities/<int:activity_id>/cancel-signup")
@login_required
def cancel_signup(activity_id: int):
    activity = activities.activity_for(current_user, activity_id)
    back = url_for("volunteering.show_activity", activity_id=activity.id)
    return act(lambda: activities.cancel_signup(current_user, activity), _("Your sign-up is cancelled."), back,
               form=EmptyForm())


@bp.get("/activities/<int:activity_id>/roster")
@permission_required("organise_activities")
def roster(activity_id: int):
    return _roster_page(activities.activity_for(current_user, activity_id, to="organise"))


def _roster_page(activity: Activity, *, status: int = 200, errors: dict | None = None, typed: dict | None = None,
                 early_reason: str = "", cancel_form=None):
    """The roster; after a refused confirmation or cancellation (422) it keeps
    what was typed, with each message on its field."""
    started, early = activities.may_confirm_now(activity)
    return render("volunteering/roster.html", activity=activity, signups=activities.signups_of(activity),
                  form=EmptyForm(), cancel_form=cancel_form or CancelForm(formdata=None),
                  check_link=_check_link(activity), actions=activities.actions_for(current_user, activity),
                  started=started, early=early, pending=activities.pending_credits(activity), errors=errors or {},
                  typed=typed or {}, early_reason=early_reason, status=status, status_labels=SIGNUP_LABELS)


def _check_link(activity: Activity) -> str:
    """The signed check-in link the QR code encodes (also shareable in a group chat)."""
    token = _serializer().dumps({"a": activity.id})
    from app.web import external_url  # this site's address, never the request's Host

    return external_url("volunteering.check_page", activity_id=activity.id, t=token)


@bp.get("/activities/<int:activity_id>/qr.svg")
@permission_required("organise_activities")
def activity_qr(activity_id: int):
    activity = activities.activity_for(current_user, activity_id, to="organise")
    return qr_svg(_check_link(activity), _("Check-in QR code"))


def _token_ok(activity: Activity, token: str) -> bool:
    try:
        return _serializer().loads(token or "", max_age=CHECK_MAX_AGE).get("a") == activity.id
    except (BadSignature, SignatureExpired):
        return False


@bp.get("/activities/<int:activity_id>/check")
@login_required
def check_page(activity_id: int):
    activity = activities.activity_for(current_user, activity_id)
    token = request.args.get("t", "")
    return render("volunteering/check.html", activity=activity, token=token, valid=_token_ok(activity, token),
                  signup=activities.signup_of(current_user, activity),
                  may_check_in=activities.may_check_in(current_user, activity), form=EmptyForm())


@bp.post("/activities/<int:activity_id>/check")
@login_required
def check(activity_id: int):
    activity = activities.activity_for(current_user, activity_id)
    back = url_for("volunteering.show_activity", activity_id=activity.id)
    out = request.form.get("out") == "1"

    def check_in_or_out():
        if not _token_ok(activity, request.form.get("t", "")):
            raise DomainError(_("This check-in link has expired. Scan the code again."))
        activities.check(current_user, activity, out=out)

    return act(check_in_or_out, _("You are checked out.") if out else _("You are checked in."), back,
               form=EmptyForm())


@bp.post("/activities/<int:activity_id>/attendance")
@permission_required("organise_activities")
def mark_attendance(activity_id: int):
    activity = activities.activity_for(current_user, activity_id, to="organise")
    signup = activities.signup_in(activity, int_arg("signup_id", source=request.form))
    return act(lambda: activities.mark_attendance(current_user, signup, request.form.get("attended") == "1"),
               _("Recorded."), url_for("volunteering.roster", activity_id=activity.id), form=EmptyForm())


def _typed_figures(activity: Activity) -> tuple[dict, dict, dict]:
    """What the roster's confirmation form carried: (typed per sign-up, figures read, errors)."""
    typed = {s.id: (request.form.get(f"minutes-{s.id}", "")[:20], request.form.get(f"reason-{s.id}", "")[:200])
             for s in activities.signups_of(activity, SignupStatus.confirmed)}
    figures, errors = {}, {}
    for signup_id, (raw, reason) in typed.items():
        if raw.strip():
            try:
                figures[signup_id] = (whole_number(raw, low=1, high=activity.minutes), reason)
            except NotAWholeNumber as error:
                errors[f"minutes-{signup_id}"] = str(error)
    return typed, figures, errors


@bp.post("/activities/<int:activity_id>/confirm")
@permission_required("organise_activities")
def confirm_activity(activity_id: int):
    activity = activities.activity_for(current_user, activity_id, to="organise")
    typed, figures, errors = _typed_figures(activity)
    if problem := form_refusal(EmptyForm()):
        errors["form"] = problem
    early_reason = request.form.get("early_reason", "")[:200]
    if not errors:
        try:
            activities.confirm(current_user, activity, figures, early_reason=early_reason)
        except DomainError as error:
            errors[error.field or "form"] = str(error.message)  # answered 422: the transaction path rolls back
        else:
            flash_success(_confirmed_message(len(activities.pending_credits(activity))))
            return see_other(url_for("volunteering.roster", activity_id=activity.id))
    return _roster_page(activity, status=422, errors=errors, typed=typed, early_reason=early_reason)


def _confirmed_message(waiting: int) -> str:
    if not waiting:
        return _("Hours are recorded and credited.")
    return _("Hours are recorded and credited; %(n)d credits wait for a second staff member.", n=waiting)


@bp.post("/activities/<int:activity_id>/cancel")
@permission_required("organise_activities")
def cancel_activity(activity_id: int):
    activity = activities.activity_for(current_user, activity_id, to="organise")
    form = CancelForm()
    return submit_form(form, lambda: activities.cancel(current_user, activity, form.reason.data),
                       done=url_for("volunteering.show_activity", activity_id=activity.id),
                       message=_("The activity is cancelled and volunteers have been told."),
                       rerender=lambda: _roster_page(activity, status=422, cancel_form=form))


@bp.route("/my/certificates", methods=["GET", "POST"])
@login_required
def my_certificates():
    form = CertificateForm()
    if request.method == "GET":
        form.period_from.data, form.period_to.data = this_year_so_far()
    return submit_form(form, lambda: certificates.issue(current_user, form.period_from.data, form.period_to.data),
                       done=lambda c: url_for("volunteering.show_certificate", code=c.code),
                       message=_("Your certificate is ready. Print it or show its code."),
                       page="volunteering/certificates.html", issued=certificates.certificates_of(current_user))


@bp.get("/certificates/<code>")
def show_certificate(code: str):
    """Public: anyone holding the code (or scanning the QR) sees whether it is genuine."""
    certificate = found(certificates.by_code(code))
    return render("volunteering/certificate.html", c=certificate, genuine=certificates.is_genuine(certificate),
                  reversed=certificates.reversed_minutes(certificate),
                  mine=current_user.is_authenticated and current_user.id == certificate.user_id)


@bp.get("/certificates/<code>/qr.svg")
def certificate_qr(code: str):
    certificate = found(certificates.by_code(code))
    from app.web import external_url  # this site's address, never the request's Host

    link = external_url("volunteering.show_certificate", code=certificate.code)
    return qr_svg(link, _("Verification QR code"), scale=4)


@bp.get("/verify")
def verify_certificate():
    form = VerifyForm(request.args)
    if request.args.get("code") is not None:
        if form.validate() and (certificate := certificates.by_code(form.code.data)) is not None:
            return render("volunteering/certificate.html", c=certificate, genuine=certificates.is_genuine(certificate),
                          reversed=certificates.reversed_minutes(certificate), mine=False)
        form.code.errors = [_("No certificate has this code. Check it and try again.")]
        return render("volunteering/verify.html", form=form, status=404)
    return render("volunteering/verify.html", form=form)
