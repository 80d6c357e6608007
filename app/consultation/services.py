"""Community consultation (民事民议、民事民决、民事民办、民事民评).

The state machine of DOMAIN.md §1 lives in `transition`, the only place a
topic's state changes. Services flush; the view commits once.
"""
from __future__ import annotations

import base64
import re
import unicodedata
from datetime import datetime, timedelta, timezone
from decimal import ROUND_HALF_UP, Decimal

import sqlalchemy as sa
from sqlalchemy.orm import selectinload
from flask_babel import lazy_gettext as _l

from app.accounts.models import ResidenceStatus, User
from app.audit.services import record
from app.consultation import photos as photo_files
from app.inputs import MAX_ID, in_calendar
from app.consultation.models import (
    DEFAULT_CATEGORIES,
    PUBLIC_STATES,
    Category,
    Comment,
    ConsultationSettings,
    Follow,
    Outcome,
    Photo,
    PostingBlock,
    Rating,
    Report,
    ReportReason,
    ReportTarget,
    Stance,
    Support,
    SupportBasis,
    Topic,
    TopicEvent,
    TopicState,
)
from app.domain import DomainError
from app.extensions import db
from app.notifications.services import notify, notify_many, register_kind
from app.permissions import overseen_community_ids, social_worker_community_ids
from app.places.models import Community
from app.sqltypes import utcnow

S = TopicState
COMMENT_EDIT_WINDOW = timedelta(minutes=10)

register_kind("consultation.state", _l("Topic “%(title)s” is now: %(state)s."),
              lambda p: {**p, "state": str(_state_label(p.get("state")))})
register_kind("consultation.reply", _l("%(name)s replied to your comment on “%(title)s”."))
register_kind("consultation.moderated", _l("A moderator decided on your post in “%(title)s”: %(decision)s. %(reason)s"))
register_kind("consultation.reported", _l("“%(title)s” was hidden after %(count)d reports and needs review."))
register_kind("consultation.reports_to_review",
              _l("“%(title)s” has reports from %(count)d households and needs review. It stays visible because it is"
                 " already under deliberation or later."))
register_kind("consultation.blocked", _l("You cannot post in %(community)s until %(until)s: %(reason)s"))


def _state_label(name):
    from app.consultation.models import STATE_LABELS

    return STATE_LABELS.get(TopicState.__members__.get(name or ""), name)


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


from app.places.services import community_created_hooks  # noqa: E402

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


# -- who may do what ----------------------------------------------------------------

def is_moderator(user, community_id: int) -> bool:
    return community_id in social_worker_community_ids(user)


def can_read(user, topic: Topic) -> bool:
    """Public topics for everyone (村(居)务公开); the rest for the author and
    the community's moderators (and overseeing staff)."""
    if topic.is_public:
        return True
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    if topic.author_id == user.id or topic.proxy_id == user.id:
        return True
    overseen = overseen_community_ids(user)
    return overseen is None or topic.community_id in overseen


def topic_for(user, topic_id: int) -> Topic | None:
    topic = db.session.get(Topic, topic_id)
    return topic if topic is not None and can_read(user, topic) else None


def moderated_topic(user, topic_id: int) -> Topic | None:
    """A topic of a community this user moderates, else None (→ 404)."""
    topic = db.session.get(Topic, topic_id)
    return topic if topic is not None and is_moderator(user, topic.community_id) else None


def active_block(user, community_id: int) -> PostingBlock | None:
    return db.session.scalar(sa.select(PostingBlock).where(
        PostingBlock.user_id == user.id, PostingBlock.community_id == community_id,
        PostingBlock.lifted_at.is_(None), PostingBlock.until > utcnow()).order_by(PostingBlock.until.desc()))


def _check_member(user, community_id: int, *, verified: bool) -> None:
    if user.community_id != community_id:
        raise DomainError(_l("Only residents of this community can do this."))
    if verified and user.residence_status is not ResidenceStatus.verified:
        raise DomainError(_l("Only verified residents can do this. A social worker will verify your residence."))
    if user.residence_status is ResidenceStatus.rejected:
        raise DomainError(_l("Your residence was not verified. See your account for details."))


def _check_can_post(user, community_id: int, *, verified: bool) -> None:
    _check_member(user, community_id, verified=verified)
    if block := active_block(user, community_id):
        raise DomainError(_l("You cannot post here until %(until)s: %(reason)s",
                             until=block.until.strftime("%Y-%m-%d"), reason=block.reason))


# -- the state machine -----------------------------------------------------------------

ALLOWED = {
    S.draft: {S.pending_review, S.withdrawn},
    S.pending_review: {S.published, S.rejected_by_moderator, S.draft, S.withdrawn, S.merged},
    S.rejected_by_moderator: {S.pending_review, S.withdrawn},
    S.published: {S.deliberating, S.merged, S.withdrawn},
    S.deliberating: {S.decided, S.merged, S.withdrawn},
    S.decided: {S.in_progress},
    S.in_progress: {S.completed},
    S.completed: set(),
    S.merged: set(),
    S.withdrawn: set(),
}


def transition(topic: Topic, to: TopicState, actor, *, note: str = "", proxy=None) -> TopicEvent:
    """Move a topic to `to`, or refuse with a clear message. Records the change
    on the public timeline and in the audit log, and tells followers."""
    if to not in ALLOWED[topic.state]:
        raise DomainError(_l("A topic that is “%(from)s” cannot become “%(to)s”.",
                             **{"from": _state_label(topic.state.name), "to": _state_label(to.name)}))
    event = TopicEvent(topic_id=topic.id, actor_id=getattr(actor, "id", None), proxy_id=getattr(proxy, "id", None),
                       kind="transition", from_state=topic.state, to_state=to, note=note.strip(),
                       is_public=to in PUBLIC_STATES or topic.state in PUBLIC_STATES)
    db.session.add(event)
    previous, topic.state = topic.state, to
    now = utcnow()
    topic.last_activity_at = now
    if to is S.published and topic.published_at is None:
        topic.published_at = now
    db.session.flush()
    record(actor, "consultation.transition", topic, community_id=topic.community_id,
           **{"from": previous, "to": to, "note": note.strip(), "proxy": getattr(proxy, "id", None)})
    _notify_followers(topic, actor, "consultation.state", state=to.name)
    return event


def _notify_followers(topic: Topic, actor, kind: str, **params) -> None:
    query = sa.select(User).join(Follow, Follow.user_id == User.id).where(
        Follow.topic_id == topic.id, User.is_active.is_(True))
    if actor is not None:
        query = query.where(User.id != actor.id)
    followers = db.session.scalars(query)
    notify_many(followers, kind, link=f"/topics/{topic.id}", title=topic.title, **params)


# -- topics ---------------------------------------------------------------------------

def _clean_topic_fields(community_id: int, title: str, body: str, category_id: int | None, location: str):
    title, body, location = title.strip(), body.strip(), (location or "").strip()
    if not title:
        raise DomainError(_l("Give the topic a title."), field="title")
    if len(title) > 60:
        raise DomainError(_l("The title has at most 60 characters."), field="title")
    if not body:
        raise DomainError(_l("Describe the topic."), field="body")
    category = None
    if category_id:
        category = db.session.scalar(sa.select(Category).where(
            Category.id == category_id, Category.community_id == community_id, Category.is_active.is_(True)))
        if category is None:
            raise DomainError(_l("Choose one of the community's categories."), field="category_id")
    return title, body, category, location


def add_photos(actor, topic: Topic, uploads: list[bytes], *, event: TopicEvent | None = None) -> list[Photo]:
    existing = len(topic.photos) if event is None else 0
    if existing + len(uploads) > photo_files.MAX_PHOTOS:
        raise DomainError(_l("At most 3 photos."), field="photos")
    added = []
    for raw in uploads:
        data, content_type, width, height = photo_files.process(raw)
        photo = Photo(token=photo_files.new_token(), topic_id=topic.id, event_id=getattr(event, "id", None),
                      uploaded_by_id=actor.id, content_type=content_type, width=width, height=height,
                      size=len(data), data=data)
        db.session.add(photo)
        added.append(photo)
    db.session.flush()
    db.session.expire(topic, ["photos"])  # a view-only relationship: reload it
    if event is not None:
        db.session.expire(event, ["photos"])
    return added


def create_topic(author: User, community: Community, *, title: str, body: str, category_id: int | None,
                 location: str = "", uploads: list[bytes] = (), submit: bool = False, proxy: User | None = None) -> Topic:
    """A resident (or a social worker on their behalf, 代为发布) writes a topic:
    saved as a draft, or submitted for review at once."""
    _check_can_post(author, community.id, verified=False)
    title, body, category, location = _clean_topic_fields(community.id, title, body, category_id, location)
    topic = Topic(community_id=community.id, author_id=author.id, proxy_id=getattr(proxy, "id", None),
                  title=title, body=body, category_id=getattr(category, "id", None), location=location,
                  state=S.draft)
    db.session.add(topic)
    db.session.flush()
    add_photos(proxy or author, topic, list(uploads))
    db.session.add(Follow(topic_id=topic.id, user_id=author.id))
    record(proxy or author, "consultation.create_topic", topic, community_id=community.id,
           on_behalf_of=author.id if proxy else None)
    if submit:
        submit_topic(author, topic, proxy=proxy)
    return topic


def _check_author(actor, topic: Topic) -> None:
    if actor.id not in (topic.author_id, topic.proxy_id) and not is_moderator(actor, topic.community_id):
        raise DomainError(_l("Only the author can change this topic."))


def update_topic(actor: User, topic: Topic, *, title: str, body: str, category_id: int | None,
                 location: str = "", uploads: list[bytes] = (), remove_photo_ids: list[int] = ()) -> None:
    _check_author(actor, topic)
    if topic.state not in (S.draft, S.pending_review, S.rejected_by_moderator):
        raise DomainError(_l("A topic can only be edited before it is published."))
    topic.title, topic.body, category, topic.location = _clean_topic_fields(
        topic.community_id, title, body, category_id, location)
    topic.category_id = getattr(category, "id", None)
    for photo in list(topic.photos):
        if photo.id in remove_photo_ids:
            db.session.delete(photo)
    db.session.flush()
    db.session.expire(topic, ["photos"])
    add_photos(actor, topic, list(uploads))
    if topic.state is S.pending_review:
        topic.held_by_keywords = bool(matched_keywords(topic.community_id, topic.title, topic.body))
    record(actor, "consultation.update_topic", topic, community_id=topic.community_id)


def submit_topic(actor: User, topic: Topic, *, proxy: User | None = None) -> None:
    """Send for review (待审核). The keyword filter marks it for the moderator."""
    _check_author(proxy or actor, topic)
    _check_can_post(topic.author, topic.community_id, verified=False)
    hits = matched_keywords(topic.community_id, topic.title, topic.body)
    topic.held_by_keywords = bool(hits)
    transition(topic, S.pending_review, proxy or actor, proxy=proxy,
               note=str(_l("Held by the keyword filter")) if hits else "")


def withdraw_topic(actor: User, topic: Topic, reason: str = "") -> None:
    """The author withdraws a topic that is not yet decided."""
    if actor.id not in (topic.author_id, topic.proxy_id):
        raise DomainError(_l("Only the author can withdraw this topic."))
    transition(topic, S.withdrawn, actor, note=reason)


# -- moderation ----------------------------------------------------------------------

def _require_reason(reason: str) -> str:
    if not (reason or "").strip():
        raise DomainError(_l("Please give a reason; it is shown to the author."), field="reason")
    return reason.strip()


def _tell_author(topic: Topic, actor, decision, reason: str = "") -> None:
    if topic.author_id != getattr(actor, "id", None):
        notify(topic.author, "consultation.moderated", link=f"/topics/{topic.id}", title=topic.title,
               decision=str(decision), reason=reason)


def publish(moderator: User, topic: Topic, note: str = "") -> None:
    transition(topic, S.published, moderator, note=note)
    topic.held_by_keywords = False
    topic.moderator_note = ""
    _tell_author(topic, moderator, _l("published"))


def reject(moderator: User, topic: Topic, reason: str) -> None:
    """Not published, with a reason the author reads; they may revise and resubmit."""
    reason = _require_reason(reason)
    transition(topic, S.rejected_by_moderator, moderator, note=reason)
    topic.moderator_note = reason
    _tell_author(topic, moderator, _l("not published"), reason)


def request_changes(moderator: User, topic: Topic, reason: str) -> None:
    """Back to the author as a draft with what to change."""
    reason = _require_reason(reason)
    transition(topic, S.draft, moderator, note=reason)
    topic.moderator_note = reason
    _tell_author(topic, moderator, _l("changes requested"), reason)


def start_deliberation(moderator: User, topic: Topic, reason: str) -> None:
    """A social worker moves a topic to 协商中 without waiting for the threshold."""
    transition(topic, S.deliberating, moderator, note=_require_reason(reason))


def put_on_agenda(moderator: User, topic: Topic, note: str) -> None:
    """Mark a topic in deliberation for a meeting's agenda (the votes domain reads this)."""
    if topic.state is not S.deliberating:
        raise DomainError(_l("Only a topic under deliberation can go on a meeting agenda."))
    topic.on_agenda_at, topic.agenda_note = utcnow(), note.strip()
    db.session.add(TopicEvent(topic_id=topic.id, actor_id=moderator.id, kind="agenda", note=note.strip()))
    db.session.flush()
    record(moderator, "consultation.agenda", topic, community_id=topic.community_id, note=note.strip())


def record_decision(actor: User, topic: Topic, outcome: Outcome, note: str) -> None:
    """The body's decision (已表决). Adopted topics go on to 办理中 for the committee."""
    transition(topic, S.decided, actor, note=_require_reason(note))
    topic.outcome = outcome
    if outcome is Outcome.adopted:
        transition(topic, S.in_progress, actor, note=str(_l("Adopted: the committee carries it out.")))


def add_progress(moderator: User, topic: Topic, note: str, uploads: list[bytes] = ()) -> TopicEvent:
    """办理进度: a progress update on the public timeline, with optional photos."""
    if topic.state is not S.in_progress:
        raise DomainError(_l("Progress can only be posted while the topic is being carried out."))
    if not note.strip():
        raise DomainError(_l("Describe the progress."), field="note")
    event = TopicEvent(topic_id=topic.id, actor_id=moderator.id, kind="progress", note=note.strip())
    db.session.add(event)
    db.session.flush()
    add_photos(moderator, topic, list(uploads), event=event)
    topic.last_activity_at = utcnow()
    record(moderator, "consultation.progress", topic, community_id=topic.community_id)
    _notify_followers(topic, moderator, "consultation.state", state=topic.state.name)
    return event


def complete(moderator: User, topic: Topic, note: str) -> None:
    """已办结: residents may rate the outcome until the window closes."""
    transition(topic, S.completed, moderator, note=_require_reason(note))
    topic.completed_at = utcnow()
    topic.rating_closes_at = topic.completed_at + timedelta(days=settings_for(topic.community_id).rating_window_days)


def merge(moderator: User, source: Topic, target: Topic, reason: str) -> None:
    """Merge `source` into `target`: supports and followers carry over once
    each (a resident who supported both counts once), and `source` points to
    its target."""
    if source.id == target.id:
        raise DomainError(_l("A topic cannot be merged into itself."), field="target")
    if target.community_id != source.community_id:
        raise DomainError(_l("Topics can only be merged within one community."), field="target")
    if target.state not in (S.published, S.deliberating):
        raise DomainError(_l("The target topic must be open for support or under deliberation."), field="target")
    reason = _require_reason(reason)
    first, second = sorted([source, target], key=lambda t: t.id)
    _lock(first)
    _lock(second)
    transition(source, S.merged, moderator, note=reason)
    source.merged_into_id = target.id
    already = set(db.session.scalars(sa.select(Support.user_id).where(Support.topic_id == target.id)))
    for support in db.session.scalars(sa.select(Support).where(Support.topic_id == source.id)).all():
        if support.user_id in already:
            db.session.delete(support)
        else:
            support.topic_id = target.id
    followers = set(db.session.scalars(sa.select(Follow.user_id).where(Follow.topic_id == target.id)))
    for follow in db.session.scalars(sa.select(Follow).where(Follow.topic_id == source.id)).all():
        if follow.user_id not in followers:
            db.session.add(Follow(topic_id=target.id, user_id=follow.user_id))
    db.session.flush()
    source.support_count = 0
    db.session.add(TopicEvent(topic_id=target.id, actor_id=moderator.id, kind="merged_in",
                              note=f"#{source.id} {source.title}: {reason}"))
    _recount_and_maybe_deliberate(target)
    record(moderator, "consultation.merge", source, community_id=source.community_id, into=target.id)


# -- supports (附议) ---------------------------------------------------------------------

def _lock(topic: Topic) -> Topic:
    """Serialise writers on one topic: SELECT … FOR UPDATE on PostgreSQL (SQLite's
    BEGIN IMMEDIATE already serialises every writer)."""
    db.session.execute(sa.select(Topic.id).where(Topic.id == topic.id).with_for_update())
    db.session.refresh(topic)
    return topic


def _household_key(user: User) -> str:
    household = re.sub(r"\s+", "", unicodedata.normalize("NFKC", user.household or ""))
    return f"h:{household}" if household else f"u:{user.id}"


def support_tally(topic: Topic) -> int:
    """Supports counted as the community says: residents, or households (户)."""
    users = list(db.session.scalars(sa.select(User).join(Support, Support.user_id == User.id)
                                    .where(Support.topic_id == topic.id)))
    if settings_for(topic.community_id).support_basis is SupportBasis.households:
        return len({_household_key(u) for u in users})
    return len(users)


def _recount_and_maybe_deliberate(topic: Topic) -> None:
    topic.support_count = support_tally(topic)
    threshold = settings_for(topic.community_id).support_threshold
    if topic.state is S.published and topic.support_count >= threshold:
        transition(topic, S.deliberating, None,
                   note=str(_l("Supports reached the threshold of %(n)d.", n=threshold)))


def add_support(user: User, topic: Topic, *, proxy: User | None = None) -> Support:
    """One support per verified resident of the community. Reaching the
    threshold moves the topic to 协商中 exactly once (the topic row is locked)."""
    _lock(topic)
    _check_member(user, topic.community_id, verified=True)
    if topic.state not in (S.published, S.deliberating) or topic.hidden_at is not None:
        raise DomainError(_l("This topic is not collecting supports."))
    if db.session.scalar(sa.select(Support.id).where(Support.topic_id == topic.id, Support.user_id == user.id)):
        raise DomainError(_l("You already support this topic."))
    support = Support(topic_id=topic.id, user_id=user.id, proxy_id=getattr(proxy, "id", None))
    db.session.add(support)
    db.session.flush()
    topic.last_activity_at = utcnow()
    record(proxy or user, "consultation.support", topic, community_id=topic.community_id,
           on_behalf_of=user.id if proxy else None)
    _recount_and_maybe_deliberate(topic)
    return support


def withdraw_support(user: User, topic: Topic) -> None:
    _lock(topic)
    if topic.state is not S.published:
        raise DomainError(_l("Supports can only be withdrawn while the topic is collecting them."))
    support = db.session.scalar(sa.select(Support).where(Support.topic_id == topic.id, Support.user_id == user.id))
    if support is None:
        raise DomainError(_l("You do not support this topic."))
    db.session.delete(support)
    db.session.flush()
    topic.support_count = support_tally(topic)
    record(user, "consultation.withdraw_support", topic, community_id=topic.community_id)


def supports(user, topic: Topic) -> bool:
    return bool(user and user.is_authenticated and db.session.scalar(
        sa.select(Support.id).where(Support.topic_id == topic.id, Support.user_id == user.id)))


# -- follows --------------------------------------------------------------------------

def set_follow(user: User, topic: Topic, follow: bool) -> None:
    existing = db.session.get(Follow, (topic.id, user.id))
    if follow and existing is None:
        db.session.add(Follow(topic_id=topic.id, user_id=user.id))
    elif not follow and existing is not None:
        db.session.delete(existing)
    db.session.flush()


def follows(user, topic: Topic) -> bool:
    return bool(user and user.is_authenticated and db.session.get(Follow, (topic.id, user.id)))


# -- comments -------------------------------------------------------------------------

COMMENTABLE = {S.published, S.deliberating, S.decided, S.in_progress, S.completed}


def add_comment(user: User, topic: Topic, *, body: str, stance: Stance, parent_id: int | None = None,
                idempotency_key: str) -> Comment:
    """Comment with a stance, or reply one level deep. Submitting the same
    form twice (same idempotency key) returns the first comment."""
    if not idempotency_key or len(idempotency_key) > 64:
        raise DomainError(_l("This form has expired. Please reload the page and try again."))
    existing = db.session.scalar(sa.select(Comment).where(Comment.author_id == user.id,
                                                          Comment.idempotency_key == idempotency_key))
    if existing is not None:
        return existing
    _check_can_post(user, topic.community_id, verified=True)
    if topic.state not in COMMENTABLE or not topic.is_public:
        raise DomainError(_l("This topic is not open for comments."))
    body = (body or "").strip()
    if not body:
        raise DomainError(_l("Write a comment first."), field="body")
    if len(body) > 2000:
        raise DomainError(_l("A comment has at most 2000 characters."), field="body")
    parent = None
    if parent_id:
        parent = db.session.scalar(sa.select(Comment).where(Comment.id == parent_id, Comment.topic_id == topic.id))
        if parent is None:
            raise DomainError(_l("The comment you reply to is not there any more."))
        parent = db.session.get(Comment, parent.parent_id) if parent.parent_id else parent  # one level deep
    comment = Comment(topic_id=topic.id, author_id=user.id, parent_id=getattr(parent, "id", None), stance=stance,
                      body=body, idempotency_key=idempotency_key,
                      held_by_keywords=bool(matched_keywords(topic.community_id, body)))
    db.session.add(comment)
    db.session.flush()
    topic.last_activity_at = utcnow()
    _recount_comments(topic)
    record(user, "consultation.comment", comment, community_id=topic.community_id, topic=topic.id,
           held=comment.held_by_keywords)
    if parent is not None and parent.author_id != user.id and comment.is_visible:
        notify(parent.author, "consultation.reply", link=f"/topics/{topic.id}#comment-{comment.id}",
               name=user.display_name, title=topic.title)
    return comment


def _recount_comments(topic: Topic) -> None:
    topic.comment_count = db.session.scalar(sa.select(sa.func.count(Comment.id)).where(
        Comment.topic_id == topic.id, Comment.deleted_at.is_(None), Comment.hidden_at.is_(None),
        Comment.held_by_keywords.is_(False))) or 0


def edit_comment(user: User, comment: Comment, *, body: str, stance: Stance) -> None:
    if comment.author_id != user.id or comment.deleted_at is not None:
        raise DomainError(_l("Only the author can edit this comment."))
    if utcnow() - comment.created_at > COMMENT_EDIT_WINDOW:
        raise DomainError(_l("A comment can only be edited within 10 minutes."))
    body = (body or "").strip()
    if not body:
        raise DomainError(_l("Write a comment first."), field="body")
    if len(body) > 2000:
        raise DomainError(_l("A comment has at most 2000 characters."), field="body")
    comment.body, comment.stance, comment.edited_at = body, stance, utcnow()
    comment.held_by_keywords = bool(matched_keywords(comment.topic.community_id, body))
    _recount_comments(comment.topic)
    record(user, "consultation.edit_comment", comment, community_id=comment.topic.community_id)


def delete_comment(user: User, comment: Comment) -> None:
    """Shown as 已删除; replies stay in place. The text itself is removed."""
    if comment.author_id != user.id:
        raise DomainError(_l("Only the author can delete this comment."))
    if comment.deleted_at is None:
        comment.deleted_at, comment.body = utcnow(), ""
        _recount_comments(comment.topic)
        record(user, "consultation.delete_comment", comment, community_id=comment.topic.community_id)


def hide_comment(moderator: User, comment: Comment, reason: str) -> None:
    comment.hidden_at, comment.hidden_by_id = utcnow(), moderator.id
    comment.hidden_reason = _require_reason(reason)
    _recount_comments(comment.topic)
    record(moderator, "consultation.hide_comment", comment, community_id=comment.topic.community_id, reason=reason)
    notify(comment.author, "consultation.moderated", link=f"/topics/{comment.topic_id}", title=comment.topic.title,
           decision=str(_l("comment hidden")), reason=comment.hidden_reason)


def restore_comment(moderator: User, comment: Comment, reason: str = "") -> None:
    """Unhide or release a held comment, and close its reports (“keep”)."""
    comment.hidden_at, comment.hidden_by_id, comment.hidden_reason = None, None, ""
    comment.held_by_keywords = False
    _resolve_reports(ReportTarget.comment, comment.id)
    comment.report_count = 0
    _recount_comments(comment.topic)
    record(moderator, "consultation.restore_comment", comment, community_id=comment.topic.community_id,
           reason=reason)


def comment_for(user, comment_id: int) -> Comment | None:
    comment = db.session.get(Comment, comment_id)
    return comment if comment is not None and can_read(user, comment.topic) else None


def comments_of(topic: Topic, viewer) -> list[tuple[Comment, list[Comment]]]:
    """Threads in order; comments hidden or held are left out, except for
    their author and moderators (who see them marked)."""
    mod = bool(viewer and viewer.is_authenticated and is_moderator(viewer, topic.community_id))
    viewer_id = getattr(viewer, "id", None) if viewer and viewer.is_authenticated else None
    all_comments = list(db.session.scalars(sa.select(Comment).where(Comment.topic_id == topic.id)
                                           .options(selectinload(Comment.author)).order_by(Comment.id)))

    def shown(c: Comment) -> bool:
        return c.is_visible or mod or c.author_id == viewer_id

    threads = []
    for c in all_comments:
        if c.parent_id is None:
            replies = [r for r in all_comments if r.parent_id == c.id and shown(r)]
            if shown(c) or replies:
                threads.append((c, replies))
    return threads


# -- reports (举报) ---------------------------------------------------------------------

def _target(target_type: ReportTarget, target_id: int):
    model = Topic if target_type is ReportTarget.topic else Comment
    return db.session.get(model, target_id)


def may_report(user, topic: Topic) -> bool:
    """Who may report (举报) in this topic: its community's verified residents."""
    return bool(user and getattr(user, "is_authenticated", False) and user.is_verified
                and user.community_id == topic.community_id)


def report_households(target_type: ReportTarget, target_id: int, community_id: int) -> int:
    """Open reports counted as households (户): reporters who are still
    verified, active residents of the community; one household however many
    of its members report, and a resident with no household recorded as a
    household of their own."""
    reporters = db.session.scalars(sa.select(User).join(Report, Report.reporter_id == User.id).where(
        Report.target_type == target_type, Report.target_id == target_id, Report.resolved_at.is_(None),
        User.community_id == community_id, User.residence_status == ResidenceStatus.verified,
        User.is_active.is_(True)))
    return len({_household_key(u) for u in reporters})


def report(user: User, target_type: ReportTarget, target, reason: ReportReason, note: str = "") -> Report:
    """One report per person and item, from verified residents of the topic's
    community only. When the open reports come from the community's N
    households, the item is hidden pending review and its social workers are
    told; a topic already under deliberation (协商中) or later is never hidden
    that way (it may be on a meeting's agenda): it waits in the moderation
    queue and the social workers are told."""
    topic = target if target_type is ReportTarget.topic else target.topic
    _check_member(user, topic.community_id, verified=True)
    if db.session.scalar(sa.select(Report.id).where(Report.reporter_id == user.id, Report.target_type == target_type,
                                                    Report.target_id == target.id)):
        raise DomainError(_l("You have already reported this."))
    _lock(topic)
    db.session.refresh(target)
    before = report_households(target_type, target.id, topic.community_id)
    entry = Report(community_id=topic.community_id, reporter_id=user.id, target_type=target_type,
                   target_id=target.id, reason=reason, note=(note or "").strip()[:200])
    db.session.add(entry)
    db.session.flush()
    target.report_count = db.session.scalar(sa.select(sa.func.count(Report.id)).where(
        Report.target_type == target_type, Report.target_id == target.id, Report.resolved_at.is_(None)))
    record(user, "consultation.report", target, community_id=topic.community_id, reason=reason)
    limit = settings_for(topic.community_id).reports_to_hide
    households = report_households(target_type, target.id, topic.community_id)
    if households < limit or target.hidden_at is not None:
        return entry
    from app.accounts.services import social_workers_of

    link = f"/c/{topic.community_id}/moderation"
    if target_type is ReportTarget.topic and topic.state is not S.published:
        if before < limit:
            notify_many(social_workers_of(topic.community), "consultation.reports_to_review",
                        link=link, title=topic.title, count=households)
        return entry
    target.hidden_at = utcnow()
    if target_type is ReportTarget.comment:
        target.hidden_by_id = None
        target.hidden_reason = str(_l("Hidden after reports, pending review"))
        _recount_comments(topic)
    record(None, "consultation.auto_hide", target, community_id=topic.community_id, reports=households)
    notify_many(social_workers_of(topic.community), "consultation.reported", link=link, title=topic.title,
                count=households)
    return entry


def _resolve_reports(target_type: ReportTarget, target_id: int) -> None:
    db.session.execute(sa.update(Report).where(Report.target_type == target_type, Report.target_id == target_id,
                                               Report.resolved_at.is_(None)).values(resolved_at=utcnow()))


def keep_topic(moderator: User, topic: Topic, reason: str = "") -> None:
    """The moderator keeps a reported topic: reports closed, shown again."""
    _resolve_reports(ReportTarget.topic, topic.id)
    topic.report_count, topic.hidden_at = 0, None
    record(moderator, "consultation.keep_topic", topic, community_id=topic.community_id, reason=reason)


def hide_topic(moderator: User, topic: Topic, reason: str) -> None:
    topic.hidden_at = utcnow()
    db.session.add(TopicEvent(topic_id=topic.id, actor_id=moderator.id, kind="hidden",
                              note=_require_reason(reason), is_public=False))
    record(moderator, "consultation.hide_topic", topic, community_id=topic.community_id, reason=reason)
    _tell_author(topic, moderator, _l("topic hidden"), reason)


# -- ratings (民事民评) -------------------------------------------------------------------

def rate(user: User, topic: Topic, score: int, comment: str = "") -> Rating:
    """Once per resident, changeable until the window closes."""
    _check_member(user, topic.community_id, verified=True)
    if topic.state is not S.completed:
        raise DomainError(_l("Only completed topics can be rated."))
    if topic.rating_closes_at is None or utcnow() >= topic.rating_closes_at:
        raise DomainError(_l("Rating for this topic has closed."))
    if score not in range(1, 6):
        raise DomainError(_l("Choose from 1 to 5 stars."), field="score")
    rating = db.session.scalar(sa.select(Rating).where(Rating.topic_id == topic.id, Rating.user_id == user.id))
    if rating is None:
        rating = Rating(topic_id=topic.id, user_id=user.id, score=score)
        db.session.add(rating)
    rating.score, rating.comment, rating.updated_at = score, (comment or "").strip()[:300], utcnow()
    db.session.flush()
    record(user, "consultation.rate", topic, community_id=topic.community_id, score=score)
    return rating


def rating_summary(topic: Topic) -> dict:
    rows = db.session.execute(sa.select(Rating.score, sa.func.count(Rating.id)).where(Rating.topic_id == topic.id)
                              .group_by(Rating.score)).all()
    counts = {score: 0 for score in range(1, 6)}
    counts.update(dict(rows))
    total = sum(counts.values())
    average = (Decimal(sum(s * n for s, n in counts.items())) / total).quantize(
        Decimal("0.1"), rounding=ROUND_HALF_UP) if total else None
    return {"count": total, "average": average, "counts": counts}


def rating_of(user, topic: Topic) -> Rating | None:
    if not (user and user.is_authenticated):
        return None
    return db.session.scalar(sa.select(Rating).where(Rating.topic_id == topic.id, Rating.user_id == user.id))


# -- blocks ---------------------------------------------------------------------------

def block_user(moderator: User, community: Community, user: User, *, days: int, reason: str) -> PostingBlock:
    if user.community_id != community.id:
        raise DomainError(_l("This person is not a resident of this community."), field="user_id")
    if not 1 <= days <= 365:
        raise DomainError(_l("Block for 1 to 365 days."), field="days")
    reason = _require_reason(reason)
    block = PostingBlock(community_id=community.id, user_id=user.id, until=utcnow() + timedelta(days=days),
                         reason=reason, created_by_id=moderator.id)
    db.session.add(block)
    db.session.flush()
    record(moderator, "consultation.block", user, community_id=community.id, days=days, reason=reason)
    notify(user, "consultation.blocked", link="/account", community=community.name,
           until=block.until.strftime("%Y-%m-%d"), reason=reason)
    return block


def lift_block(moderator: User, block: PostingBlock) -> None:
    block.lifted_at = utcnow()
    record(moderator, "consultation.lift_block", block.user, community_id=block.community_id)


def blocks_of(community_id: int) -> list[PostingBlock]:
    return list(db.session.scalars(sa.select(PostingBlock).where(
        PostingBlock.community_id == community_id, PostingBlock.lifted_at.is_(None),
        PostingBlock.until > utcnow()).order_by(PostingBlock.until)))


# -- listing and search ------------------------------------------------------------------

SORTS = ("newest", "supported", "active")
PAGE = 20


def _like(q: str) -> str:
    return "%" + q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]+")


def search_ids(q: str) -> sa.ColumnElement:
    """A condition on Topic.id for a Chinese substring search: SQLite FTS5 with
    the trigram tokenizer, PostgreSQL pg_trgm (both index ≥ 3 characters;
    shorter words such as 电梯 fall back to LIKE on both). Control characters
    count as spaces: a NUL would end SQLite's string inside the FTS5 phrase and
    PostgreSQL refuses it in text."""
    q = _CONTROL.sub(" ", q).strip()
    if db.engine.dialect.name == "sqlite" and len(q) >= 3:
        phrase = '"' + q.replace('"', '""') + '"'
        return Topic.id.in_(sa.select(sa.column("rowid")).select_from(sa.table("topic_fts"))
                            .where(sa.text("topic_fts MATCH :phrase").bindparams(phrase=phrase)))
    pattern = _like(q)
    return sa.or_(Topic.title.ilike(pattern, escape="\\"), Topic.body.ilike(pattern, escape="\\"))


def _cursor_encode(value, topic_id: int) -> str:
    raw = f"{value.isoformat() if isinstance(value, datetime) else value}|{topic_id}"
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


class BadCursor(ValueError):
    """A list cursor this site did not write (the page answers 400)."""


def _cursor_decode(cursor: str, sort: str) -> tuple[int | datetime, int]:
    """(sort key, topic id) of the last topic shown; every part checked, so a
    crafted cursor never reaches the query."""
    try:
        if len(cursor) > 200:
            raise ValueError
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode("ascii")
        value, topic_id = raw.rsplit("|", 1)
        last_id = int(topic_id)
        if sort == "supported":
            typed: int | datetime = int(value)
            valid = 0 <= typed <= MAX_ID
        else:
            typed = datetime.fromisoformat(value)
            valid = typed.tzinfo is not None and in_calendar(typed.astimezone(timezone.utc))
    except (ValueError, OverflowError):  # binascii.Error and UnicodeDecodeError are ValueErrors
        raise BadCursor(cursor) from None
    if not valid or not 0 < last_id <= MAX_ID:
        raise BadCursor(cursor)
    return typed, last_id


def list_topics(community_id: int, *, state: str = "", category_id: int | None = None, sort: str = "newest",
                q: str = "", cursor: str | None = None, limit: int = PAGE) -> tuple[list[Topic], str | None]:
    """Public topics of a community, filtered, sorted, keyset-paginated
    (BadCursor when `cursor` is not one this function returned)."""
    query = sa.select(Topic).where(Topic.community_id == community_id, Topic.state.in_(PUBLIC_STATES - {S.merged}),
                                   Topic.hidden_at.is_(None))
    if state in TopicState.__members__ and TopicState[state] in PUBLIC_STATES:
        query = query.where(Topic.state == TopicState[state])
    if category_id:
        query = query.where(Topic.category_id == category_id)
    if q.strip():
        query = query.where(search_ids(q))
    sort = sort if sort in SORTS else "newest"
    key = {"newest": sa.func.coalesce(Topic.published_at, Topic.created_at), "supported": Topic.support_count,
           "active": Topic.last_activity_at}[sort]
    if cursor:
        typed, last_id = _cursor_decode(cursor, sort)
        query = query.where(sa.or_(key < typed, sa.and_(key == typed, Topic.id < last_id)))
    rows = list(db.session.scalars(query.order_by(key.desc(), Topic.id.desc()).limit(limit + 1)))
    more = len(rows) > limit
    rows = rows[:limit]
    next_cursor = None
    if more and rows:
        last = rows[-1]
        value = {"newest": last.published_at or last.created_at, "supported": last.support_count,
                 "active": last.last_activity_at}[sort]
        next_cursor = _cursor_encode(value, last.id)
    return rows, next_cursor


def my_topics(user: User) -> list[Topic]:
    return list(db.session.scalars(sa.select(Topic).where(sa.or_(Topic.author_id == user.id))
                                   .order_by(Topic.id.desc())))


def timeline(topic: Topic, viewer) -> list[TopicEvent]:
    query = sa.select(TopicEvent).where(TopicEvent.topic_id == topic.id)
    if not (viewer and viewer.is_authenticated and (is_moderator(viewer, topic.community_id)
                                                   or viewer.id == topic.author_id)):
        query = query.where(TopicEvent.is_public.is_(True))
    return list(db.session.scalars(query.order_by(TopicEvent.id)))


def moderation_queue(community_id: int) -> dict:
    pending = list(db.session.scalars(sa.select(Topic).where(Topic.community_id == community_id,
                                                             Topic.state == S.pending_review).order_by(Topic.id.desc())))
    reported_topics = list(db.session.scalars(sa.select(Topic).where(
        Topic.community_id == community_id, sa.or_(Topic.report_count > 0, Topic.hidden_at.is_not(None)))
        .order_by(Topic.id.desc())))
    comments = list(db.session.scalars(sa.select(Comment).join(Topic).where(
        Topic.community_id == community_id, Comment.deleted_at.is_(None),
        sa.or_(Comment.held_by_keywords.is_(True), Comment.report_count > 0, Comment.hidden_at.is_not(None)))
        .order_by(Comment.id.desc())))
    return {"pending": pending, "reported_topics": reported_topics, "comments": comments}


def queue_count(community_ids: set[int]) -> int:
    if not community_ids:
        return 0
    topics = db.session.scalar(sa.select(sa.func.count(Topic.id)).where(
        Topic.community_id.in_(community_ids),
        sa.or_(Topic.state == S.pending_review, Topic.report_count > 0))) or 0
    comments = db.session.scalar(sa.select(sa.func.count(Comment.id)).join(Topic).where(
        Topic.community_id.in_(community_ids), Comment.deleted_at.is_(None),
        sa.or_(Comment.held_by_keywords.is_(True), Comment.report_count > 0))) or 0
    return topics + comments


def reports_for(target_type: ReportTarget, target_id: int) -> list[Report]:
    return list(db.session.scalars(sa.select(Report).where(Report.target_type == target_type,
                                                           Report.target_id == target_id,
                                                           Report.resolved_at.is_(None))))


def residents_of(community_id: int) -> list[User]:
    """Verified residents, for a social worker acting on someone's behalf."""
    return list(db.session.scalars(sa.select(User).where(
        User.community_id == community_id, User.residence_status == ResidenceStatus.verified,
        User.is_active.is_(True)).order_by(User.display_name)))
