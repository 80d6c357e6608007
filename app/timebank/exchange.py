"""Spending hours on help from neighbours (互助交换, 易存难兑 is the failure
this answers): a resident's help request (求助), volunteers' offers, the
chosen helper, short messages, and the confirmation after the service that
moves hours once (requester → helper, or pool → helper when a social worker
approved pool support). Standing offers (服务项目), records a volunteer
starts ("I helped for 90 minutes") that the receiver confirms or disputes,
and the community's figures.

Who acts: the resident themself, their proxy (代办, app.timebank.family), or a
social worker of their community for a resident without a phone; every act
records who did it and for whom. Nobody confirms a service they gave.

The pool's reservations: approving pool support reserves the minutes on the
community's pool account, under the pool account's lock, so the sum of
active reservations never exceeds the pool's balance and the pool is never
promised twice; cancelling releases, confirming consumes."""
from __future__ import annotations

import statistics
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from flask import current_app
from flask_babel import lazy_gettext as _l

from app.accounts.models import ResidenceStatus, User
from app.audit.services import record
from app.domain import DomainError, Forbidden, NotFound, Offer
from app.extensions import db
from app.localtime import local_date
from app.notifications.services import notify, register_kind
from app.permissions import social_worker_community_ids
from app.places.models import Community
from app.sqltypes import utcnow
from app.timebank import family, ledger
from app.timebank.exchange_models import (DEFAULT_CATEGORIES, ClaimState, ExchangeProfile, HelpCategory, HelpMessage,
                                          HelpOffer, HelpRequest, HelpState, PoolState, ServiceClaim, ServiceListing)
from app.timebank.models import Account, AccountKind, Posting, Txn, TxnKind

register_kind("timebank.help_new", _l("A neighbour asks for help: %(category)s on %(when)s."))
register_kind("timebank.help_offer", _l("%(name)s offered to help with your request (%(category)s)."))
register_kind("timebank.help_chosen", _l("You were chosen to help: %(category)s on %(when)s."))
register_kind("timebank.help_withdrawn", _l("%(name)s can no longer help; your request is open again."))
register_kind("timebank.help_message", _l("New message about the request (%(category)s) from %(name)s."))
register_kind("timebank.help_cancelled", _l("The request (%(category)s) you were helping with was cancelled."))
register_kind("timebank.help_confirmed", _l("%(minutes)d minutes were confirmed for your help (%(category)s)."))
register_kind("timebank.pool_asked", _l("%(name)s asks for pool support (%(minutes)d minutes)."))
register_kind("timebank.pool_decided", _l("Pool support for your request: %(outcome)s."))
register_kind("timebank.claim_new", _l("%(name)s recorded %(minutes)d minutes of help for you: please confirm or dispute."))
register_kind("timebank.claim_answered", _l("Your record of %(minutes)d minutes was %(outcome)s."))
register_kind("timebank.claim_disputed", _l("A record of %(minutes)d minutes of help is disputed: please decide."))
register_kind("timebank.claim_expired", _l("A record of %(minutes)d minutes of help expired unconfirmed."))

MAX_MINUTES = 8 * 60  # one request's estimate
MAX_SERVED = 12 * 60  # a confirmation's actual minutes (the day's ceiling also applies)
SELF, PROXY, SOCIAL_WORKER = "self", "proxy", "social_worker"


def claim_days() -> int:
    """Days a volunteer-started record waits for the receiver before it expires."""
    return int(current_app.config.get("TIMEBANK_CLAIM_DAYS", 7))


# -- who acts for whom -----------------------------------------------------------------------------

def is_proxy(actor: User, resident: User) -> bool:
    """The resident's designated proxy (代办), as family links record it."""
    from app.timebank.family import can_act_for

    return can_act_for(actor, resident)


def acting(actor: User, resident: User) -> str | None:
    """How `actor` may act for `resident`: themself, as proxy, as a social
    worker of the resident's community — or not at all."""
    if actor is None or not getattr(actor, "is_authenticated", True):
        return None
    if actor.id == resident.id:
        return SELF
    if is_proxy(actor, resident):
        return PROXY
    if resident.community_id in social_worker_community_ids(actor):
        return SOCIAL_WORKER
    return None


def _acting(actor: User, resident: User) -> str:
    how = acting(actor, resident)
    if how is None:
        raise DomainError(_l("Only the resident, their proxy or a social worker of their community can do this."))
    return how


def _trail(actor: User, resident: User, how: str) -> dict:
    """What every audit entry of an act for a resident carries: how the actor
    acted, and for someone else the family module's 代办 detail (the audit
    sentence then ends "done by X for Y as proxy")."""
    from app.timebank.family import on_behalf

    return {"acting": how, "resident": resident.display_name} | on_behalf(actor, resident)


# -- categories and profiles -----------------------------------------------------------------------

def categories(community_id: int, *, active: bool = True) -> list[HelpCategory]:
    """The community's kinds of help; the defaults on first use."""
    query = sa.select(HelpCategory).where(HelpCategory.community_id == community_id)
    found = list(db.session.scalars(query.order_by(HelpCategory.position, HelpCategory.id)))
    if not found:
        for position, name in enumerate(DEFAULT_CATEGORIES):
            db.session.add(HelpCategory(community_id=community_id, name=name, position=position))
        try:
            with db.session.begin_nested():
                db.session.flush()
        except sa.exc.IntegrityError:  # another first use made them
            pass
        found = list(db.session.scalars(query.order_by(HelpCategory.position, HelpCategory.id)))
    return [c for c in found if c.is_active or not active]


def save_categories(actor: User, community: Community, names: list[str]) -> list[HelpCategory]:
    """The community's list, in order: new names are added, missing ones
    retired (requests that used them keep them), retired ones brought back."""
    cleaned: list[str] = []
    for name in (n.strip() for n in names):
        if name and name not in cleaned:
            if len(name) > 30:
                raise DomainError(_l("A category name has at most 30 characters."), field="names")
            cleaned.append(name)
    if not cleaned:
        raise DomainError(_l("Keep at least one category."), field="names")
    if len(cleaned) > 30:
        raise DomainError(_l("At most 30 categories."), field="names")
    existing = {c.name: c for c in categories(community.id, active=False)}
    for position, name in enumerate(cleaned):
        category = existing.get(name) or HelpCategory(community_id=community.id, name=name)
        category.position, category.is_active = position, True
        db.session.add(category)
    for name, category in existing.items():
        if name not in cleaned:
            category.is_active = False
    db.session.flush()
    record(actor, "timebank.help_categories", community, community_id=community.id, names="、".join(cleaned))
    return categories(community.id)


def category_of(community_id: int, category_id) -> HelpCategory:
    category = db.session.get(HelpCategory, category_id) if isinstance(category_id, int) else None
    if category is None or category.community_id != community_id or not category.is_active:
        raise DomainError(_l("Choose a category."), field="category_id")
    return category


def profile_of(user: User, *, create: bool = False) -> ExchangeProfile | None:
    profile = db.session.get(ExchangeProfile, user.id)
    if profile is None and create:
        profile = ExchangeProfile(user_id=user.id)
        db.session.add(profile)
    return profile


def set_wider(user: User, wider: bool) -> ExchangeProfile:
    """A volunteer's choice to see (and help with) the subdistrict's other communities' requests."""
    if not user.is_verified:
        raise DomainError(_l("Only verified residents hold a time-bank account."))
    profile = profile_of(user, create=True)
    profile.wider = wider
    db.session.flush()
    record(user, "timebank.help_wider", community_id=user.community_id, wider=wider)
    return profile


def set_priority(actor: User, resident: User, priority: bool, reason: str) -> ExchangeProfile:
    """A social worker marks a priority resident (e.g. 80+ living alone): their
    pool-support requests come first in the queue."""
    if resident.community_id not in social_worker_community_ids(actor):
        raise NotFound
    reason = reason.strip()
    if priority and not reason:
        raise DomainError(_l("Give the reason (e.g. 80岁以上独居)."), field="reason")
    profile = profile_of(resident, create=True)
    profile.is_priority, profile.priority_reason, profile.priority_set_by_id = priority, reason[:200], actor.id
    db.session.flush()
    record(actor, "timebank.help_priority", resident, community_id=resident.community_id, priority=priority,
           reason=reason[:200])
    return profile


def priority_residents(community_id: int) -> list[tuple[User, ExchangeProfile]]:
    return list(db.session.execute(sa.select(User, ExchangeProfile).join(ExchangeProfile, ExchangeProfile.user_id == User.id)
                                   .where(User.community_id == community_id, ExchangeProfile.is_priority.is_(True))
                                   .order_by(User.display_name)).all())


# -- balances and the pool's reservations ----------------------------------------------------------

def spendable(resident: User) -> int:
    """What the resident can spend: the balance above its floor (a credit line counts)."""
    account = ledger.account_of(resident, create=False)
    return 0 if account is None else account.balance - account.floor


def _holds_reservation():
    """Approved pool support still promised: not paid or released, and the request not
    expired unanswered (an open request past its time can no longer be served)."""
    expired = sa.and_(HelpRequest.state == HelpState.open, HelpRequest.needed_at <= utcnow())
    return sa.and_(HelpRequest.pool_state == PoolState.approved, sa.not_(expired))


def _active_reservation(community_id: int):
    return sa.and_(HelpRequest.community_id == community_id, _holds_reservation())


def reserved_minutes(community_id: int) -> int:
    """Minutes of the community's pool promised to approved requests not yet paid or released."""
    return db.session.scalar(sa.select(sa.func.coalesce(sa.func.sum(HelpRequest.pool_minutes), 0))
                             .where(_active_reservation(community_id))) or 0


def pool_of(community_id: int) -> dict:
    """The pool's balance, what is reserved and what is free to promise."""
    account = db.session.scalar(sa.select(Account).where(Account.community_id == community_id,
                                                          Account.kind == AccountKind.pool))
    balance = account.balance if account else 0
    reserved = reserved_minutes(community_id)
    return {"balance": balance, "reserved": reserved, "free": balance - reserved}


def reservation_problems() -> list[str]:
    """For `flask timebank verify`: in no community do the pool's reservations
    exceed its balance, and every reservation belongs to an unpaid request."""
    problems = []
    reserved = (sa.select(HelpRequest.community_id, sa.func.sum(HelpRequest.pool_minutes).label("minutes"))
                .where(_holds_reservation()).group_by(HelpRequest.community_id).subquery())
    pool = sa.and_(Account.community_id == reserved.c.community_id, Account.kind == AccountKind.pool)
    for community_id, minutes, balance in db.session.execute(
            sa.select(reserved.c.community_id, reserved.c.minutes, sa.func.coalesce(Account.balance, 0))
            .outerjoin(Account, pool).order_by(reserved.c.community_id)):
        if minutes > balance:
            problems.append(f"community {community_id}: the pool reserves {minutes} minutes but holds {balance}")
    for request_id in db.session.scalars(sa.select(HelpRequest.id).where(
            HelpRequest.pool_state == PoolState.approved,
            HelpRequest.state.in_([HelpState.served, HelpState.cancelled])).order_by(HelpRequest.id)):
        problems.append(f"help request {request_id} is closed but still holds a pool reservation")
    for request_id in db.session.scalars(sa.select(HelpRequest.id).where(
            HelpRequest.state == HelpState.served, HelpRequest.txn_id.is_(None)).order_by(HelpRequest.id)):
        problems.append(f"help request {request_id} is served without a transaction")
    return problems


def _lock_pool(community_id: int) -> Account:
    """The pool account, locked (FOR UPDATE; SQLite's BEGIN IMMEDIATE already
    serialises writers): reservations are decided one at a time."""
    pool = ledger.system_account(community_id, AccountKind.pool)
    db.session.execute(sa.select(Account.id).where(Account.id == pool.id).with_for_update())
    db.session.refresh(pool)
    return pool


def _locked(model, obj_id: int):
    """Re-read a row under its lock, so two devices acting at once act one after the other."""
    return db.session.execute(sa.select(model).where(model.id == obj_id).with_for_update()
                              .execution_options(populate_existing=True)).scalar_one()


# -- help requests ---------------------------------------------------------------------------------

def _unit(community_id: int) -> int:
    return ledger.community_rules(community_id).unit_minutes


def _check_minutes(minutes, community_id: int, *, most: int, field: str = "minutes") -> int:
    unit = _unit(community_id)
    if type(minutes) is not int or not 0 < minutes <= most:
        raise DomainError(_l("Between %(unit)d and %(most)d minutes.", unit=unit, most=most), field=field)
    if minutes % unit:
        raise DomainError(_l("Amounts are multiples of %(unit)d minutes.", unit=unit), field=field)
    return minutes


def post_request(actor: User, resident: User, *, category_id, needed_at: datetime, place: str, minutes: int,
                 notes: str = "", accept_first: bool = False, pool_reason: str | None = None,
                 listing: ServiceListing | None = None) -> HelpRequest:
    """A help request (求助) by the resident, their proxy or a social worker.
    The estimate must be covered by the resident's balance, or they ask the
    pool (公益池) with a reason. From a standing offer, its volunteer is the helper."""
    how = _acting(actor, resident)
    if not resident.is_verified or not resident.is_active:
        raise DomainError(_l("Only verified residents hold a time-bank account."))
    category = category_of(resident.community_id, category_id)
    if needed_at <= utcnow():
        raise DomainError(_l("Choose a time that lies ahead."), field="needed_at")
    if needed_at > utcnow() + timedelta(days=180):
        raise DomainError(_l("Choose a time within six months."), field="needed_at")
    place, notes = place.strip(), notes.strip()
    if not place:
        raise DomainError(_l("Say where the help is needed."), field="place")
    minutes = _check_minutes(minutes, resident.community_id, most=MAX_MINUTES)
    asks_pool = pool_reason is not None
    if asks_pool and not pool_reason.strip():
        raise DomainError(_l("Give the reason for asking the pool."), field="pool_reason")
    if not asks_pool and spendable(resident) < minutes:
        raise DomainError(_l("The balance does not cover the estimate: ask for pool support, or choose fewer minutes."),
                          field="minutes")
    if listing is not None and (listing.volunteer_id in (resident.id, actor.id) or not listing.is_active):
        # whoever acts for the resident never chooses themself to help (as in `choose`)
        raise DomainError(_l("This offer cannot be requested."))
    help_request = HelpRequest(
        community_id=resident.community_id, requester_id=resident.id, posted_by_id=actor.id, category_id=category.id,
        needed_at=needed_at, place=place[:100], minutes=minutes, notes=notes[:500], accept_first=accept_first,
        listing_id=getattr(listing, "id", None), pool_state=PoolState.asked if asks_pool else PoolState.none,
        pool_reason=(pool_reason or "").strip()[:200])
    db.session.add(help_request)
    db.session.flush()
    record(actor, "timebank.help_post", help_request, community_id=help_request.community_id, minutes=minutes,
           category=category.name, pool=asks_pool, **_trail(actor, resident, how))
    values = {"category": category.name, "when": needed_at}
    if listing is not None:
        _match(actor, help_request, db.session.get(User, listing.volunteer_id), how="listing")
    else:
        for volunteer in matching_volunteers(help_request, category):
            notify(volunteer, "timebank.help_new", endpoint="timebank.show_help",
                   values={"help_id": help_request.id}, **values)
    if asks_pool:
        for worker in _social_workers(help_request.community_id):
            if worker.id != actor.id:
                notify(worker, "timebank.pool_asked", endpoint="timebank.show_help",
                       values={"help_id": help_request.id}, name=resident.display_name, minutes=minutes)
    return help_request


def _social_workers(community_id: int) -> list[User]:
    from app.accounts.models import Role, RoleAssignment

    return list(db.session.scalars(sa.select(User).join(RoleAssignment, RoleAssignment.user_id == User.id).where(
        RoleAssignment.role == Role.social_worker, RoleAssignment.community_id == community_id,
        User.is_active.is_(True)).distinct()))


# Who volunteers with which skills is volunteering's register (志愿者注册); it tells the
# exchange how to ask, so imports still go one way (volunteering → time bank).
_skilled_volunteers = None


def register_skill_lookup(lookup) -> None:
    """`lookup(skill) -> Select` of the ids of registered volunteers whose skills name it."""
    global _skilled_volunteers
    _skilled_volunteers = lookup


def matching_volunteers(help_request: HelpRequest, category: HelpCategory) -> list[User]:
    """Registered volunteers whose skills name the category, in the request's
    community or (if they opted in) elsewhere in its subdistrict."""
    if _skilled_volunteers is None:
        return []
    community = db.session.get(Community, help_request.community_id)
    wider = sa.exists().where(ExchangeProfile.user_id == User.id, ExchangeProfile.wider.is_(True))
    same_subdistrict = sa.select(Community.id).where(Community.subdistrict_id == community.subdistrict_id)
    return list(db.session.scalars(
        sa.select(User).where(
            User.id.in_(_skilled_volunteers(category.name)), User.id != help_request.requester_id,
            User.is_active.is_(True), User.residence_status == ResidenceStatus.verified,
            sa.or_(User.community_id == help_request.community_id,
                   sa.and_(User.community_id.in_(same_subdistrict), wider)))
        .order_by(User.id).limit(200)))


def is_expired(help_request: HelpRequest, now: datetime | None = None) -> bool:
    """An open request whose time passed without a helper: computed when read."""
    return help_request.state is HelpState.open and help_request.needed_at <= (now or utcnow())


def _can_see_open(user: User, help_request: HelpRequest) -> bool:
    """Volunteers of the community (and, opted in, of the subdistrict's other communities) see open requests."""
    if not user.is_verified or user.id == help_request.requester_id:
        return False
    if user.community_id == help_request.community_id:
        return True
    profile = profile_of(user)
    if profile is None or not profile.wider:
        return False
    mine, theirs = (db.session.get(Community, i) for i in (user.community_id, help_request.community_id))
    return mine is not None and theirs is not None and mine.subdistrict_id == theirs.subdistrict_id


def involvement(user: User, help_request: HelpRequest) -> str | None:
    """The user's part in the request: requester, proxy, helper, social worker (of the
    requester's or the helper's community) — or None (nobody else sees it once matched)."""
    if not getattr(user, "is_authenticated", False):
        return None
    requester = help_request.requester
    how = acting(user, requester)
    if how == SELF:
        return "requester"
    if how is not None:
        return how
    if help_request.helper_id == user.id:
        return "helper"
    helper = help_request.helper
    if helper is not None and helper.community_id in social_worker_community_ids(user):
        return SOCIAL_WORKER
    return None


def request_for(user: User, request_id: int) -> HelpRequest:
    """The request if the user is involved, or it is open and they may help with it; else not found."""
    help_request = db.session.get(HelpRequest, request_id)
    if help_request is None:
        raise NotFound
    if involvement(user, help_request) is None and not (
            getattr(user, "is_authenticated", False) and help_request.state is HelpState.open
            and not is_expired(help_request) and _can_see_open(user, help_request)):
        raise NotFound
    return help_request


# One transition table: the states each act starts from; `actions_for` and the services both read it.
TRANSITIONS = {
    "offer": {HelpState.open},
    "choose": {HelpState.open},
    "withdraw": {HelpState.matched},
    "message": {HelpState.matched},  # between the requester and the chosen helper
    "cancel": {HelpState.open, HelpState.matched},
    "confirm": {HelpState.matched},
    "decide_pool": {HelpState.open, HelpState.matched},
}


def _allowed(act: str, help_request: HelpRequest) -> None:
    if help_request.state not in TRANSITIONS[act] or (act in ("offer", "choose") and is_expired(help_request)):
        raise DomainError(_l("This request has moved on: reload the page."))


class HelpActions(Offer):
    """`is_open`: offers are still being taken or chosen from."""
    names = "is_open offer offered choose withdraw message cancel confirm decide_pool"


def actions_for(user: User, help_request: HelpRequest) -> HelpActions:
    part = involvement(user, help_request)
    for_requester = part in ("requester", PROXY, SOCIAL_WORKER) and acting(user, help_request.requester) is not None
    state_ok = {act: help_request.state in states for act, states in TRANSITIONS.items()}
    expired = is_expired(help_request)
    offered = getattr(user, "is_authenticated", False) and db.session.scalar(sa.select(HelpOffer.id).where(
        HelpOffer.request_id == help_request.id, HelpOffer.volunteer_id == user.id)) is not None
    return HelpActions(
        is_open=help_request.state is HelpState.open,
        offer=state_ok["offer"] and not expired and part is None and not offered,
        offered=bool(offered),
        choose=state_ok["choose"] and not expired and for_requester,
        withdraw=state_ok["withdraw"] and part == "helper",
        message=state_ok["message"] and (for_requester or part == "helper"),
        cancel=state_ok["cancel"] and for_requester,
        confirm=state_ok["confirm"] and for_requester and help_request.helper_id != user.id
        and help_request.needed_at <= utcnow(),
        decide_pool=state_ok["decide_pool"] and help_request.pool_state is PoolState.asked
        and help_request.community_id in social_worker_community_ids(user)
        and user.id not in (help_request.requester_id, help_request.helper_id),
    )


def offer(volunteer: User, help_request: HelpRequest, note: str = "") -> HelpOffer:
    """A volunteer offers to help; with "accept the first", the first offer is chosen at once."""
    _allowed("offer", help_request)
    if not _can_see_open(volunteer, help_request) or acting(volunteer, help_request.requester) is not None:
        raise DomainError(_l("You cannot offer help with this request."))
    if db.session.scalar(sa.select(HelpOffer.id).where(HelpOffer.request_id == help_request.id,
                                                       HelpOffer.volunteer_id == volunteer.id)):
        raise DomainError(_l("You have already offered to help."))
    made = HelpOffer(request_id=help_request.id, volunteer_id=volunteer.id, note=note.strip()[:200])
    db.session.add(made)
    db.session.flush()
    record(volunteer, "timebank.help_offer", help_request, community_id=help_request.community_id)
    if help_request.accept_first:
        _match(volunteer, _locked(HelpRequest, help_request.id), volunteer, how="first")
    else:
        notify(help_request.requester, "timebank.help_offer", endpoint="timebank.show_help",
               values={"help_id": help_request.id}, name=volunteer.display_name,
               category=help_request.category.name)
    return made


def _match(actor: User, help_request: HelpRequest, helper: User, *, how: str) -> None:
    if help_request.state is not HelpState.open:
        raise DomainError(_l("This request has moved on: reload the page."))
    help_request.state, help_request.helper_id = HelpState.matched, helper.id
    help_request.chosen_by_id, help_request.matched_at = actor.id, utcnow()
    db.session.flush()
    record(actor, "timebank.help_choose", help_request, community_id=help_request.community_id,
           helper=helper.display_name, how=how)
    notify(helper, "timebank.help_chosen", endpoint="timebank.show_help", values={"help_id": help_request.id},
           category=help_request.category.name, when=help_request.needed_at)


def choose(actor: User, help_request: HelpRequest, offer_id) -> None:
    """The requester (or who acts for them) chooses one of the offers."""
    how = _acting(actor, help_request.requester)
    help_request = _locked(HelpRequest, help_request.id)
    _allowed("choose", help_request)
    chosen = db.session.get(HelpOffer, offer_id) if isinstance(offer_id, int) else None
    if chosen is None or chosen.request_id != help_request.id:
        raise DomainError(_l("Choose one of the offers."))
    if chosen.volunteer_id == actor.id:
        raise DomainError(_l("Nobody chooses themself to help: the resident or a social worker chooses."))
    _match(actor, help_request, chosen.volunteer, how=how)


def withdraw(helper: User, help_request: HelpRequest) -> None:
    """The chosen helper steps back before the service: the request is open again."""
    help_request = _locked(HelpRequest, help_request.id)
    _allowed("withdraw", help_request)
    if help_request.helper_id != helper.id:
        raise DomainError(_l("Only the chosen helper can step back."))
    help_request.state, help_request.helper_id, help_request.matched_at = HelpState.open, None, None
    db.session.execute(sa.delete(HelpOffer).where(HelpOffer.request_id == help_request.id,
                                                  HelpOffer.volunteer_id == helper.id))
    db.session.flush()
    record(helper, "timebank.help_withdraw", help_request, community_id=help_request.community_id)
    notify(help_request.requester, "timebank.help_withdrawn", endpoint="timebank.show_help",
           values={"help_id": help_request.id}, name=helper.display_name)


def send_message(actor: User, help_request: HelpRequest, body: str) -> HelpMessage:
    _allowed("message", help_request)
    body = body.strip()
    if not body:
        raise DomainError(_l("Write a message."), field="body")
    if len(body) > 300:
        raise DomainError(_l("At most %(max)d characters.", max=300), field="body")
    how = acting(actor, help_request.requester)
    if how is None and help_request.helper_id != actor.id:
        raise DomainError(_l("Only the requester and the chosen helper exchange messages."))
    message = HelpMessage(request_id=help_request.id, author_id=actor.id, body=body,
                          on_behalf_of_id=help_request.requester_id if how in (PROXY, SOCIAL_WORKER) else None)
    db.session.add(message)
    db.session.flush()
    record(actor, "timebank.help_message", help_request, community_id=help_request.community_id)
    to = help_request.helper if how is not None else help_request.requester
    if to is not None:
        notify(to, "timebank.help_message", endpoint="timebank.show_help", values={"help_id": help_request.id},
               name=actor.display_name, category=help_request.category.name)
    return message


def messages_of(help_request: HelpRequest) -> list[HelpMessage]:
    return list(db.session.scalars(sa.select(HelpMessage).where(HelpMessage.request_id == help_request.id)
                                   .options(sa.orm.selectinload(HelpMessage.author)).order_by(HelpMessage.id)))


def offers_of(help_request: HelpRequest) -> list[HelpOffer]:
    return list(db.session.scalars(sa.select(HelpOffer).where(HelpOffer.request_id == help_request.id)
                                   .options(sa.orm.selectinload(HelpOffer.volunteer)).order_by(HelpOffer.id)))


def cancel(actor: User, help_request: HelpRequest, reason: str = "") -> None:
    """Cancelled before the service; a pool reservation goes back to the pool."""
    how = _acting(actor, help_request.requester)
    help_request = _locked(HelpRequest, help_request.id)
    _allowed("cancel", help_request)
    helper = help_request.helper
    help_request.state, help_request.cancelled_by_id = HelpState.cancelled, actor.id
    help_request.cancel_reason = reason.strip()[:200]
    released = 0
    if help_request.pool_state is PoolState.approved:
        released = help_request.pool_minutes
        help_request.pool_state, help_request.pool_minutes = PoolState.released, 0
    db.session.flush()
    record(actor, "timebank.help_cancel", help_request, community_id=help_request.community_id,
           released=released, **_trail(actor, help_request.requester, how))
    if helper is not None:
        notify(helper, "timebank.help_cancelled", endpoint="timebank.show_help",
               values={"help_id": help_request.id}, category=help_request.category.name)


def decide_pool(actor: User, help_request: HelpRequest, *, approve: bool, reason: str = "") -> None:
    """A social worker of the community approves (the minutes are reserved on
    the pool, under its lock: never more than its free balance) or declines
    (with a reason) pool support."""
    if help_request.community_id not in social_worker_community_ids(actor):
        raise Forbidden
    if actor.id in (help_request.requester_id, help_request.helper_id):  # the pool would pay their own service
        raise DomainError(_l("Nobody decides pool support for themselves: another social worker must."))
    if any(family.accepted_link(actor, person) for person in (help_request.requester_id, help_request.helper_id)
           if person is not None):  # nor their family's
        raise DomainError(_l("Nobody decides pool support for their own family: another social worker must."))
    pool = _lock_pool(help_request.community_id)  # before the request: every reservation takes the pool first
    help_request = _locked(HelpRequest, help_request.id)
    _allowed("decide_pool", help_request)
    if help_request.pool_state is not PoolState.asked:
        raise DomainError(_l("This pool support has already been decided."))
    reason = reason.strip()
    if approve:
        free = pool.balance - reserved_minutes(help_request.community_id)
        if free < help_request.minutes:
            raise DomainError(_l("The pool has %(free)d minutes free, not the %(minutes)d this request needs.",
                                 free=max(free, 0), minutes=help_request.minutes))
        help_request.pool_state, help_request.pool_minutes = PoolState.approved, help_request.minutes
    else:
        if not reason:
            raise DomainError(_l("Give the reason for declining."), field="reason")
        help_request.pool_state = PoolState.declined
    help_request.pool_decided_by_id, help_request.pool_decided_at = actor.id, utcnow()
    help_request.pool_decision = reason[:200]
    db.session.flush()
    record(actor, "timebank.pool_approve" if approve else "timebank.pool_decline", help_request,
           community_id=help_request.community_id, minutes=help_request.pool_minutes, reason=reason[:200])
    notify(help_request.requester, "timebank.pool_decided", endpoint="timebank.show_help",
           values={"help_id": help_request.id}, outcome=_l("approved") if approve else _l("declined"))


def pool_queue(community_id: int) -> list[tuple[HelpRequest, bool]]:
    """Pool support waiting for a decision: priority residents first, then oldest first."""
    priority = sa.exists().where(ExchangeProfile.user_id == HelpRequest.requester_id,
                                 ExchangeProfile.is_priority.is_(True))
    rows = db.session.execute(
        sa.select(HelpRequest, priority.label("priority")).where(
            HelpRequest.community_id == community_id, HelpRequest.pool_state == PoolState.asked,
            HelpRequest.state.in_([HelpState.open, HelpState.matched]))
        .options(sa.orm.selectinload(HelpRequest.requester), sa.orm.selectinload(HelpRequest.category))
        .order_by(priority.desc(), HelpRequest.created_at, HelpRequest.id)).all()
    return list(rows)


# -- paying for a service: one transaction, once ---------------------------------------------------

def _pay(payer: User, helper: User, minutes: int, *, pool_minutes: int, key: str, confirmed_by: User, memo: str,
         reference: tuple[str, int]) -> Txn:
    """Hours move payer → helper (the pool paying `pool_minutes` of them) in
    one exchange transaction, exactly once per key. A helper of another
    community (of the same subdistrict, who opted in) is paid through the two
    communities' issuance accounts: hours leave the one and enter the other
    in the same database transaction (通存通兑)."""
    legs: list[tuple] = []
    if pool_minutes:
        legs.append((ledger.system_account(payer.community_id, AccountKind.pool), -pool_minutes))
    if minutes - pool_minutes:
        legs.append((payer, -(minutes - pool_minutes)))
    if helper.community_id == payer.community_id:
        txn, _ = ledger.post(TxnKind.exchange, [*legs, (helper, minutes)], initiated_by=payer, confirmed_by=confirmed_by,
                             idempotency_key=key, memo=memo, reference=reference)
        return txn
    out = ledger.system_account(payer.community_id, AccountKind.issuance)
    into = ledger.system_account(helper.community_id, AccountKind.issuance)
    txn, _ = ledger.post(TxnKind.exchange, [*legs, (out, minutes)], initiated_by=payer, confirmed_by=confirmed_by,
                         idempotency_key=key, memo=memo, reference=reference)
    ledger.post(TxnKind.exchange, [(into, -minutes), (helper, minutes)], initiated_by=payer,
                confirmed_by=confirmed_by, idempotency_key=f"{key}-in", memo=memo, reference=reference)
    return txn


def confirm(actor: User, help_request: HelpRequest, *, minutes: int | None = None, rating: int | None = None,
            comment: str = "") -> Txn:
    """After the service, the requester (their proxy, or a social worker for
    them) confirms the actual minutes (default the estimate), with an optional
    1–5 rating: one exchange transaction requester → helper (pool → helper for
    the approved part, consuming the reservation) and the helper's service
    record. The request's row is locked first, so a second device confirming
    at the same moment finds it served and moves nothing."""
    how = _acting(actor, help_request.requester)
    help_request = _locked(HelpRequest, help_request.id)
    if help_request.state is HelpState.served:
        raise DomainError(_l("This service has already been confirmed."))
    _allowed("confirm", help_request)
    if actor.id == help_request.helper_id:
        raise DomainError(_l("Nobody confirms their own service."))
    if help_request.needed_at > utcnow():
        raise DomainError(_l("Confirm after the service has taken place."))
    minutes = help_request.minutes if minutes is None else minutes
    minutes = _check_minutes(minutes, help_request.community_id, most=MAX_SERVED)
    if rating is not None and (type(rating) is not int or not 1 <= rating <= 5):
        raise DomainError(_l("A rating is 1 to 5 stars."), field="rating")
    requester, helper = help_request.requester, help_request.helper
    approved = help_request.pool_state is PoolState.approved
    pool_part = min(minutes, help_request.pool_minutes) if approved else 0
    # no separate pool lock here: the ledger locks every account of the payment in id order (a
    # donation locks the same accounts the same way), and this request's reservation is ours alone
    memo = f"{help_request.category.name}：{helper.display_name}"
    reference = ("help_request", help_request.id)
    record_as = dict(served_on=local_date(help_request.needed_at), recorded_by=requester, verified_by=actor,
                     reference=reference)
    ledger.check_service(helper, minutes, **record_as)
    txn = _pay(requester, helper, minutes, pool_minutes=pool_part, key=f"help-{help_request.id}", confirmed_by=actor,
               memo=memo, reference=reference)
    ledger.record_service(helper, minutes, description=f"{help_request.category.name}（{requester.display_name}）",
                          txn=txn, **record_as)
    help_request.state, help_request.served_minutes, help_request.txn_id = HelpState.served, minutes, txn.id
    help_request.rating, help_request.comment = rating, comment.strip()[:300]
    help_request.confirmed_by_id, help_request.confirmed_at = actor.id, utcnow()
    if approved:
        help_request.pool_state, help_request.pool_minutes = PoolState.consumed, pool_part
    db.session.flush()
    record(actor, "timebank.help_confirm", help_request, community_id=help_request.community_id, minutes=minutes,
           pool_minutes=pool_part, rating=rating, txn=txn.id, **_trail(actor, requester, how))
    notify(helper, "timebank.help_confirmed", endpoint="timebank.show_help", values={"help_id": help_request.id},
           minutes=minutes, category=help_request.category.name)
    return txn


def behalf_label(resident: User, user_id: int | None):
    """"由 X 代办" when someone acted for the resident (a proxy or a social worker), else None."""
    from app.timebank.family import acting_label

    return acting_label(db.session.get(User, user_id), resident) if user_id else None


# -- lists ---------------------------------------------------------------------------------------

def open_requests_for(user: User, limit: int = 100) -> list[HelpRequest]:
    """Open requests the user may help with: their community's, and with the
    wider choice the subdistrict's other communities'."""
    if not user.is_verified:
        return []
    profile = profile_of(user)
    community = db.session.get(Community, user.community_id)
    where = HelpRequest.community_id == user.community_id
    if profile is not None and profile.wider:
        where = HelpRequest.community_id.in_(sa.select(Community.id).where(
            Community.subdistrict_id == community.subdistrict_id))
    return list(db.session.scalars(
        sa.select(HelpRequest).where(where, HelpRequest.state == HelpState.open, HelpRequest.needed_at > utcnow(),
                                     HelpRequest.requester_id != user.id)
        .options(sa.orm.selectinload(HelpRequest.category), sa.orm.selectinload(HelpRequest.community))
        .order_by(HelpRequest.needed_at, HelpRequest.id).limit(limit)))


def requests_of(user: User, limit: int = 50) -> list[HelpRequest]:
    """The user's own requests, and those they help with (latest first)."""
    return list(db.session.scalars(
        sa.select(HelpRequest).where(sa.or_(HelpRequest.requester_id == user.id, HelpRequest.helper_id == user.id))
        .options(sa.orm.selectinload(HelpRequest.category), sa.orm.selectinload(HelpRequest.requester),
                 sa.orm.selectinload(HelpRequest.helper))
        .order_by(HelpRequest.id.desc()).limit(limit)))


def community_requests(community_id: int, limit: int = 50) -> list[HelpRequest]:
    return list(db.session.scalars(
        sa.select(HelpRequest).where(HelpRequest.community_id == community_id)
        .options(sa.orm.selectinload(HelpRequest.category), sa.orm.selectinload(HelpRequest.requester),
                 sa.orm.selectinload(HelpRequest.helper))
        .order_by(HelpRequest.id.desc()).limit(limit)))


# -- standing offers (服务项目) --------------------------------------------------------------------

def save_listing(volunteer: User, *, category_id, title: str, description: str = "") -> ServiceListing:
    if not volunteer.is_verified:
        raise DomainError(_l("Only verified residents hold a time-bank account."))
    category = category_of(volunteer.community_id, category_id)
    title = title.strip()
    if not title:
        raise DomainError(_l("Give the offer a title."), field="title")
    listing = ServiceListing(community_id=volunteer.community_id, volunteer_id=volunteer.id, category_id=category.id,
                             title=title[:60], description=description.strip()[:300])
    db.session.add(listing)
    db.session.flush()
    record(volunteer, "timebank.listing_post", listing, community_id=listing.community_id, title=listing.title)
    return listing


def withdraw_listing(actor: User, listing: ServiceListing) -> None:
    if listing.volunteer_id != actor.id and listing.community_id not in social_worker_community_ids(actor):
        raise Forbidden
    listing.is_active = False
    db.session.flush()
    record(actor, "timebank.listing_withdraw", listing, community_id=listing.community_id, title=listing.title)


def listings_for(user: User) -> list[ServiceListing]:
    """Standing offers of the user's community (with the wider choice, the subdistrict's)."""
    if not user.is_verified:
        return []
    profile = profile_of(user)
    where = ServiceListing.community_id == user.community_id
    if profile is not None and profile.wider:
        community = db.session.get(Community, user.community_id)
        where = ServiceListing.community_id.in_(sa.select(Community.id).where(
            Community.subdistrict_id == community.subdistrict_id))
    return list(db.session.scalars(
        sa.select(ServiceListing).where(where, ServiceListing.is_active.is_(True))
        .options(sa.orm.selectinload(ServiceListing.volunteer), sa.orm.selectinload(ServiceListing.category))
        .order_by(ServiceListing.id.desc()).limit(100)))


def listing_for(user: User, listing_id: int) -> ServiceListing:
    """An active standing offer the user may see (or withdraw)."""
    listing = db.session.get(ServiceListing, listing_id)
    if listing is None or not getattr(user, "is_authenticated", False):
        raise NotFound
    if listing.volunteer_id == user.id or listing.community_id in social_worker_community_ids(user):
        return listing
    if listing.is_active and listing in listings_for(user):
        return listing
    raise NotFound


# -- records a volunteer starts ("I helped for 90 minutes") ----------------------------------------

def find_receiver(helper: User, login: str) -> User:
    """The receiver by phone number or user name: a verified resident of the helper's subdistrict."""
    login = login.strip()
    person = db.session.scalar(sa.select(User).where(sa.or_(User.phone == login, User.username == login),
                                                     User.is_active.is_(True)))
    if person is None or not person.is_verified or person.id == helper.id:
        raise DomainError(_l("No resident with this phone number can receive a record from you."), field="receiver")
    mine, theirs = (db.session.get(Community, i) for i in (helper.community_id, person.community_id))
    if mine is None or theirs is None or mine.subdistrict_id != theirs.subdistrict_id:
        raise DomainError(_l("No resident with this phone number can receive a record from you."), field="receiver")
    return person


def start_claim(helper: User, receiver: User, *, minutes: int, description: str, served_on: date) -> ServiceClaim:
    """A volunteer records help they gave; the receiver confirms or disputes it
    within the configured days (an unanswered record expires)."""
    from app.localtime import today

    if not helper.is_verified:
        raise DomainError(_l("Only verified residents hold a time-bank account."))
    if receiver.id == helper.id:
        raise DomainError(_l("Nobody confirms their own service."), field="receiver")
    if served_on > today() or served_on < today() - timedelta(days=claim_days()):
        raise DomainError(_l("A date within the last %(days)d days.", days=claim_days()), field="served_on")
    minutes = _check_minutes(minutes, receiver.community_id, most=MAX_SERVED)
    description = description.strip()
    if not description:
        raise DomainError(_l("Say what you helped with."), field="description")
    # the same record sent twice (a second tab, a double tap) is one record: the receiver would confirm both.
    # The helper's row is locked first, so two taps at once are checked one after the other.
    db.session.execute(sa.select(User.id).where(User.id == helper.id).with_for_update())
    if db.session.scalar(sa.select(ServiceClaim.id).where(
            ServiceClaim.helper_id == helper.id, ServiceClaim.receiver_id == receiver.id,
            ServiceClaim.state == ClaimState.pending, ServiceClaim.served_on == served_on,
            ServiceClaim.minutes == minutes, ServiceClaim.description == description[:200])):
        raise DomainError(_l("This help is recorded already and waits for the receiver's answer."), field="description")
    claim = ServiceClaim(community_id=receiver.community_id, helper_id=helper.id, receiver_id=receiver.id,
                         minutes=minutes, description=description[:200], served_on=served_on)
    db.session.add(claim)
    db.session.flush()
    record(helper, "timebank.claim_start", claim, community_id=claim.community_id, minutes=minutes,
           receiver=receiver.display_name)
    notify(receiver, "timebank.claim_new", endpoint="timebank.show_claim", values={"claim_id": claim.id},
           name=helper.display_name, minutes=minutes)
    return claim


def claim_expires_at(claim: ServiceClaim) -> datetime:
    return claim.created_at + timedelta(days=claim_days())


def claim_expired(claim: ServiceClaim, now: datetime | None = None) -> bool:
    """Computed when read: no job has to run for a record to expire."""
    return claim.state is ClaimState.pending and claim_expires_at(claim) <= (now or utcnow())


def claim_for(user: User, claim_id: int) -> ServiceClaim:
    """The helper, the receiver (and who acts for them) and the social workers of both communities."""
    claim = db.session.get(ServiceClaim, claim_id)
    if claim is None or not getattr(user, "is_authenticated", False):
        raise NotFound
    workers = social_worker_community_ids(user)
    if user.id == claim.helper_id or acting(user, claim.receiver) is not None or claim.helper.community_id in workers:
        return claim
    raise NotFound


class ClaimActions(Offer):
    names = "awaiting_answer answer decide"


def claim_actions(user: User, claim: ServiceClaim) -> ClaimActions:
    pending = claim.state is ClaimState.pending and not claim_expired(claim)
    return ClaimActions(
        awaiting_answer=pending,
        answer=pending and user.id != claim.helper_id and acting(user, claim.receiver) is not None,
        decide=claim.state is ClaimState.disputed and claim.community_id in social_worker_community_ids(user)
        and user.id not in (claim.helper_id, claim.receiver_id))


def answer_claim(actor: User, claim: ServiceClaim, *, accept: bool, reason: str = "") -> Txn | None:
    """The receiver (their proxy, or a social worker for them) confirms (hours
    move receiver → helper, once) or disputes with a reason (a social worker decides)."""
    how = _acting(actor, claim.receiver)
    claim = _locked(ServiceClaim, claim.id)
    if claim.state is not ClaimState.pending:
        raise DomainError(_l("This record has already been answered."))
    if claim_expired(claim):
        raise DomainError(_l("This record expired unconfirmed."))
    if actor.id == claim.helper_id:
        raise DomainError(_l("Nobody confirms their own service."))
    txn = None
    claim.answered_by_id = actor.id
    if accept:
        txn = _settle_claim(claim, confirmed_by=actor)
        claim.state = ClaimState.confirmed
    else:
        if not reason.strip():
            raise DomainError(_l("Say what is wrong with the record."), field="reason")
        claim.state, claim.dispute_reason = ClaimState.disputed, reason.strip()[:200]
    db.session.flush()
    record(actor, "timebank.claim_confirm" if accept else "timebank.claim_dispute", claim,
           community_id=claim.community_id, minutes=claim.minutes, reason=claim.dispute_reason,
           **_trail(actor, claim.receiver, how))
    notify(claim.helper, "timebank.claim_answered", endpoint="timebank.show_claim", values={"claim_id": claim.id},
           minutes=claim.minutes, outcome=_l("confirmed") if accept else _l("disputed"))
    if not accept:
        for worker in _social_workers(claim.community_id):
            if worker.id not in (claim.helper_id, claim.receiver_id):
                notify(worker, "timebank.claim_disputed", endpoint="timebank.show_claim",
                       values={"claim_id": claim.id}, minutes=claim.minutes)
    return txn


def _settle_claim(claim: ServiceClaim, *, confirmed_by: User) -> Txn:
    receiver, helper = claim.receiver, claim.helper
    record_as = dict(served_on=claim.served_on, recorded_by=confirmed_by, verified_by=confirmed_by,
                     reference=("service_claim", claim.id))
    ledger.check_service(helper, claim.minutes, **record_as)
    txn = _pay(receiver, helper, claim.minutes, pool_minutes=0, key=f"claim-{claim.id}", confirmed_by=confirmed_by,
               memo=f"{claim.description[:80]}：{helper.display_name}", reference=("service_claim", claim.id))
    ledger.record_service(helper, claim.minutes, description=f"{claim.description[:150]}（{receiver.display_name}）",
                          txn=txn, **record_as)
    claim.txn_id = txn.id
    return txn


def decide_claim(actor: User, claim: ServiceClaim, *, uphold: bool, reason: str) -> Txn | None:
    """A social worker of the receiver's community decides a dispute, with a reason."""
    if claim.community_id not in social_worker_community_ids(actor):
        raise Forbidden
    claim = _locked(ServiceClaim, claim.id)
    if claim.state is not ClaimState.disputed:
        raise DomainError(_l("Only a disputed record is decided."))
    if actor.id in (claim.helper_id, claim.receiver_id):
        raise DomainError(_l("Another social worker must decide a dispute you are part of."))
    if not reason.strip():
        raise DomainError(_l("Give the reason for the decision."), field="reason")
    txn = _settle_claim(claim, confirmed_by=actor) if uphold else None
    claim.state = ClaimState.upheld if uphold else ClaimState.rejected
    claim.decided_by_id, claim.decision_reason = actor.id, reason.strip()[:200]
    db.session.flush()
    record(actor, "timebank.claim_uphold" if uphold else "timebank.claim_reject", claim,
           community_id=claim.community_id, minutes=claim.minutes, reason=claim.decision_reason)
    for person in (claim.helper, claim.receiver):
        notify(person, "timebank.claim_answered", endpoint="timebank.show_claim", values={"claim_id": claim.id},
               minutes=claim.minutes, outcome=_l("upheld by a social worker") if uphold
               else _l("rejected by a social worker"))
    return txn


def claims_of(user: User, limit: int = 50) -> list[ServiceClaim]:
    return list(db.session.scalars(
        sa.select(ServiceClaim).where(sa.or_(ServiceClaim.helper_id == user.id, ServiceClaim.receiver_id == user.id))
        .options(sa.orm.selectinload(ServiceClaim.helper), sa.orm.selectinload(ServiceClaim.receiver))
        .order_by(ServiceClaim.id.desc()).limit(limit)))


def disputes(community_id: int) -> list[ServiceClaim]:
    return list(db.session.scalars(
        sa.select(ServiceClaim).where(ServiceClaim.community_id == community_id,
                                      ServiceClaim.state == ClaimState.disputed)
        .options(sa.orm.selectinload(ServiceClaim.helper), sa.orm.selectinload(ServiceClaim.receiver))
        .order_by(ServiceClaim.id)))


def expire_claims(now: datetime | None = None) -> int:
    """`flask timebank expire` (daily cron): tell both people about each record
    that expired since the last run. Expiry itself needs no job: it is computed
    when a record is read; this only sends the notices, once."""
    now = now or utcnow()
    cutoff = now - timedelta(days=claim_days())
    expired = list(db.session.scalars(sa.select(ServiceClaim).where(
        ServiceClaim.state == ClaimState.pending, ServiceClaim.created_at <= cutoff,
        ServiceClaim.expiry_noticed_at.is_(None)).order_by(ServiceClaim.id).with_for_update(skip_locked=True)))
    for claim in expired:
        claim.expiry_noticed_at = now
        for person in (claim.helper, claim.receiver):
            notify(person, "timebank.claim_expired", endpoint="timebank.show_claim", values={"claim_id": claim.id},
                   minutes=claim.minutes)
        record(None, "timebank.claim_expired", claim, community_id=claim.community_id, minutes=claim.minutes)
    db.session.flush()
    return len(expired)


# -- the community's figures -----------------------------------------------------------------------

def figures(community_id: int) -> dict:
    """For the community's social workers: requests open / served / expired,
    hours exchanged, the pool's in and out, the median time from request to service."""
    now = utcnow()
    counts = dict(db.session.execute(sa.select(HelpRequest.state, sa.func.count(HelpRequest.id))
                                     .where(HelpRequest.community_id == community_id)
                                     .group_by(HelpRequest.state)).all())
    expired = db.session.scalar(sa.select(sa.func.count(HelpRequest.id)).where(
        HelpRequest.community_id == community_id, HelpRequest.state == HelpState.open,
        HelpRequest.needed_at <= now)) or 0
    exchanged = db.session.scalar(sa.select(sa.func.coalesce(sa.func.sum(Posting.amount), 0))
                                  .join(Txn, Posting.txn_id == Txn.id).join(Account, Posting.account_id == Account.id)
                                  .where(Txn.kind == TxnKind.exchange, Txn.community_id == community_id,
                                         Posting.amount > 0, Account.kind == AccountKind.resident)) or 0
    pool_in, pool_out = db.session.execute(
        sa.select(sa.func.coalesce(sa.func.sum(sa.case((Posting.amount > 0, Posting.amount), else_=0)), 0),
                  sa.func.coalesce(sa.func.sum(sa.case((Posting.amount < 0, -Posting.amount), else_=0)), 0))
        .join(Account, Posting.account_id == Account.id)
        .where(Account.community_id == community_id, Account.kind == AccountKind.pool)).one()
    waits = [int((confirmed - created).total_seconds() // 60) for created, confirmed in db.session.execute(
        sa.select(HelpRequest.created_at, HelpRequest.confirmed_at).where(
            HelpRequest.community_id == community_id, HelpRequest.state == HelpState.served))]
    median = statistics.median_low(waits) if waits else None  # whole minutes, never a float
    return {"open": counts.get(HelpState.open, 0) - expired, "matched": counts.get(HelpState.matched, 0),
            "served": counts.get(HelpState.served, 0), "expired": expired,
            "cancelled": counts.get(HelpState.cancelled, 0), "exchanged": exchanged, "pool_in": pool_in,
            "pool_out": pool_out, "median_minutes": median,
            **{"pool_" + k: v for k, v in pool_of(community_id).items()}}


def resident_for(actor: User, user_id: int | None) -> User:
    """Whom a form acts for: the actor, or a resident they may act for (as proxy or social worker); else not found."""
    if user_id is None or user_id == actor.id:
        return actor
    resident = db.session.get(User, user_id)
    if resident is None or acting(actor, resident) is None:
        raise NotFound
    return resident


def residents_acted_for(actor: User) -> list[User]:
    """Residents a proxy acts for (family links), for the request form's choice."""
    from app.timebank.family import residents_represented_by

    return residents_represented_by(actor)


def home_summary(user: User, community_ids: set[int]) -> dict:
    """The workbench's lines: for a resident, neighbours' open requests and their own
    requests still running; for a social worker, per community, pool support to
    decide and disputes to settle (two grouped counts, whatever the number of communities)."""
    summary: dict = {"open": 0, "mine": 0, "pool": {}, "disputes": {}}
    if user.is_verified:
        summary["open"] = len(open_requests_for(user, limit=100))
        summary["mine"] = db.session.scalar(sa.select(sa.func.count(HelpRequest.id)).where(
            sa.or_(HelpRequest.requester_id == user.id, HelpRequest.helper_id == user.id),
            HelpRequest.state.in_([HelpState.open, HelpState.matched]))) or 0
    if community_ids:
        summary["pool"] = dict(db.session.execute(
            sa.select(HelpRequest.community_id, sa.func.count(HelpRequest.id)).where(
                HelpRequest.community_id.in_(community_ids), HelpRequest.pool_state == PoolState.asked,
                HelpRequest.state.in_([HelpState.open, HelpState.matched])).group_by(HelpRequest.community_id)).all())
        summary["disputes"] = dict(db.session.execute(
            sa.select(ServiceClaim.community_id, sa.func.count(ServiceClaim.id)).where(
                ServiceClaim.community_id.in_(community_ids), ServiceClaim.state == ClaimState.disputed)
            .group_by(ServiceClaim.community_id)).all())
    return summary


def pool_statement(community_id: int, limit: int = 30) -> list[tuple[Posting, Txn]]:
    """The pool account's latest movements (donations in, services paid out), newest first."""
    pool = db.session.scalar(sa.select(Account).where(Account.community_id == community_id,
                                                      Account.kind == AccountKind.pool))
    return ledger.postings_of(pool, limit=limit) if pool is not None else []


def guard_pool_reservations(community_id: int) -> None:
    """After a movement that took minutes out of the pool other than paying a
    reserved service (a reversal of a donation or of a capped credit): refuse it
    if the pool would hold less than it has promised. The movement locked the
    pool account, so approvals (which lock it first) wait for this answer."""
    balance = db.session.scalar(sa.select(Account.balance).where(Account.community_id == community_id,
                                                                 Account.kind == AccountKind.pool))
    if balance is not None and reserved_minutes(community_id) > balance:
        raise DomainError(_l("The pool's minutes are promised to approved requests: this would leave it short."))
