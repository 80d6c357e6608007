"""Comments with a stance (one level of replies, editable for ten minutes)
and reports (举报) on topics and comments, counted by household. Hiding and
restoring them is moderation (app/consultation/moderation.py)."""
from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import aliased, joinedload

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
    body = _comment_body(body)
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


def _comment_body(body: str | None) -> str:
    """What a comment says, trimmed: not empty, at most 2000 characters."""
    body = (body or "").strip()
    if not body:
        raise DomainError(_l("Write a comment first."), field="body")
    if len(body) > 2000:
        raise DomainError(_l("A comment has at most 2000 characters."), field="body")
    return body


def recount_comments(topic: Topic) -> None:
    topic.comment_count = db.session.scalar(sa.select(sa.func.count(Comment.id)).where(
        Comment.topic_id == topic.id, Comment.deleted_at.is_(None), Comment.hidden_at.is_(None),
        Comment.held_by_keywords.is_(False))) or 0


def edit_comment(user: User, comment: Comment, *, body: str, stance: Stance) -> None:
    if comment.author_id != user.id or comment.deleted_at is not None:
        raise DomainError(_l("Only the author can edit this comment."))
    if utcnow() - comment.created_at > COMMENT_EDIT_WINDOW:
        raise DomainError(_l("A comment can only be edited within 10 minutes."))
    body = _comment_body(body)
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


COMMENT_PAGE = 20  # threads per page of the topic's comments
REPLIES_SHOWN = 10  # replies shown under a thread on the page; the rest on the thread's own page


@dataclass
class CommentPage:
    """One keyset page of a topic's threads: (comment, replies shown, whether
    there are more replies, whether the comment itself may be shown) in order, the id to continue
    after, and whether threads come before this page."""
    threads: list[tuple[Comment, list[Comment], bool, bool]]  # (comment, replies, more replies, shown)
    next_after: int | None
    has_earlier: bool


def _shown(viewer, topic: Topic, alias=Comment) -> sa.ColumnElement:
    """Comments hidden or held are left out, except for their author and moderators."""
    if is_moderator(viewer, topic.community_id):
        return sa.true()
    visible = sa.and_(alias.hidden_at.is_(None), alias.held_by_keywords.is_(False))
    if viewer is not None and viewer.is_authenticated:
        return sa.or_(visible, alias.author_id == viewer.id)
    return visible


def comment_page(topic: Topic, viewer, after: int = 0, limit: int = COMMENT_PAGE) -> CommentPage:
    """The threads after comment `after` (keyset on the top-level comment's id,
    oldest first), each with its first replies: two statements whatever the
    topic holds (three with `after`). A top-level comment that may not be shown
    keeps its place when it has replies that may (shown as hidden)."""
    shown = _shown(viewer, topic)
    reply = aliased(Comment)
    has_shown_reply = sa.exists().where(reply.topic_id == topic.id, reply.parent_id == Comment.id,
                                        _shown(viewer, topic, reply))
    tops = list(db.session.scalars(
        sa.select(Comment).where(Comment.topic_id == topic.id, Comment.parent_id.is_(None), Comment.id > after,
                                 sa.or_(shown, has_shown_reply))
        .options(joinedload(Comment.author)).order_by(Comment.id).limit(limit + 1)))
    more = len(tops) > limit
    tops = tops[:limit]
    replies = _first_replies([c.id for c in tops], topic, viewer) if tops else {}
    mod = is_moderator(viewer, topic.community_id)
    viewer_id = viewer.id if viewer is not None and viewer.is_authenticated else None
    threads = [(c, *_pair(replies.get(c.id)), c.is_visible or mod or c.author_id == viewer_id) for c in tops]
    has_earlier = bool(after) and db.session.scalar(
        sa.select(Comment.id).where(Comment.topic_id == topic.id, Comment.parent_id.is_(None),
                                    Comment.id <= after).limit(1)) is not None
    return CommentPage(threads, tops[-1].id if more else None, has_earlier)


def _pair(found: tuple[list[Comment], bool] | None) -> tuple[list[Comment], bool]:
    return found if found is not None else ([], False)


def _first_replies(parent_ids: list[int], topic: Topic, viewer, limit: int = REPLIES_SHOWN
                   ) -> dict[int, tuple[list[Comment], bool]]:
    """parent id → (its first `limit` replies that may be shown, whether there are more), in one
    statement: replies numbered per thread, grouped by parent in a dict (one pass)."""
    number = sa.func.row_number().over(partition_by=Comment.parent_id, order_by=Comment.id).label("n")
    numbered = (sa.select(Comment.id, number)
                .where(Comment.topic_id == topic.id, Comment.parent_id.in_(parent_ids), _shown(viewer, topic))
                .subquery())
    rows = db.session.scalars(sa.select(Comment).join(numbered, numbered.c.id == Comment.id)
                              .where(numbered.c.n <= limit + 1).options(joinedload(Comment.author))
                              .order_by(Comment.parent_id, Comment.id))
    grouped: dict[int, tuple[list[Comment], bool]] = {}
    for r in rows:
        shown_replies, _more = grouped.setdefault(r.parent_id, ([], False))
        if len(shown_replies) < limit:
            shown_replies.append(r)
        else:
            grouped[r.parent_id] = (shown_replies, True)
    return grouped


def replies_page(comment: Comment, viewer, after: int = 0, limit: int = COMMENT_PAGE
                 ) -> tuple[list[Comment], int | None]:
    """A thread's replies after reply `after` (keyset on id), and the id to continue after."""
    rows = list(db.session.scalars(
        sa.select(Comment).where(Comment.topic_id == comment.topic_id, Comment.parent_id == comment.id,
                                 Comment.id > after, _shown(viewer, comment.topic))
        .options(joinedload(Comment.author)).order_by(Comment.id).limit(limit + 1)))
    return rows[:limit], rows[limit - 1].id if len(rows) > limit else None


def page_after_for(comment: Comment) -> int:
    """Where the page showing `comment` starts: 0 (the topic page) when fewer than a page of
    threads come before its thread, else just before its thread (at most a page is counted)."""
    thread = comment.parent_id or comment.id
    earlier = sa.select(Comment.id).where(Comment.topic_id == comment.topic_id, Comment.parent_id.is_(None),
                                          Comment.id < thread).limit(COMMENT_PAGE).subquery()
    return 0 if db.session.scalar(sa.select(sa.func.count()).select_from(earlier)) < COMMENT_PAGE else thread - 1


def comments_of(topic: Topic, viewer, after: int = 0) -> list[tuple[Comment, list[Comment]]]:
    """The first page's threads as (comment, replies)."""
    return [(c, replies) for c, replies, _more, _shown_c in comment_page(topic, viewer, after).threads]


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
