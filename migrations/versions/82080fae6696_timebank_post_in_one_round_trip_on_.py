"""timebank: posting in one round trip on PostgreSQL (timebank_post function)

Revision ID: 82080fae6696
Revises: 63d6807c6b40
Create Date: 2026-11-23 08:40:00

On PostgreSQL `ledger.post` calls this function instead of sending its five
statements one by one: the same steps in the same order (lock the accounts in
id order and read them; refuse another community, a missing account or a
broken floor; insert the transaction unless the initiator's idempotency key
was used; postings; cached balances; the audit entry). The CHECK constraints,
the unique key and the append-only triggers back it exactly as they back the
SQLite path, and the whole test suite runs against both.

A leg names an account or a resident (the resident's account, so a transfer
needs no look-up first). With `p_unit_default` the amount moved must be a
multiple of the community's unit (that default when it set none). It answers
with a status instead of raising, so a refused posting leaves the caller's
transaction usable, as the SQLite path does: posted | replay (the key was
used: txn_id is that transaction) | short (a floor would break) | unit (not a
multiple of `unit`) | communities | missing (no such account, or a resident
without one yet).
"""
from alembic import op


revision = '82080fae6696'
down_revision = '63d6807c6b40'
branch_labels = None
depends_on = None


TIMEBANK_POST = """
CREATE FUNCTION timebank_post(
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
    INSERT INTO posting (txn_id, account_id, amount)
        SELECT txn_id, l.a, l.m FROM unnest(v_legs, p_amounts) WITH ORDINALITY AS l(a, m, n) ORDER BY l.n;
    UPDATE account AS a SET balance = a.balance + d.s
      FROM unnest(account_ids, v_deltas) AS d(id, s) WHERE a.id = d.id AND d.s <> 0;
    INSERT INTO audit_entry (at, actor_id, action, object_type, object_id, community_id, detail, ip)
        VALUES (p_at, p_initiated_by, 'timebank.' || p_kind, 'txn', txn_id, community_id,
                json_build_object('legs', v_audit_legs, 'confirmed_by', p_confirmed_by),
                p_ip);
    status := 'posted';
END $$
"""

SIGNATURE = ("timebank_post(varchar, integer[], integer[], integer[], integer, integer, varchar, varchar, varchar, "
             "integer, integer, timestamptz, integer, varchar)")


def upgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute(TIMEBANK_POST)


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"DROP FUNCTION IF EXISTS {SIGNATURE}")
