"""accounts: auth_session.last_seen_at, for the sessions' idle timeout

Revision ID: 5e7a1c9d2b40
Revises: 82080fae6696
Create Date: 2026-11-30 09:00:00

Sessions end after an absolute lifetime (from created_at) and after an idle
time (from last_seen_at). Existing sessions count as last seen when they
were created, so the idle timeout ends the long-forgotten ones at once.
"""
import sqlalchemy as sa
from alembic import op

import app.sqltypes

revision = '5e7a1c9d2b40'
down_revision = '82080fae6696'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('auth_session', schema=None) as batch_op:
        batch_op.add_column(sa.Column('last_seen_at', app.sqltypes.UTCDateTime(timezone=True), nullable=True))
    op.execute("UPDATE auth_session SET last_seen_at = created_at")
    with op.batch_alter_table('auth_session', schema=None) as batch_op:
        batch_op.alter_column('last_seen_at', existing_type=app.sqltypes.UTCDateTime(timezone=True), nullable=False)


def downgrade():
    with op.batch_alter_table('auth_session', schema=None) as batch_op:
        batch_op.drop_column('last_seen_at')
