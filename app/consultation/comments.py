"""Comments with a stance (one level of replies, editable for ten minutes)
and reports (举报) on topics and comments, counted by household. Hiding and
restoring them is moderation (app/consultation/moderation.py)."""
from __future__ import annotations

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import selectinload

from app.accounts.models import ResidenceStatus, User
from app.audit.services import record
from app.consultation.models import Comment, Report, ReportReason, ReportTarget, Stance, Topic, TopicState
from app.consultation.rules import COMMENT_EDIT_WINDOW, COMMENTABLE, check_can_post, check_member, is_moderator
from app.consultation.settings import matched_keywords, settings_for
from app.consultation.topics import household_key, lock_topic
from app.domain import DomainError
from app.extensions import db
from app.notifications.services import notify, notify_many, register_kind
from app.sqltypes import utcnow

S = TopicState

register_kind("consultation.reply", _l("%(name)s replied to your comment on “%(title)s”."))
register_kind("consultation.reported", _l("“%(title)s” was hidden after %(count)d reports and needs review."))
register_kind("consultation.reports_to_review",
              _l("“%(title)s” has reports from %(count)d households and needs review. It stays visible because it is"
                 " already under deliberation or later."))


# -- comments -------------------------------------------------------------------------

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
    check_can_post(user, topic.community_id, verified=True)
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
    recount_comments(topic)
    record(user, "consultation.comment", comment, community_id=topic.community_id, topic=topic.id,
           held=comment.held_by_keywords)
    if parent is not None and parent.author_id != user.id and comment.is_visible:
        notify(parent.author, "consultation.reply", endpoint="consultation.show_topic",
               values={"topic_id": topic.id, "_anchor": f"comment-{comment.id}"},
               name=user.display_name, title=topic.title)
    return comment


def recount_comments(topic: Topic) -> None:
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
    recount_comments(comment.topic)
    record(user, "consultation.edit_comment", comment, community_id=comment.topic.community_id)


def delete_comment(user: User, comment: Comment) -> None:
    """Shown as 已删除; replies stay in place. The text itself is removed."""
    if comment.author_id != user.id:
        raise DomainError(_l("Only the author can delete this comment."))
    if comment.deleted_at is None:
        comment.deleted_at, comment.body = utcnow(), ""
        recount_comments(comment.topic)
        record(user, "consultation.delete_comment", comment, community_id=comment.topic.community_id)


def comments_of(topic: Topic, viewer) -> list[tuple[Comment, list[Comment]]]:
    """Threads in order; comments hidden or held are left out, except for
    their author and moderators (who see them marked)."""
    mod = is_moderator(viewer, topic.community_id)
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

def report_households(target_type: ReportTarget, target_id: int, community_id: int) -> int:
    """Open reports counted as households (户): reporters who are still
    verified, active residents of the community; one household however many
    of its members report, and a resident with no household recorded as a
    household of their own."""
    reporters = db.session.scalars(sa.select(User).join(Report, Report.reporter_id == User.id).where(
        Report.target_type == target_type, Report.target_id == target_id, Report.resolved_at.is_(None),
        User.community_id == community_id, User.residence_status == ResidenceStatus.verified,
        User.is_active.is_(True)))
    return len({household_key(u) for u in reporters})


def report(user: User, target_type: ReportTarget, target, reason: ReportReason, note: str = "") -> Report:
    """One report per person and item, from verified residents of the topic's
    community only. When the open reports come from the community's N
    households, the item is hidden pending review and its social workers are
    told; a topic already under deliberation (协商中) or later is never hidden
    that way (it may be on a meeting's agenda): it waits in the moderation
    queue and the social workers are told."""
    topic = target if target_type is ReportTarget.topic else target.topic
    check_member(user, topic.community_id, verified=True)
    if db.session.scalar(sa.select(Report.id).where(Report.reporter_id == user.id, Report.target_type == target_type,
                                                    Report.target_id == target.id)):
        raise DomainError(_l("You have already reported this."))
    lock_topic(topic)
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

    queue = {"endpoint": "consultation.moderation_queue", "values": {"community_id": topic.community_id}}
    if target_type is ReportTarget.topic and topic.state is not S.published:
        if before < limit:
            notify_many(social_workers_of(topic.community), "consultation.reports_to_review",
                        **queue, title=topic.title, count=households)
        return entry
    target.hidden_at = utcnow()
    if target_type is ReportTarget.comment:
        target.hidden_by_id = None
        target.hidden_reason = str(_l("Hidden after reports, pending review"))
        recount_comments(topic)
    record(None, "consultation.auto_hide", target, community_id=topic.community_id, reports=households)
    notify_many(social_workers_of(topic.community), "consultation.reported", **queue, title=topic.title,
                count=households)
    return entry


def resolve_reports(target_type: ReportTarget, target_id: int) -> None:
    db.session.execute(sa.update(Report).where(Report.target_type == target_type, Report.target_id == target_id,
                                               Report.resolved_at.is_(None)).values(resolved_at=utcnow()))


def reports_for(target_type: ReportTarget, target_id: int) -> list[Report]:
    return list(db.session.scalars(sa.select(Report).where(Report.target_type == target_type,
                                                           Report.target_id == target_id,
                                                           Report.resolved_at.is_(None))))
