"""timebank: indexes that make a statement's opening and closing balance two lookups

Revision ID: d5a7c9e1f3b4
Revises: f9182e01a9ef
Create Date: 2026-11-30 04:40:00

A statement's opening balance is the balance after the account's last posting
made before the period starts. It was found by walking the account's postings
backwards from the newest until one older than the start (every posting after
the period was read). Now: the last transaction before the moment from
(created_at, id) on `txn`, then the account's last posting up to that
transaction from (account_id, txn_id, id) on `posting`: two index lookups
whatever the history. An account's postings are written under its lock, so
their transaction ids rise with their own ids.
"""
from alembic import op


revision = 'd5a7c9e1f3b4'
down_revision = 'f9182e01a9ef'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index("ix_txn_created_at_id", "txn", ["created_at", "id"])
    op.create_index("ix_posting_account_txn", "posting", ["account_id", "txn_id", "id"])


def downgrade():
    op.drop_index("ix_posting_account_txn", table_name="posting")
    op.drop_index("ix_txn_created_at_id", table_name="txn")
