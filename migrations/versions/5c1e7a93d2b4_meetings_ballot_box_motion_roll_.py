"""meetings: secret ballots in a ballot box, a motion's roll fixed at opening,
withdrawn motions, limited check-in codes

Revision ID: 5c1e7a93d2b4
Revises: 3c9e5f1a7b24
Create Date: 2026-11-30 10:00:00

- `secret_ballot` rows had sequential ids and were written in the voter's own
  transaction, next to their receipt: ranking both by id (or physical order,
  or PostgreSQL's xmin) rejoined voter and choice. They become one
  `ballot_box` row per secret motion holding the number of ballots and the
  floor area (业主大会) behind each choice: every existing ballot is counted
  there, and the rows that could be rejoined are gone. Downgrade writes one
  row per ballot again, grouped by choice (the area of each choice on its
  first row, so the sums are kept).
- `motion_roll`: the members each motion is decided among and who was
  present when it opened; filled for motions open now from the attendance
  as it stands.
- `motion.withdrawal_reason` (a withdrawn motion needs one).
- `meeting.checkin_failures` and `checkin_failure`: wrong check-in codes per
  meeting and per person since the code was last shown.
"""
from decimal import Decimal

import sqlalchemy as sa
from alembic import op

revision = '5c1e7a93d2b4'
down_revision = '3c9e5f1a7b24'
branch_labels = None
depends_on = None

CHOICES = ("yes", "no", "abstain")
# the message PostgreSQL's CHECK gives, so both databases fail alike (IntegrityError)
CHECK_FAILED = "CHECK constraint failed: ck_motion_withdrawn_with_reason"

motion = sa.table("motion", sa.column("id", sa.Integer), sa.column("meeting_id", sa.Integer),
                  sa.column("is_secret", sa.Boolean), sa.column("state", sa.String),
                  sa.column("result_text", sa.Text), sa.column("withdrawal_reason", sa.String))
meeting = sa.table("meeting", sa.column("id", sa.Integer), sa.column("body_id", sa.Integer))
body = sa.table("body", sa.column("id", sa.Integer), sa.column("community_id", sa.Integer))
body_member = sa.table("body_member", sa.column("id", sa.Integer), sa.column("body_id", sa.Integer),
                       sa.column("user_id", sa.Integer), sa.column("is_active", sa.Boolean))
user = sa.table("user", sa.column("id", sa.Integer), sa.column("community_id", sa.Integer))
attendance = sa.table("attendance", sa.column("meeting_id", sa.Integer), sa.column("member_id", sa.Integer),
                      sa.column("status", sa.String))
secret_ballot = sa.table("secret_ballot", sa.column("id", sa.Integer), sa.column("motion_id", sa.Integer),
                         sa.column("choice", sa.String), sa.column("area", sa.Numeric(10, 2)))
ballot_box = sa.table("ballot_box", sa.column("motion_id", sa.Integer),
                      *[sa.column(c, sa.Integer) for c in CHOICES],
                      *[sa.column(f"area_{c}", sa.Numeric(14, 2)) for c in CHOICES])
motion_roll = sa.table("motion_roll", sa.column("motion_id", sa.Integer), sa.column("member_id", sa.Integer),
                       sa.column("is_present", sa.Boolean))


def upgrade():
    op.create_table('ballot_box',
    sa.Column('motion_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('yes', sa.Integer(), nullable=False),
    sa.Column('no', sa.Integer(), nullable=False),
    sa.Column('abstain', sa.Integer(), nullable=False),
    sa.Column('area_yes', sa.Numeric(precision=14, scale=2), nullable=False),
    sa.Column('area_no', sa.Numeric(precision=14, scale=2), nullable=False),
    sa.Column('area_abstain', sa.Numeric(precision=14, scale=2), nullable=False),
    sa.CheckConstraint('yes >= 0 AND no >= 0 AND abstain >= 0', name=op.f('ck_ballot_box_counts')),
    sa.CheckConstraint('area_yes >= 0 AND area_no >= 0 AND area_abstain >= 0', name=op.f('ck_ballot_box_areas')),
    sa.ForeignKeyConstraint(['motion_id'], ['motion.id'], name=op.f('fk_ballot_box_motion_id_motion')),
    sa.PrimaryKeyConstraint('motion_id', name=op.f('pk_ballot_box'))
    )
    counts = [sa.func.coalesce(sa.func.sum(sa.case((secret_ballot.c.choice == c, 1), else_=0)), 0) for c in CHOICES]
    areas = [sa.func.coalesce(sa.func.sum(sa.case((secret_ballot.c.choice == c,
                                                   sa.func.coalesce(secret_ballot.c.area, 0)), else_=0)), 0)
             for c in CHOICES]
    op.execute(ballot_box.insert().from_select(
        ["motion_id", *CHOICES, *[f"area_{c}" for c in CHOICES]],
        sa.select(motion.c.id, *counts, *areas)
        .select_from(motion.outerjoin(secret_ballot, secret_ballot.c.motion_id == motion.c.id))
        .where(motion.c.is_secret == sa.true()).group_by(motion.c.id)))
    with op.batch_alter_table('secret_ballot', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_secret_ballot_motion_id'))
    op.drop_table('secret_ballot')

    op.create_table('motion_roll',
    sa.Column('motion_id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('is_present', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['member_id'], ['body_member.id'], name=op.f('fk_motion_roll_member_id_body_member')),
    sa.ForeignKeyConstraint(['motion_id'], ['motion.id'], name=op.f('fk_motion_roll_motion_id_motion')),
    sa.PrimaryKeyConstraint('motion_id', 'member_id', name=op.f('pk_motion_roll'))
    )
    present = sa.case((attendance.c.status == "present", sa.true()), else_=sa.false())
    op.execute(motion_roll.insert().from_select(
        ["motion_id", "member_id", "is_present"],
        sa.select(motion.c.id, body_member.c.id, present)
        .select_from(motion.join(meeting, meeting.c.id == motion.c.meeting_id)
                     .join(body_member, body_member.c.body_id == meeting.c.body_id)
                     .join(body, body.c.id == body_member.c.body_id)
                     .outerjoin(user, user.c.id == body_member.c.user_id)
                     .outerjoin(attendance, sa.and_(attendance.c.meeting_id == meeting.c.id,
                                                    attendance.c.member_id == body_member.c.id)))
        .where(motion.c.state == "open", body_member.c.is_active == sa.true(),
               sa.or_(body_member.c.user_id.is_(None), user.c.community_id == body.c.community_id))))

    op.create_table('checkin_failure',
    sa.Column('meeting_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('failures', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['meeting_id'], ['meeting.id'], name=op.f('fk_checkin_failure_meeting_id_meeting')),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_checkin_failure_user_id_user')),
    sa.PrimaryKeyConstraint('meeting_id', 'user_id', name=op.f('pk_checkin_failure'))
    )
    # Plain ALTER TABLE: on SQLite a batch copy of `meeting` or `motion` would drop the table that
    # existing rows refer to, which its foreign keys refuse. SQLite cannot add a CHECK to a table in
    # place, so there two triggers enforce the same rule.
    op.add_column('meeting', sa.Column('checkin_failures', sa.Integer(), server_default='0', nullable=False))
    op.add_column('motion', sa.Column('withdrawal_reason', sa.String(length=300), server_default='', nullable=False))
    if op.get_bind().dialect.name == "sqlite":
        for event in ("INSERT", "UPDATE"):
            op.execute(f"CREATE TRIGGER motion_withdrawn_with_reason_{event.lower()} BEFORE {event} ON motion "
                       f"WHEN NEW.state = 'withdrawn' AND NEW.withdrawal_reason = '' "
                       f"BEGIN SELECT RAISE(ABORT, '{CHECK_FAILED}'); END")
    else:
        op.create_check_constraint(op.f('ck_motion_withdrawn_with_reason'), 'motion',
                                   "state <> 'withdrawn' OR withdrawal_reason <> ''")


def downgrade():
    # the earlier code knows no withdrawn motion: keep it as closed without a result, the reason in its text
    op.execute(motion.update().where(motion.c.state == "withdrawn")
               .values(state="closed", result_text=sa.literal("撤回：") + motion.c.withdrawal_reason))
    if op.get_bind().dialect.name == "sqlite":
        for event in ("insert", "update"):
            op.execute(f"DROP TRIGGER IF EXISTS motion_withdrawn_with_reason_{event}")
    else:
        op.drop_constraint(op.f('ck_motion_withdrawn_with_reason'), 'motion', type_='check')
    op.drop_column('motion', 'withdrawal_reason')  # SQLite 3.35+ drops a column in place
    op.drop_column('meeting', 'checkin_failures')
    op.drop_table('checkin_failure')
    op.drop_table('motion_roll')

    op.create_table('secret_ballot',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('motion_id', sa.Integer(), nullable=False),
    sa.Column('choice', sa.Enum('yes', 'no', 'abstain', name='choice', native_enum=False, length=32), nullable=False),
    sa.Column('area', sa.Numeric(precision=10, scale=2), nullable=True),
    sa.ForeignKeyConstraint(['motion_id'], ['motion.id'], name=op.f('fk_secret_ballot_motion_id_motion')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_secret_ballot'))
    )
    with op.batch_alter_table('secret_ballot', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_secret_ballot_motion_id'), ['motion_id'], unique=False)
    conn = op.get_bind()
    rows = []
    for box in conn.execute(sa.select(ballot_box).order_by(ballot_box.c.motion_id)).mappings():
        for choice in CHOICES:
            for n in range(box[choice]):
                area = Decimal(box[f"area_{choice}"]) if n == 0 else None
                rows.append({"motion_id": box["motion_id"], "choice": choice, "area": area or None})
    if rows:
        conn.execute(secret_ballot.insert(), rows)
    op.drop_table('ballot_box')
