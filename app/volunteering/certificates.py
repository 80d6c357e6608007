"""志愿服务证明 (《志愿服务记录与证明出具办法（试行）》): a certificate of
verified service hours for a period, with a verification code and a QR code
linking to a public page where anyone can check it is genuine and unaltered."""
from __future__ import annotations

import hashlib
import hmac
import json
import secrets
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import aliased
from flask import current_app
from flask_babel import lazy_gettext as _l

from app.accounts.models import User
from app.audit.services import record
from app.domain import DomainError
from app.extensions import db
from app.inputs import require_in_calendar
from app.timebank.models import ServiceRecord
from app.volunteering.models import Certificate

ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud over the phone


def _content(c: Certificate) -> bytes:
    return json.dumps([c.code, c.user_id, c.holder_name, c.community_name, c.period_from.isoformat(),
                       c.period_to.isoformat(), c.total_minutes, c.services], ensure_ascii=False,
                      separators=(",", ":")).encode()


def _digest(c: Certificate) -> str:
    key = current_app.config["SECRET_KEY"].encode()
    return hmac.new(key, _content(c), hashlib.sha256).hexdigest()


def issue(user: User, period_from: date, period_to: date) -> Certificate:
    """Only verified service counts (corrections included); never the balance."""
    require_in_calendar(period_from=period_from, period_to=period_to)
    if period_from > period_to:
        raise DomainError(_l("The period starts after it ends."), field="period_from")
    if user.community is None:
        raise DomainError(_l("Only residents of a community can get a certificate."))
    records = list(db.session.scalars(sa.select(ServiceRecord).where(
        ServiceRecord.volunteer_id == user.id, ServiceRecord.served_on >= period_from,
        ServiceRecord.served_on <= period_to).order_by(ServiceRecord.served_on, ServiceRecord.id)))
    total = sum(r.minutes for r in records)
    if total <= 0:
        raise DomainError(_l("There is no verified service in this period."), field="period_from")
    certificate = Certificate(
        code="".join(secrets.choice(ALPHABET) for _ in range(10)), user_id=user.id, community_id=user.community_id,
        holder_name=user.display_name, community_name=user.community.full_name,
        period_from=period_from, period_to=period_to, total_minutes=total,
        services=[[r.served_on.isoformat(), r.description, r.minutes] for r in records])
    certificate.digest = _digest(certificate)
    db.session.add(certificate)
    db.session.flush()
    record(user, "timebank.certificate", certificate, community_id=user.community_id, total=total)
    return certificate


def by_code(code: str) -> Certificate | None:
    code = (code or "").strip().upper().replace(" ", "")
    if not code or len(code) > 16:
        return None
    return db.session.scalar(sa.select(Certificate).where(Certificate.code == code))


def is_genuine(certificate: Certificate) -> bool:
    return hmac.compare_digest(certificate.digest, _digest(certificate))


def reversed_minutes(certificate: Certificate) -> int:
    """Minutes of the service this certificate counts that were reversed
    after it was issued: a certificate is a snapshot, and a reader must not
    take a corrected total for a verified one."""
    original = aliased(ServiceRecord)
    corrected = db.session.scalar(
        sa.select(sa.func.coalesce(sa.func.sum(ServiceRecord.minutes), 0))
        .join(original, ServiceRecord.corrects_id == original.id)
        .where(original.volunteer_id == certificate.user_id, original.served_on >= certificate.period_from,
               original.served_on <= certificate.period_to, original.created_at <= certificate.issued_at,
               ServiceRecord.created_at > certificate.issued_at)) or 0
    return -corrected


def certificates_of(user: User) -> list[Certificate]:
    return list(db.session.scalars(sa.select(Certificate).where(Certificate.user_id == user.id)
                                   .order_by(Certificate.id.desc())))
