"""Who may do what in consultation, in one place.

- Reading: public topics (村(居)务公开) for everyone; the others for their
  author, the resident they were posted for, and the community's overseers.
- The author (or the social worker who posted on their behalf, 代为发布) edits,
  submits and withdraws; moderators never rewrite a resident's words: they
  publish, ask for changes or refuse.
- Moderating is for the social workers of the topic's community (`moderate`,
  registered here); anyone else gets 404 for another community's objects.
- The state machine (`ALLOWED`) is the table `topics.transition` enforces and
  `actions_for` reads, so a page never offers a step the service refuses.
- Residents act in their own community; commenting, supporting, reporting and
  rating need a verified residence; a posting block stops new posts.

The loaders (`topic_for`, `comment_for`, `block_for`, `moderated_community`)
raise NotFound (no such object, or outside the user's scope: 404) or
Forbidden (visible, but not for this: 403). Views load only through them.
"""
from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from app.accounts.models import ResidenceStatus
from app.consultation.models import STATE_LABELS, Comment, PostingBlock, Topic, TopicState
from app.domain import DomainError, Forbidden, NotFound, Offer
from app.extensions import db
from app.permissions import overseen_community_ids, register_rule, social_worker_community_ids
from app.sqltypes import utcnow

S = TopicState
COMMENT_EDIT_WINDOW = timedelta(minutes=10)
REASON_MAX = 200  # what a hidden comment's reason and an agenda note hold

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
EDITABLE = {S.draft, S.pending_review, S.rejected_by_moderator}  # before publication
RETURNED = {S.draft, S.rejected_by_moderator}  # the author has the moderator's note to read
COLLECTING = {S.published, S.deliberating}  # supports are counted
COMMENTABLE = {S.published, S.deliberating, S.decided, S.in_progress, S.completed}


def state_label(name):
    return STATE_LABELS.get(TopicState.__members__.get(name or ""), name)


def _signed_in(user) -> bool:
    return bool(user is not None and getattr(user, "is_authenticated", False))


def is_moderator(user, community_id: int) -> bool:
    return _signed_in(user) and community_id in social_worker_community_ids(user)


register_rule("moderate", lambda user, _obj: bool(social_worker_community_ids(user)))


def is_author(user, topic: Topic) -> bool:
    return _signed_in(user) and user.id in (topic.author_id, topic.proxy_id)


def can_read(user, topic: Topic) -> bool:
    if topic.is_public:
        return True
    if not _signed_in(user):
        return False
    if is_author(user, topic):
        return True
    overseen = overseen_community_ids(user)
    return overseen is None or topic.community_id in overseen


def is_verified_member(user, community_id: int) -> bool:
    return _signed_in(user) and user.is_verified and user.community_id == community_id


def may_report(user, topic: Topic) -> bool:
    """Who may report (举报) in this topic: its community's verified residents."""
    return is_verified_member(user, topic.community_id)


def check_member(user, community_id: int, *, verified: bool) -> None:
    if user.community_id != community_id:
        raise DomainError(_l("Only residents of this community can do this."))
    if verified and user.residence_status is not ResidenceStatus.verified:
        raise DomainError(_l("Only verified residents can do this. A social worker will verify your residence."))
    if user.residence_status is ResidenceStatus.rejected:
        raise DomainError(_l("Your residence was not verified. See your account for details."))


def active_block(user, community_id: int) -> PostingBlock | None:
    return db.session.scalar(sa.select(PostingBlock).where(
        PostingBlock.user_id == user.id, PostingBlock.community_id == community_id,
        PostingBlock.lifted_at.is_(None), PostingBlock.until > utcnow()).order_by(PostingBlock.until.desc()))


def check_can_post(user, community_id: int, *, verified: bool) -> None:
    check_member(user, community_id, verified=verified)
    if block := active_block(user, community_id):
        raise DomainError(_l("You cannot post here until %(until)s: %(reason)s",
                             until=block.until.strftime("%Y-%m-%d"), reason=block.reason))


def check_author(actor, topic: Topic) -> None:
    """The author, or the social worker who posted it for them; nobody else."""
    if not is_author(actor, topic):
        raise DomainError(_l("Only the author can change this topic."))


def require_reason(reason: str, *, limit: int = 500) -> str:
    """A moderator's reason: required (the author reads it) and within what is stored."""
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_l("Please give a reason; it is shown to the author."), field="reason")
    if len(reason) > limit:
        raise DomainError(_l("At most %(max)d characters.", max=limit), field="reason")
    return reason


# -- scoped loaders ------------------------------------------------------------------------

TOPIC_PURPOSES = ("read", "edit", "moderate")


def topic_for(user, topic_id: int, to: str = "read") -> Topic:
    """The topic, if `user` may do `to` with it: "read" (see it), "edit" (its
    author's changes: edit, submit, withdraw), "moderate" (a social worker of
    its community; anyone else 404)."""
    if to not in TOPIC_PURPOSES:
        raise ValueError(to)
    topic = db.session.get(Topic, topic_id)
    if topic is None:
        raise NotFound(topic_id)
    if to == "moderate":
        if not is_moderator(user, topic.community_id):
            raise NotFound(topic_id)
        return topic
    if not can_read(user, topic):
        raise NotFound(topic_id)
    if to == "edit" and not is_author(user, topic):
        raise Forbidden(topic_id)
    return topic


def comment_for(user, comment_id: int, to: str = "read") -> Comment:
    """The comment, if `user` may do `to` with it: "read", "edit" (its author:
    edit or delete), "moderate" (a social worker of the topic's community)."""
    comment = db.session.get(Comment, comment_id)
    if comment is None:
        raise NotFound(comment_id)
    if to == "moderate":
        if not is_moderator(user, comment.topic.community_id):
            raise NotFound(comment_id)
        return comment
    if not can_read(user, comment.topic):
        raise NotFound(comment_id)
    if to == "edit" and not (_signed_in(user) and comment.author_id == user.id):
        raise Forbidden(comment_id)
    return comment


def block_for(user, block_id: int) -> PostingBlock:
    block = db.session.get(PostingBlock, block_id)
    if block is None or not is_moderator(user, block.community_id):
        raise NotFound(block_id)
    return block


def moderated_community(user, community_id: int):
    from app.places.services import public_community

    community = public_community(community_id)
    if community is None or not is_moderator(user, community.id):
        raise NotFound(community_id)
    return community


def may_raise_topic(user, community_id: int) -> bool:
    return _signed_in(user) and (user.community_id == community_id or is_moderator(user, community_id))


# -- what the page offers -----------------------------------------------------------------

class TopicActions(Offer):
    """What `user` may do with a topic now; templates ask these, never the state."""
    names = """moderate edit submit withdraw author_panel see_moderator_note show_supports
    collecting support unsupport support_needs_verification comments_open comment
    comment_needs_verification report show_rating rate publish reject request_changes
    deliberate merge agenda decide progress complete hide"""


def actions_for(user, topic: Topic) -> TopicActions:
    """Built from `ALLOWED` and the rules above, the same ones the services enforce."""
    state, nxt = topic.state, ALLOWED[topic.state]
    mod, author = is_moderator(user, topic.community_id), is_author(user, topic)
    member = _signed_in(user) and user.community_id == topic.community_id
    verified = is_verified_member(user, topic.community_id)
    collecting = state in COLLECTING and topic.hidden_at is None
    comments_open = state in COMMENTABLE and topic.is_public
    rating_open = state is S.completed and topic.rating_closes_at is not None and utcnow() < topic.rating_closes_at
    return TopicActions(
        moderate=mod, author_panel=author,
        edit=author and state in EDITABLE, submit=author and S.pending_review in nxt,
        withdraw=author and S.withdrawn in nxt,
        see_moderator_note=bool(topic.moderator_note) and (author or mod) and state in RETURNED,
        show_supports=state not in EDITABLE, collecting=collecting, support=collecting and verified,
        unsupport=collecting and state is S.published, support_needs_verification=collecting and member and not verified,
        comments_open=comments_open, comment=comments_open and verified,
        comment_needs_verification=comments_open and member and not verified,
        report=topic.is_public and may_report(user, topic),
        show_rating=state is S.completed, rate=rating_open and verified,
        publish=mod and S.published in nxt, reject=mod and S.rejected_by_moderator in nxt,
        request_changes=mod and S.draft in nxt, deliberate=mod and S.deliberating in nxt,
        merge=mod and S.merged in nxt, agenda=mod and S.decided in nxt, decide=mod and S.decided in nxt,
        progress=mod and S.completed in nxt, complete=mod and S.completed in nxt, hide=mod and topic.is_public)


def shows_moderator_note(topic: Topic) -> bool:
    """On the author's own list: the note is for a topic sent back to them."""
    return bool(topic.moderator_note) and topic.state in RETURNED


class CommentActions(Offer):
    names = """edit delete report hide restore reply"""


def comment_actions_for(user, comment: Comment, *, moderator: bool, reporter: bool, commenter: bool) -> CommentActions:
    """`moderator`, `reporter`, `commenter`: the topic-wide answers (asked once per page)."""
    own = _signed_in(user) and comment.author_id == user.id and comment.deleted_at is None
    held = comment.hidden_at is not None or comment.held_by_keywords
    return CommentActions(edit=own and utcnow() - comment.created_at <= COMMENT_EDIT_WINDOW, delete=own,
                          report=not own and reporter, hide=moderator and not held, restore=moderator and held,
                          reply=commenter and comment.deleted_at is None)


def photo_for(user, token: str):
    """A photo by its token, if its topic may be read."""
    from app.consultation.models import Photo

    photo = db.session.scalar(sa.select(Photo).where(Photo.token == token))
    if photo is None:
        raise NotFound(token)
    topic_for(user, photo.topic_id)
    return photo
