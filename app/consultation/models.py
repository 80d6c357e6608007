"""Consultation topics (议题), supports (附议), comments, reports, follows,
the public timeline, progress photos, ratings and per-community settings."""
from __future__ import annotations

import enum
from datetime import datetime
from typing import Optional

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.domain import Labelled
from app.extensions import db
from app.places.models import CommunityCategory
from app.sqltypes import UTCDateTime, enum_column, utcnow


class TopicState(Labelled):
    draft = "draft", _l("Draft")
    pending_review = "pending_review", _l("Awaiting review")  # 待审核
    published = "published", _l("Open for support")  # 公示/征集意见
    deliberating = "deliberating", _l("Under deliberation")  # 协商中
    decided = "decided", _l("Decided")  # 已表决 (adopted moves on to in_progress; rejected stays)
    in_progress = "in_progress", _l("Being carried out")  # 办理中
    completed = "completed", _l("Completed")  # 已办结
    rejected_by_moderator = "rejected_by_moderator", _l("Not published")
    merged = "merged", _l("Merged")
    withdrawn = "withdrawn", _l("Withdrawn")


STATE_LABELS = TopicState.labels()

# States anyone may read (村(居)务公开); the others only the author and moderators.
PUBLIC_STATES = frozenset({TopicState.published, TopicState.deliberating, TopicState.decided,
                           TopicState.in_progress, TopicState.completed, TopicState.merged})


class Outcome(enum.Enum):
    adopted = "adopted"  # 采纳
    rejected = "rejected"  # 不采纳


class Stance(Labelled):
    support = "support", _l("Support")
    oppose = "oppose", _l("Oppose")
    neutral = "neutral", _l("Neutral")


STANCE_LABELS = Stance.labels()


class ReportReason(Labelled):
    advert = "advert", _l("Advertising")  # 广告
    untrue = "untrue", _l("Untrue")  # 不实
    abuse = "abuse", _l("Abusive")  # 辱骂
    off_topic = "off_topic", _l("Off topic")  # 无关
    other = "other", _l("Other")  # 其他


REPORT_LABELS = ReportReason.labels()


class SupportBasis(enum.Enum):
    residents = "residents"  # every verified resident counts
    households = "households"  # one per household (户)


DEFAULT_CATEGORIES = ["社区环境", "物业管理", "加装电梯", "停车", "养老助餐", "文体活动", "安全", "其他"]


class ConsultationSettings(db.Model):
    """Per-community rules a social worker may change."""

    __table_args__ = (
        sa.CheckConstraint("support_threshold >= 1", name="threshold_positive"),
        sa.CheckConstraint("reports_to_hide >= 1", name="reports_positive"),
        sa.CheckConstraint("rating_window_days >= 1", name="window_positive"),
    )
    community_id: Mapped[int] = mapped_column(sa.ForeignKey("community.id"), primary_key=True)
    support_threshold: Mapped[int] = mapped_column(default=10)
    support_basis: Mapped[SupportBasis] = mapped_column(enum_column(SupportBasis), default=SupportBasis.residents)
    reports_to_hide: Mapped[int] = mapped_column(default=3)  # like Decidim
    rating_window_days: Mapped[int] = mapped_column(default=30)
    keywords: Mapped[str] = mapped_column(sa.Text, default="")  # 敏感词, one per line

    @property
    def keyword_list(self) -> list[str]:
        return [k.strip() for k in self.keywords.splitlines() if k.strip()]


class Category(CommunityCategory, db.Model):
    """A topic's category (议题分类); the defaults are made on first use."""

    name: Mapped[str] = mapped_column(sa.String(20))


# What the moderation queue counts (the nav's badge on every social worker's page), as SQL:
# each is both a partial index's predicate and the queue count's condition, so the count reads
# only the index's few rows instead of scanning the table (a partial index serves a query whose
# condition contains the index's predicate as written).
TOPIC_QUEUED = "state = 'pending_review' OR report_count > 0"
COMMENT_QUEUED = "deleted_at IS NULL AND (held_by_keywords OR report_count > 0)"
# what the moderation queue's pages list: the above, and what a moderator hid (to restore it)
TOPIC_LISTED = "report_count > 0 OR hidden_at IS NOT NULL"
COMMENT_LISTED = "deleted_at IS NULL AND (held_by_keywords OR report_count > 0 OR hidden_at IS NOT NULL)"


def _partial(predicate: str) -> dict:
    return {"sqlite_where": sa.text(predicate), "postgresql_where": sa.text(predicate)}


class Topic(db.Model):
    __table_args__ = (
        sa.Index("ix_topic_community_state", "community_id", "state"),
        sa.Index("ix_topic_queued", "community_id", **_partial(TOPIC_QUEUED)),
        sa.Index("ix_topic_listed", "community_id", "id", **_partial(TOPIC_LISTED)),
        sa.CheckConstraint("support_count >= 0", name="support_count_nonneg"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(sa.ForeignKey("community.id"))
    author_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"), index=True)
    proxy_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("user.id"))  # 代为发布 by a social worker
    category_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("category.id"))
    title: Mapped[str] = mapped_column(sa.String(60))
    body: Mapped[str] = mapped_column(sa.Text)
    location: Mapped[str] = mapped_column(sa.String(100), default="")
    state: Mapped[TopicState] = mapped_column(enum_column(TopicState), default=TopicState.draft)
    outcome: Mapped[Optional[Outcome]] = mapped_column(enum_column(Outcome))
    moderator_note: Mapped[str] = mapped_column(sa.String(500), default="")  # what the author must read
    held_by_keywords: Mapped[bool] = mapped_column(default=False)
    merged_into_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("topic.id"))
    support_count: Mapped[int] = mapped_column(default=0)  # residents or households, per settings
    comment_count: Mapped[int] = mapped_column(default=0)
    report_count: Mapped[int] = mapped_column(default=0)  # open reports
    hidden_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)  # auto-hidden after N reports
    on_agenda_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    agenda_note: Mapped[str] = mapped_column(sa.String(200), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    published_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    last_activity_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    completed_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    rating_closes_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)

    community = relationship("Community")
    author = relationship("User", foreign_keys=[author_id])
    proxy = relationship("User", foreign_keys=[proxy_id])
    category: Mapped[Optional[Category]] = relationship()
    merged_into: Mapped[Optional["Topic"]] = relationship(remote_side=[id])
    photos: Mapped[list["Photo"]] = relationship(
        primaryjoin="and_(Photo.topic_id == Topic.id, Photo.event_id.is_(None))", order_by="Photo.id",
        viewonly=True)

    @property
    def is_public(self) -> bool:
        return self.state in PUBLIC_STATES and self.hidden_at is None


class TopicEvent(db.Model):
    """The public timeline: every state change (who, when, why) and progress update."""

    __table_args__ = (sa.Index("ix_topic_event_topic", "topic_id", "id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    topic_id: Mapped[int] = mapped_column(sa.ForeignKey("topic.id"))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    actor_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("user.id"))  # None: the system
    proxy_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("user.id"))
    kind: Mapped[str] = mapped_column(sa.String(30))  # transition, progress, merged_in, agenda
    from_state: Mapped[Optional[TopicState]] = mapped_column(enum_column(TopicState))
    to_state: Mapped[Optional[TopicState]] = mapped_column(enum_column(TopicState))
    note: Mapped[str] = mapped_column(sa.Text, default="")
    is_public: Mapped[bool] = mapped_column(default=True)

    actor = relationship("User", foreign_keys=[actor_id])
    proxy = relationship("User", foreign_keys=[proxy_id])
    photos: Mapped[list["Photo"]] = relationship(order_by="Photo.id", viewonly=True)


class Support(db.Model):
    __table_args__ = (sa.UniqueConstraint("topic_id", "user_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    topic_id: Mapped[int] = mapped_column(sa.ForeignKey("topic.id"), index=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"), index=True)
    proxy_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Follow(db.Model):
    topic_id: Mapped[int] = mapped_column(sa.ForeignKey("topic.id"), primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"), primary_key=True, index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Comment(db.Model):
    __table_args__ = (
        sa.Index("ix_comment_topic", "topic_id", "id"),
        sa.Index("ix_comment_thread", "topic_id", "parent_id", "id"),  # threads and replies after a key
        sa.Index("ix_comment_queued", "topic_id", **_partial(COMMENT_QUEUED)),
        sa.Index("ix_comment_listed", "id", **_partial(COMMENT_LISTED)),
        sa.UniqueConstraint("author_id", "idempotency_key"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    topic_id: Mapped[int] = mapped_column(sa.ForeignKey("topic.id"))
    author_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"))
    parent_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("comment.id"))
    stance: Mapped[Stance] = mapped_column(enum_column(Stance), default=Stance.neutral)
    body: Mapped[str] = mapped_column(sa.Text)
    idempotency_key: Mapped[str] = mapped_column(sa.String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    edited_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    deleted_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    held_by_keywords: Mapped[bool] = mapped_column(default=False)
    hidden_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    hidden_reason: Mapped[str] = mapped_column(sa.String(200), default="")
    hidden_by_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("user.id"))  # None: auto-hidden
    report_count: Mapped[int] = mapped_column(default=0)

    author = relationship("User", foreign_keys=[author_id])
    topic: Mapped[Topic] = relationship()
    replies: Mapped[list["Comment"]] = relationship(order_by="Comment.id", viewonly=True)

    @property
    def is_visible(self) -> bool:
        return self.hidden_at is None and not self.held_by_keywords


class ReportTarget(enum.Enum):
    topic = "topic"
    comment = "comment"


class Report(db.Model):
    __table_args__ = (sa.UniqueConstraint("reporter_id", "target_type", "target_id"),
                      sa.Index("ix_report_target", "target_type", "target_id"))
    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(sa.ForeignKey("community.id"))
    reporter_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"))
    target_type: Mapped[ReportTarget] = mapped_column(enum_column(ReportTarget))
    target_id: Mapped[int]
    reason: Mapped[ReportReason] = mapped_column(enum_column(ReportReason))
    note: Mapped[str] = mapped_column(sa.String(200), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    resolved_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)


class StoredImage:
    """The columns of an image kept in the database: re-encoded without
    metadata (app.consultation.photos), served by its random token only
    (photos.response_for). A topic's photos and an agreement's evidence photos."""

    token: Mapped[str] = mapped_column(sa.String(40), unique=True)
    content_type: Mapped[str] = mapped_column(sa.String(20))
    width: Mapped[int]
    height: Mapped[int]
    size: Mapped[int]
    data: Mapped[bytes] = mapped_column(sa.LargeBinary, deferred=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Photo(StoredImage, db.Model):
    """An uploaded image of a topic (or of one of its events)."""

    id: Mapped[int] = mapped_column(primary_key=True)
    topic_id: Mapped[int] = mapped_column(sa.ForeignKey("topic.id"), index=True)
    event_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("topic_event.id"))
    uploaded_by_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"))


class Rating(db.Model):
    __table_args__ = (sa.UniqueConstraint("topic_id", "user_id"),
                      sa.CheckConstraint("score BETWEEN 1 AND 5", name="score_range"))
    id: Mapped[int] = mapped_column(primary_key=True)
    topic_id: Mapped[int] = mapped_column(sa.ForeignKey("topic.id"), index=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"))
    score: Mapped[int]
    comment: Mapped[str] = mapped_column(sa.String(300), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class PostingBlock(db.Model):
    """A moderator stops a person posting in a community until a date, with a reason."""

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(sa.ForeignKey("community.id"), index=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"))
    until: Mapped[datetime] = mapped_column(UTCDateTime)
    reason: Mapped[str] = mapped_column(sa.String(200))
    created_by_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    lifted_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)

    user = relationship("User", foreign_keys=[user_id])
