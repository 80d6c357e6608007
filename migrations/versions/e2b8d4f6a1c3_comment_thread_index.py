"""consultation: one index for a topic's threads and their replies

Revision ID: e2b8d4f6a1c3
Revises: d5a7c9e1f3b4
Create Date: 2026-11-30 08:00:00

The comment pages ask for a topic's top-level comments after a key, each
thread's replies after a key, and whether a hidden comment has a reply that
may be shown. All three filter on topic and parent and order by id; with only
(topic_id, id) each read the whole topic's comments (2,003 on the busiest),
and the "has a shown reply" test did so once per top-level comment.
"""
from alembic import op


revision = 'e2b8d4f6a1c3'
down_revision = 'd5a7c9e1f3b4'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index("ix_comment_thread", "comment", ["topic_id", "parent_id", "id"])


def downgrade():
    op.drop_index("ix_comment_thread", table_name="comment")
