"""A community's consultation rules (settings, categories, keywords that hold
a post for review) and posting blocks, set by its social workers."""
from __future__ import annotations

import re
import unicodedata
from datetime import timedelta

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from app.accounts.models import User
from app.audit.services import record
from app.consultation.models import DEFAULT_CATEGORIES, Category, ConsultationSettings, PostingBlock, SupportBasis
from app.consultation.rules import require_reason
from app.domain import DomainError
from app.extensions import db
from app.notifications.services import notify, register_kind
from app.places.models import Community
from app.sqltypes import utcnow

register_kind("consultation.blocked", _l("You cannot post in %(community)s until %(until)s: %(reason)s"))


# -- settings and categories ----------------------------------------------------------

def settings_for(community_id: int) -> ConsultationSettings:
    """The community's settings (defaults, unsaved, until a moderator saves them)."""
    found = db.session.get(ConsultationSettings, community_id)
    return found or ConsultationSettings(community_id=community_id, support_threshold=10,
                                         support_basis=SupportBasis.residents, reports_to_hide=3,
                                         rating_window_days=30, keywords="")


def ensure_defaults(community: Community) -> None:
    """Default categories for a community that has none (on creation)."""
    if db.session.scalar(sa.select(Category.id).where(Category.community_id == community.id).limit(1)):
        return
    for position, name in enumerate(DEFAULT_CATEGORIES):
        db.session.add(Category(community_id=community.id, name=name, position=position))
    db.session.flush()


from app.places.services import community_created_hooks

community_created_hooks.append(ensure_defaults)


def categories_for(community_id: int, *, active_only: bool = True) -> list[Category]:
    query = sa.select(Category).where(Category.community_id == community_id)
    if active_only:
        query = query.where(Category.is_active.is_(True))
    return list(db.session.scalars(query.order_by(Category.position, Category.id)))


def save_settings(actor, community: Community, *, support_threshold: int, support_basis: SupportBasis,
                  reports_to_hide: int, rating_window_days: int, keywords: str, categories: list[str]) -> None:
    """A moderator changes the community's rules. Categories keep their ids:
    names no longer listed are retired (topics keep them), new names are added."""
    settings = db.session.get(ConsultationSettings, community.id)
    if settings is None:
        settings = ConsultationSettings(community_id=community.id)
        db.session.add(settings)
    settings.support_threshold, settings.support_basis = support_threshold, support_basis
    settings.reports_to_hide, settings.rating_window_days = reports_to_hide, rating_window_days
    settings.keywords = "\n".join(dict.fromkeys(k.strip() for k in keywords.splitlines() if k.strip()))
    names = list(dict.fromkeys(n.strip() for n in categories if n.strip()))
    if not names:
        raise DomainError(_l("Keep at least one category."), field="categories")
    if any(len(n) > 20 for n in names):
        raise DomainError(_l("A category name has at most 20 characters."), field="categories")
    existing = {c.name: c for c in categories_for(community.id, active_only=False)}
    for position, name in enumerate(names):
        category = existing.pop(name, None) or Category(community_id=community.id, name=name)
        category.position, category.is_active = position, True
        db.session.add(category)
    for retired in existing.values():
        retired.is_active = False
    db.session.flush()
    record(actor, "consultation.settings", community, community_id=community.id,
           support_threshold=support_threshold, support_basis=support_basis, reports_to_hide=reports_to_hide,
           keywords=len(settings.keyword_list), categories=names)


# -- keywords (敏感词) ---------------------------------------------------------------

def normalise(text: str) -> str:
    """Case- and width-insensitive form: NFKC folds full-width letters and digits."""
    return unicodedata.normalize("NFKC", text or "").casefold()


def matched_keywords(community_id: int, *texts: str) -> list[str]:
    keywords = settings_for(community_id).keyword_list
    if not keywords:
        return []
    haystack = normalise(" ".join(texts))
    haystack_compact = re.sub(r"\s+", "", haystack)
    return [k for k in keywords if normalise(k) in haystack or re.sub(r"\s+", "", normalise(k)) in haystack_compact]


# -- blocks ---------------------------------------------------------------------------

def block_user(moderator: User, community: Community, user: User, *, days: int, reason: str) -> PostingBlock:
    if user.community_id != community.id:
        raise DomainError(_l("This person is not a resident of this community."), field="user_id")
    if not 1 <= days <= 365:
        raise DomainError(_l("Block for 1 to 365 days."), field="days")
    reason = require_reason(reason, limit=200)
    block = PostingBlock(community_id=community.id, user_id=user.id, until=utcnow() + timedelta(days=days),
                         reason=reason, created_by_id=moderator.id)
    db.session.add(block)
    db.session.flush()
    record(moderator, "consultation.block", user, community_id=community.id, days=days, reason=reason)
    notify(user, "consultation.blocked", endpoint="accounts.show_account", community=community.name,
           until=block.until, reason=reason)
    return block


def lift_block(moderator: User, block: PostingBlock) -> None:
    block.lifted_at = utcnow()
    record(moderator, "consultation.lift_block", block.user, community_id=block.community_id)


def blocks_of(community_id: int) -> list[PostingBlock]:
    return list(db.session.scalars(sa.select(PostingBlock).where(
        PostingBlock.community_id == community_id, PostingBlock.lifted_at.is_(None),
        PostingBlock.until > utcnow()).order_by(PostingBlock.until)))
