"""Volunteer activities (Earn): publish, sign up with a waiting list, check in
and out by a signed QR link or be marked by the organiser, then the organiser
confirms each volunteer's minutes: one service record and one credit
issuance → volunteer, exactly once per volunteer per activity."""
from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import selectinload
from flask_babel import lazy_gettext as _l

from app.accounts.models import User
from app.audit.services import record
from app.domain import DomainError, NotFound, Offer
from app.extensions import db
from app.localtime import local_date
from app.permissions import social_worker_community_ids
from app.places.services import public_community
from app.notifications.services import notify, notify_many, register_kind
from app.sqltypes import utcnow
from app.timebank import ledger
from app.timebank.models import ServiceRecord
from app.volunteering import hours
from app.volunteering.models import Activity, ActivityState, Signup, SignupStatus, VolunteerProfile

CATEGORIES = ["助老", "环境", "文明劝导", "防疫", "助学", "其他"]

register_kind("timebank.activity_cancelled", _l("The activity “%(title)s” has been cancelled."))
register_kind("timebank.promoted", _l("A place opened up: you are now signed up for “%(title)s”."))
register_kind("timebank.credited", _l("%(minutes)d minutes of service for “%(title)s” are recorded and credited."))


def register_volunteer(user: User, *, skills: str, availability: str, consent: bool) -> VolunteerProfile:
    """志愿者注册: a verified resident, who agrees that their service is recorded."""
    if not user.is_verified:
        raise DomainError(_l("Only verified residents can register as volunteers."))
    if not consent:
        raise DomainError(_l("Please agree that your volunteer service is recorded."), field="consent")
    profile = db.session.get(VolunteerProfile, user.id) or VolunteerProfile(user_id=user.id)
    profile.skills, profile.availability = skills.strip()[:200], availability.strip()[:200]
    profile.consent_at = utcnow()
    db.session.add(profile)
    db.session.flush()
    record(user, "timebank.register_volunteer", user, community_id=user.community_id)
    return profile


def volunteers_with_skill(skill: str) -> sa.Select:
    """The ids of registered volunteers whose skills name `skill` (the exchange asks, to notify them of requests)."""
    return sa.select(VolunteerProfile.user_id).where(VolunteerProfile.skills.contains(skill))


def profile_of(user) -> VolunteerProfile | None:
    if not (user and getattr(user, "is_authenticated", False)):
        return None
    return db.session.get(VolunteerProfile, user.id)


def publish(organiser: User, community, *, title: str, description: str, category: str, place: str,
            starts_at: datetime, ends_at: datetime, signup_deadline: datetime, places: int, minutes: int,
            topic=None) -> Activity:
    if not title.strip():
        raise DomainError(_l("Give the activity a title."), field="title")
    if category not in CATEGORIES:
        raise DomainError(_l("Choose a category."), field="category")
    if not (signup_deadline <= starts_at < ends_at):
        raise DomainError(_l("The sign-up deadline comes before the start, and the start before the end."),
                          field="starts_at")
    if type(places) is not int or places < 1:
        raise DomainError(_l("At least one place."), field="places")
    if type(minutes) is not int or minutes < 1:
        raise DomainError(_l("Credit at least one minute."), field="minutes")
    if topic is not None and topic.community_id != community.id:
        raise DomainError(_l("The topic belongs to another community."), field="topic_id")
    activity = Activity(community_id=community.id, organiser_id=organiser.id, title=title.strip()[:80],
                        description=description.strip(), category=category, place=place.strip()[:100],
                        starts_at=starts_at, ends_at=ends_at, signup_deadline=signup_deadline, places=places,
                        minutes=minutes, topic_id=getattr(topic, "id", None))
    db.session.add(activity)
    db.session.flush()
    record(organiser, "timebank.publish_activity", activity, community_id=community.id, title=activity.title)
    return activity


def organises(user, community_id: int) -> bool:
    """The one rule for organising: a social worker of the activity's community."""
    return community_id in social_worker_community_ids(user)


def community_for(user, community_id: int, *, to: str = "read"):
    """A public community; `to="organise"`: only for its social workers (else not found)."""
    community = public_community(community_id)
    if community is None or (to == "organise" and not organises(user, community.id)):
        raise NotFound
    return community


def activity_for(user, activity_id: int, *, to: str = "read") -> Activity:
    """An activity of a public community; `to="organise"` (roster, hours,
    cancelling): only for the community's social workers. Anything else is
    not found, so an id never tells what exists elsewhere."""
    activity = db.session.get(Activity, activity_id)
    if activity is None:
        raise NotFound
    community_for(user, activity.community_id, to=to)
    return activity


class Actions(Offer):
    """What the user may do with an activity now, from the same rules the services enforce.
    `organise`: the roster; only while it is open does it change anything; `register_first`:
    would sign up, but is not a registered volunteer yet."""
    names = """organise cancel confirm mark_attendance sign_up register_first
    cancel_signup has_place waitlisted"""


def actions_for(user, activity: Activity, signup: Signup | None = None) -> Actions:
    signed_in = bool(user and getattr(user, "is_authenticated", False))
    organiser = signed_in and organises(user, activity.community_id)
    is_open = activity.state is ActivityState.published
    before_deadline = utcnow() <= activity.signup_deadline
    signup = signup if signup is not None else signup_of(user, activity)
    active = signup is not None and signup.status is not SignupStatus.cancelled
    may_join = (signed_in and is_open and before_deadline and not active and user.is_verified
                and user.community_id == activity.community_id)
    registered = may_join and profile_of(user) is not None
    return Actions(organise=organiser, cancel=organiser and is_open, confirm=organiser and is_open,
                   mark_attendance=organiser and is_open, sign_up=registered, register_first=may_join and not registered,
                   cancel_signup=is_open and active and before_deadline,
                   has_place=is_open and active and signup.status is SignupStatus.confirmed,
                   waitlisted=is_open and active and signup.status is SignupStatus.waitlisted)


def may_check_in(user, activity: Activity) -> bool:
    """Only a volunteer with a place (the rule `check` enforces)."""
    signup = signup_of(user, activity)
    return signup is not None and signup.status is SignupStatus.confirmed


def adopted_topics(community_id: int):
    """Topics whose adoption the committee is carrying out (办理中): what an activity may carry out."""
    from app.consultation.models import Topic, TopicState

    return list(db.session.scalars(sa.select(Topic).where(Topic.community_id == community_id,
                                                          Topic.state == TopicState.in_progress).order_by(Topic.id)))


def waiting_position(activity: Activity, signup: Signup) -> int:
    waiting = signups_of(activity, SignupStatus.waitlisted)
    return next(i for i, s in enumerate(waiting, start=1) if s.id == signup.id)


def _lock_activity(activity: Activity) -> None:
    db.session.execute(sa.select(Activity.id).where(Activity.id == activity.id).with_for_update())
    db.session.refresh(activity)


def signups_of(activity: Activity, *statuses: SignupStatus) -> list[Signup]:
    query = sa.select(Signup).where(Signup.activity_id == activity.id)
    if statuses:
        query = query.where(Signup.status.in_(statuses))
    # the volunteers come with their sign-ups: a roster must not look each one up
    return list(db.session.scalars(query.options(selectinload(Signup.volunteer))
                                   .order_by(Signup.created_at, Signup.id)))


def signup_in(activity: Activity, signup_id: int | None) -> Signup:
    """A sign-up of this activity (another activity's id is not found)."""
    signup = db.session.scalar(sa.select(Signup).where(Signup.id == (signup_id or 0), Signup.activity_id == activity.id))
    if signup is None:
        raise NotFound
    return signup


def signup_of(user, activity: Activity) -> Signup | None:
    if not (user and getattr(user, "is_authenticated", False)):
        return None
    return db.session.scalar(sa.select(Signup).where(Signup.activity_id == activity.id,
                                                     Signup.volunteer_id == user.id))


def sign_up(volunteer: User, activity: Activity) -> Signup:
    """A verified resident of the community takes a place, or joins the waiting list."""
    _lock_activity(activity)
    if activity.state is not ActivityState.published or utcnow() > activity.signup_deadline:
        raise DomainError(_l("Sign-up for this activity has closed."))
    if not volunteer.is_verified or volunteer.community_id != activity.community_id:
        raise DomainError(_l("Only verified residents of this community can sign up."))
    if profile_of(volunteer) is None:
        raise DomainError(_l("Register as a volunteer first (skills, availability, consent)."))
    signup = signup_of(volunteer, activity)
    if signup is not None and signup.status is not SignupStatus.cancelled:
        raise DomainError(_l("You are already signed up."))
    taken = len(signups_of(activity, SignupStatus.confirmed))
    status = SignupStatus.confirmed if taken < activity.places else SignupStatus.waitlisted
    if signup is None:
        signup = Signup(activity_id=activity.id, volunteer_id=volunteer.id, status=status)
        db.session.add(signup)
    signup.status, signup.created_at = status, utcnow()
    db.session.flush()
    record(volunteer, "timebank.sign_up", activity, community_id=activity.community_id, status=status)
    return signup


def cancel_signup(volunteer: User, activity: Activity) -> None:
    """Until the deadline; a freed place goes to the first on the waiting list."""
    _lock_activity(activity)
    signup = signup_of(volunteer, activity)
    if signup is None or signup.status is SignupStatus.cancelled:
        raise DomainError(_l("You are not signed up."))
    if utcnow() > activity.signup_deadline:
        raise DomainError(_l("The sign-up deadline has passed; please tell the organiser."))
    freed = signup.status is SignupStatus.confirmed
    signup.status = SignupStatus.cancelled
    if freed:
        waiting = signups_of(activity, SignupStatus.waitlisted)
        if waiting:
            waiting[0].status = SignupStatus.confirmed
            notify(waiting[0].volunteer, "timebank.promoted", endpoint="volunteering.show_activity", values={"activity_id": activity.id}, title=activity.title)
    db.session.flush()
    record(volunteer, "timebank.cancel_signup", activity, community_id=activity.community_id)


def check(volunteer: User, activity: Activity, *, out: bool = False) -> Signup:
    """Check in (or out) at the venue by the QR link; only with a place."""
    signup = signup_of(volunteer, activity)
    if signup is None or signup.status is not SignupStatus.confirmed:
        raise DomainError(_l("Only volunteers with a place can check in."))
    if activity.state is not ActivityState.published:
        raise DomainError(_l("This activity is not open for check-in."))
    if out:
        if signup.checked_in_at is None:
            raise DomainError(_l("Check in first."))
        signup.checked_out_at = signup.checked_out_at or utcnow()
    else:
        signup.checked_in_at = signup.checked_in_at or utcnow()
        signup.attended = True
    db.session.flush()
    record(volunteer, "timebank.check_out" if out else "timebank.check_in", activity,
           community_id=activity.community_id)
    return signup


def mark_attendance(organiser: User, signup: Signup, attended: bool) -> None:
    """The organiser marks who came, while the activity is open; never
    themselves (they check in with the QR code, or another staff member marks
    them)."""
    activity = db.session.get(Activity, signup.activity_id)
    if activity.state is not ActivityState.published:
        raise DomainError(_l("Attendance is closed: the hours of this activity are confirmed."))
    if signup.volunteer_id == organiser.id:
        raise DomainError(_l("Another staff member marks your own attendance (or check in with the QR code)."))
    signup.attended = attended
    db.session.flush()
    record(organiser, "timebank.mark_attendance", signup, community_id=None, attended=attended)


def may_confirm_now(activity: Activity, now=None) -> tuple[bool, bool]:
    """(may confirm, needs a reason): after the end, or early (after the start) with a reason."""
    now = now or utcnow()
    return now >= activity.starts_at, now < activity.ends_at


def confirm(actor: User, activity: Activity, minutes_by_signup: dict[int, tuple[int, str]], *,
            early_reason: str = "") -> int:
    """Credit every attending volunteer, once the activity has taken place
    (after its end, or after its start with the reason for closing early).

    Each volunteer gets the planned minutes, or fewer with a reason; never
    more. Four eyes (四眼原则): a figure other than the planned minutes, and
    service by the organiser or by the staff member confirming, become
    requests a second staff member confirms (`hours.request_service`); the
    rest is credited at once. Exactly once per volunteer per activity
    (idempotency key, a unique index, and no second request while one is
    open). Returns how many were credited now."""
    _lock_activity(activity)
    if activity.state is ActivityState.cancelled:
        raise DomainError(_l("This activity was cancelled."))
    started, early = may_confirm_now(activity)
    if not started:
        raise DomainError(_l("Hours are confirmed after the activity has taken place; it has not started yet."))
    if early and not early_reason.strip():
        raise DomainError(_l("The activity has not ended yet: give the reason for closing it early."),
                          field="early_reason")
    attending = [s for s in signups_of(activity, SignupStatus.confirmed) if s.attended]
    figures = []
    for signup in attending:  # check every figure before anything is credited
        minutes, reason = minutes_by_signup.get(signup.id, (activity.minutes, ""))
        reason = reason.strip()
        if type(minutes) is not int or minutes < 1:
            raise DomainError(_l("Credit at least one minute (to credit nothing, unmark the attendance)."),
                              field=f"minutes-{signup.id}")
        if minutes > activity.minutes:
            raise DomainError(_l("At most the planned %(planned)d minutes can be credited.", planned=activity.minutes),
                              field=f"minutes-{signup.id}")
        if minutes < activity.minutes and not reason:
            raise DomainError(_l("Give a reason when crediting fewer minutes than planned."),
                              field=f"reason-{signup.id}")
        figures.append((signup, minutes, reason))
    credited = credited_minutes = 0
    for signup, minutes, reason in figures:
        already = db.session.scalar(sa.select(ServiceRecord.id).where(
            ServiceRecord.reference_type == "activity", ServiceRecord.reference_id == activity.id,
            ServiceRecord.volunteer_id == signup.volunteer_id, ServiceRecord.minutes > 0))
        if already or hours.pending_service_request(activity, signup.volunteer_id):
            continue
        volunteer = signup.volunteer
        if minutes != activity.minutes or volunteer.id in (activity.organiser_id, actor.id):
            hours.request_service(actor, activity, volunteer, minutes, reason)
            continue
        ledger.credit_service(volunteer, minutes, description=activity.title, served_on=local_date(activity.starts_at),
                              recorded_by=actor, verified_by=actor,
                              idempotency_key=f"activity-{activity.id}-volunteer-{volunteer.id}",
                              reference=("activity", activity.id))
        notify(volunteer, "timebank.credited", endpoint="timebank.my_timebank", minutes=minutes, title=activity.title)
        credited += 1
        credited_minutes += minutes
    activity.state = ActivityState.confirmed
    if activity.topic_id and credited:
        # hours earned carrying out a community decision show on the topic's timeline
        from app.consultation.models import TopicEvent

        db.session.add(TopicEvent(topic_id=activity.topic_id, actor_id=actor.id, kind="volunteer_hours",
                                  note=str(_l("%(title)s: %(n)d volunteers, %(hours)s hours of service",
                                              title=activity.title, n=credited, hours=_hours_text(credited_minutes)))))
    db.session.flush()
    record(actor, "timebank.confirm_activity", activity, community_id=activity.community_id, credited=credited,
           early_reason=early_reason.strip()[:200] if early else None)
    return credited


def pending_credits(activity: Activity) -> list:
    """Credits of this activity waiting for a second staff member."""
    from app.timebank.models import LedgerRequest, RequestKind

    return list(db.session.scalars(sa.select(LedgerRequest).where(
        LedgerRequest.kind == RequestKind.service, LedgerRequest.activity_id == activity.id,
        LedgerRequest.decided_at.is_(None)).order_by(LedgerRequest.id)))


def cancel(organiser: User, activity: Activity, reason: str) -> None:
    if activity.state is not ActivityState.published:
        raise DomainError(_l("Only a published activity can be cancelled."))
    if not reason.strip():
        raise DomainError(_l("Give the reason for cancelling."), field="reason")
    activity.state = ActivityState.cancelled
    volunteers = [s.volunteer for s in signups_of(activity, SignupStatus.confirmed, SignupStatus.waitlisted)]
    notify_many(volunteers, "timebank.activity_cancelled", endpoint="volunteering.show_activity", values={"activity_id": activity.id}, title=activity.title)
    db.session.flush()
    record(organiser, "timebank.cancel_activity", activity, community_id=activity.community_id, reason=reason)


ACTIVITY_PAGE = 20  # activities a page of the calendar shows


def upcoming(community_id: int, page: int = 1, per_page: int = ACTIVITY_PAGE) -> tuple[list[Activity], bool]:
    """Page `page` of the community's activities not yet over, soonest first, and whether a next page
    exists (one statement: a row more than the page is read)."""
    rows = list(db.session.scalars(sa.select(Activity).where(
        Activity.community_id == community_id, Activity.state != ActivityState.cancelled,
        Activity.ends_at >= utcnow()).order_by(Activity.starts_at, Activity.id)
        .offset((page - 1) * per_page).limit(per_page + 1)))
    return rows[:per_page], len(rows) > per_page


def _hours_text(minutes: int) -> str:
    """3 for 180 minutes, 2.5 for 150: exact decimals, never a float's 3.0."""
    if minutes % 60 == 0:
        return str(minutes // 60)
    return str((Decimal(minutes) / 60).quantize(Decimal("0.1")))
