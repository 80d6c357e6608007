"""timebank: each posting stores the account's balance after it; (account_id, id) index

Revision ID: b7d41c2e9a50
Revises: a4d2c8e61f37
Create Date: 2026-11-25 09:00:00

A statement's opening and closing balances are then one index lookup (the
last posting before the period starts, its `balance_after`) instead of a sum
over the whole history, and a period's movements are a range of the
`(account_id, id)` index, read a page at a time.

Existing postings get a running sum per account in posting id order (the
order the ledger wrote them in, under the accounts' locks). The append-only
triggers are lifted for that one UPDATE and restored in the same migration.
`timebank_post` is replaced (same signature) to write the column with each
posting: the locked balance plus the running sum of the account's legs.

On SQLite a NOT NULL column can only be added with a default, and rebuilding
the table would drop its append-only triggers: the column gets DEFAULT 0
there, which no insert uses (both posting paths always write the column, and
`flask timebank verify` checks every value).
"""
import importlib.util
from pathlib import Path

from alembic import op
import sqlalchemy as sa


revision = 'b7d41c2e9a50'
down_revision = 'a4d2c8e61f37'
branch_labels = None
depends_on = None


TIMEBANK_POST = """
CREATE OR REPLACE FUNCTION timebank_post(
    p_kind varchar, p_accounts integer[], p_users integer[], p_amounts integer[], p_initiated_by integer,
    p_confirmed_by integer, p_key varchar, p_memo varchar, p_reference_type varchar, p_reference_id integer,
    p_reverses integer, p_at timestamptz, p_unit_default integer, p_ip varchar,
    OUT status varchar, OUT txn_id integer, OUT community_id integer, OUT unit integer,
    OUT account_ids integer[], OUT balances integer[])
LANGUAGE plpgsql AS $$
DECLARE
    v_legs integer[] := p_accounts;
    v_deltas integer[];
    v_audit_legs json;
    v_moved integer := 0;
    v_amount integer;
    v_found integer := 0;
    v_short boolean := false;
    r record;
BEGIN
    IF p_users IS NOT NULL THEN  -- a leg names an account, or a resident whose account it is
        SELECT array_agg(COALESCE(l.a, (SELECT x.id FROM account AS x WHERE x.user_id = l.u)) ORDER BY l.n)
          INTO v_legs FROM unnest(p_accounts, p_users) WITH ORDINALITY AS l(a, u, n);
        IF array_position(v_legs, NULL) IS NOT NULL THEN
            status := 'missing';
            RETURN;
        END IF;
    END IF;
    -- one change per account, in id order (the order the locks are taken in), and the legs for the audit entry
    SELECT array_agg(d.a ORDER BY d.a), array_agg(d.s ORDER BY d.a),
           (SELECT json_agg(json_build_array(l.a, l.m) ORDER BY l.n)
              FROM unnest(v_legs, p_amounts) WITH ORDINALITY AS l(a, m, n))
      INTO account_ids, v_deltas, v_audit_legs
      FROM (SELECT l.a, sum(l.m)::integer AS s FROM unnest(v_legs, p_amounts) AS l(a, m) GROUP BY l.a) AS d;
    balances := account_ids;
    FOR r IN SELECT a.id, a.community_id, a.kind, a.balance, a.floor FROM account AS a
              WHERE a.id = ANY(account_ids) ORDER BY a.id FOR UPDATE LOOP
        v_found := v_found + 1;
        IF community_id IS NULL THEN
            community_id := r.community_id;
        ELSIF community_id <> r.community_id THEN
            status := 'communities';
            RETURN;
        END IF;
        balances[v_found] := r.balance + v_deltas[v_found];
        IF r.kind <> 'issuance' AND balances[v_found] < r.floor THEN
            v_short := true;
        END IF;
    END LOOP;
    IF v_found <> cardinality(account_ids) THEN
        status := 'missing';
        RETURN;
    END IF;
    IF p_unit_default IS NOT NULL THEN  -- the amount moved is a multiple of the community's unit
        unit := COALESCE((SELECT s.unit_minutes FROM timebank_settings AS s WHERE s.community_id = r.community_id),
                         p_unit_default);
        FOREACH v_amount IN ARRAY p_amounts LOOP
            v_moved := v_moved + greatest(v_amount, 0);
        END LOOP;
        IF v_moved % unit <> 0 THEN
            status := 'unit';
            RETURN;
        END IF;
    END IF;
    IF NOT v_short THEN
        INSERT INTO txn (community_id, kind, reference_type, reference_id, reverses_id, initiated_by_id,
                         confirmed_by_id, idempotency_key, memo, created_at)
        VALUES (community_id, p_kind, p_reference_type, p_reference_id, p_reverses, p_initiated_by,
                p_confirmed_by, p_key, p_memo, p_at)
        ON CONFLICT (initiated_by_id, idempotency_key) DO NOTHING
        RETURNING id INTO txn_id;
    END IF;
    IF txn_id IS NULL THEN
        -- a replay of a form that went through earlier is neither a new posting nor an overdraft
        SELECT t.id INTO txn_id FROM txn AS t WHERE t.initiated_by_id = p_initiated_by AND t.idempotency_key = p_key;
        status := CASE WHEN txn_id IS NULL THEN 'short' ELSE 'replay' END;
        RETURN;
    END IF;
    -- each posting carries its account's balance right after it: the balance read under the lock
    -- (the new balance less the transaction's change) plus the account's legs so far, in leg order
    INSERT INTO posting (txn_id, account_id, amount, balance_after)
        SELECT txn_id, l.a, l.m, d.b - d.s + sum(l.m) OVER (PARTITION BY l.a ORDER BY l.n)
          FROM unnest(v_legs, p_amounts) WITH ORDINALITY AS l(a, m, n)
          JOIN unnest(account_ids, balances, v_deltas) AS d(id, b, s) ON d.id = l.a
         ORDER BY l.n;
    UPDATE account AS a SET balance = a.balance + d.s
      FROM unnest(account_ids, v_deltas) AS d(id, s) WHERE a.id = d.id AND d.s <> 0;
    INSERT INTO audit_entry (at, actor_id, action, object_type, object_id, community_id, detail, ip)
        VALUES (p_at, p_initiated_by, 'timebank.' || p_kind, 'txn', txn_id, community_id,
                json_build_object('legs', v_audit_legs, 'confirmed_by', p_confirmed_by),
                p_ip);
    status := 'posted';
END $$
"""

BACKFILL_PG = """
UPDATE posting AS p SET balance_after = r.balance_after
  FROM (SELECT id, sum(amount) OVER (PARTITION BY account_id ORDER BY id) AS balance_after FROM posting) AS r
 WHERE r.id = p.id
"""

BACKFILL_SQLITE = """
UPDATE posting SET balance_after = r.balance_after
  FROM (SELECT id, sum(amount) OVER (PARTITION BY account_id ORDER BY id) AS balance_after FROM posting) AS r
 WHERE r.id = posting.id
"""


def _previous_function() -> str:
    """`timebank_post` as migration 82080fae6696 created it (for the downgrade)."""
    path = Path(__file__).with_name("82080fae6696_timebank_post_in_one_round_trip_on_.py")
    spec = importlib.util.spec_from_file_location("timebank_post_82080fae6696", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.TIMEBANK_POST.replace("CREATE FUNCTION", "CREATE OR REPLACE FUNCTION", 1)


def upgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER TABLE posting ADD COLUMN balance_after integer")
        op.execute("ALTER TABLE posting DISABLE TRIGGER posting_append_only")
        op.execute(BACKFILL_PG)
        op.execute("ALTER TABLE posting ENABLE TRIGGER posting_append_only")
        op.execute("ALTER TABLE posting ALTER COLUMN balance_after SET NOT NULL")
        op.execute(TIMEBANK_POST)
    else:
        op.execute("ALTER TABLE posting ADD COLUMN balance_after INTEGER NOT NULL DEFAULT 0")
        op.execute("DROP TRIGGER posting_no_update")
        op.execute(BACKFILL_SQLITE)
        op.execute("CREATE TRIGGER posting_no_update BEFORE UPDATE ON posting "
                   "BEGIN SELECT RAISE(ABORT, 'posting is append-only'); END")
    op.create_index("ix_posting_account_id_id", "posting", ["account_id", "id"])
    op.drop_index("ix_posting_account_id", table_name="posting")


def downgrade():
    op.create_index("ix_posting_account_id", "posting", ["account_id"])
    op.drop_index("ix_posting_account_id_id", table_name="posting")
    if op.get_bind().dialect.name == "postgresql":
        op.execute(_previous_function())
    op.execute("ALTER TABLE posting DROP COLUMN balance_after")
