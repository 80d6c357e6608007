"""consultation: partial indexes for what the moderation queue counts

Revision ID: c3e8a1f5d2b6
Revises: b7d41c2e9a50
Create Date: 2026-11-30 02:30:00

The nav shows every social worker how many topics and comments wait for
moderation, on every page. Counting them scanned all of `comment` (no index
fitted): these partial indexes hold only the rows the queue counts (topics
pending review or reported; comments held by keywords or reported, not
deleted), so the count reads a handful of index entries. Both databases
support partial indexes; the predicates are the ones
`app.consultation.models` declares and `queue_count` repeats.
"""
from alembic import op
import sqlalchemy as sa


revision = 'c3e8a1f5d2b6'
down_revision = 'b7d41c2e9a50'
branch_labels = None
depends_on = None

# as written in app.consultation.models (a migration keeps its own copy: models change later)
TOPIC_QUEUED = "state = 'pending_review' OR report_count > 0"
COMMENT_QUEUED = "deleted_at IS NULL AND (held_by_keywords OR report_count > 0)"


def _partial(predicate: str) -> dict:
    return {"sqlite_where": sa.text(predicate), "postgresql_where": sa.text(predicate)}


def upgrade():
    op.create_index("ix_topic_queued", "topic", ["community_id"], **_partial(TOPIC_QUEUED))
    op.create_index("ix_comment_queued", "comment", ["topic_id"], **_partial(COMMENT_QUEUED))


def downgrade():
    op.drop_index("ix_comment_queued", table_name="comment")
    op.drop_index("ix_topic_queued", table_name="topic")
