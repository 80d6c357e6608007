"""Meeting pages: bodies and members, scheduling, the room (attendance, live
quorum, check-in), votes on phones, tallies, closing, minutes. Public pages
show figures and results (村(居)务公开); secret ballots only totals."""
from __future__ import annotations

from datetime import timezone
from fractions import Fraction
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask import Blueprint, abort, current_app, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from wtforms.fields.choices import SelectChoice

from app.accounts.forms import DecisionForm as EmptyForm
from app.consultation.models import Topic, TopicState
from app.domain import DomainError
from app.extensions import db
from app.inputs import int_arg
from app.meetings import services
from app.meetings.forms import (
    BodyForm,
    CheckinForm,
    CorrectionForm,
    MeetingForm,
    WithdrawForm,
    MemberForm,
    MinutesForm,
    MotionForm,
    TallyForm,
)
from app.meetings.models import (
    BODY_KIND_LABELS,
    CHOICE_LABELS,
    AttendanceStatus,
    Body,
    BodyKind,
    BodyMember,
    Choice,
    EligibleBasis,
    Meeting,
    MeetingState,
    Motion,
    MotionMode,
    MotionState,
    Tally,
)
from app.permissions import register_rule, social_worker_community_ids
from app.places.services import public_community
from app.web import (
    act,
    enum_from_form,
    flash_error,
    found,
    permission_required,
    qr_svg,
    render,
    require,
    submit_form,
    wants_fragment,
)

bp = Blueprint("meetings", __name__)
register_rule("organise_meetings", lambda user, _obj: bool(social_worker_community_ids(user)))
LABELS = {"BODY_KIND_LABELS": BODY_KIND_LABELS, "CHOICE_LABELS": CHOICE_LABELS, "Choice": Choice,
          "AttendanceStatus": AttendanceStatus, "MotionState": MotionState, "MotionMode": MotionMode,
          "MeetingState": MeetingState}
CHECKIN_MAX_AGE = 6 * 3600


def _organiser_of(community_id: int) -> None:
    if not services.is_organiser(current_user, community_id):
        abort(404)


def _fraction(text: str, field: str) -> tuple[int, int]:
    try:
        value = Fraction(text.strip())
    except (ValueError, ZeroDivisionError):
        raise DomainError(_("A share is a fraction between 0 and 1, such as 2/3."), field=field) from None
    return value.numerator, value.denominator


# -- bodies -------------------------------------------------------------------------------

@bp.get("/c/<int:community_id>/bodies")
def list_bodies(community_id: int):
    community = found(public_community(community_id))
    bodies = list(db.session.scalars(sa.select(Body).where(Body.community_id == community.id).order_by(Body.name)))
    return render("meetings/bodies.html", community=community, bodies=bodies,
                  organiser=services.is_organiser(current_user, community.id), **LABELS)


@bp.route("/c/<int:community_id>/bodies/new", methods=["GET", "POST"])
@permission_required("organise_meetings")
def create_body(community_id: int):
    community = found(public_community(community_id))
    _organiser_of(community.id)
    form = BodyForm()

    def save():
        return services.save_body(
            current_user, community, name=form.name.data, kind=BodyKind[form.kind.data],
            eligible_basis=EligibleBasis[form.eligible_basis.data or "members"],
            eligible_count=form.eligible_count.data,
            quorum=(*_fraction(form.quorum.data or "2/3", "quorum"), form.quorum_inclusive.data),
            decision=(*_fraction(form.decision.data or "1/2", "decision"), form.decision_inclusive.data))

    return submit_form(form, save, done=lambda body: url_for("meetings.show_body", body_id=body.id),
                       message=_("Saved."), page="meetings/body_form.html", community=community)


def _member_form(body: Body) -> MemberForm:
    form = MemberForm()
    from app.consultation.services import residents_of

    form.user_id.choices = [SelectChoice("", _("— named person without an account —"))] + [
        SelectChoice(str(u.id), u.display_name) for u in residents_of(body.community_id)]
    return form


@bp.get("/bodies/<int:body_id>")
def show_body(body_id: int):
    body = found(db.session.get(Body, body_id))
    found(public_community(body.community_id))
    meetings = list(db.session.scalars(sa.select(Meeting).where(Meeting.body_id == body.id)
                                       .order_by(Meeting.starts_at.desc())))
    organiser = services.is_organiser(current_user, body.community_id)
    return render("meetings/body.html", body=body, members=services.active_members(body), meetings=meetings,
                  organiser=organiser, form=_member_form(body) if organiser else None, rules=services.rules_of(body),
                  **LABELS)


@bp.post("/bodies/<int:body_id>/members")
@permission_required("organise_meetings")
def add_member(body_id: int):
    body = found(db.session.get(Body, body_id))
    _organiser_of(body.community_id)
    form = _member_form(body)
    from app.accounts.models import User

    def add():
        user = db.session.get(User, int(form.user_id.data)) if form.user_id.data else None
        return services.add_member(current_user, body, user=user, name=form.name.data or "",
                                   household=form.household.data or "", is_adult=form.is_adult.data,
                                   area=form.area.data)

    meetings = list(db.session.scalars(sa.select(Meeting).where(Meeting.body_id == body.id)))
    return submit_form(form, add, done=url_for("meetings.show_body", body_id=body.id), message=_("Member added."),
                       page="meetings/body.html", body=body, members=services.active_members(body),
                       meetings=meetings, organiser=True, rules=services.rules_of(body), **LABELS)


@bp.post("/members/<int:member_id>/remove")
@permission_required("organise_meetings")
def remove_member(member_id: int):
    member = found(db.session.get(BodyMember, member_id))
    _organiser_of(member.body.community_id)
    require(EmptyForm().validate_on_submit())
    return act(lambda: services.remove_member(current_user, member), _("Member removed."),
                url_for("meetings.show_body", body_id=member.body_id))


@bp.get("/my/meetings")
@login_required
def my_meetings():
    return render("meetings/my_meetings.html", meetings=services.meetings_of_member(current_user), **LABELS)


# -- scheduling -----------------------------------------------------------------------------

def _deliberating(community_id: int) -> list[Topic]:
    return list(db.session.scalars(sa.select(Topic).where(Topic.community_id == community_id,
                                                          Topic.state == TopicState.deliberating)
                                   .order_by(Topic.on_agenda_at.desc().nulls_last(), Topic.id)))


@bp.route("/bodies/<int:body_id>/meetings/new", methods=["GET", "POST"])
@permission_required("organise_meetings")
def schedule_meeting(body_id: int):
    body = found(db.session.get(Body, body_id))
    _organiser_of(body.community_id)
    form = MeetingForm()
    topics = _deliberating(body.community_id)
    chosen = {int(i) for i in request.form.getlist("topic_ids") if i.isdigit()}

    def schedule():
        tz = ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])
        starts_at = form.starts_at.data.replace(tzinfo=tz).astimezone(timezone.utc)
        return services.schedule_meeting(current_user, body, title=form.title.data, starts_at=starts_at,
                                         place=form.place.data or "", topics=[t for t in topics if t.id in chosen],
                                         free_items=(form.free_items.data or "").splitlines())

    return submit_form(form, schedule, done=lambda m: url_for("meetings.show_meeting", meeting_id=m.id),
                       message=_("The meeting is scheduled and members have been told."),
                       page="meetings/meeting_form.html", body=body, topics=topics, chosen=chosen)


# -- the meeting ----------------------------------------------------------------------------

def _meeting(meeting_id: int) -> Meeting:
    meeting = found(db.session.get(Meeting, meeting_id))
    found(public_community(meeting.body.community_id))
    return meeting


def _checkin_token(meeting: Meeting) -> str:
    serializer = URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="meeting-checkin")
    return serializer.dumps({"m": meeting.id, "c": meeting.checkin_code})


def _code_from_token(meeting: Meeting, token: str) -> str:
    """The code a QR link carries, if it is this meeting's current code (a new
    code shown in the room retires the old QR code)."""
    serializer = URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="meeting-checkin")
    try:
        data = serializer.loads(token, max_age=CHECKIN_MAX_AGE)
    except (BadSignature, SignatureExpired):
        return ""
    if data.get("m") != meeting.id:
        return ""
    return data.get("c", "") if data.get("c") == meeting.checkin_code else ""


def _meeting_context(meeting: Meeting, **forms) -> dict:
    organiser = services.is_organiser(current_user, meeting.body.community_id)
    member = services.member_of(current_user, meeting.body)
    motions = services.current_motions(meeting)
    attendance = services.attendance_of(meeting)
    motion_form = forms.get("motion_form") or MotionForm(formdata=None)
    motion_form.item_id.choices = [SelectChoice("", _("— not an agenda item —"))] + [
        SelectChoice(str(i.id), i.title) for i in meeting.items]
    tallies = {t.motion_id: t for t in db.session.scalars(
        sa.select(Tally).where(Tally.motion_id.in_([m.id for m in motions] or [-1])))}
    open_motions = [m for m in motions if m.state is MotionState.open]
    opening = {m.id: services.present_at_opening(m) for m in open_motions}  # who may vote on each open motion
    return dict(meeting=meeting, body=meeting.body, organiser=organiser, member=member, motions=motions,
                confirmers={m.id: services.may_confirm_tally(current_user, m) for m in open_motions
                            if m.mode is MotionMode.tally},
                present_at_opening=opening, my_roll={mid for mid, ids in opening.items() if member and member.id in ids},
                withdrawn=[m for m in motions if m.state is MotionState.withdrawn],
                checkin_paused=services.checkin_paused(meeting),
                withdraw_form=forms.get("withdraw_form") or WithdrawForm(formdata=None),
                blank_withdraw_form=WithdrawForm(formdata=None),
                members=services.active_members(meeting.body), attendance=attendance,
                quorum=services.quorum_now(meeting), my_present=bool(member and member.id in attendance and
                                                                     attendance[member.id].status is AttendanceStatus.present),
                my_votes={m.id: services.my_vote(current_user, m) for m in motions} if member else {},
                motion_form=motion_form, tally_form=forms.get("tally_form") or TallyForm(formdata=None),
                minutes_form=forms.get("minutes_form") or MinutesForm(formdata=None),
                checkin_form=forms.get("checkin_form") or CheckinForm(formdata=None),
                correction_form=CorrectionForm(formdata=None), tallies=tallies, form=EmptyForm(), **LABELS)


@bp.get("/meetings/<int:meeting_id>")
def show_meeting(meeting_id: int):
    return render("meetings/meeting.html", **_meeting_context(_meeting(meeting_id)))


@bp.get("/meetings/<int:meeting_id>/quorum")
def quorum(meeting_id: int):
    meeting = _meeting(meeting_id)
    return render("meetings/meeting.html", "meetings/_quorum.html", oob_flash=False, **_meeting_context(meeting))


@bp.get("/meetings/<int:meeting_id>/qr.svg")
@permission_required("organise_meetings")
def checkin_qr(meeting_id: int):
    meeting = _meeting(meeting_id)
    _organiser_of(meeting.body.community_id)
    from app.web import external_url  # this site's address, never the request's Host

    link = external_url("meetings.check_in", meeting_id=meeting.id, t=_checkin_token(meeting))
    response = qr_svg(link, _("Check-in QR code"))
    response.headers["Cache-Control"] = "no-store"  # a new code must show a new QR code, never a cached one
    return response


@bp.route("/meetings/<int:meeting_id>/checkin", methods=["GET", "POST"])
@login_required
def check_in(meeting_id: int):
    meeting = _meeting(meeting_id)
    form = CheckinForm()
    if request.method == "GET" and request.args.get("t"):
        form.code.data = _code_from_token(meeting, request.args["t"])
        if not form.code.data:
            flash_error(_("This QR code is no longer valid. Scan the code shown in the room now."))

    def check_in():
        try:
            return services.check_in(current_user, meeting, form.code.data)
        except services.WrongCheckinCode:
            db.session.commit()  # the wrong code counts towards the limits even though the check-in failed
            raise

    return submit_form(form, check_in, done=url_for("meetings.show_meeting", meeting_id=meeting.id),
                       message=_("You are checked in."), page="meetings/checkin.html", meeting=meeting)


@bp.post("/meetings/<int:meeting_id>/checkin-code")
@permission_required("organise_meetings")
def rotate_checkin_code(meeting_id: int):
    meeting = _meeting(meeting_id)
    _organiser_of(meeting.body.community_id)
    require(EmptyForm().validate_on_submit())
    return act(lambda: services.rotate_checkin_code(current_user, meeting),
               _("A new check-in code and QR code are shown; the old ones no longer work."),
               url_for("meetings.show_meeting", meeting_id=meeting.id) + "#code-title")


@bp.post("/meetings/<int:meeting_id>/attendance")
@permission_required("organise_meetings")
def record_attendance(meeting_id: int):
    meeting = _meeting(meeting_id)
    _organiser_of(meeting.body.community_id)
    require(EmptyForm().validate_on_submit())
    member = found(services.member_in(meeting.body, int_arg("member_id", source=request.form)))
    status = enum_from_form(AttendanceStatus, "status")
    response = act(lambda: services.record_attendance(current_user, meeting, member, status), _("Recorded."),
                    url_for("meetings.show_meeting", meeting_id=meeting.id) + "#roll")
    if wants_fragment():
        return render("meetings/meeting.html", "meetings/_roll.html", **_meeting_context(meeting))
    return response


@bp.post("/meetings/<int:meeting_id>/motions")
@permission_required("organise_meetings")
def open_motion(meeting_id: int):
    meeting = _meeting(meeting_id)
    _organiser_of(meeting.body.community_id)
    form = MotionForm()
    form.item_id.choices = None
    form.item_id.validate_choice = False
    item = next((i for i in meeting.items if str(i.id) == (form.item_id.data or "")), None)
    return submit_form(form, lambda: services.open_motion(
        current_user, meeting, title=form.title.data or "", item=item, mode=MotionMode[form.mode.data],
        secret=form.secret.data, major=form.major.data),
        done=url_for("meetings.show_meeting", meeting_id=meeting.id) + "#motions", message=_("Voting is open."),
        page="meetings/meeting.html", **{k: v for k, v in _meeting_context(meeting, motion_form=form).items()
                                         if k != "form"})


def _motion(motion_id: int) -> Motion:
    motion = found(db.session.get(Motion, motion_id))
    found(public_community(motion.meeting.body.community_id))
    return motion


def _back_to(motion: Motion) -> str:
    return url_for("meetings.show_meeting", meeting_id=motion.meeting_id) + f"#motion-{motion.id}"


@bp.post("/motions/<int:motion_id>/vote")
@login_required
def vote(motion_id: int):
    motion = _motion(motion_id)
    require(services.member_of(current_user, motion.meeting.body) is not None)
    require(EmptyForm().validate_on_submit())
    choice = enum_from_form(Choice, "choice")
    response = act(lambda: services.cast_vote(current_user, motion, choice), _("Your vote is recorded."),
                    _back_to(motion))
    if wants_fragment():
        return render("meetings/meeting.html", "meetings/_motions.html", **_meeting_context(motion.meeting))
    return response


@bp.post("/motions/<int:motion_id>/hand-vote")
@permission_required("organise_meetings")
def hand_vote(motion_id: int):
    motion = _motion(motion_id)
    _organiser_of(motion.meeting.body.community_id)
    require(EmptyForm().validate_on_submit())
    member = found(services.member_in(motion.meeting.body, int_arg("member_id", source=request.form)))
    choice = enum_from_form(Choice, "choice")
    return act(lambda: services.cast_vote(current_user, motion, choice, member=member),
                _("Hand vote recorded."), _back_to(motion))


@bp.post("/motions/<int:motion_id>/tally")
@permission_required("organise_meetings")
def enter_tally(motion_id: int):
    motion = _motion(motion_id)
    _organiser_of(motion.meeting.body.community_id)
    form = TallyForm()
    return submit_form(form, lambda: services.enter_tally(current_user, motion, yes=form.yes.data, no=form.no.data,
                                                          abstain=form.abstain.data, present=form.present.data),
                       done=_back_to(motion), message=_("Counts entered. A second staff member must confirm them."),
                       page="meetings/meeting.html",
                       **{k: v for k, v in _meeting_context(motion.meeting, tally_form=form).items() if k != "form"})


@bp.post("/motions/<int:motion_id>/confirm")
@login_required
def confirm_tally(motion_id: int):
    motion = _motion(motion_id)
    require(services.may_confirm_tally(current_user, motion))
    require(EmptyForm().validate_on_submit())
    return act(lambda: services.confirm_tally(current_user, motion), _("Counts confirmed."), _back_to(motion))


@bp.post("/motions/<int:motion_id>/withdraw")
@permission_required("organise_meetings")
def withdraw_motion(motion_id: int):
    motion = _motion(motion_id)
    _organiser_of(motion.meeting.body.community_id)
    form = WithdrawForm()
    context = _meeting_context(motion.meeting, withdraw_form=form)
    return submit_form(form, lambda: services.withdraw_motion(current_user, motion, form.reason.data),
                       done=_back_to(motion), message=_("The vote is withdrawn; the reason is shown with the minutes."),
                       page="meetings/meeting.html", withdraw_for=motion.id,
                       **{k: v for k, v in context.items() if k != "form"})


@bp.post("/motions/<int:motion_id>/close")
@permission_required("organise_meetings")
def close_motion(motion_id: int):
    motion = _motion(motion_id)
    _organiser_of(motion.meeting.body.community_id)
    require(EmptyForm().validate_on_submit())
    return act(lambda: services.close_motion(current_user, motion), _("Voting is closed; the result is recorded."),
                _back_to(motion))


@bp.post("/motions/<int:motion_id>/correct")
@permission_required("organise_meetings")
def correct_motion(motion_id: int):
    motion = _motion(motion_id)
    _organiser_of(motion.meeting.body.community_id)
    form = CorrectionForm()
    require(form.validate_on_submit())
    return act(lambda: services.open_motion(current_user, motion.meeting, title=motion.title,
                                             item=motion.agenda_item, mode=motion.mode, secret=motion.is_secret,
                                             major=motion.is_major, corrects=motion, reason=form.reason.data),
                _("A correcting vote is open."), _back_to(motion))


@bp.post("/meetings/<int:meeting_id>/minutes")
@permission_required("organise_meetings")
def publish_minutes(meeting_id: int):
    meeting = _meeting(meeting_id)
    _organiser_of(meeting.body.community_id)
    form = MinutesForm()
    return submit_form(form, lambda: services.publish_minutes(current_user, meeting, form.minutes.data),
                       done=url_for("meetings.show_meeting", meeting_id=meeting.id),
                       message=_("Minutes published; decisions are on the topics' timelines."),
                       page="meetings/meeting.html",
                       **{k: v for k, v in _meeting_context(meeting, minutes_form=form).items() if k != "form"})
