"""Topics from draft to rated outcome: writing and submitting, the one
place a state changes (`transition`), supports (附议), follows, ratings
(民事民评) and the timeline. Who may do what: app/consultation/rules.py."""
from __future__ import annotations

import re
import unicodedata
from decimal import ROUND_HALF_UP, Decimal

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from app.accounts.models import User
from app.audit.services import record
from app.consultation import photos as photo_files
from app.consultation.models import (
    PUBLIC_STATES,
    Category,
    Follow,
    Photo,
    Rating,
    Support,
    SupportBasis,
    Topic,
    TopicEvent,
    TopicState,
)
from app.consultation.rules import (
    ALLOWED,
    EDITABLE,
    check_author,
    check_can_post,
    check_member,
    is_author,
    is_moderator,
    state_label,
)
from app.consultation.settings import matched_keywords, settings_for
from app.domain import DomainError
from app.extensions import db
from app.notifications.services import notify_many, register_kind
from app.places.models import Community
from app.sqltypes import utcnow

S = TopicState

register_kind("consultation.state", _l("Topic “%(title)s” is now: %(state)s."),
              lambda p: {**p, "state": str(state_label(p.get("state")))})


# -- the state machine (its table is rules.ALLOWED) ------------------------------------

def transition(topic: Topic, to: TopicState, actor, *, note: str = "", proxy=None) -> TopicEvent:
    """Move a topic to `to`, or refuse with a clear message. Records the change
    on the public timeline and in the audit log, and tells followers."""
    if to not in ALLOWED[topic.state]:
        raise DomainError(_l("A topic that is “%(from)s” cannot become “%(to)s”.",
                             **{"from": state_label(topic.state.name), "to": state_label(to.name)}))
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
    notify_followers(topic, actor, "consultation.state", state=to.name)
    return event


def notify_followers(topic: Topic, actor, kind: str, **params) -> None:
    query = sa.select(User).join(Follow, Follow.user_id == User.id).where(
        Follow.topic_id == topic.id, User.is_active.is_(True))
    if actor is not None:
        query = query.where(User.id != actor.id)
    followers = db.session.scalars(query)
    notify_many(followers, kind, endpoint="consultation.show_topic", values={"topic_id": topic.id}, title=topic.title,
                **params)


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
    check_can_post(author, community.id, verified=False)
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


def update_topic(actor: User, topic: Topic, *, title: str, body: str, category_id: int | None,
                 location: str = "", uploads: list[bytes] = (), remove_photo_ids: list[int] = ()) -> None:
    check_author(actor, topic)
    if topic.state not in EDITABLE:
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
    check_author(proxy or actor, topic)
    check_can_post(topic.author, topic.community_id, verified=False)
    hits = matched_keywords(topic.community_id, topic.title, topic.body)
    topic.held_by_keywords = bool(hits)
    transition(topic, S.pending_review, proxy or actor, proxy=proxy,
               note=str(_l("Held by the keyword filter")) if hits else "")


def withdraw_topic(actor: User, topic: Topic, reason: str = "") -> None:
    """The author withdraws a topic that is not yet decided."""
    if not is_author(actor, topic):
        raise DomainError(_l("Only the author can withdraw this topic."))
    transition(topic, S.withdrawn, actor, note=reason)




# -- supports (附议) ---------------------------------------------------------------------

def lock_topic(topic: Topic) -> Topic:
    """Serialise writers on one topic: SELECT … FOR UPDATE on PostgreSQL (SQLite's
    BEGIN IMMEDIATE already serialises every writer)."""
    db.session.execute(sa.select(Topic.id).where(Topic.id == topic.id).with_for_update())
    db.session.refresh(topic)
    return topic


def household_key(user: User) -> str:
    household = re.sub(r"\s+", "", unicodedata.normalize("NFKC", user.household or ""))
    return f"h:{household}" if household else f"u:{user.id}"


def support_tally(topic: Topic) -> int:
    """Supports counted as the community says: residents, or households (户)."""
    users = list(db.session.scalars(sa.select(User).join(Support, Support.user_id == User.id)
                                    .where(Support.topic_id == topic.id)))
    if settings_for(topic.community_id).support_basis is SupportBasis.households:
        return len({household_key(u) for u in users})
    return len(users)


def recount_and_maybe_deliberate(topic: Topic) -> None:
    topic.support_count = support_tally(topic)
    threshold = settings_for(topic.community_id).support_threshold
    if topic.state is S.published and topic.support_count >= threshold:
        transition(topic, S.deliberating, None,
                   note=str(_l("Supports reached the threshold of %(n)d.", n=threshold)))


def add_support(user: User, topic: Topic, *, proxy: User | None = None) -> Support:
    """One support per verified resident of the community. Reaching the
    threshold moves the topic to 协商中 exactly once (the topic row is locked)."""
    lock_topic(topic)
    check_member(user, topic.community_id, verified=True)
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
    recount_and_maybe_deliberate(topic)
    return support


def withdraw_support(user: User, topic: Topic) -> None:
    lock_topic(topic)
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



# -- ratings (民事民评) -------------------------------------------------------------------

def rate(user: User, topic: Topic, score: int, comment: str = "") -> Rating:
    """Once per resident, changeable until the window closes."""
    check_member(user, topic.community_id, verified=True)
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



# -- timeline ------------------------------------------------------------------------------

def timeline(topic: Topic, viewer) -> list[TopicEvent]:
    query = sa.select(TopicEvent).where(TopicEvent.topic_id == topic.id)
    if not (is_moderator(viewer, topic.community_id) or is_author(viewer, topic)):
        query = query.where(TopicEvent.is_public.is_(True))
    return list(db.session.scalars(query.order_by(TopicEvent.id)))
