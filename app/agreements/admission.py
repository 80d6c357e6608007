"""社区事务准入: a department files work for communities; the platform matches
it against the lists in force; the subdistrict confirms the match (or that
none fits); the committee may decline unlisted work (社区减负).

The transitions, in one table (TRANSITIONS), give both the service's checks
and `actions_for`:

    submitted ──confirm (statutory item)──▶ admitted
              ──confirm (assisted item)───▶ assisted
              ──none fits / excluded item─▶ needs_agreement ──decline──▶ declined
    needs_agreement, declined ──an agreement for it in force──▶ under_agreement
    (a department whose unlisted work was declined may come back with funding: 费随事转)
    submitted, needs_agreement ──withdraw──▶ withdrawn
"""
from __future__ import annotations

import secrets
from datetime import date

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import joinedload

from app import localtime
from app.agreements import access
from app.agreements.models import REQUEST_LABELS, AdmissionRequest, AdmissionSettings, RequestState
from app.agreements.workdays import add_working_days, is_working_day, working_days_between
from app.audit.services import record
from app.domain import DomainError, Forbidden, NotFound, Offer
from app.extensions import db
from app.notifications.services import notify_many, register_kind
from app.permissions import is_admin
from app.places.models import Community, Department
from app.sqltypes import utcnow

DEFAULT_NOTICE_DAYS = 30
DEFAULT_DECISION_DAYS = 15

register_kind("admission.submitted", _l("%(department)s asks %(community)s to take on “%(title)s”."))
register_kind("admission.outcome", _l("Your request “%(title)s” for %(community)s: %(outcome)s."),
              labels={"outcome": REQUEST_LABELS})
register_kind("admission.needs_agreement", _l("“%(title)s” from %(department)s is on neither list: sign an "
                                              "entrustment agreement for it or decline it."))

S = RequestState
# action -> (states it may start from, who may do it)
TRANSITIONS = {
    "decide": ({S.submitted}, "subdistrict"),
    "decline": ({S.needs_agreement}, "committee"),
    "withdraw": ({S.submitted, S.needs_agreement}, "department"),
    "draft_agreement": ({S.needs_agreement, S.declined}, "department"),
}


# -- settings -------------------------------------------------------------------


def settings_for(subdistrict_id: int) -> AdmissionSettings:
    """The subdistrict's deadlines (defaults 30 and 15 working days until its staff change them)."""
    return db.session.get(AdmissionSettings, subdistrict_id) or AdmissionSettings(
        subdistrict_id=subdistrict_id, notice_days=DEFAULT_NOTICE_DAYS, decision_days=DEFAULT_DECISION_DAYS)


def save_settings(actor, subdistrict, *, notice_days: int, decision_days: int) -> AdmissionSettings:
    if subdistrict.id not in _staff_subdistricts(actor):
        raise Forbidden
    if not 0 <= notice_days <= 250:
        raise DomainError(_l("Between 0 and 250 working days."), field="notice_days")
    if not 1 <= decision_days <= 250:
        raise DomainError(_l("Between 1 and 250 working days."), field="decision_days")
    settings = db.session.get(AdmissionSettings, subdistrict.id) or AdmissionSettings(subdistrict_id=subdistrict.id)
    before = (settings.notice_days, settings.decision_days)
    settings.notice_days, settings.decision_days = notice_days, decision_days
    settings.updated_at, settings.updated_by_id = utcnow(), actor.id
    db.session.add(settings)
    db.session.flush()
    record(actor, "admission.settings", subdistrict, notice_days=notice_days, decision_days=decision_days,
           before=list(before))
    return settings


def _staff_subdistricts(user) -> set[int]:
    from app.permissions import staff_subdistrict_ids

    return staff_subdistrict_ids(user)


# -- loaders ----------------------------------------------------------------------


def department_for(user, department_id: int) -> Department:
    """A department whose staff the user is (else not found)."""
    department = db.session.get(Department, department_id)
    if department is None or not access.speaks_for_department(user, department.id) or not department.is_active:
        raise NotFound
    return department


def addressable_communities(department: Department) -> list[Community]:
    """A subdistrict's department asks its own subdistrict's communities; a city department, any."""
    query = sa.select(Community).where(Community.is_active.is_(True)).order_by(Community.subdistrict_id,
                                                                               Community.name)
    if department.subdistrict_id is not None:
        query = query.where(Community.subdistrict_id == department.subdistrict_id)
    return list(db.session.scalars(query))


def request_for(user, request_id: int) -> AdmissionRequest:
    """A request, for the department that filed it, the community's committee and
    the subdistrict's staff; anyone else: not found."""
    req = db.session.get(AdmissionRequest, request_id)
    if req is None or not access.may_read_private(user, req.department_id, req.community):
        raise NotFound
    return req


# -- submission ---------------------------------------------------------------------


def earliest_start(subdistrict_id: int, today: date | None = None) -> date:
    today = today or localtime.today()
    return add_working_days(today, settings_for(subdistrict_id).notice_days)


def submit(actor, department: Department, communities: list[Community], *, title: str, description: str,
           starts_on: date, ends_on: date, workload: str, needs_stamp: bool, claimed_item_id: int | None,
           today: date | None = None) -> list[AdmissionRequest]:
    """File one request per community. Each is matched against its subdistrict's
    lists in force today; the version and the proposals are recorded on it."""
    from app.lists import services as lists

    if not access.speaks_for_department(actor, department.id):
        raise Forbidden
    title, workload = (title or "").strip(), (workload or "").strip()
    if not title:
        raise DomainError(_l("Say what the task is."), field="title")
    if not workload:
        raise DomainError(_l("Say how much work it is."), field="workload")
    if not communities:
        raise DomainError(_l("Choose at least one community."), field="communities")
    allowed = {c.id for c in addressable_communities(department)}
    if any(c.id not in allowed for c in communities):
        raise DomainError(_l("Your department cannot send work to that community."), field="communities")
    if ends_on < starts_on:
        raise DomainError(_l("The period ends before it starts."), field="ends_on")
    today = today or localtime.today()
    batch = secrets.token_hex(8)
    made = []
    for community in communities:
        settings = settings_for(community.subdistrict_id)
        earliest = add_working_days(today, settings.notice_days)
        if starts_on < earliest:
            raise DomainError(_l("Requests are filed %(days)d working days ahead: the work can start on "
                                 "%(date)s at the earliest.", days=settings.notice_days,
                                 date=earliest.isoformat()), field="starts_on")
        version = lists.version_in_force(community.subdistrict_id, on=today)
        claimed = None
        if claimed_item_id:
            claimed = next((i for i in (version.items if version else []) if i.id == claimed_item_id), None)
            if claimed is None:
                raise DomainError(_l("Choose an item of the lists in force."), field="claimed_item_id")
        proposals = []
        if version is not None:
            text = " ".join(p for p in (title, description, workload) if p)
            proposals = [[m.item.id, str(m.score)] for m in lists.match_items(version, text, limit=5)]
            if claimed is not None and claimed.id not in [p[0] for p in proposals]:
                proposals.insert(0, [claimed.id, "claimed"])
        req = AdmissionRequest(
            batch=batch, department_id=department.id, community_id=community.id, title=title[:80],
            description=(description or "").strip(), starts_on=starts_on, ends_on=ends_on, workload=workload[:100],
            needs_stamp=bool(needs_stamp), claimed_item_id=getattr(claimed, "id", None),
            list_version_id=getattr(version, "id", None), proposals=proposals, submitted_by_id=actor.id,
            decide_by=add_working_days(today, settings.decision_days))
        db.session.add(req)
        db.session.flush()
        record(actor, "admission.submit", req, community_id=community.id, title=req.title,
               version=getattr(version, "number", None))
        notify_many(access.staff_of_subdistrict(community.subdistrict_id), "admission.submitted",
                    endpoint="agreements.show_request", values={"admission_id": req.id},
                    department=department.name, community=community.name, title=req.title)
        made.append(req)
    return made


# -- decisions ------------------------------------------------------------------------


def _may(user, action: str, req: AdmissionRequest) -> bool:
    states, who = TRANSITIONS[action]
    if req.state not in states:
        return False
    if who == "subdistrict":
        return access.decides_for(user, req.community)
    if who == "committee":
        return access.speaks_for_committee(user, req.community_id)
    return access.speaks_for_department(user, req.department_id)


def _check(user, action: str, req: AdmissionRequest) -> None:
    """Refused unless the table allows it now; the row is locked first, so two people
    answering the same request at once cannot both win (the second sees the answer)."""
    db.session.refresh(req, with_for_update=True)
    if _may(user, action, req):
        return
    states, _who = TRANSITIONS[action]
    if req.state not in states:
        raise DomainError(_l("This request has already been answered."))
    raise Forbidden


def decide(actor, req: AdmissionRequest, item_id: int | None) -> AdmissionRequest:
    """The subdistrict confirms the item the work falls under (of the version
    recorded at submission), or that none fits. Statutory → admitted; assisted →
    admitted as assistance; an excluded item or none → an agreement is needed."""
    from app.lists.models import ItemKind, ListItem

    _check(actor, "decide", req)
    item = None
    if item_id is not None:
        item = db.session.get(ListItem, item_id)
        if item is None or req.list_version_id is None or item.version_id != req.list_version_id:
            raise DomainError(_l("Choose an item of the lists the request was checked against."), field="item_id")
    if item is not None and item.kind is ItemKind.statutory:
        req.state = S.admitted
    elif item is not None and item.kind is ItemKind.assisted:
        req.state = S.assisted
    else:
        req.state = S.needs_agreement
    req.matched_item_id = getattr(item, "id", None)
    req.decided_by_id, req.decided_at = actor.id, utcnow()
    db.session.flush()
    record(actor, "admission.decide", req, community_id=req.community_id, outcome=req.state.name,
           item=getattr(item, "title", None))
    _tell_department(req)
    if req.state is S.needs_agreement:
        notify_many(access.committee_of(req.community_id), "admission.needs_agreement",
                    endpoint="agreements.show_request", values={"admission_id": req.id},
                    title=req.title, department=req.department.name)
    return req


def decline(actor, req: AdmissionRequest, reason: str) -> AdmissionRequest:
    """社区减负: the committee declines unlisted work, with a reason the department reads."""
    _check(actor, "decline", req)
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_l("Give the department a reason."), field="reason")
    req.state = S.declined
    req.reason = reason[:300]
    req.declined_by_id, req.declined_at = actor.id, utcnow()
    db.session.flush()
    record(actor, "admission.decline", req, community_id=req.community_id, reason=req.reason)
    _tell_department(req)
    return req


def withdraw(actor, req: AdmissionRequest) -> AdmissionRequest:
    _check(actor, "withdraw", req)
    req.state = S.withdrawn
    db.session.flush()
    record(actor, "admission.withdraw", req, community_id=req.community_id)
    return req


def under_agreement(actor, req: AdmissionRequest) -> None:
    """Called when an agreement for the request comes into force."""
    if req.state in TRANSITIONS["draft_agreement"][0]:
        req.state = S.under_agreement
        db.session.flush()
        record(actor, "admission.under_agreement", req, community_id=req.community_id)
        _tell_department(req)


def _tell_department(req: AdmissionRequest) -> None:
    notify_many(access.staff_of_department(req.department_id), "admission.outcome",
                endpoint="agreements.show_request", values={"admission_id": req.id},
                title=req.title, community=req.community.name, outcome=req.state.name)


# -- reading ------------------------------------------------------------------------------


class Actions(Offer):
    names = """decide decline withdraw draft_agreement"""


def actions_for(user, req: AdmissionRequest) -> Actions:
    return Actions(**{name: _may(user, name, req) for name in TRANSITIONS})


def is_overdue(req: AdmissionRequest, today: date | None = None) -> bool:
    """Not decided by the last working day the subdistrict allowed itself."""
    return req.state is S.submitted and (today or localtime.today()) > req.decide_by


def working_days_left(req: AdmissionRequest, today: date | None = None) -> int:
    today = today or localtime.today()
    return working_days_between(today, req.decide_by) if is_working_day(req.decide_by) else 0


def proposals_of(req: AdmissionRequest) -> list:
    """The proposed items with their scores, best first (items of the recorded version)."""
    from app.lists.models import ListItem

    ids = [p[0] for p in req.proposals or []]
    if not ids:
        return []
    items = {i.id: i for i in db.session.scalars(sa.select(ListItem).where(ListItem.id.in_(ids)))}
    return [(items[p[0]], p[1]) for p in req.proposals if p[0] in items]


def _listing(query):
    return list(db.session.scalars(query.options(joinedload(AdmissionRequest.department),
                                                 joinedload(AdmissionRequest.community))
                                   .order_by(AdmissionRequest.submitted_at.desc(), AdmissionRequest.id.desc())))


def requests_of_department(department_id: int, limit: int | None = None) -> list[AdmissionRequest]:
    query = sa.select(AdmissionRequest).where(AdmissionRequest.department_id == department_id)
    return _listing(query.limit(limit) if limit else query)


def requests_of_community(community_id: int) -> list[AdmissionRequest]:
    return _listing(sa.select(AdmissionRequest).where(AdmissionRequest.community_id == community_id))


def requests_of_subdistrict(subdistrict_id: int, *, open_only: bool = False) -> list[AdmissionRequest]:
    query = sa.select(AdmissionRequest).join(Community, AdmissionRequest.community_id == Community.id).where(
        Community.subdistrict_id == subdistrict_id)
    if open_only:
        query = query.where(AdmissionRequest.state == S.submitted)
    return _listing(query)


def subdistrict_for(user, subdistrict_id: int):
    """A subdistrict whose staff the user is (admin: any)."""
    from app.places.models import Subdistrict

    subdistrict = db.session.get(Subdistrict, subdistrict_id)
    if subdistrict is None or not (subdistrict.id in _staff_subdistricts(user) or is_admin(user)):
        raise NotFound
    return subdistrict


def community_for(user, community_id: int) -> Community:
    """A community whose committee the user acts for, or whose subdistrict they staff."""
    community = db.session.get(Community, community_id)
    if community is None or not (access.speaks_for_committee(user, community.id)
                                 or access.decides_for(user, community) or is_admin(user)):
        raise NotFound
    return community
