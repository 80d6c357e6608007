"""An activity's hours in the time bank. Volunteering credits service through
the ledger (app.timebank.ledger), never the other way: what an activity adds
to the ledger's service rules (a ceiling per activity, checked on every
credit and by `flask timebank verify`) and the second staff member's
confirmation of an activity's credit are registered with the ledger here, at
import of the package."""
from __future__ import annotations

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from app.accounts.models import User
from app.audit.services import record
from app.domain import DomainError
from app.extensions import db
from app.localtime import local_date
from app.notifications.services import notify
from app.timebank import ledger
from app.timebank.models import LedgerRequest, RequestKind, ServiceRecord, Txn
from app.volunteering.models import Activity, Signup, SignupStatus


def activity_ceiling(activity: Activity) -> int:
    """An activity credits at most its planned minutes for each volunteer who attended."""
    attendees = db.session.scalar(sa.select(sa.func.count(Signup.id)).where(
        Signup.activity_id == activity.id, Signup.status == SignupStatus.confirmed, Signup.attended)) or 0
    return activity.minutes * attendees


def check_activity_credit(volunteer: User, minutes: int, activity_id: int | None) -> None:
    """An activity credits at most its planned minutes to each volunteer and
    planned × attendees in all, and only to volunteers of its community."""
    activity = db.session.get(Activity, activity_id)
    if activity is None or activity.community_id != volunteer.community_id:
        raise DomainError(_l("The activity belongs to another community."))
    if minutes > activity.minutes:
        raise DomainError(_l("At most the planned %(planned)d minutes can be credited.", planned=activity.minutes),
                          field="minutes")
    credited = db.session.scalar(sa.select(sa.func.coalesce(sa.func.sum(ServiceRecord.minutes), 0)).where(
        ServiceRecord.reference_type == "activity", ServiceRecord.reference_id == activity.id)) or 0
    if credited + minutes > activity_ceiling(activity):
        raise DomainError(_l("The activity has credited its planned minutes for every volunteer who attended."),
                          field="minutes")


def activity_credit_problems() -> list[str]:
    """Activities that credited more than their planned minutes × attendees (for `flask timebank verify`)."""
    attendees = (sa.select(sa.func.count(Signup.id)).where(
        Signup.activity_id == Activity.id, Signup.status == SignupStatus.confirmed, Signup.attended)
        .correlate(Activity).scalar_subquery())
    credited = sa.func.sum(ServiceRecord.minutes)
    problems = []
    for activity_id, minutes, planned, attended in db.session.execute(
            sa.select(Activity.id, credited, Activity.minutes, attendees)
            .join(ServiceRecord, sa.and_(ServiceRecord.reference_type == "activity",
                                         ServiceRecord.reference_id == Activity.id))
            .group_by(Activity.id, Activity.minutes).having(credited > Activity.minutes * attendees)
            .order_by(Activity.id)):
        problems.append(f"activity {activity_id} credited {minutes} minutes of service, above its ceiling of "
                        f"{planned} planned minutes × {attended} attendees")
    return problems


def request_service(actor: User, activity: Activity, volunteer: User, minutes: int, reason: str):
    """An activity's credit that needs a second staff member (四眼原则): a
    figure other than the planned minutes, or service by the organiser (or by
    the staff member confirming). The credit is made when a second staff
    member confirms; the service record then names them as verifier."""
    ledger.positive_minutes(minutes)
    ledger_request = LedgerRequest(community_id=activity.community_id, kind=RequestKind.service, user_id=volunteer.id,
                                   minutes=minutes, reason=reason.strip()[:200], activity_id=activity.id,
                                   requested_by_id=actor.id)
    db.session.add(ledger_request)
    db.session.flush()
    record(actor, "timebank.request_service", ledger_request, community_id=activity.community_id, minutes=minutes,
           activity=activity.id, volunteer=volunteer.id)
    return ledger_request


def pending_service_request(activity: Activity, volunteer_id: int):
    return db.session.scalar(sa.select(LedgerRequest).where(
        LedgerRequest.kind == RequestKind.service, LedgerRequest.activity_id == activity.id,
        LedgerRequest.user_id == volunteer_id, LedgerRequest.decided_at.is_(None)))


def confirm_service_request(ledger_request, requester: User, actor: User) -> Txn:
    """The activity's credit, verified by the second staff member; recorded by
    the one who asked, unless that is the volunteer (the organiser's own
    service), then by the second staff member too."""
    activity, volunteer = ledger_request.activity, db.session.get(User, ledger_request.user_id)
    reason = ledger_request.reason.strip()
    service = ledger.credit_service(
        volunteer, ledger_request.minutes, description=activity.title + (f"（{reason}）" if reason else ""),
        served_on=local_date(activity.starts_at), recorded_by=actor if requester.id == volunteer.id else requester,
        verified_by=actor, idempotency_key=f"activity-{activity.id}-volunteer-{volunteer.id}",
        reference=("activity", activity.id))
    notify(volunteer, "timebank.credited", endpoint="timebank.my_timebank", minutes=ledger_request.minutes, title=activity.title)
    return db.session.get(Txn, service.txn_id)


ledger.register_service_reference("activity", check=check_activity_credit, problems=activity_credit_problems)
ledger.register_request_confirmation(RequestKind.service, confirm_service_request)
