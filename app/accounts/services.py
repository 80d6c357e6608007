"""Accounts: registration, login sessions, residence verification, roles.

Services change objects and flush; the view commits once per request.
"""
from __future__ import annotations

import hashlib
import re
import secrets
import unicodedata
from dataclasses import dataclass
from datetime import timedelta

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from app.accounts import passwords
from app.accounts.models import (
    ROLE_LABELS,
    ROLE_SCOPE,
    AuthSession,
    ResidenceStatus,
    Role,
    RoleAssignment,
    TextSize,
    User,
)
from app.audit.services import record
from app.domain import DomainError
from app.extensions import db
from app.notifications.services import notify, notify_many, register_kind
from app.places.models import Community, Department, Subdistrict
from app.sqltypes import utcnow

PHONE_RE = re.compile(r"^1[3-9]\d{9}$")  # mainland mobile numbers
USERNAME_RE = re.compile(r"^[a-z][a-z0-9_]{2,31}$")

register_kind("accounts.residence_verified", _l("Your residence in %(community)s has been verified. You can now support topics, vote and use the time bank."))
register_kind("accounts.residence_rejected", _l("Your residence verification for %(community)s was not approved: %(reason)s"))
register_kind("accounts.residence_requested", _l("%(name)s registered in %(community)s and is waiting for residence verification."))
register_kind("accounts.role_granted", _l("You have been given a new role: %(role)s."),
              labels={"role": ROLE_LABELS})


def normalise_login(value: str) -> str:
    """Full-width digits and letters folded (NFKC), spaces and dashes dropped
    from phone numbers, usernames lower-cased."""
    value = unicodedata.normalize("NFKC", value or "").strip()
    compact = re.sub(r"[\s\-]", "", value)
    if compact.startswith("+86"):
        compact = compact[3:]
    if compact.isdigit():
        return compact
    return value.lower()


def is_phone(login: str) -> bool:
    return bool(PHONE_RE.match(login))


def login_problem(login: str):
    """Why this phone number or username cannot be used, or None."""
    if login.isdigit():
        if not is_phone(login):
            return _l("Enter an 11-digit mainland mobile number, such as 13812345678.")
        return None
    if not USERNAME_RE.match(login):
        return _l("A username has 3 to 32 letters, digits or underscores and starts with a letter.")
    return None


def find_user_by_login(login: str) -> User | None:
    login = normalise_login(login)
    column = User.phone if login.isdigit() else User.username
    return db.session.scalar(sa.select(User).where(column == login))


def resident_of(community_id: int, user_id) -> User | None:
    """A verified, active resident of the community by id, as a form or an
    address sends it (staff choosing whom they act for): one query; None for
    anything else (no id, not plain digits, someone of another community,
    unverified or deactivated). Each domain says what None means on its page."""
    number = _plain_id(user_id)
    if number is None:
        return None
    return db.session.scalar(sa.select(User).where(
        User.id == number, User.community_id == community_id, User.residence_status == ResidenceStatus.verified,
        User.is_active.is_(True)))


PICK_LIMIT = 20  # matches a staff member is shown at once


def _like(text: str) -> str:
    """`text` as a LIKE pattern matching it anywhere, its own wildcards taken literally."""
    return "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def pick_text(text: str | None) -> str:
    """What a staff member typed to find a resident: full-width folded (NFKC), trimmed."""
    return unicodedata.normalize("NFKC", text or "").strip()[:40]


def pick_digits(text: str | None) -> str:
    """The typed text as a phone number's digits (spaces, dashes and +86 dropped), or "" when it is not one."""
    digits = re.sub(r"[\s\-]", "", pick_text(text)).removeprefix("+86")
    return digits if digits.isdigit() else ""


def find_residents(community_id: int, text: str, *, limit: int = PICK_LIMIT + 1, among: int | None = None
                   ) -> list[User]:
    """Verified, active residents of the community that `text` names: the
    name or the household (3幢2单元501) containing it, or, when it is digits
    (spaces, dashes and +86 aside), the phone number ending with them (its
    last four digits, as people say them: 尾号) or starting with them (the
    number as it is being typed). The whole name or number first, then
    numbers ending so, then by name; at most `limit` (one more than is
    shown, to tell there are more). One query; nothing for an empty text or
    under three digits."""
    text, digits = pick_text(text), pick_digits(text)
    if not text or (digits and len(digits) < 3):
        return []
    pattern = _like(text.lower())
    condition = sa.or_(sa.func.lower(User.display_name).like(pattern, escape="\\"),
                       sa.func.lower(User.household).like(pattern, escape="\\"))
    rank = sa.case((User.display_name == text, 0), else_=2)
    if digits:
        tail = User.phone.like(f"%{digits}")
        condition = sa.or_(condition, tail, User.phone.like(f"{digits}%"))
        rank = sa.case((User.phone == digits, 0), (tail, 1), else_=2)  # 尾号 before numbers that start so
    query = sa.select(User).where(User.community_id == community_id, User.residence_status == ResidenceStatus.verified,
                                  User.is_active.is_(True), condition)
    if among is not None:  # does `text` name this one resident?
        query = query.where(User.id == among)
    return list(db.session.scalars(query.order_by(rank, User.display_name, User.id).limit(limit)))


def is_exact_pick(user: User, text: str) -> bool:
    """Whether `text` is this resident's whole phone number: enough to act for them without a
    second step (a name is not: two people share one, and the one meant may not be verified)."""
    digits = pick_digits(text)
    return bool(digits) and user.phone == digits


def user_in_community(community_id: int, user_id) -> bool:
    """Whether an account of any standing (unverified, deactivated) with that id lives in the community."""
    number = _plain_id(user_id)
    return number is not None and db.session.scalar(
        sa.select(User.id).where(User.id == number, User.community_id == community_id)) is not None


def _plain_id(user_id) -> int | None:
    """An id as a form or an address sends it: plain digits within a database id's range, else None."""
    text = str(user_id or "").strip()
    if not re.fullmatch(r"[0-9]{1,10}", text) or not 0 < int(text) < 2**31:
        return None
    return int(text)


def login_taken(login: str) -> bool:
    return find_user_by_login(login) is not None


def _check_new_login(login: str) -> str:
    login = normalise_login(login)
    if problem := login_problem(login):
        raise DomainError(problem, field="login")
    if login_taken(login):
        raise DomainError(_l("This phone number or username is already registered."), field="login")
    return login


def _check_password(password: str, login: str) -> None:
    if problem := passwords.password_problem(password, logins=(login,)):
        raise DomainError(problem, field="password")


def register_resident(*, login: str, display_name: str, community: Community, password: str,
                      household: str = "") -> User:
    """A resident signs up; residence stays 待认证 until a social worker of the
    community confirms it."""
    login = _check_new_login(login)
    _check_password(password, login)
    if not community.is_active:
        raise DomainError(_l("This community is not open for registration."), field="community")
    user = User(
        phone=login if login.isdigit() else None,
        username=None if login.isdigit() else login,
        display_name=display_name.strip(),
        password_hash=passwords.hash_password(password),
        community_id=community.id,
        household=household.strip(),
        residence_status=ResidenceStatus.pending,
    )
    db.session.add(user)
    db.session.flush()
    record(user, "accounts.register", user, community_id=community.id)
    notify_many(
        social_workers_of(community), "accounts.residence_requested",
        endpoint="accounts.verification_queue", name=user.display_name, community=community.name,
    )
    return user


def social_workers_of(community: Community) -> list[User]:
    return list(db.session.scalars(
        sa.select(User).join(RoleAssignment, RoleAssignment.user_id == User.id).where(
            RoleAssignment.role == Role.social_worker,
            RoleAssignment.community_id == community.id,
            User.is_active.is_(True),
        )
    ))


def authenticate(login: str, password: str) -> User | None:
    """The active user with this login and password, or None. Unknown logins
    cost the same time as wrong passwords."""
    user = find_user_by_login(login)
    if user is None:
        passwords.burn_time(password)
        return None
    if not passwords.check_password(user.password_hash, password) or not user.is_active:
        return None
    if passwords.needs_rehash(user.password_hash):
        user.password_hash = passwords.hash_password(password)
    user.last_login_at = utcnow()
    return user


# -- server-side sessions ------------------------------------------------------

def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def start_session(user: User, *, user_agent: str = "", ip: str = "") -> str:
    """A new device session; returns the token for the cookie."""
    token = secrets.token_urlsafe(32)
    db.session.add(AuthSession(
        token_hash=_token_hash(token), user_id=user.id, version=user.session_version,
        user_agent=user_agent[:200], ip=ip[:45],
    ))
    db.session.flush()
    return token


@dataclass(frozen=True)
class SessionPolicy:
    """How long a login lasts: `lifetime` from the login whatever happens;
    `idle` since last use, shorter (`staff_idle`) for anyone holding a role,
    whose account can act on others' data."""

    lifetime: timedelta
    idle: timedelta
    staff_idle: timedelta

    def idle_for(self, user: User) -> timedelta:
        return self.staff_idle if user.roles else self.idle

    def touch_every(self, user: User) -> timedelta:
        """Record activity at most this often (a write per request would be wasteful)."""
        return min(timedelta(minutes=5), self.idle_for(user) / 20)


def live_session(user_id: int, token: str | None, policy: SessionPolicy) -> AuthSession | None:
    """The session behind a cookie, if still valid: not logged out, not older
    than the user's last password change or logout-everywhere, within its
    lifetime and idle time, and the account active."""
    if not token:
        return None
    row = db.session.execute(
        sa.select(AuthSession, User).join(User, AuthSession.user_id == User.id).where(
            AuthSession.token_hash == _token_hash(token), AuthSession.user_id == user_id
        )
    ).first()
    if row is None:
        return None
    auth_session, user = row
    if auth_session.revoked_at is not None or auth_session.version != user.session_version:
        return None
    if not user.is_active:
        return None
    now = utcnow()
    if now - auth_session.created_at > policy.lifetime or now - auth_session.last_seen_at > policy.idle_for(user):
        return None
    return auth_session


def touch_session(session_id: int) -> None:
    """Record that the session was used now (restarts its idle time)."""
    db.session.execute(sa.update(AuthSession).where(AuthSession.id == session_id).values(last_seen_at=utcnow()))


def end_session(token: str | None) -> None:
    if token:
        db.session.execute(
            sa.update(AuthSession)
            .where(AuthSession.token_hash == _token_hash(token), AuthSession.revoked_at.is_(None))
            .values(revoked_at=utcnow())
        )


def revoke_all_sessions(user: User, *, actor: User | None = None, reason: str) -> None:
    """Log the user out everywhere: bump the session version every request checks."""
    user.session_version += 1
    db.session.execute(
        sa.update(AuthSession)
        .where(AuthSession.user_id == user.id, AuthSession.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )
    record(actor or user, "accounts.revoke_sessions", user, reason=reason)


def active_sessions(user: User, policy: SessionPolicy) -> list[AuthSession]:
    now = utcnow()
    return list(db.session.scalars(
        sa.select(AuthSession).where(
            AuthSession.user_id == user.id, AuthSession.revoked_at.is_(None),
            AuthSession.version == user.session_version,
            AuthSession.created_at > now - policy.lifetime,
            AuthSession.last_seen_at > now - policy.idle_for(user),
        ).order_by(AuthSession.created_at.desc())
    ))


def change_password(user: User, current: str, new: str) -> None:
    """Changing the password ends every other session (the caller starts a new
    one for this device)."""
    if not passwords.check_password(user.password_hash, current):
        raise DomainError(_l("The current password is not correct."), field="current_password")
    _check_password(new, user.login_name)
    user.password_hash = passwords.hash_password(new)
    revoke_all_sessions(user, reason="password_change")
    record(user, "accounts.change_password", user)


# -- residence verification (居住认证) ------------------------------------------

def residents_awaiting_verification(community_ids: set[int]) -> list[User]:
    if not community_ids:
        return []
    from sqlalchemy.orm import joinedload

    # each row names its community: loaded in the same statement
    return list(db.session.scalars(
        sa.select(User).options(joinedload(User.community)).where(
            User.community_id.in_(community_ids),
            User.residence_status == ResidenceStatus.pending,
            User.is_active.is_(True),
        ).order_by(User.created_at, User.id)
    ))


def count_awaiting_verification(community_ids: set[int]) -> int:
    if not community_ids:
        return 0
    return db.session.scalar(
        sa.select(sa.func.count(User.id)).where(
            User.community_id.in_(community_ids),
            User.residence_status == ResidenceStatus.pending,
            User.is_active.is_(True),
        )
    ) or 0


def resident_in(community_ids: set[int], user_id: int) -> User | None:
    """A resident of one of these communities (any status), else None."""
    if not community_ids:
        return None
    return db.session.scalar(
        sa.select(User).where(User.id == user_id, User.community_id.in_(community_ids))
    )


def decide_residence(actor: User, resident: User, *, approve: bool, reason: str = "") -> None:
    """A social worker of the resident's community confirms (已认证) or refuses
    (未通过, with the reason the resident will read) their residence."""
    if resident.residence_status is not ResidenceStatus.pending:
        raise DomainError(_l("This residence request has already been decided."))
    reason = reason.strip()
    if not approve and not reason:
        raise DomainError(_l("Please give the resident a reason."), field="reason")
    resident.residence_status = ResidenceStatus.verified if approve else ResidenceStatus.rejected
    resident.residence_note = "" if approve else reason
    resident.residence_decided_at = utcnow()
    resident.residence_decided_by_id = actor.id
    community = resident.community
    record(actor, "accounts.verify_residence" if approve else "accounts.reject_residence",
           resident, community_id=resident.community_id, reason=reason)
    if approve:
        notify(resident, "accounts.residence_verified", endpoint="accounts.show_account", community=community.name)
    else:
        notify(resident, "accounts.residence_rejected", endpoint="accounts.show_account",
               community=community.name, reason=reason)


def resubmit_residence(user: User, *, community: Community, household: str) -> None:
    """A resident corrects their community or household and asks again."""
    if user.residence_status is ResidenceStatus.verified and user.community_id == community.id \
            and user.household == household.strip():
        raise DomainError(_l("Your residence is already verified."))
    if not community.is_active:
        raise DomainError(_l("This community is not open for registration."), field="community")
    user.community_id = community.id
    user.household = household.strip()
    user.residence_status = ResidenceStatus.pending
    user.residence_note = ""
    user.residence_decided_at = None
    user.residence_decided_by_id = None
    db.session.flush()
    record(user, "accounts.resubmit_residence", user, community_id=community.id)
    notify_many(social_workers_of(community), "accounts.residence_requested",
                endpoint="accounts.verification_queue", name=user.display_name, community=community.name)


# -- preferences ---------------------------------------------------------------

def set_preferences(user: User, *, locale: str | None = None, text_size: TextSize | None = None) -> None:
    if locale is not None:
        user.locale = locale
    if text_size is not None:
        user.text_size = text_size


# -- administration --------------------------------------------------------------

def create_user(actor: User | None, *, login: str, display_name: str, password: str,
                community: Community | None = None, verified: bool = False,
                household: str = "") -> User:
    """An admin (or `flask create-admin`) creates an account. Residents created
    by staff can be marked verified at once (the staff member saw them)."""
    login = _check_new_login(login)
    _check_password(password, login)
    status = ResidenceStatus.none
    if community is not None:
        status = ResidenceStatus.verified if verified else ResidenceStatus.pending
    user = User(
        phone=login if login.isdigit() else None,
        username=None if login.isdigit() else login,
        display_name=display_name.strip(),
        password_hash=passwords.hash_password(password),
        community_id=community.id if community else None,
        household=household.strip(),
        residence_status=status,
        residence_decided_at=utcnow() if status is ResidenceStatus.verified else None,
        residence_decided_by_id=actor.id if actor and status is ResidenceStatus.verified else None,
    )
    db.session.add(user)
    db.session.flush()
    record(actor, "accounts.create_user", user, community_id=user.community_id)
    return user


def update_user(actor: User, user: User, *, display_name: str, community: Community | None,
                household: str) -> None:
    changed = {}
    if user.display_name != display_name.strip():
        changed["display_name"] = display_name.strip()
    if user.community_id != (community.id if community else None):
        changed["new_community_id"] = community.id if community else None
        user.residence_status = ResidenceStatus.pending if community else ResidenceStatus.none
    if user.household != household.strip():
        changed["household"] = household.strip()
    user.display_name = display_name.strip()
    user.community_id = community.id if community else None
    user.household = household.strip()
    if changed:
        record(actor, "accounts.update_user", user, community_id=user.community_id, **changed)


def set_active(actor: User, user: User, active: bool) -> None:
    """Deactivating an account also ends all its sessions."""
    if user.id == actor.id and not active:
        raise DomainError(_l("You cannot deactivate your own account."))
    if user.is_active == active:
        return
    user.is_active = active
    if not active:
        revoke_all_sessions(user, actor=actor, reason="deactivated")
    record(actor, "accounts.activate" if active else "accounts.deactivate", user,
           community_id=user.community_id)


def _scope_object(role: Role, scope_id: int | None):
    kind = ROLE_SCOPE[role]
    model = {"community": Community, "subdistrict": Subdistrict, "department": Department}.get(kind)
    if model is None:
        return None
    obj = db.session.get(model, scope_id) if scope_id else None
    if obj is None:
        raise DomainError(_l("Choose where this role applies."), field="scope")
    return obj


def assign_role(actor: User | None, user: User, role: Role, scope_id: int | None = None) -> RoleAssignment:
    scope = _scope_object(role, scope_id)
    kind = ROLE_SCOPE[role]
    values = {
        "community_id": scope.id if kind == "community" else None,
        "subdistrict_id": scope.id if kind == "subdistrict" else None,
        "department_id": scope.id if kind == "department" else None,
    }
    for existing in user.roles:
        if existing.role is role and all(getattr(existing, k) == v for k, v in values.items()):
            raise DomainError(_l("This person already has that role."))
    assignment = RoleAssignment(user=user, role=role, created_by_id=getattr(actor, "id", None), **values)
    db.session.add(assignment)
    db.session.flush()
    record(actor, "accounts.assign_role", user, community_id=values["community_id"],
           role=role, scope=getattr(scope, "name", ""))
    notify(user, "accounts.role_granted", endpoint="accounts.show_account", role=role)
    return assignment


def revoke_role(actor: User, assignment: RoleAssignment) -> None:
    user = assignment.user
    if assignment.role is Role.admin and user.id == actor.id:
        raise DomainError(_l("You cannot remove your own administrator role."))
    record(actor, "accounts.revoke_role", user, community_id=assignment.community_id,
           role=assignment.role, scope=getattr(assignment.scope, "name", ""))
    user.roles.remove(assignment)
    db.session.flush()


def users_page(query_text: str = "", *, limit: int = 50, after_id: int | None = None) -> list[User]:
    """A page of accounts with their community and roles (and each role's scope) loaded with it:
    the same few statements for 5 accounts or 50."""
    from sqlalchemy.orm import selectinload

    query = sa.select(User).options(
        selectinload(User.community),
        selectinload(User.roles).options(selectinload(RoleAssignment.community),
                                         selectinload(RoleAssignment.subdistrict),
                                         selectinload(RoleAssignment.department)))
    if query_text:
        like = f"%{query_text.strip()}%"
        query = query.where(sa.or_(User.display_name.like(like), User.phone.like(like),
                                   User.username.like(like)))
    if after_id:
        query = query.where(User.id > after_id)
    return list(db.session.scalars(query.order_by(User.id).limit(limit)))


# -- loaders and lists for the administration pages ------------------------------

def user_by_id(user_id: int) -> User:
    """Any person (administration is not scoped); NotFound when there is none."""
    from app.domain import NotFound

    user = db.session.get(User, user_id)
    if user is None:
        raise NotFound()
    return user


def role_assignment_of(user: User, assignment_id: int) -> RoleAssignment:
    """One of `user`'s own role assignments; another person's id is not found."""
    from app.domain import NotFound

    assignment = db.session.scalar(sa.select(RoleAssignment).where(
        RoleAssignment.id == assignment_id, RoleAssignment.user_id == user.id))
    if assignment is None:
        raise NotFound()
    return assignment


def community_by_id(community_id: int) -> Community:
    from app.domain import NotFound

    community = db.session.get(Community, community_id)
    if community is None:
        raise NotFound()
    return community


def all_communities() -> list[Community]:
    return list(db.session.scalars(sa.select(Community).order_by(Community.subdistrict_id, Community.name)))


def all_subdistricts() -> list[Subdistrict]:
    return list(db.session.scalars(sa.select(Subdistrict).order_by(Subdistrict.name)))


def all_departments() -> list[Department]:
    return list(db.session.scalars(sa.select(Department).order_by(Department.subdistrict_id, Department.name)))
