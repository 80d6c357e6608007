"""Moderation by the community's social workers: publishing, refusing or
returning topics, moving them through deliberation, decision, progress and
completion, merging, hiding and keeping reported items, and the queue.
Who may moderate: app/consultation/rules.py (`moderate`, `topic_for(..., to="moderate")`)."""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from app.accounts.models import User
from app.audit.services import record
from app.consultation.comments import recount_comments, resolve_reports
from app.consultation.models import (
    COMMENT_LISTED,
    COMMENT_QUEUED,
    TOPIC_LISTED,
    TOPIC_QUEUED,
    Comment,
    Follow,
    Outcome,
    ReportTarget,
    Support,
    Topic,
    TopicEvent,
    TopicState,
)
from app.consultation.rules import REASON_MAX, require_reason
from app.consultation.settings import settings_for
from app.consultation.topics import (
    add_photos,
    lock_topic,
    notify_followers,
    recount_and_maybe_deliberate,
    transition,
)
from app.domain import DomainError
from app.extensions import db
from app.notifications.services import notify, register_kind
from app.sqltypes import utcnow

S = TopicState

register_kind("consultation.moderated", _l("A moderator decided on your post in “%(title)s”: %(decision)s. %(reason)s"))


# -- moderation ----------------------------------------------------------------------

def _tell_author(topic: Topic, actor, decision, reason: str = "") -> None:
    if topic.author_id != getattr(actor, "id", None):
        notify(topic.author, "consultation.moderated", endpoint="consultation.show_topic", values={"topic_id": topic.id},
               title=topic.title, decision=decision, reason=reason)


def publish(moderator: User, topic: Topic, note: str = "") -> None:
    transition(topic, S.published, moderator, note=note)
    topic.held_by_keywords = False
    topic.moderator_note = ""
    _tell_author(topic, moderator, _l("published"))


def reject(moderator: User, topic: Topic, reason: str) -> None:
    """Not published, with a reason the author reads; they may revise and resubmit."""
    reason = require_reason(reason)
    transition(topic, S.rejected_by_moderator, moderator, note=reason)
    topic.moderator_note = reason
    _tell_author(topic, moderator, _l("not published"), reason)


def request_changes(moderator: User, topic: Topic, reason: str) -> None:
    """Back to the author as a draft with what to change."""
    reason = require_reason(reason)
    transition(topic, S.draft, moderator, note=reason)
    topic.moderator_note = reason
    _tell_author(topic, moderator, _l("changes requested"), reason)


def start_deliberation(moderator: User, topic: Topic, reason: str) -> None:
    """A social worker moves a topic to 协商中 without waiting for the threshold."""
    transition(topic, S.deliberating, moderator, note=require_reason(reason))


def put_on_agenda(moderator: User, topic: Topic, note: str) -> None:
    """Mark a topic in deliberation for a meeting's agenda (the votes domain reads this)."""
    if topic.state is not S.deliberating:
        raise DomainError(_l("Only a topic under deliberation can go on a meeting agenda."))
    note = (note or "").strip()
    if len(note) > REASON_MAX:
        raise DomainError(_l("At most %(max)d characters.", max=REASON_MAX), field="reason")
    topic.on_agenda_at, topic.agenda_note = utcnow(), note
    db.session.add(TopicEvent(topic_id=topic.id, actor_id=moderator.id, kind="agenda", note=note.strip()))
    db.session.flush()
    record(moderator, "consultation.agenda", topic, community_id=topic.community_id, note=note.strip())


def record_decision(actor: User, topic: Topic, outcome: Outcome, note: str) -> None:
    """The body's decision (已表决). Adopted topics go on to 办理中 for the committee."""
    transition(topic, S.decided, actor, note=require_reason(note))
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
    notify_followers(topic, moderator, "consultation.state", state=topic.state.name)
    return event


def complete(moderator: User, topic: Topic, note: str) -> None:
    """已办结: residents may rate the outcome until the window closes."""
    transition(topic, S.completed, moderator, note=require_reason(note))
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
    reason = require_reason(reason)
    first, second = sorted([source, target], key=lambda t: t.id)
    lock_topic(first)
    lock_topic(second)
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
    recount_and_maybe_deliberate(target)
    record(moderator, "consultation.merge", source, community_id=source.community_id, into=target.id)



def hide_comment(moderator: User, comment: Comment, reason: str) -> None:
    reason = require_reason(reason, limit=REASON_MAX)  # before any change: a refusal leaves the comment as it was
    comment.hidden_at, comment.hidden_by_id, comment.hidden_reason = utcnow(), moderator.id, reason
    recount_comments(comment.topic)
    record(moderator, "consultation.hide_comment", comment, community_id=comment.topic.community_id, reason=reason)
    notify(comment.author, "consultation.moderated", endpoint="consultation.show_topic",
           values={"topic_id": comment.topic_id}, title=comment.topic.title, decision=_l("comment hidden"),
           reason=comment.hidden_reason)


def restore_comment(moderator: User, comment: Comment, reason: str = "") -> None:
    """Unhide or release a held comment, and close its reports (“keep”)."""
    comment.hidden_at, comment.hidden_by_id, comment.hidden_reason = None, None, ""
    comment.held_by_keywords = False
    resolve_reports(ReportTarget.comment, comment.id)
    comment.report_count = 0
    recount_comments(comment.topic)
    record(moderator, "consultation.restore_comment", comment, community_id=comment.topic.community_id,
           reason=reason)


def keep_topic(moderator: User, topic: Topic, reason: str = "") -> None:
    """The moderator keeps a reported topic: reports closed, shown again."""
    resolve_reports(ReportTarget.topic, topic.id)
    topic.report_count, topic.hidden_at = 0, None
    record(moderator, "consultation.keep_topic", topic, community_id=topic.community_id, reason=reason)


def hide_topic(moderator: User, topic: Topic, reason: str) -> None:
    note = require_reason(reason)
    topic.hidden_at = utcnow()
    db.session.add(TopicEvent(topic_id=topic.id, actor_id=moderator.id, kind="hidden", note=note, is_public=False))
    record(moderator, "consultation.hide_topic", topic, community_id=topic.community_id, reason=reason)
    _tell_author(topic, moderator, _l("topic hidden"), reason)




# -- the queue ------------------------------------------------------------------------------

QUEUE_PAGE = 20  # items a list of the queue shows at a time


@dataclass(frozen=True)
class QueueList:
    """One list of the moderation queue: a page of items (newest first), how many
    the list holds in all, and the id the next page starts before (None: the last)."""
    items: list
    total: int
    next_before: int | None


def _queue_list(query, model, before: int | None, limit: int) -> QueueList:
    total = db.session.scalar(sa.select(sa.func.count()).select_from(query.with_only_columns(model.id).subquery()))
    if before:
        query = query.where(model.id < before)
    items = list(db.session.scalars(query.order_by(model.id.desc()).limit(limit + 1)))
    more = len(items) > limit
    items = items[:limit]
    return QueueList(items, total or 0, items[-1].id if more else None)


def moderation_queue(community_id: int, *, before: dict[str, int | None] | None = None,
                     limit: int = QUEUE_PAGE) -> dict[str, QueueList]:
    """The queue's three lists (topics awaiting review, reported or hidden
    topics, held/reported/hidden comments), a page each from before the ids in
    `before` (keyed by list), with the authors (and each comment's topic)
    loaded in the same statements: as many statements and as many items for a
    long queue as for a short one."""
    from sqlalchemy.orm import contains_eager, joinedload

    before = before or {}
    with_author = joinedload(Topic.author)
    pending = sa.select(Topic).options(with_author).where(
        Topic.community_id == community_id, Topic.state == S.pending_review)
    # the conditions as the partial indexes ix_topic_listed / ix_comment_listed declare them, so both fit
    reported = sa.select(Topic).options(with_author).where(
        Topic.community_id == community_id, _qualified("topic", TOPIC_LISTED))
    comments = sa.select(Comment).join(Topic).options(joinedload(Comment.author), contains_eager(Comment.topic)).where(
        Topic.community_id == community_id, _qualified("comment", COMMENT_LISTED))
    return {"pending": _queue_list(pending, Topic, before.get("pending"), limit),
            "reported_topics": _queue_list(reported, Topic, before.get("reported_topics"), limit),
            "comments": _queue_list(comments, Comment, before.get("comments"), limit)}


def queue_count(community_ids: set[int]) -> int:
    """Topics and comments waiting for a moderator: read from the partial indexes
    ix_topic_queued / ix_comment_queued, whose predicates these conditions repeat as written."""
    if not community_ids:
        return 0
    topics = db.session.scalar(sa.select(sa.func.count()).select_from(Topic).where(
        Topic.community_id.in_(community_ids), _qualified("topic", TOPIC_QUEUED))) or 0
    comments = db.session.scalar(sa.select(sa.func.count()).select_from(Comment).join(Topic).where(
        Topic.community_id.in_(community_ids), _qualified("comment", COMMENT_QUEUED))) or 0
    return topics + comments


def _qualified(table: str, predicate: str):
    """A partial index's predicate (a constant of the models, never user input) as a condition,
    its columns named by table (the queries join two tables that both have a report_count)."""
    return sa.text("(" + re.sub(r"\b(state|report_count|deleted_at|held_by_keywords|hidden_at)\b", rf"{table}.\1",
                                predicate) + ")")


def merge_into(moderator: User, source: Topic, target_id: int | None, reason: str) -> Topic:
    """`merge` into the topic numbered `target_id`, which must be one this moderator moderates."""
    from app.consultation.rules import topic_for
    from app.domain import NotFound

    try:
        target = topic_for(moderator, target_id or 0, to="moderate")
    except NotFound:
        raise DomainError(_l("There is no topic with that number in this community."), field="target") from None
    merge(moderator, source, target, reason)
    return target
