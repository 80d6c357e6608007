"""timebank exchange: help requests, offers, messages, pool reservations, standing offers, claims

Revision ID: f9182e01a9ef
Revises: 4cc93467b8dd
Create Date: 2026-11-30 04:04:21.313915

Spending hours: a help request (求助) with per-community categories, offers,
messages and pool support (the approved minutes are the pool's reservation:
help_request.pool_minutes while pool_state = 'approved'); standing offers
(服务项目); records a volunteer starts that the receiver confirms or disputes.
"""
from alembic import op
import sqlalchemy as sa

import app.sqltypes


# revision identifiers, used by Alembic.
revision = 'f9182e01a9ef'
down_revision = '4cc93467b8dd'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('help_category',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('community_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=30), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('is_active', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['community_id'], ['community.id'], name=op.f('fk_help_category_community_id_community')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_help_category')),
    sa.UniqueConstraint('community_id', 'name', name=op.f('uq_help_category_community_id_name'))
    )
    with op.batch_alter_table('help_category', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_help_category_community_id'), ['community_id'], unique=False)

    op.create_table('exchange_profile',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('is_priority', sa.Boolean(), nullable=False),
    sa.Column('priority_reason', sa.String(length=200), nullable=False),
    sa.Column('priority_set_by_id', sa.Integer(), nullable=True),
    sa.Column('wider', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['priority_set_by_id'], ['user.id'], name=op.f('fk_exchange_profile_priority_set_by_id_user')),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_exchange_profile_user_id_user')),
    sa.PrimaryKeyConstraint('user_id', name=op.f('pk_exchange_profile'))
    )
    op.create_table('service_listing',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('community_id', sa.Integer(), nullable=False),
    sa.Column('volunteer_id', sa.Integer(), nullable=False),
    sa.Column('category_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=60), nullable=False),
    sa.Column('description', sa.String(length=300), nullable=False),
    sa.Column('is_active', sa.Boolean(), nullable=False),
    sa.Column('created_at', app.sqltypes.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['category_id'], ['help_category.id'], name=op.f('fk_service_listing_category_id_help_category')),
    sa.ForeignKeyConstraint(['community_id'], ['community.id'], name=op.f('fk_service_listing_community_id_community')),
    sa.ForeignKeyConstraint(['volunteer_id'], ['user.id'], name=op.f('fk_service_listing_volunteer_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_service_listing'))
    )
    with op.batch_alter_table('service_listing', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_service_listing_community_id'), ['community_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_service_listing_volunteer_id'), ['volunteer_id'], unique=False)

    op.create_table('help_request',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('community_id', sa.Integer(), nullable=False),
    sa.Column('requester_id', sa.Integer(), nullable=False),
    sa.Column('posted_by_id', sa.Integer(), nullable=False),
    sa.Column('category_id', sa.Integer(), nullable=False),
    sa.Column('needed_at', app.sqltypes.UTCDateTime(timezone=True), nullable=False),
    sa.Column('place', sa.String(length=100), nullable=False),
    sa.Column('minutes', sa.Integer(), nullable=False),
    sa.Column('notes', sa.String(length=500), nullable=False),
    sa.Column('accept_first', sa.Boolean(), nullable=False),
    sa.Column('listing_id', sa.Integer(), nullable=True),
    sa.Column('state', sa.Enum('open', 'matched', 'served', 'cancelled', name='helpstate', native_enum=False, length=32), nullable=False),
    sa.Column('helper_id', sa.Integer(), nullable=True),
    sa.Column('chosen_by_id', sa.Integer(), nullable=True),
    sa.Column('matched_at', app.sqltypes.UTCDateTime(timezone=True), nullable=True),
    sa.Column('pool_state', sa.Enum('none', 'asked', 'approved', 'declined', 'released', 'consumed', name='poolstate', native_enum=False, length=32), nullable=False),
    sa.Column('pool_reason', sa.String(length=200), nullable=False),
    sa.Column('pool_minutes', sa.Integer(), nullable=False),
    sa.Column('pool_decided_by_id', sa.Integer(), nullable=True),
    sa.Column('pool_decided_at', app.sqltypes.UTCDateTime(timezone=True), nullable=True),
    sa.Column('pool_decision', sa.String(length=200), nullable=False),
    sa.Column('served_minutes', sa.Integer(), nullable=True),
    sa.Column('rating', sa.Integer(), nullable=True),
    sa.Column('comment', sa.String(length=300), nullable=False),
    sa.Column('confirmed_by_id', sa.Integer(), nullable=True),
    sa.Column('confirmed_at', app.sqltypes.UTCDateTime(timezone=True), nullable=True),
    sa.Column('txn_id', sa.Integer(), nullable=True),
    sa.Column('cancelled_by_id', sa.Integer(), nullable=True),
    sa.Column('cancel_reason', sa.String(length=200), nullable=False),
    sa.Column('created_at', app.sqltypes.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint('helper_id IS NULL OR helper_id <> requester_id', name=op.f('ck_help_request_not_own_helper')),
    sa.CheckConstraint('minutes > 0', name=op.f('ck_help_request_minutes_positive')),
    sa.CheckConstraint('pool_minutes >= 0', name=op.f('ck_help_request_pool_minutes_nonnegative')),
    sa.CheckConstraint('rating IS NULL OR (rating BETWEEN 1 AND 5)', name=op.f('ck_help_request_rating_range')),
    sa.ForeignKeyConstraint(['cancelled_by_id'], ['user.id'], name=op.f('fk_help_request_cancelled_by_id_user')),
    sa.ForeignKeyConstraint(['category_id'], ['help_category.id'], name=op.f('fk_help_request_category_id_help_category')),
    sa.ForeignKeyConstraint(['chosen_by_id'], ['user.id'], name=op.f('fk_help_request_chosen_by_id_user')),
    sa.ForeignKeyConstraint(['community_id'], ['community.id'], name=op.f('fk_help_request_community_id_community')),
    sa.ForeignKeyConstraint(['confirmed_by_id'], ['user.id'], name=op.f('fk_help_request_confirmed_by_id_user')),
    sa.ForeignKeyConstraint(['helper_id'], ['user.id'], name=op.f('fk_help_request_helper_id_user')),
    sa.ForeignKeyConstraint(['listing_id'], ['service_listing.id'], name=op.f('fk_help_request_listing_id_service_listing')),
    sa.ForeignKeyConstraint(['pool_decided_by_id'], ['user.id'], name=op.f('fk_help_request_pool_decided_by_id_user')),
    sa.ForeignKeyConstraint(['posted_by_id'], ['user.id'], name=op.f('fk_help_request_posted_by_id_user')),
    sa.ForeignKeyConstraint(['requester_id'], ['user.id'], name=op.f('fk_help_request_requester_id_user')),
    sa.ForeignKeyConstraint(['txn_id'], ['txn.id'], name=op.f('fk_help_request_txn_id_txn')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_help_request'))
    )
    with op.batch_alter_table('help_request', schema=None) as batch_op:
        batch_op.create_index('ix_help_request_community_state', ['community_id', 'state'], unique=False)
        batch_op.create_index(batch_op.f('ix_help_request_helper_id'), ['helper_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_help_request_requester_id'), ['requester_id'], unique=False)

    op.create_table('service_claim',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('community_id', sa.Integer(), nullable=False),
    sa.Column('helper_id', sa.Integer(), nullable=False),
    sa.Column('receiver_id', sa.Integer(), nullable=False),
    sa.Column('minutes', sa.Integer(), nullable=False),
    sa.Column('description', sa.String(length=200), nullable=False),
    sa.Column('served_on', sa.Date(), nullable=False),
    sa.Column('state', sa.Enum('pending', 'confirmed', 'disputed', 'upheld', 'rejected', name='claimstate', native_enum=False, length=32), nullable=False),
    sa.Column('dispute_reason', sa.String(length=200), nullable=False),
    sa.Column('answered_by_id', sa.Integer(), nullable=True),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('decision_reason', sa.String(length=200), nullable=False),
    sa.Column('txn_id', sa.Integer(), nullable=True),
    sa.Column('expiry_noticed_at', app.sqltypes.UTCDateTime(timezone=True), nullable=True),
    sa.Column('created_at', app.sqltypes.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint('helper_id <> receiver_id', name=op.f('ck_service_claim_not_self')),
    sa.CheckConstraint('minutes > 0', name=op.f('ck_service_claim_minutes_positive')),
    sa.ForeignKeyConstraint(['answered_by_id'], ['user.id'], name=op.f('fk_service_claim_answered_by_id_user')),
    sa.ForeignKeyConstraint(['community_id'], ['community.id'], name=op.f('fk_service_claim_community_id_community')),
    sa.ForeignKeyConstraint(['decided_by_id'], ['user.id'], name=op.f('fk_service_claim_decided_by_id_user')),
    sa.ForeignKeyConstraint(['helper_id'], ['user.id'], name=op.f('fk_service_claim_helper_id_user')),
    sa.ForeignKeyConstraint(['receiver_id'], ['user.id'], name=op.f('fk_service_claim_receiver_id_user')),
    sa.ForeignKeyConstraint(['txn_id'], ['txn.id'], name=op.f('fk_service_claim_txn_id_txn')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_service_claim'))
    )
    with op.batch_alter_table('service_claim', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_service_claim_community_id'), ['community_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_service_claim_helper_id'), ['helper_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_service_claim_receiver_id'), ['receiver_id'], unique=False)

    op.create_table('help_message',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('request_id', sa.Integer(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=False),
    sa.Column('on_behalf_of_id', sa.Integer(), nullable=True),
    sa.Column('body', sa.String(length=300), nullable=False),
    sa.Column('created_at', app.sqltypes.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['author_id'], ['user.id'], name=op.f('fk_help_message_author_id_user')),
    sa.ForeignKeyConstraint(['on_behalf_of_id'], ['user.id'], name=op.f('fk_help_message_on_behalf_of_id_user')),
    sa.ForeignKeyConstraint(['request_id'], ['help_request.id'], name=op.f('fk_help_message_request_id_help_request')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_help_message'))
    )
    with op.batch_alter_table('help_message', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_help_message_request_id'), ['request_id'], unique=False)

    op.create_table('help_offer',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('request_id', sa.Integer(), nullable=False),
    sa.Column('volunteer_id', sa.Integer(), nullable=False),
    sa.Column('note', sa.String(length=200), nullable=False),
    sa.Column('created_at', app.sqltypes.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['request_id'], ['help_request.id'], name=op.f('fk_help_offer_request_id_help_request')),
    sa.ForeignKeyConstraint(['volunteer_id'], ['user.id'], name=op.f('fk_help_offer_volunteer_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_help_offer')),
    sa.UniqueConstraint('request_id', 'volunteer_id', name=op.f('uq_help_offer_request_id_volunteer_id'))
    )
    with op.batch_alter_table('help_offer', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_help_offer_request_id'), ['request_id'], unique=False)



def downgrade():
    with op.batch_alter_table('help_offer', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_help_offer_request_id'))

    op.drop_table('help_offer')
    with op.batch_alter_table('help_message', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_help_message_request_id'))

    op.drop_table('help_message')
    with op.batch_alter_table('service_claim', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_service_claim_receiver_id'))
        batch_op.drop_index(batch_op.f('ix_service_claim_helper_id'))
        batch_op.drop_index(batch_op.f('ix_service_claim_community_id'))

    op.drop_table('service_claim')
    with op.batch_alter_table('help_request', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_help_request_requester_id'))
        batch_op.drop_index(batch_op.f('ix_help_request_helper_id'))
        batch_op.drop_index('ix_help_request_community_state')

    op.drop_table('help_request')
    with op.batch_alter_table('service_listing', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_service_listing_volunteer_id'))
        batch_op.drop_index(batch_op.f('ix_service_listing_community_id'))

    op.drop_table('service_listing')
    op.drop_table('exchange_profile')
    with op.batch_alter_table('help_category', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_help_category_community_id'))

    op.drop_table('help_category')
