"""Family in the time bank (亲属关联): links two people agree to, proxies
(代办) an elderly resident names among linked adult relatives, and the
hours a resident gives a linked relative in any community of the
installation (通存通兑) or donates to their community's pool.

Other domains ask this module one question before a relative acts for a
resident, `can_act_for(actor, resident)`, and show every such act with
`acting_label(actor, resident)` ("由 X 代办") and record it with
`**on_behalf(actor, resident)` in the audit entry."""
from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import timedelta

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from app.accounts.models import User
from app.audit.services import record
from app.domain import DomainError, NotFound, Offer
from app.extensions import db
from app.notifications.services import notify, register_kind
from app.permissions import social_worker_community_ids
from app.sqltypes import utcnow
from app.timebank import ledger
from app.timebank.family_models import (RELATION_LABELS, FamilyLink, FamilyProxy, FamilyTransfer, LinkStatus,
                                        Relation)
from app.timebank.models import AccountKind, Txn, TxnKind


@dataclass(frozen=True)
class Relative:
    """A linked relative as `user` sees them: who, what they are to `user`, the link."""
    person: User
    relation: Relation
    link: FamilyLink


def linked_relatives(user: User) -> list[Relative]:
    """The people `user` has an accepted link with, by name."""
    links = db.session.scalars(sa.select(FamilyLink).where(
        FamilyLink.status == LinkStatus.accepted,
        sa.or_(FamilyLink.requester_id == user.id, FamilyLink.addressee_id == user.id))
        .options(sa.orm.joinedload(FamilyLink.requester), sa.orm.joinedload(FamilyLink.addressee))).all()
    relatives = [Relative(link.other(user.id), link.relation_seen_by(user.id), link) for link in links]
    return sorted(relatives, key=lambda r: (r.person.display_name, r.person.id))


def accepted_link(a: User | int, b: User | int) -> FamilyLink | None:
    """The accepted link between two people, whichever side asked."""
    a_id, b_id = getattr(a, "id", a), getattr(b, "id", b)
    if a_id == b_id:
        return None
    return db.session.scalar(sa.select(FamilyLink).where(
        FamilyLink.pair_low == min(a_id, b_id), FamilyLink.pair_high == max(a_id, b_id),
        FamilyLink.status == LinkStatus.accepted))


def _active_proxy(actor_id: int, resident_id: int) -> FamilyProxy | None:
    return db.session.scalar(sa.select(FamilyProxy).join(FamilyLink, FamilyProxy.link_id == FamilyLink.id).where(
        FamilyProxy.proxy_id == actor_id, FamilyProxy.resident_id == resident_id, FamilyProxy.revoked_at.is_(None),
        FamilyLink.status == LinkStatus.accepted))


def can_act_for(actor: User, resident: User) -> bool:
    """True when `actor` is an active designated proxy (代办) of `resident`:
    named by the resident (or by a social worker with the resident's recorded
    consent), not revoked, the family link still accepted, both accounts
    active. Acting for oneself is not proxy work: False."""
    if actor is None or resident is None or not getattr(actor, "is_authenticated", True):
        return False
    if actor.id == resident.id or not actor.is_active or not resident.is_active:
        return False
    return _active_proxy(actor.id, resident.id) is not None


def residents_represented_by(actor: User) -> list[User]:
    """The residents `actor` is an active proxy for, by name (what a proxy's pages offer to act for)."""
    return list(db.session.scalars(sa.select(User).join(FamilyProxy, FamilyProxy.resident_id == User.id)
                                   .join(FamilyLink, FamilyProxy.link_id == FamilyLink.id)
                                   .where(FamilyProxy.proxy_id == actor.id, FamilyProxy.revoked_at.is_(None),
                                          FamilyLink.status == LinkStatus.accepted, User.is_active.is_(True))
                                   .order_by(User.display_name, User.id)))


def acting_label(actor: User | None, resident: User | None):
    """"由 X 代办" when `actor` acted for `resident` (a proxy, or a social worker
    for a resident without a phone), translated when shown; None when the
    resident acted themself. Templates: `{% if label %}<small>{{ label }}</small>{% endif %}`."""
    if actor is None or resident is None or actor.id == resident.id:
        return None
    return _l("Done by %(name)s on their behalf", name=actor.display_name)


def on_behalf(actor: User, resident: User) -> dict:
    """Audit detail for an act done for someone else: `record(actor, action, obj,
    **on_behalf(actor, resident))`; the audit log's sentence then ends with
    "(由 actor 代 resident 办理)". Empty when the resident acted themself."""
    if actor is None or resident is None or actor.id == resident.id:
        return {}
    return {"on_behalf_of": resident.id, "on_behalf_of_name": resident.display_name,
            "proxy_name": actor.display_name}


# -- links (亲属关联): one asks, the other accepts or refuses; either ends it ---------------------

register_kind("timebank.family_asked", _l("%(name)s asks to be linked with you as family: they are your %(relation)s."),
              labels={"relation": RELATION_LABELS})
register_kind("timebank.family_accepted", _l("%(name)s accepted your family link."))
register_kind("timebank.family_refused", _l("%(name)s refused your family link."))
register_kind("timebank.family_ended", _l("%(name)s ended your family link."))
register_kind("timebank.family_gift", _l("%(name)s gave you %(minutes)d minutes of time-bank hours."))
register_kind("timebank.proxy_named", _l("You may now act for %(name)s as their proxy (代办)."))
register_kind("timebank.proxy_named_for_you", _l("%(name)s may now act for you as your proxy (代办); %(by)s recorded your consent."))
register_kind("timebank.proxy_revoked", _l("%(proxy)s no longer acts for %(resident)s as proxy (代办)."))

ASK_AGAIN_AFTER = timedelta(days=30)  # after a refusal, the same person asks the same relative again no sooner
MAX_PENDING_ASKS = 10  # open questions one person may have waiting at once (no one is asked by the hundred)

# The link's state machine: verb → (the state it leaves, who may take it, the state it reaches).
TRANSITIONS = {
    "accept": (LinkStatus.pending, "addressee", LinkStatus.accepted),
    "refuse": (LinkStatus.pending, "addressee", LinkStatus.refused),
    "withdraw": (LinkStatus.pending, "requester", LinkStatus.withdrawn),
    "end": (LinkStatus.accepted, "either", LinkStatus.ended),
}


def _side(user: User, link: FamilyLink) -> str | None:
    return "requester" if user.id == link.requester_id else "addressee" if user.id == link.addressee_id else None


class LinkActions(Offer):
    names = frozenset(TRANSITIONS)


def actions_for(user: User, link: FamilyLink) -> LinkActions:
    """What `user` may do to the link now (the templates ask this, never the state)."""
    side = _side(user, link)
    return LinkActions(**{verb: side is not None and link.status is source and who in (side, "either")
                          for verb, (source, who, _target) in TRANSITIONS.items()})


def link_for(user: User, link_id: int) -> FamilyLink:
    """A link `user` is one side of; anyone else's is not found."""
    link = db.session.get(FamilyLink, link_id)
    if link is None or _side(user, link) is None:
        raise NotFound
    return link


def find_person(phone: str, name: str) -> User | None:
    """The active person with this phone number and name: both must match, so
    a phone number alone never tells whose it is."""
    phone, name = (phone or "").strip(), (name or "").strip()
    if not phone or not name:
        return None
    return db.session.scalar(sa.select(User).where(User.phone == phone, User.display_name == name,
                                                   User.is_active.is_(True)))


def ask_link(asker: User, relative: User | None, relation: Relation) -> FamilyLink:
    """Ask `relative` to link as family; `relation` is what they are to the asker
    ("my parent"), and they will see the reverse ("your child")."""
    if relative is None:
        raise DomainError(_l("Nobody with this phone number and name uses the platform."), field="phone")
    if relative.id == asker.id:
        raise DomainError(_l("Choose someone other than yourself."), field="phone")
    if not isinstance(relation, Relation):
        raise DomainError(_l("Choose how you are related."), field="relation")
    low, high = min(asker.id, relative.id), max(asker.id, relative.id)
    open_link = sa.and_(FamilyLink.status.in_([LinkStatus.pending, LinkStatus.accepted]))
    if db.session.scalar(sa.select(FamilyLink.id).where(FamilyLink.pair_low == low, FamilyLink.pair_high == high,
                                                        open_link)):
        raise DomainError(_l("You are already linked with %(name)s, or a question is waiting for an answer.",
                             name=relative.display_name), field="phone")
    refused_lately = db.session.scalar(sa.select(FamilyLink.id).where(
        FamilyLink.requester_id == asker.id, FamilyLink.addressee_id == relative.id,
        FamilyLink.status == LinkStatus.refused, FamilyLink.decided_at > utcnow() - ASK_AGAIN_AFTER))
    if refused_lately:  # a refusal is an answer: the same question is not pressed on them again at once
        raise DomainError(_l("%(name)s refused this link recently; you can ask again after %(days)d days.",
                             name=relative.display_name, days=ASK_AGAIN_AFTER.days), field="phone")
    waiting = db.session.scalar(sa.select(sa.func.count(FamilyLink.id)).where(
        FamilyLink.requester_id == asker.id, FamilyLink.status == LinkStatus.pending)) or 0
    if waiting >= MAX_PENDING_ASKS:
        raise DomainError(_l("You have %(n)d questions waiting for an answer; withdraw one first.", n=waiting),
                          field="phone")
    link = FamilyLink(requester_id=asker.id, addressee_id=relative.id, relation=relation,
                      status=LinkStatus.pending, pair_low=low, pair_high=high)
    try:
        with db.session.begin_nested():  # two questions at once between the same two people: one stands
            db.session.add(link)
            db.session.flush()
    except sa.exc.IntegrityError:
        raise DomainError(_l("You are already linked with %(name)s, or a question is waiting for an answer.",
                             name=relative.display_name), field="phone") from None
    notify(relative, "timebank.family_asked", endpoint="timebank.my_family", name=asker.display_name,
           relation=relation.reverse.name)
    record(asker, "timebank.family_ask", link, community_id=asker.community_id, relative=relative.id,
           relative_name=relative.display_name, relation=relation.name)
    return link


def _move(user: User, link: FamilyLink, verb: str) -> FamilyLink:
    if not actions_for(user, link)[verb]:
        raise DomainError(_l("This family link has changed since the page was shown; nothing was done."))
    link.status = TRANSITIONS[verb][2]
    now = utcnow()
    if verb in ("accept", "refuse"):
        link.decided_at = now
    else:
        link.ended_at, link.ended_by_id = now, user.id
    other = link.other(user.id)
    if verb == "end":
        for proxy in db.session.scalars(sa.select(FamilyProxy).where(FamilyProxy.link_id == link.id,
                                                                   FamilyProxy.revoked_at.is_(None))):
            _revoke(user, proxy, "link ended")
    db.session.flush()
    kind = {"accept": "timebank.family_accepted", "refuse": "timebank.family_refused",
            "end": "timebank.family_ended"}.get(verb)
    if kind:
        notify(other, kind, endpoint="timebank.my_family", name=user.display_name)
    record(user, {"accept": "timebank.family_accept", "refuse": "timebank.family_refuse",
                  "withdraw": "timebank.family_withdraw", "end": "timebank.family_end"}[verb],
           link, community_id=user.community_id, relative=other.id, relative_name=other.display_name)
    return link


def accept_link(user: User, link: FamilyLink) -> FamilyLink:
    return _move(user, link, "accept")


def refuse_link(user: User, link: FamilyLink) -> FamilyLink:
    return _move(user, link, "refuse")


def withdraw_link(user: User, link: FamilyLink) -> FamilyLink:
    return _move(user, link, "withdraw")


def end_link(user: User, link: FamilyLink) -> FamilyLink:
    """Either side ends an accepted link; the proxies it carried end with it."""
    return _move(user, link, "end")


def links_of(user: User) -> list[FamilyLink]:
    """Every link `user` is a side of that is open (asked or accepted), newest first."""
    return list(db.session.scalars(sa.select(FamilyLink).where(
        sa.or_(FamilyLink.requester_id == user.id, FamilyLink.addressee_id == user.id),
        FamilyLink.status.in_([LinkStatus.pending, LinkStatus.accepted]))
        .options(sa.orm.joinedload(FamilyLink.requester), sa.orm.joinedload(FamilyLink.addressee))
        .order_by(FamilyLink.id.desc())))


# -- proxies (代办) --------------------------------------------------------------------------------

def designate_proxy(actor: User, resident: User, relative: User, *, adult: bool, consent_note: str = "") -> FamilyProxy:
    """A linked adult relative may act for the resident: named by the resident
    themself, or by a social worker of the resident's community who records
    the resident's consent (what the resident said or signed, by whom, when)."""
    if not resident.is_resident or not resident.is_active:
        raise DomainError(_l("Only a resident of a community can have a proxy."), field="relative_id")
    link = accepted_link(resident, relative)
    if link is None or not relative.is_active:
        raise DomainError(_l("A proxy must be a linked relative who has accepted the link."), field="relative_id")
    if not adult:
        raise DomainError(_l("Confirm that the relative is 18 or over: only an adult can be a proxy."), field="adult")
    note = (consent_note or "").strip()
    by_resident = actor.id == resident.id
    if not by_resident:
        if resident.community_id not in social_worker_community_ids(actor):
            raise DomainError(_l("Only the resident or a social worker of their community can name a proxy."))
        if actor.id == relative.id:
            raise DomainError(_l("Nobody names themself as a proxy: another social worker must."), field="relative_id")
        if not note:
            raise DomainError(_l("Record the resident's consent: what they said or signed, and when."),
                              field="consent_note")
    if _active_proxy(relative.id, resident.id) is not None:
        raise DomainError(_l("%(name)s already acts for this resident.", name=relative.display_name), field="relative_id")
    now = utcnow()
    proxy = FamilyProxy(resident_id=resident.id, proxy_id=relative.id, link_id=link.id, designated_by_id=actor.id,
                        designated_at=now, consent_note=note[:200],
                        consent_recorded_by_id=None if by_resident else actor.id,
                        consent_recorded_at=None if by_resident else now)
    try:
        with db.session.begin_nested():
            db.session.add(proxy)
            db.session.flush()
    except sa.exc.IntegrityError:
        raise DomainError(_l("%(name)s already acts for this resident.", name=relative.display_name),
                          field="relative_id") from None
    notify(relative, "timebank.proxy_named", endpoint="timebank.my_family", name=resident.display_name)
    if not by_resident:
        notify(resident, "timebank.proxy_named_for_you", endpoint="timebank.my_family", name=relative.display_name,
               by=actor.display_name)
    record(actor, "timebank.proxy_designate", proxy, community_id=resident.community_id, resident=resident.id,
           proxy=relative.id, resident_name=resident.display_name, proxy_name=relative.display_name,
           consent=note[:200] if not by_resident else "")
    return proxy


def proxy_for(user: User, proxy_id: int) -> FamilyProxy:
    """A designation `user` may see and revoke: the resident, the proxy, or a
    social worker of the resident's community; else not found."""
    proxy = db.session.get(FamilyProxy, proxy_id)
    if proxy is None:
        raise NotFound
    if user.id not in (proxy.resident_id, proxy.proxy_id) and (
            proxy.resident.community_id not in social_worker_community_ids(user)):
        raise NotFound
    return proxy


def _revoke(actor: User, proxy: FamilyProxy, reason: str) -> None:
    proxy.revoked_at, proxy.revoked_by_id, proxy.revoke_reason = utcnow(), actor.id, reason[:200]
    db.session.flush()
    for person in (proxy.resident, proxy.proxy):
        if person.id != actor.id:
            notify(person, "timebank.proxy_revoked", endpoint="timebank.my_family", proxy=proxy.proxy.display_name,
                   resident=proxy.resident.display_name)
    record(actor, "timebank.proxy_revoke", proxy, community_id=proxy.resident.community_id,
           resident_name=proxy.resident.display_name, proxy_name=proxy.proxy.display_name, reason=reason[:200])


def revoke_proxy(actor: User, proxy: FamilyProxy, reason: str = "") -> FamilyProxy:
    """The resident, the proxy themself, or a social worker of the resident's
    community ends a designation at any time."""
    if proxy.revoked_at is not None:
        raise DomainError(_l("This proxy has already been revoked."))
    if actor.id not in (proxy.resident_id, proxy.proxy_id) and (
            proxy.resident.community_id not in social_worker_community_ids(actor)):
        raise DomainError(_l("Only the resident, the proxy or a social worker of the community can revoke it."))
    _revoke(actor, proxy, reason.strip() or "revoked")
    return proxy


def proxies_of(user: User) -> tuple[list[FamilyProxy], list[FamilyProxy]]:
    """(who acts for `user`, whom `user` acts for): the active designations."""
    active = sa.select(FamilyProxy).where(FamilyProxy.revoked_at.is_(None)).options(
        sa.orm.joinedload(FamilyProxy.resident), sa.orm.joinedload(FamilyProxy.proxy),
        sa.orm.joinedload(FamilyProxy.designated_by)).order_by(FamilyProxy.id)
    return (list(db.session.scalars(active.where(FamilyProxy.resident_id == user.id))),
            list(db.session.scalars(active.where(FamilyProxy.proxy_id == user.id))))


# -- hours to a linked relative (通存通兑) and to the pool ----------------------------------------

@dataclass(frozen=True)
class TransferPlan:
    """What a transfer will do, checked, for the confirmation step."""
    sender: User
    receiver: User
    minutes: int
    relation: Relation  # what the receiver is to the sender
    unit: int

    @property
    def across(self) -> bool:
        return self.sender.community_id != self.receiver.community_id


def plan_transfer(sender: User, receiver: User | None, minutes) -> TransferPlan:
    """Every rule a transfer keeps, checked before the confirmation step and
    again when it posts: hours go only to a linked relative (never between
    strangers: hours must not become a currency), both verified residents,
    a positive multiple of the unit of both communities, within the sender's
    balance and its floor."""
    if receiver is None:
        raise DomainError(_l("Choose a linked relative."), field="receiver_id")
    link = accepted_link(sender, receiver)
    if link is None:
        raise DomainError(_l("Hours go only to a linked relative or to the community pool."), field="receiver_id")
    if not sender.is_verified:
        raise DomainError(_l("Only verified residents hold a time-bank account."))
    if not receiver.is_verified or not receiver.is_active:
        raise DomainError(_l("%(name)s is not a verified resident yet, so cannot receive hours.",
                             name=receiver.display_name), field="receiver_id")
    unit_from = ledger.community_rules(sender.community_id).unit_minutes
    unit_to = ledger.community_rules(receiver.community_id).unit_minutes
    unit = unit_from * unit_to // math.gcd(unit_from, unit_to)  # both communities' ledgers check their own unit
    minutes = ledger.positive_minutes(minutes, unit=unit)
    account = ledger.account_of(sender, create=False)
    if account is None or account.balance - minutes < account.floor:
        raise DomainError(_l("Not enough hours: the balance would fall below its limit."), field="minutes")
    return TransferPlan(sender, receiver, minutes, link.relation_seen_by(sender.id), unit)


def _form_key(idempotency_key: str) -> str:
    """A form's key (a hidden field its sender controls) in a namespace of its own: typed
    as "help-12" or "claim-7" it would otherwise take the key a service's payment
    posts with, and that payment would find "itself" done with nothing paid."""
    return "f:" + idempotency_key


def transfer_by_key(sender: User, idempotency_key: str) -> FamilyTransfer | None:
    """The transfer a form with this key already made (a second tab, a resubmission)."""
    return db.session.scalar(sa.select(FamilyTransfer).join(Txn, FamilyTransfer.out_txn_id == Txn.id).where(
        Txn.initiated_by_id == sender.id, Txn.idempotency_key == _form_key(idempotency_key)))


EXPIRED_FORM = _l("This form has expired. Please reload the page and try again.")


def _given_by_form(sender: User, idempotency_key: str) -> FamilyTransfer:
    """The transfer this form's key made; a key spent on something else (a donation) is an expired form."""
    done = transfer_by_key(sender, idempotency_key)
    if done is None:
        raise DomainError(EXPIRED_FORM)
    return done


def give_to_relative(sender: User, receiver: User | None, minutes, *, idempotency_key: str) -> FamilyTransfer:
    """赠与 / 通存通兑: the sender gives hours to a linked relative, in any
    community of the installation, exactly once per form. Within one community
    it is one ledger transaction sender → receiver; across two it is two in
    the same database transaction: the sender's community takes the hours back
    into its issuance account, the receiver's issues them (each community's
    ledger stays whole; both communities' social workers see their side).
    The accounts both transactions touch are locked up front in id order, so
    two relatives giving to each other at once cannot deadlock. The receiver
    is told."""
    if not idempotency_key or len(idempotency_key) > 59:  # with its namespace and "/in", the ledger's 64
        raise DomainError(EXPIRED_FORM)
    done = transfer_by_key(sender, idempotency_key)
    if done is not None:
        return done
    try:
        plan = plan_transfer(sender, receiver, minutes)
    except DomainError:
        # the same form from another tab may have just gone through (its hours are why the balance is short now)
        done = transfer_by_key(sender, idempotency_key)
        if done is None:
            raise
        return done
    sender_account, receiver_account = ledger.account_of(sender), ledger.account_of(receiver)
    memo = f"{sender.display_name} → {receiver.display_name}"
    if plan.across:
        out_issuance = ledger.system_account(sender.community_id, AccountKind.issuance)
        in_issuance = ledger.system_account(receiver.community_id, AccountKind.issuance)
        in_pool = ledger.system_account(receiver.community_id, AccountKind.pool)
        ledger.lock_accounts([sender_account.id, out_issuance.id, in_issuance.id, receiver_account.id, in_pool.id])
        out_txn, created = ledger.post(TxnKind.transfer, [(sender_account, -plan.minutes), (out_issuance, plan.minutes)],
                                       initiated_by=sender, idempotency_key=_form_key(idempotency_key), memo=memo)
        if not created:
            return _given_by_form(sender, idempotency_key)
        legs = ledger.capped_legs(receiver_account, plan.minutes, in_issuance)
        in_txn, _ = ledger.post(TxnKind.transfer, legs, initiated_by=sender,
                                idempotency_key=_form_key(idempotency_key) + "/in", memo=memo,
                                reference=("txn", out_txn.id))
    else:
        legs = ledger.capped_legs(receiver_account, plan.minutes, sender_account)
        out_txn, created = ledger.post(TxnKind.transfer, legs, initiated_by=sender,
                                       idempotency_key=_form_key(idempotency_key), memo=memo)
        if not created:
            return _given_by_form(sender, idempotency_key)
        in_txn = out_txn
    transfer = FamilyTransfer(link_id=accepted_link(sender, receiver).id, sender_id=sender.id, receiver_id=receiver.id,
                              from_community_id=sender.community_id, to_community_id=receiver.community_id,
                              minutes=plan.minutes, out_txn_id=out_txn.id, in_txn_id=in_txn.id)
    db.session.add(transfer)
    db.session.flush()
    notify(receiver, "timebank.family_gift", endpoint="timebank.show_transfer", values={"transfer_id": transfer.id},
           name=sender.display_name, minutes=plan.minutes)
    for community_id in sorted({sender.community_id, receiver.community_id}):
        record(sender, "timebank.family_transfer", transfer, community_id=community_id, minutes=plan.minutes,
               sender_name=sender.display_name, receiver_name=receiver.display_name)
    return transfer


def donate_to_pool(donor: User, minutes, *, idempotency_key: str) -> Txn:
    """Hours to the donor's community pool (公益池), which pays for services to
    residents the community approves; a positive multiple of the unit, within
    the balance, once per form (the ledger's own audit entry records it)."""
    if not donor.is_verified:
        raise DomainError(_l("Only verified residents hold a time-bank account."))
    unit = ledger.community_rules(donor.community_id).unit_minutes
    minutes = ledger.positive_minutes(minutes, unit=unit)
    idempotency_key = _form_key(idempotency_key) if idempotency_key else ""  # none: the ledger refuses it
    replay = db.session.scalar(sa.select(Txn).where(Txn.initiated_by_id == donor.id,
                                                    Txn.idempotency_key == idempotency_key))
    if replay is not None:
        if replay.kind is not TxnKind.donation:  # the key of another form (a gift): nothing was donated
            raise DomainError(EXPIRED_FORM)
        return replay
    account = ledger.account_of(donor, create=False)
    if account is None or account.balance - minutes < account.floor:
        raise DomainError(_l("Not enough hours: the balance would fall below its limit."), field="minutes")
    return ledger.donate(donor, minutes, idempotency_key=idempotency_key)


def transfer_for(user: User, transfer_id: int) -> FamilyTransfer:
    """A transfer its sender, its receiver, or a social worker of either
    community may see; for anyone else it is not found."""
    transfer = db.session.get(FamilyTransfer, transfer_id)
    if transfer is None:
        raise NotFound
    if user.id in (transfer.sender_id, transfer.receiver_id):
        return transfer
    if social_worker_community_ids(user) & {transfer.from_community_id, transfer.to_community_id}:
        return transfer
    raise NotFound


def transfers_of(user: User, limit: int = 20) -> list[FamilyTransfer]:
    return list(db.session.scalars(sa.select(FamilyTransfer).where(
        sa.or_(FamilyTransfer.sender_id == user.id, FamilyTransfer.receiver_id == user.id))
        .options(sa.orm.joinedload(FamilyTransfer.sender), sa.orm.joinedload(FamilyTransfer.receiver))
        .order_by(FamilyTransfer.id.desc()).limit(limit)))


def community_family(community_id: int, limit: int = 50) -> dict:
    """What a community's social workers see: its residents' open links, active
    proxies, and the transfers into or out of the community."""
    from sqlalchemy.orm import aliased

    asker, asked = aliased(User), aliased(User)
    links = list(db.session.scalars(
        sa.select(FamilyLink).join(asker, FamilyLink.requester_id == asker.id)
        .join(asked, FamilyLink.addressee_id == asked.id)
        .where(FamilyLink.status.in_([LinkStatus.pending, LinkStatus.accepted]),
               sa.or_(asker.community_id == community_id, asked.community_id == community_id))
        .options(sa.orm.joinedload(FamilyLink.requester), sa.orm.joinedload(FamilyLink.addressee))
        .order_by(FamilyLink.id.desc()).limit(limit)))
    proxies = list(db.session.scalars(
        sa.select(FamilyProxy).join(User, FamilyProxy.resident_id == User.id)
        .where(FamilyProxy.revoked_at.is_(None), User.community_id == community_id)
        .options(sa.orm.joinedload(FamilyProxy.resident), sa.orm.joinedload(FamilyProxy.proxy),
                 sa.orm.joinedload(FamilyProxy.designated_by), sa.orm.joinedload(FamilyProxy.consent_recorded_by))
        .order_by(FamilyProxy.id.desc()).limit(limit)))
    transfers = list(db.session.scalars(
        sa.select(FamilyTransfer).where(sa.or_(FamilyTransfer.from_community_id == community_id,
                                               FamilyTransfer.to_community_id == community_id))
        .options(sa.orm.joinedload(FamilyTransfer.sender), sa.orm.joinedload(FamilyTransfer.receiver))
        .order_by(FamilyTransfer.id.desc()).limit(limit)))
    return {"links": links, "proxies": proxies, "transfers": transfers}


def line_labels(holder: User, txn_ids: list[int]) -> dict[int, object]:
    """Statement lines for family transfers, in the reader's language and from
    the reader's side: "Given to 李娜" / "Received from 王秀英" (one query for
    a page of lines). Other lines keep the ledger's kind and memo."""
    if not txn_ids:
        return {}
    rows = db.session.execute(sa.select(FamilyTransfer).where(sa.or_(
        FamilyTransfer.out_txn_id.in_(txn_ids), FamilyTransfer.in_txn_id.in_(txn_ids)))
        .options(sa.orm.joinedload(FamilyTransfer.sender), sa.orm.joinedload(FamilyTransfer.receiver))).scalars()
    labels: dict[int, object] = {}
    for t in rows:
        if t.sender_id == holder.id:
            labels[t.out_txn_id] = _l("Given to %(name)s (family)", name=t.receiver.display_name)
        if t.receiver_id == holder.id:
            labels[t.in_txn_id] = _l("Received from %(name)s (family)", name=t.sender.display_name)
    return labels
