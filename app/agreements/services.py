"""委托协议: a department entrusts a community's committee with work the lists
do not give it, and pays for it (费随事转).

    draft ──sign (either side)──▶ signing ──sign (the other side)──▶ in_force
    in_force ──amend──▶ a new draft version; when that comes into force the old one is superseded

Terms (title, period, items, milestones) change only in a draft nobody has
signed: the first signature fixes them, so the second signs exactly what the
first did. A signed agreement never changes; `amend` copies it into a new
version linked to it. Both sides must sign: the department's staff and the
committee (its chair, members or social workers), never one person for both.
Fulfilment and payments are recorded against a version in force, appended,
never edited.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy import event
from sqlalchemy.orm import Session, joinedload, selectinload

from app import localtime
from app.agreements import access
from app.agreements import admission
from app.agreements.models import (
    CENT, Agreement, AgreementItem, AgreementState, Delivery, Fulfilment, FulfilmentPhoto, Milestone, Payment,
)
from app.audit.services import record
from app.consultation import photos as photo_files
from app.domain import DomainError, Forbidden, NotFound, Offer
from app.extensions import db
from app.notifications.services import notify_many, register_kind
from app.sqltypes import utcnow

MAX_AMOUNT = Decimal("99999999.99")
MAX_ITEMS = 30

register_kind("agreements.to_sign", _l("The entrustment agreement “%(title)s” awaits your signature."))
register_kind("agreements.in_force", _l("The entrustment agreement “%(title)s” is signed by both sides and in force."))
register_kind("agreements.fulfilment", _l("Fulfilment of “%(item)s” (%(title)s) was recorded."))
register_kind("agreements.payment", _l("A payment of %(amount)s yuan for “%(title)s” was recorded."))

A = AgreementState


class SignedAgreementError(RuntimeError):
    """A change to a signed agreement's terms reached the session: a bug, refused at flush."""


# -- money ---------------------------------------------------------------------------


def parse_yuan(text, *, field: str = "amount", allow_zero: bool = True) -> Decimal:
    """An amount in yuan as typed (`1200`, `1,200.5`, `¥1200.50`, `1200元`):
    Decimal with two places. More than two decimals is refused, never rounded."""
    raw = str(text or "").strip().replace(",", "").replace("，", "").replace("¥", "").replace("￥", "")
    raw = raw.removesuffix("元").strip()
    try:
        value = Decimal(raw)
    except InvalidOperation:
        raise DomainError(_l("Type an amount in yuan, e.g. 1200 or 1200.50."), field=field) from None
    if not value.is_finite():
        raise DomainError(_l("Type an amount in yuan, e.g. 1200 or 1200.50."), field=field)
    if value != value.quantize(CENT):
        raise DomainError(_l("At most two decimal places (fen)."), field=field)
    if value < 0 or (value == 0 and not allow_zero):
        raise DomainError(_l("The amount must be more than zero."), field=field)
    if value > MAX_AMOUNT:
        raise DomainError(_l("At most 99,999,999.99 yuan."), field=field)
    return value.quantize(CENT)


def total_of(amounts) -> Decimal:
    """The sum of amounts, two places: what a total shows (never typed)."""
    return sum((Decimal(a) for a in amounts), Decimal("0")).quantize(CENT)


# -- loaders --------------------------------------------------------------------------


def _public(agreement: Agreement) -> bool:
    """村(居)务公开: signed agreements (in force or superseded) are public."""
    return agreement.is_signed


def agreement_for(user, agreement_id: int, *, to: str = "read") -> Agreement:
    """`read`: signed agreements for anyone, drafts for the parties and the
    subdistrict; `work` (sign, record fulfilment or payments, draft terms): the
    two parties only."""
    agreement = db.session.get(Agreement, agreement_id)
    if agreement is None:
        raise NotFound
    private = access.may_read_private(user, agreement.department_id, agreement.community)
    if not (private or _public(agreement)):
        raise NotFound
    if to == "work" and not is_party(user, agreement):
        raise NotFound if not private else Forbidden
    return agreement


def is_party(user, agreement: Agreement) -> bool:
    return (access.speaks_for_department(user, agreement.department_id)
            or access.speaks_for_committee(user, agreement.community_id))


def may_read_note(user, agreement: Agreement) -> bool:
    return access.may_read_private(user, agreement.department_id, agreement.community)


# -- drafting ---------------------------------------------------------------------------


def _editable(actor, agreement: Agreement) -> None:
    if agreement.state is not A.draft:
        raise DomainError(_l("A signed agreement cannot change: amend it instead."))
    if not is_party(actor, agreement):
        raise Forbidden


def _period(starts_on: date, ends_on: date) -> None:
    if ends_on < starts_on:
        raise DomainError(_l("The period ends before it starts."), field="ends_on")


def create(actor, department, community, *, title: str, starts_on: date, ends_on: date, internal_note: str = "",
           request=None) -> Agreement:
    """The department drafts an agreement with one community's committee, for a
    request that needs one (optional: work can be entrusted without a request)."""
    if not access.speaks_for_department(actor, department.id):
        raise Forbidden
    if community.id not in {c.id for c in admission.addressable_communities(department)}:
        raise DomainError(_l("Your department cannot send work to that community."), field="community_id")
    if request is not None:
        if request.department_id != department.id or request.community_id != community.id:
            raise DomainError(_l("That request is another department's or community's."), field="request_id")
        if request.state not in admission.TRANSITIONS["draft_agreement"][0]:
            raise DomainError(_l("That request does not need an agreement."), field="request_id")
    title = (title or "").strip()
    if not title:
        raise DomainError(_l("Give the agreement a title."), field="title")
    _period(starts_on, ends_on)
    agreement = Agreement(department_id=department.id, community_id=community.id, title=title[:80],
                          starts_on=starts_on, ends_on=ends_on, internal_note=(internal_note or "").strip(),
                          request_id=getattr(request, "id", None), created_by_id=actor.id)
    db.session.add(agreement)
    db.session.flush()
    record(actor, "agreements.create", agreement, community_id=community.id, title=agreement.title)
    return agreement


def add_item(actor, agreement: Agreement, *, title: str, deliverables: str, due_on: date, amount) -> AgreementItem:
    _editable(actor, agreement)
    title = (title or "").strip()
    if not title:
        raise DomainError(_l("Name the item."), field="title")
    if len(agreement.items) >= MAX_ITEMS:
        raise DomainError(_l("At most 30 items."), field="title")
    if not agreement.starts_on <= due_on <= agreement.ends_on:
        raise DomainError(_l("The item is due within the agreement's period."), field="due_on")
    value = parse_yuan(amount)
    if agreement.total + value > MAX_AMOUNT:
        raise DomainError(_l("At most 99,999,999.99 yuan."), field="amount")
    item = AgreementItem(agreement=agreement, title=title[:80], deliverables=(deliverables or "").strip(),
                         due_on=due_on, amount=value)
    db.session.add(item)
    db.session.flush()
    record(actor, "agreements.add_item", agreement, community_id=agreement.community_id, item=item.title,
           amount=str(value))
    return item


def _take_out(actor, agreement: Agreement, parts: list, part_id: int):
    """Remove an item or a payment from a draft agreement; one of another agreement is not found."""
    _editable(actor, agreement)
    part = next((p for p in parts if p.id == part_id), None)
    if part is None:
        raise NotFound
    parts.remove(part)
    db.session.flush()
    return part


def remove_item(actor, agreement: Agreement, item_id: int) -> None:
    item = _take_out(actor, agreement, agreement.items, item_id)
    record(actor, "agreements.remove_item", agreement, community_id=agreement.community_id, item=item.title)


def add_milestone(actor, agreement: Agreement, *, label: str, due_on: date, amount) -> Milestone:
    _editable(actor, agreement)
    label = (label or "").strip()
    if not label:
        raise DomainError(_l("Name the payment (e.g. 首期款)."), field="label")
    value = parse_yuan(amount, allow_zero=False)
    if agreement.scheduled + value > agreement.total:
        raise DomainError(_l("The payments would exceed the funding of %(total)s yuan.",
                             total=agreement.total), field="amount")
    milestone = Milestone(agreement=agreement, label=label[:60], due_on=due_on, amount=value)
    db.session.add(milestone)
    db.session.flush()
    record(actor, "agreements.add_milestone", agreement, community_id=agreement.community_id,
           milestone=milestone.label, amount=str(value))
    return milestone


def remove_milestone(actor, agreement: Agreement, milestone_id: int) -> None:
    milestone = _take_out(actor, agreement, agreement.milestones, milestone_id)
    record(actor, "agreements.remove_milestone", agreement, community_id=agreement.community_id,
           milestone=milestone.label)


# -- signing ------------------------------------------------------------------------------


def side_of(user, agreement: Agreement) -> str | None:
    """Which side the user signs for; a person on both sides signs for the
    department only, so the committee's signature is always someone else's."""
    if access.speaks_for_department(user, agreement.department_id):
        return "department"
    if access.speaks_for_committee(user, agreement.community_id):
        return "community"
    return None


def _may_sign(user, agreement: Agreement) -> bool:
    side = side_of(user, agreement)
    if side is None or agreement.state not in (A.draft, A.signing):
        return False
    if agreement.department_signed_by_id == user.id or agreement.community_signed_by_id == user.id:
        return False
    signed = agreement.department_signed_at if side == "department" else agreement.community_signed_at
    return signed is None


def sign(actor, agreement: Agreement) -> Agreement:
    """Sign for one's side. Needs items and payments adding up to the funding;
    the first signature fixes the terms, the second brings it into force (and
    supersedes the version it amends)."""
    # the two sides may sign at the same moment: read the signatures under a row lock
    # (FOR UPDATE on PostgreSQL; a writing request holds SQLite's lock), so the second sees the first
    db.session.refresh(agreement, with_for_update=True)
    if agreement.state not in (A.draft, A.signing):
        raise DomainError(_l("This agreement is already signed."))
    side = side_of(actor, agreement)
    if side is None:
        raise Forbidden
    if not _may_sign(actor, agreement):
        raise DomainError(_l("You have signed already; the other side signs next."))
    if not agreement.items:
        raise DomainError(_l("Add at least one item before signing."))
    if agreement.scheduled != agreement.total:
        raise DomainError(_l("The payments (%(scheduled)s yuan) must add up to the funding (%(total)s yuan).",
                             scheduled=agreement.scheduled, total=agreement.total))
    now = utcnow()
    if side == "department":
        agreement.department_signed_by_id, agreement.department_signed_at = actor.id, now
    else:
        agreement.community_signed_by_id, agreement.community_signed_at = actor.id, now
    both = agreement.department_signed_at is not None and agreement.community_signed_at is not None
    agreement.state = A.in_force if both else A.signing
    db.session.flush()
    record(actor, "agreements.sign", agreement, community_id=agreement.community_id, side=side,
           total=str(agreement.total))
    if both:
        if agreement.previous is not None and agreement.previous.state is A.in_force:
            agreement.previous.state = A.superseded
            record(actor, "agreements.supersede", agreement.previous, community_id=agreement.community_id)
        if agreement.request is not None:
            admission.under_agreement(actor, agreement.request)
        notify_many(_both_sides(agreement), "agreements.in_force", endpoint="agreements.show_agreement",
                    values={"agreement_id": agreement.id}, title=agreement.title)
    else:
        others = (access.committee_of(agreement.community_id) if side == "department"
                  else access.staff_of_department(agreement.department_id))
        notify_many(others, "agreements.to_sign", endpoint="agreements.show_agreement",
                    values={"agreement_id": agreement.id}, title=agreement.title)
    db.session.flush()
    return agreement


def amend(actor, agreement: Agreement) -> Agreement:
    """An amendment: a new draft version with the same terms, linked to the
    agreement in force, which stays in force until the amendment is signed."""
    if not is_party(actor, agreement):
        raise Forbidden
    if agreement.state is not A.in_force:
        raise DomainError(_l("Only an agreement in force can be amended."))
    if db.session.scalar(sa.select(Agreement.id).where(Agreement.previous_id == agreement.id)):
        raise DomainError(_l("An amendment of this agreement exists already."))
    new = Agreement(department_id=agreement.department_id, community_id=agreement.community_id,
                    previous_id=agreement.id, version=agreement.version + 1, title=agreement.title,
                    starts_on=agreement.starts_on, ends_on=agreement.ends_on, internal_note=agreement.internal_note,
                    created_by_id=actor.id)
    new.items = [AgreementItem(title=i.title, deliverables=i.deliverables, due_on=i.due_on, amount=i.amount)
                 for i in agreement.items]
    new.milestones = [Milestone(label=m.label, due_on=m.due_on, amount=m.amount) for m in agreement.milestones]
    db.session.add(new)
    db.session.flush()
    record(actor, "agreements.amend", new, community_id=agreement.community_id, previous=agreement.id)
    return new


def amendment_of(agreement: Agreement) -> Agreement | None:
    return db.session.scalar(sa.select(Agreement).where(Agreement.previous_id == agreement.id))


def _both_sides(agreement: Agreement) -> list:
    seen, people = set(), []
    for user in access.staff_of_department(agreement.department_id) + access.committee_of(agreement.community_id):
        if user.id not in seen:
            seen.add(user.id)
            people.append(user)
    return people


# -- fulfilment and payments ---------------------------------------------------------------


def _working(actor, agreement: Agreement) -> None:
    if agreement.state is not A.in_force:
        raise DomainError(_l("Fulfilment and payments are recorded on the agreement in force."))
    if not is_party(actor, agreement):
        raise Forbidden


def record_fulfilment(actor, agreement: Agreement, item_id: int, status: Delivery, evidence: str,
                      uploads: list[bytes] = ()) -> Fulfilment:
    """履约: either side reports an item delivered, partly delivered or not, with evidence."""
    _working(actor, agreement)
    item = next((i for i in agreement.items if i.id == item_id), None)
    if item is None:
        raise NotFound
    evidence = (evidence or "").strip()
    if status is not Delivery.not_delivered and not evidence and not uploads:
        raise DomainError(_l("Describe what was delivered or add a photo."), field="evidence")
    if len(uploads) > photo_files.MAX_PHOTOS:
        raise DomainError(_l("At most 3 photos."), field="photos")
    report = Fulfilment(item_id=item.id, status=status, evidence=evidence[:2000], recorded_by_id=actor.id)
    db.session.add(report)
    db.session.flush()
    for raw in uploads:
        data, content_type, width, height = photo_files.process(raw)
        db.session.add(FulfilmentPhoto(token=photo_files.new_token(), fulfilment_id=report.id,
                                       content_type=content_type, width=width, height=height, size=len(data),
                                       data=data))
    db.session.flush()
    db.session.expire(item, ["reports"])
    record(actor, "agreements.fulfilment", agreement, community_id=agreement.community_id, item=item.title,
           status=status.name)
    notify_many([u for u in _both_sides(agreement) if u.id != actor.id], "agreements.fulfilment",
                endpoint="agreements.show_agreement", values={"agreement_id": agreement.id}, item=item.title,
                title=agreement.title)
    return report


def record_payment(actor, agreement: Agreement, milestone_id: int, amount, received_on: date) -> Payment:
    _working(actor, agreement)
    milestone = next((m for m in agreement.milestones if m.id == milestone_id), None)
    if milestone is None:
        raise NotFound
    value = parse_yuan(amount, allow_zero=False)
    if milestone.received + value > milestone.amount:
        raise DomainError(_l("More than the %(left)s yuan still owed on this payment.",
                             left=milestone.amount - milestone.received), field="amount")
    if received_on > localtime.today():
        raise DomainError(_l("A payment is recorded once it was received, not ahead."), field="received_on")
    payment = Payment(milestone_id=milestone.id, amount=value, received_on=received_on, recorded_by_id=actor.id)
    db.session.add(payment)
    db.session.flush()
    db.session.expire(milestone, ["payments"])
    record(actor, "agreements.payment", agreement, community_id=agreement.community_id, milestone=milestone.label,
           amount=str(value))
    notify_many([u for u in _both_sides(agreement) if u.id != actor.id], "agreements.payment",
                endpoint="agreements.show_agreement", values={"agreement_id": agreement.id}, amount=str(value),
                title=agreement.title)
    return payment


# -- reading ------------------------------------------------------------------------------------


def latest_report(item: AgreementItem) -> Fulfilment | None:
    return item.reports[-1] if item.reports else None


def item_overdue(item: AgreementItem, today: date | None = None) -> bool:
    """Past its date and not reported delivered."""
    report = latest_report(item)
    return (today or localtime.today()) > item.due_on and (report is None or report.status is not Delivery.delivered)


def milestone_unpaid(milestone: Milestone, today: date | None = None) -> bool:
    return (today or localtime.today()) > milestone.due_on and milestone.received < milestone.amount


@dataclass(frozen=True)
class Flags:
    overdue_items: int
    unpaid_milestones: int

    @property
    def any(self) -> bool:
        return bool(self.overdue_items or self.unpaid_milestones)


def flags_of(agreement: Agreement, today: date | None = None) -> Flags:
    """Computed on read: only an agreement in force owes anything."""
    if agreement.state is not A.in_force:
        return Flags(0, 0)
    return Flags(sum(item_overdue(i, today) for i in agreement.items),
                 sum(milestone_unpaid(m, today) for m in agreement.milestones))


def is_fulfilled(agreement: Agreement) -> bool:
    return bool(agreement.items) and all(
        (r := latest_report(i)) is not None and r.status is Delivery.delivered for i in agreement.items) and all(
        m.received == m.amount for m in agreement.milestones)


class Actions(Offer):
    """`record`: fulfilment and payments."""
    names = """edit sign amend record read_note"""


def actions_for(user, agreement: Agreement) -> Actions:
    party = is_party(user, agreement)
    return Actions(edit=party and agreement.state is A.draft, sign=_may_sign(user, agreement),
                   amend=party and agreement.state is A.in_force and amendment_of(agreement) is None,
                   record=party and agreement.state is A.in_force, read_note=may_read_note(user, agreement))


def _loaded(query):
    return list(db.session.scalars(query.options(
        joinedload(Agreement.department), joinedload(Agreement.community),
        selectinload(Agreement.items).selectinload(AgreementItem.reports),
        selectinload(Agreement.milestones).selectinload(Milestone.payments))
        .order_by(Agreement.created_at.desc(), Agreement.id.desc())).unique())


def agreements_of_department(department_id: int) -> list[Agreement]:
    return _loaded(sa.select(Agreement).where(Agreement.department_id == department_id,
                                              Agreement.state != A.superseded))


def agreements_of_community(community_id: int) -> list[Agreement]:
    return _loaded(sa.select(Agreement).where(Agreement.community_id == community_id,
                                              Agreement.state != A.superseded))


def public_agreements(subdistrict_id: int) -> list[Agreement]:
    """村(居)务公开: every signed agreement with a community of the subdistrict."""
    from app.places.models import Community

    return _loaded(sa.select(Agreement).join(Community, Agreement.community_id == Community.id).where(
        Community.subdistrict_id == subdistrict_id, Agreement.state.in_((A.in_force, A.superseded))))


def photo_for(user, token: str) -> FulfilmentPhoto:
    photo = db.session.scalar(sa.select(FulfilmentPhoto).where(FulfilmentPhoto.token == token))
    if photo is None:
        raise NotFound
    report = db.session.get(Fulfilment, photo.fulfilment_id)
    item = db.session.get(AgreementItem, report.item_id)
    agreement_for(user, item.agreement_id)  # public once signed, like the agreement
    return photo


# -- the guard behind the rule -----------------------------------------------------------------

_TERMS = {Agreement: ("title", "starts_on", "ends_on", "department_id", "community_id"),
          AgreementItem: ("title", "deliverables", "due_on", "amount", "agreement_id"),
          Milestone: ("label", "due_on", "amount", "agreement_id")}


@event.listens_for(Session, "before_flush")
def _refuse_changes_to_signed_terms(session, _context, _instances):
    """However it is reached, a signed agreement's terms do not change: the
    services check first; this catches what would slip past them."""
    for obj in list(session.dirty) + list(session.deleted):
        fields = _TERMS.get(type(obj))
        if fields is None:
            continue
        agreement = obj if isinstance(obj, Agreement) else obj.agreement
        if agreement is None:
            continue
        state = sa.inspect(agreement).attrs.state.loaded_value if isinstance(obj, Agreement) else agreement.state
        if state is sa.orm.base.NO_VALUE or state is A.draft:
            continue
        if obj in session.deleted or any(sa.inspect(obj).attrs[f].history.has_changes() for f in fields):
            raise SignedAgreementError(f"{obj!r} belongs to a signed agreement")
