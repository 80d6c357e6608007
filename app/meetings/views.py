"""Meeting pages: bodies and members, scheduling, the room (attendance, live
quorum, check-in), votes on phones, tallies, closing, minutes. Public pages
show figures and results (村(居)务公开); secret ballots only totals. Objects
load through `access` (404/403); the rules live in the subject modules
(bodies, agenda, attendance, figures, motions, votes)."""
from __future__ import annotations

from fractions import Fraction

from flask import current_app, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from wtforms.fields.choices import SelectChoice

from app import errors
from app.accounts import picker
from app.blueprints import Button, FormPost
from app.accounts.forms import DecisionForm as EmptyForm
from app.domain import DomainError, NotFound
from app.inputs import int_arg
from app.localtime import zone
from app.meetings import access, agenda, bp, attendance, bodies, figures, motions, permissions, votes
from app.meetings.access import CONFIRM, MANAGE, VOTE, actions_for
from app.meetings.forms import (
    BodyForm,
    CheckinForm,
    CorrectionForm,
    MeetingForm,
    MemberForm,
    MinutesForm,
    MotionForm,
    TallyForm,
    WithdrawForm,
)
from app.meetings.models import (
    ATTENDANCE_LABELS,
    AttendanceStatus,
    Body,
    BodyKind,
    Choice,
    EligibleBasis,
    Meeting,
    Motion,
    MotionMode,
)
from app.web import act, enum_from_form, flash_error, permission_required, qr_svg, render, submit_form
from app.web import keep_changes, wants_fragment

LABELS = {"Choice": Choice}
CHECKIN_MAX_AGE = 6 * 3600
ROLL_STATUSES = (AttendanceStatus.present, AttendanceStatus.leave, AttendanceStatus.absent)


def _roll_rows(members, roll) -> list[tuple]:
    """The organiser's roll: each member, their attendance (or None) and the
    three choices as (status, label, is_marked), so the page shows what is
    recorded without comparing statuses itself."""
    rows = []
    for member in members:
        marked = roll[member.id].status if member.id in roll else None
        rows.append((member, roll.get(member.id),
                     [(status, ATTENDANCE_LABELS[status], status is marked) for status in ROLL_STATUSES]))
    return rows


def _fraction(text: str, field: str) -> tuple[int, int]:
    try:
        value = Fraction(text.strip())
    except (ValueError, ZeroDivisionError):
        raise DomainError(_("A share is a fraction between 0 and 1, such as 2/3."), field=field) from None
    return value.numerator, value.denominator


# -- bodies -------------------------------------------------------------------------------

@bp.get("/c/<int:community_id>/bodies")
def list_bodies(community_id: int):
    community = access.community_for(current_user, community_id)
    return render("meetings/bodies.html", community=community, bodies=access.bodies_of(community),
                  organiser=permissions.is_organiser(current_user, community.id), **LABELS)


@bp.route("/c/<int:community_id>/bodies/new", methods=["GET", "POST"])
@permission_required("organise_meetings")
def create_body(community_id: int):
    community = access.community_for(current_user, community_id, to=MANAGE)
    form = BodyForm()

    def save():
        return bodies.save_body(
            current_user, community, name=form.name.data, kind=BodyKind[form.kind.data],
            eligible_basis=EligibleBasis[form.eligible_basis.data or "members"],
            eligible_count=form.eligible_count.data,
            quorum=(*_fraction(form.quorum.data or "2/3", "quorum"), form.quorum_inclusive.data),
            decision=(*_fraction(form.decision.data or "1/2", "decision"), form.decision_inclusive.data))

    return submit_form(form, save, done=lambda body: url_for("meetings.show_body", body_id=body.id),
                       message=_("Saved."), page="meetings/body_form.html", community=community)


def _body_context(body: Body, form: MemberForm | None = None) -> dict:
    organiser = permissions.is_organiser(current_user, body.community_id)
    if organiser and form is None:
        form = _member_form(body)
    return dict(body=body, members=bodies.active_members(body), meetings=access.meetings_of(body),
                organiser=organiser, form=form if organiser else None, rules=bodies.rules_of(body), **LABELS)


def _member_form(body: Body) -> MemberForm:
    return picker.scoped(MemberForm(), body.community_id)


@bp.get("/bodies/<int:body_id>")
def show_body(body_id: int):
    return render("meetings/body.html", **_body_context(access.body_for(current_user, body_id)))


@bp.post("/bodies/<int:body_id>/members")
@permission_required("organise_meetings")
def add_member(body_id: int):
    body = access.body_for(current_user, body_id, to=MANAGE)
    form = _member_form(body)

    def add():
        return bodies.add_member(current_user, body, user=form.user_id.data,
                                   name=form.name.data or "", household=form.household.data or "",
                                   is_adult=form.is_adult.data, area=form.area.data)

    context = {k: v for k, v in _body_context(body, form).items() if k != "form"}
    return submit_form(form, add, done=url_for("meetings.show_body", body_id=body.id), message=_("Member added."),
                       page="meetings/body.html", **context)


@bp.post("/members/<int:member_id>/remove")
@permission_required("organise_meetings")
def remove_member(member_id: int):
    member = access.seat_for(current_user, member_id, to=MANAGE)
    return act(lambda: bodies.remove_member(current_user, member), _("Member removed."),
               url_for("meetings.show_body", body_id=member.body_id))


@bp.get("/my/meetings")
@login_required
def my_meetings():
    return render("meetings/my_meetings.html", meetings=[(m, actions_for(current_user, m)) for m in
                                                         agenda.meetings_of_member(current_user)], **LABELS)


# -- scheduling -----------------------------------------------------------------------------

@bp.route("/bodies/<int:body_id>/meetings/new", methods=["GET", "POST"])
@permission_required("organise_meetings")
def schedule_meeting(body_id: int):
    body = access.body_for(current_user, body_id, to=MANAGE)
    form, topics = MeetingForm(), access.topics_for_agenda(body.community_id)
    chosen = {int(i) for i in request.form.getlist("topic_ids") if i.isdigit()}

    def schedule():
        starts_at = form.starts_at.data.replace(tzinfo=zone(body.community))  # typed in local time
        return agenda.schedule_meeting(current_user, body, title=form.title.data, starts_at=starts_at,
                                         place=form.place.data or "", topics=[t for t in topics if t.id in chosen],
                                         free_items=(form.free_items.data or "").splitlines())

    return submit_form(form, schedule, done=lambda m: url_for("meetings.show_meeting", meeting_id=m.id),
                       message=_("The meeting is scheduled and members have been told."),
                       page="meetings/meeting_form.html", body=body, topics=topics, chosen=chosen)


# -- the meeting ----------------------------------------------------------------------------

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
    """Everything the meeting page shows; `forms` replace the blank ones (a submitted form with its errors)."""
    member = permissions.member_of(current_user, meeting.body)
    meeting_motions = motions.current_motions(meeting)
    roll = attendance.attendance_of(meeting)
    members = bodies.active_members(meeting.body)
    my_present = bool(member and member.id in roll and roll[member.id].status is AttendanceStatus.present)
    motion_form = forms.get("motion_form") or MotionForm(formdata=None)
    motion_form.item_id.choices = [SelectChoice("", _("— not an agenda item —"))] + [
        SelectChoice(str(i.id), i.title) for i in meeting.items]
    opening = {m.id: figures.present_at_opening(m) for m in meeting_motions if permissions.motion_is_open(m)}
    quorum = figures.quorum_now(meeting)
    return dict(meeting=meeting, body=meeting.body, member=member, motions=meeting_motions,
                actions=actions_for(current_user, meeting, present=my_present),
                motion_actions={m.id: actions_for(current_user, m) for m in meeting_motions},
                present_at_opening=opening, my_roll={mid for mid, ids in opening.items() if member and member.id in ids},
                withdrawn=[m for m in meeting_motions if access.actions_for(current_user, m).is_withdrawn],
                checkin_paused=attendance.checkin_paused(meeting), withdraw_for=forms.get("withdraw_for"),
                withdraw_form=forms.get("withdraw_form") or WithdrawForm(formdata=None),
                blank_withdraw_form=WithdrawForm(formdata=None), correct_for=forms.get("correct_for"),
                correction_form=forms.get("correction_form") or CorrectionForm(formdata=None),
                blank_correction_form=CorrectionForm(formdata=None),
                members=members, roll_rows=_roll_rows(members, roll), quorum=quorum,
                count=figures.roll_count(meeting, quorum), my_present=my_present,
                my_votes={m.id: votes.my_vote(current_user, m) for m in meeting_motions} if member else {},
                motion_form=motion_form, tally_form=forms.get("tally_form") or TallyForm(formdata=None),
                minutes_form=forms.get("minutes_form") or MinutesForm(formdata=None),
                tallies=votes.tallies_of(meeting_motions), form=EmptyForm(), **LABELS)


def _submit_on_page(meeting: Meeting, form, action, *, done: str, message: str, **forms):
    """One of the meeting page's forms: on an error the page comes back with it as typed (422)."""
    context = {k: v for k, v in _meeting_context(meeting, **forms).items() if k != "form"}
    return submit_form(form, action, done=done, message=message, page="meetings/meeting.html", **context)


def _page_with(meeting: Meeting, form, **forms):
    """The meeting page again with a submitted form's errors (422: nothing is kept)."""
    context = _meeting_context(meeting, **forms)
    del context["form"]
    return render("meetings/meeting.html", status=422, form=form, **context)


@bp.get("/meetings/<int:meeting_id>")
def show_meeting(meeting_id: int):
    return render("meetings/meeting.html", **_meeting_context(access.meeting_for(current_user, meeting_id)))


@bp.get("/meetings/<int:meeting_id>/quorum")
def quorum(meeting_id: int):
    meeting = access.meeting_for(current_user, meeting_id)
    return render("meetings/meeting.html", "meetings/_quorum.html", oob_flash=False, **_meeting_context(meeting))


@bp.get("/meetings/<int:meeting_id>/qr.svg")
@permission_required("organise_meetings")
def checkin_qr(meeting_id: int):
    meeting = access.meeting_for(current_user, meeting_id, to=MANAGE)
    from app.web import external_url  # this site's address, never the request's Host

    link = external_url("meetings.check_in", meeting_id=meeting.id, t=_checkin_token(meeting))
    response = qr_svg(link, _("Check-in QR code"))
    response.headers["Cache-Control"] = "no-store"  # a new code must show a new QR code, never a cached one
    return response


@bp.route("/meetings/<int:meeting_id>/checkin", methods=["GET", "POST"])
@login_required
def check_in(meeting_id: int):
    meeting = access.meeting_for(current_user, meeting_id)
    form = CheckinForm()
    if request.method == "GET" and request.args.get("t"):
        form.code.data = _code_from_token(meeting, request.args["t"])
        if not form.code.data:
            flash_error(_("This QR code is no longer valid. Scan the code shown in the room now."))

    def check_in():
        try:
            return attendance.check_in(current_user, meeting, form.code.data)
        except attendance.WrongCheckinCode:
            keep_changes()  # the wrong code counts towards the limits although the answer is 422
            raise

    return submit_form(form, check_in, done=url_for("meetings.show_meeting", meeting_id=meeting.id),
                       message=_("You are checked in."), page="meetings/checkin.html", meeting=meeting)


@bp.post("/meetings/<int:meeting_id>/checkin-code")
@permission_required("organise_meetings")
def rotate_checkin_code(meeting_id: int):
    meeting = access.meeting_for(current_user, meeting_id, to=MANAGE)
    return act(lambda: attendance.rotate_checkin_code(current_user, meeting),
               _("A new check-in code and QR code are shown; the old ones no longer work."),
               url_for("meetings.show_meeting", meeting_id=meeting.id) + "#code-title")


def _roll_from_form(meeting: Meeting) -> dict[int, AttendanceStatus]:
    """One member (`member_id` + `status`), everyone (`all_present`), or the
    compact roll's `status-<member id>` fields; a tampered value is 400."""
    if request.form.get("member_id"):
        member = access.seat_for(current_user, int_arg("member_id", source=request.form), body=meeting.body)
        return {member.id: enum_from_form(AttendanceStatus, "status")}
    if request.form.get("all_present"):
        return attendance.all_present(meeting)
    return {int(key.removeprefix("status-")): enum_from_form(AttendanceStatus, key)
            for key in request.form if key.startswith("status-") and key.removeprefix("status-").isdigit()}


@bp.post("/meetings/<int:meeting_id>/attendance")
@permission_required("organise_meetings")
def record_attendance(meeting_id: int):
    meeting = access.meeting_for(current_user, meeting_id, to=MANAGE)
    roll = _roll_from_form(meeting)
    response = act(lambda: attendance.record_roll(current_user, meeting, roll), _("Recorded."),
                   url_for("meetings.show_meeting", meeting_id=meeting.id) + "#roll")
    if wants_fragment():
        return render("meetings/meeting.html", "meetings/_roll.html", **_meeting_context(meeting))
    return response


@bp.post("/meetings/<int:meeting_id>/motions")
@permission_required("organise_meetings")
def open_motion(meeting_id: int):
    meeting = access.meeting_for(current_user, meeting_id, to=MANAGE)
    form = MotionForm()
    form.item_id.choices, form.item_id.validate_choice = None, False
    item = next((i for i in meeting.items if str(i.id) == (form.item_id.data or "")), None)
    return _submit_on_page(meeting, form, lambda: motions.open_motion(
        current_user, meeting, title=form.title.data or "", item=item, mode=MotionMode[form.mode.data],
        secret=form.secret.data, major=form.major.data),
        done=url_for("meetings.show_meeting", meeting_id=meeting.id) + "#motions", message=_("Voting is open."),
        motion_form=form)


def _back_to(motion: Motion) -> str:
    return url_for("meetings.show_meeting", meeting_id=motion.meeting_id) + f"#motion-{motion.id}"


def _to_meeting(motion_id: int) -> str | None:
    """Where a GET on a motion's POST-only URL lands: the motion on its meeting's page."""
    try:
        return _back_to(access.motion_for(current_user, motion_id))
    except NotFound:
        return None


@bp.post("/motions/<int:motion_id>/vote")
@login_required
def vote(motion_id: int):
    motion = access.motion_for(current_user, motion_id, to=VOTE)
    choice = enum_from_form(Choice, "choice")
    response = act(lambda: votes.cast_vote(current_user, motion, choice), _("Your vote is recorded."),
                   _back_to(motion))
    if wants_fragment():
        return render("meetings/meeting.html", "meetings/_motions.html", **_meeting_context(motion.meeting))
    return response


@bp.post("/motions/<int:motion_id>/hand-vote")
@permission_required("organise_meetings")
def hand_vote(motion_id: int):
    motion = access.motion_for(current_user, motion_id, to=MANAGE)
    member = access.seat_for(current_user, int_arg("member_id", source=request.form), body=motion.meeting.body)
    choice = enum_from_form(Choice, "choice")
    return act(lambda: votes.cast_vote(current_user, motion, choice, member=member),
               _("Hand vote recorded."), _back_to(motion))


def _on_motion(motion: Motion, form, action, message, *, name: str, marks: str = ""):
    """A form about one motion, on its meeting's page (`name` there; `marks`: the page's key for the motion
    whose form came back): back to the motion, or the page again with the form as typed."""
    return _submit_on_page(motion.meeting, form, action, done=_back_to(motion), message=message, **{name: form},
                           **({marks: motion.id} if marks else {}))


bp.form_posts(
    FormPost("/motions/<int:motion_id>/tally", "enter_tally", TallyForm,
             lambda user, motion, form: votes.enter_tally(user, motion, yes=form.yes.data, no=form.no.data,
                                                          abstain=form.abstain.data, present=form.present.data),
             _l("Counts entered. A second staff member must confirm them."), {"name": "tally_form"}),
    FormPost("/motions/<int:motion_id>/withdraw", "withdraw_motion", WithdrawForm,
             lambda user, motion, form: motions.withdraw_motion(user, motion, form.reason.data),
             _l("The vote is withdrawn; the reason is shown with the minutes."),
             {"name": "withdraw_form", "marks": "withdraw_for"}),
    load=lambda motion_id: access.motion_for(current_user, motion_id, to=MANAGE),
    guard=permission_required("organise_meetings"), submit=_on_motion)


@bp.post("/motions/<int:motion_id>/correct")
@permission_required("organise_meetings")
def correct_motion(motion_id: int):
    motion = access.motion_for(current_user, motion_id, to=MANAGE)
    form = CorrectionForm()
    if not form.validate_on_submit():  # the reason is missing: on its field, with what was typed
        return _page_with(motion.meeting, EmptyForm(), correction_form=form, correct_for=motion.id)
    return act(lambda: motions.correct_motion(current_user, motion, form.reason.data),
               _("A correcting vote is open."), _back_to(motion))


@bp.post("/meetings/<int:meeting_id>/minutes")
@permission_required("organise_meetings")
def publish_minutes(meeting_id: int):
    meeting = access.meeting_for(current_user, meeting_id, to=MANAGE)
    form = MinutesForm()
    return _submit_on_page(meeting, form, lambda: agenda.publish_minutes(current_user, meeting, form.minutes.data),
                           done=url_for("meetings.show_meeting", meeting_id=meeting.id),
                           message=_("Minutes published; decisions are on the topics' timelines."), minutes_form=form)


for _endpoint in ("vote", "hand_vote", "enter_tally", "confirm_tally", "withdraw_motion", "close_motion",
                  "correct_motion"):
    errors.post_owners[f"meetings.{_endpoint}"] = _to_meeting


bp.buttons(Button("/motions/<int:motion_id>/confirm", "confirm_tally", votes.confirm_tally, _l("Counts confirmed."),
                  _back_to), load=lambda motion_id: access.motion_for(current_user, motion_id, to=CONFIRM),
           guard=login_required)
bp.buttons(Button("/motions/<int:motion_id>/close", "close_motion", motions.close_motion,
                  _l("Voting is closed; the result is recorded."), _back_to),
           load=lambda motion_id: access.motion_for(current_user, motion_id, to=MANAGE),
           guard=permission_required("organise_meetings"))
