"""nobody records or verifies their own service; activity credits a second staff member confirms

Revision ID: 3c9e5f1a7b24
Revises: 5e7a1c9d2b40
Create Date: 2026-11-24 10:00:00.000000

Service records get the rule `verified_by_id <> volunteer_id` and
`recorded_by_id <> volunteer_id`. Rows written before the rule may break it;
they are kept (the table is append-only) and `flask timebank verify` reports
them. On PostgreSQL the rule is a CHECK, added NOT VALID (checked for every new
row, not for the old ones) and validated at once when no old row breaks it. SQLite cannot add a CHECK without rebuilding the
table, which would refuse such old rows and drop the append-only triggers; a
BEFORE INSERT trigger keeps the same rule there (an INSERT is the only way a
row arrives in an append-only table).

Ledger requests may now ask for an activity's service credit (kind
'service', stored by name in a VARCHAR: no type to change) and name the
activity.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '3c9e5f1a7b24'
down_revision = '5e7a1c9d2b40'
branch_labels = None
depends_on = None

RULES = {
    "ck_service_record_not_self_verified": "verified_by_id <> volunteer_id",
    "ck_service_record_not_self_recorded": "recorded_by_id <> volunteer_id",
}


def upgrade():
    if op.get_bind().dialect.name == "sqlite":
        for name, rule in RULES.items():
            column = rule.split()[0]
            op.execute(f"CREATE TRIGGER {name} BEFORE INSERT ON service_record "
                       f"WHEN NEW.{column} = NEW.volunteer_id "
                       f"BEGIN SELECT RAISE(ABORT, 'CHECK constraint failed: {name}'); END")
        op.execute("ALTER TABLE ledger_request ADD COLUMN activity_id INTEGER "
                   "CONSTRAINT fk_ledger_request_activity_id_activity REFERENCES activity (id)")
    else:
        for name, rule in RULES.items():
            op.execute(f"ALTER TABLE service_record ADD CONSTRAINT {name} CHECK ({rule}) NOT VALID")
            # validated when no old row breaks it (the usual case): a plain CHECK from then on
            if not op.get_bind().exec_driver_sql(f"SELECT EXISTS (SELECT 1 FROM service_record WHERE NOT ({rule}))"
                                                 ).scalar():
                op.execute(f"ALTER TABLE service_record VALIDATE CONSTRAINT {name}")
        op.add_column('ledger_request', sa.Column('activity_id', sa.Integer(), nullable=True))
        op.create_foreign_key(op.f('fk_ledger_request_activity_id_activity'), 'ledger_request', 'activity',
                              ['activity_id'], ['id'])


def downgrade():
    if op.get_bind().dialect.name == "sqlite":
        for name in RULES:
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
        with op.batch_alter_table('ledger_request', schema=None) as batch_op:
            batch_op.drop_column('activity_id')
    else:
        for name in RULES:
            op.execute(f"ALTER TABLE service_record DROP CONSTRAINT IF EXISTS {name}")
        op.drop_constraint(op.f('fk_ledger_request_activity_id_activity'), 'ledger_request', type_='foreignkey')
        op.drop_column('ledger_request', 'activity_id')
