"""notifications: where a notification points, as an endpoint and its arguments

Revision ID: a4d2c8e61f37
Revises: 5c1e7a93d2b4
Create Date: 2026-11-24 09:00:00

A notification's link is built when it is read (url_for(endpoint, **args)),
so a moved page does not leave old notifications pointing nowhere. `link`
stays for the rows written before.
"""
from alembic import op
import sqlalchemy as sa


revision = 'a4d2c8e61f37'
down_revision = '5c1e7a93d2b4'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('notification') as batch:
        batch.add_column(sa.Column('endpoint', sa.String(length=80), nullable=False, server_default=''))
        batch.add_column(sa.Column('endpoint_args', sa.JSON(), nullable=True))


def downgrade():
    with op.batch_alter_table('notification') as batch:
        batch.drop_column('endpoint_args')
        batch.drop_column('endpoint')
