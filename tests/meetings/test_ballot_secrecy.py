"""A secret ballot cannot be linked to its voter from anything the database or
the audit log keeps: every column of every row written while members vote,
the order of ids and timestamps, physical order (SQLite rowid, PostgreSQL
ctid) and the transaction ids PostgreSQL stamps on each row (xmin, xmax).

The test is an indistinguishability check. The same six members vote, in the
same order and each in a transaction of their own, on two secret motions A
and B; every member's choice on B differs from their choice on A while the
totals are the same. Whatever the database kept about A is then compared with
what it kept about B, after taking out only the motion's own id and the
absolute values of ids, times and positions (their *order* is kept, as ranks,
and each transaction id is replaced by the voter whose receipt carries it).
If the two records are the same, nothing in them depends on who chose what:
any way of rejoining receipts to choices gives the same answer for A and B,
so it is wrong for at least one of them. Before the fix (a choice row with
a sequential id written in the voter's transaction) the records differ.
"""
from __future__ import annotations

from datetime import datetime, timezone
from decimal import Decimal

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.meetings import agenda, attendance, bodies, figures, motions, votes
from app.meetings.models import BodyKind, Choice

Y, N, A = Choice.yes, Choice.no, Choice.abstain
ON_A = [Y, N, A, Y, N, A]
ON_B = [N, A, Y, A, Y, N]  # every member differs from A; the same totals
WHEN = datetime(2026, 12, 5, 1, 30, tzinfo=timezone.utc)


@pytest.fixture
def chair(make_user):
    return make_user("social_worker", display_name="李社工")


@pytest.fixture
def two_secret_motions(app, places, chair, make_user):
    body = bodies.save_body(chair, places.community, name="居民代表会议", kind=BodyKind.residents_representatives)
    people = [make_user(display_name=f"代表{i}") for i in range(6)]
    for person in people:
        bodies.add_member(chair, body, user=person)
    meeting = agenda.schedule_meeting(chair, body, title="无记名表决", starts_at=WHEN, place="会议室",
                                        free_items=["事项"])
    for person in people:
        attendance.check_in(person, meeting, meeting.checkin_code)
    # the same title and no agenda item: the two motions differ only in how each member votes
    motion_a = motions.open_motion(chair, meeting, title="表决", secret=True)
    motion_b = motions.open_motion(chair, meeting, title="表决", secret=True)
    db.session.commit()
    return people, motion_a, motion_b


def _dump(backend: str) -> dict[str, list[dict]]:
    """Every row of every table, with its physical position and (PostgreSQL)
    the ids of the transactions that wrote and last locked it."""
    system = 'ctid::text AS "_loc", xmin::text AS "_xmin", xmax::text AS "_xmax", ' if backend == "postgresql" \
        else 'rowid AS "_loc", '
    rows = {}
    for table in db.metadata.sorted_tables:
        result = db.session.execute(sa.text(f'SELECT {system}* FROM "{table.name}"'))
        rows[table.name] = [dict(r._mapping) for r in result]
    return rows


def _motion_of(table: sa.Table, row: dict, motion_ids: set[int]) -> int | None:
    """Which motion a row is about: the motion itself, a row referring to it,
    or the audit entry of an action on it."""
    if table.name == "motion":
        return row["id"]
    if table.name == "audit_entry":
        return row["object_id"] if row["object_type"] == "motion" and row["object_id"] in motion_ids else None
    for column in table.columns:
        if any(fk.column.table.name == "motion" for fk in column.foreign_keys) and row[column.name] in motion_ids:
            return row[column.name]
    return None


def _order_key(value):
    if isinstance(value, str) and value.startswith("("):  # a ctid "(page,offset)"
        page, offset = value.strip("()").split(",")
        return (int(page), int(offset))
    if isinstance(value, str) and value.isdigit():
        return int(value)
    return value


def _record_of(motion_id: int, written: dict[str, list[dict]]) -> list[tuple]:
    """What the database kept about one motion, without its id and without the
    absolute values of ids, times and positions: their order remains, as each
    row's rank, and a transaction id becomes the member whose receipt has it."""
    voter_of_xid = {r["_xmin"]: r["member_id"] for r in written.get("ballot_receipt", [])
                    if r["motion_id"] == motion_id and "_xmin" in r}
    record = []
    for table in db.metadata.sorted_tables:
        rows = [r for r in written.get(table.name, []) if _motion_of(table, r, {motion_id}) == motion_id]
        refers = {c.name for c in table.columns if any(fk.column.table.name == "motion" for fk in c.foreign_keys)}
        refers |= {"motion": {"id"}, "audit_entry": {"object_id"}}.get(table.name, set())
        ordered = {name for name in ("_loc", "_xmin", "_xmax", "id")}
        ordered |= {c.name for c in table.columns if isinstance(c.type, sa.DateTime)
                    or getattr(c.type, "impl", None) is not None and isinstance(c.type.impl, sa.DateTime)}
        for row in rows:
            signature = [table.name]
            for name, value in sorted(row.items()):
                if name in ("_xmin", "_xmax"):
                    signature.append((name, voter_of_xid.get(value, "another transaction")))
                if name in ordered:
                    present = [r[name] for r in rows if r[name] is not None]
                    rank = sorted(present, key=_order_key).index(value) if value is not None else None
                    signature.append((name + " rank", rank))
                elif name in refers:
                    signature.append((name, "this motion" if value == motion_id else value))
                else:
                    signature.append((name, value if not isinstance(value, dict) else sorted(value.items())))
            record.append(tuple(signature))
    return sorted(record, key=repr)


def test_receipts_and_audit_rows_cannot_be_rejoined_to_choices(two_secret_motions, backend):
    people, motion_a, motion_b = two_secret_motions
    ids = {motion_a.id, motion_b.id}
    before = _dump(backend)
    for person, on_a, on_b in zip(people, ON_A, ON_B, strict=True):
        votes.cast_vote(person, motion_a, on_a)
        db.session.commit()  # one request, one transaction, as on the members' phones
        votes.cast_vote(person, motion_b, on_b)
        db.session.commit()
    after = _dump(backend)

    def content(row):  # a foreign key check only locks the row it refers to (xmax): nothing is written there
        return repr(sorted((k, v) for k, v in row.items() if k != "_xmax"))

    written: dict[str, list[dict]] = {}
    for table in db.metadata.sorted_tables:
        old = {content(r) for r in before[table.name]}
        new = [r for r in after[table.name] if content(r) not in old]
        for row in new:
            # anything written while members voted that is not about A or B could carry a choice unseen
            assert _motion_of(table, row, ids) in ids, f"{table.name} row written during the vote: {row}"
        written[table.name] = [r for r in after[table.name] if _motion_of(table, r, ids) in ids]
    assert written["ballot_receipt"], "the receipts are what the test rejoins from"

    record_a, record_b = _record_of(motion_a.id, written), _record_of(motion_b.id, written)
    assert record_a == record_b, "what the database keeps about a secret ballot depends on who chose what"

    # and the result is still exact: 2 in favour, 2 against, 2 abstaining on each
    for motion in (motion_a, motion_b):
        result = figures.figures_for(motion)
        assert (result.yes, result.no, result.abstain) == (2, 2, 2)


def test_no_ballot_row_carries_a_voters_floor_area(app, places, chair, make_user):
    """业主大会 needs the area in favour, but an area on a ballot is as good as a
    name: areas are summed in the ballot box, never kept per ballot."""
    body = bodies.save_body(chair, places.community, name="业主大会", kind=BodyKind.owners_assembly)
    owners = [make_user(display_name=f"业主{i}") for i in range(4)]
    for owner, area in zip(owners, ["89.50", "120.00", "75.25", "60.75"], strict=True):
        bodies.add_member(chair, body, user=owner, area=Decimal(area))
    meeting = agenda.schedule_meeting(chair, body, title="业主大会", starts_at=WHEN, place="会所", free_items=["事项"])
    for owner in owners:
        attendance.check_in(owner, meeting, meeting.checkin_code)
    motion = motions.open_motion(chair, meeting, title="事项", item=meeting.items[0], secret=True)
    for owner, choice in zip(owners, [Y, Y, N, N], strict=True):  # no total is one owner's area
        votes.cast_vote(owner, motion, choice)
    db.session.commit()
    result = figures.figures_for(motion)
    assert (result.yes, result.no, result.area_yes) == (2, 2, Decimal("209.50"))
    areas = {"89.50", "120.00", "75.25", "60.75", "89.5", "120", "120.0"}
    for table in db.metadata.sorted_tables:
        if table.name in ("body_member",):
            continue
        for row in db.session.execute(sa.select(table)).mappings():
            assert not any(str(v) in areas for v in row.values()), f"{table.name} keeps a member's area: {dict(row)}"


def test_migration_keeps_every_ballot_in_the_box(app, places, chair, make_user):
    """Ballots stored one per row before the ballot box are all counted in it
    (and downgrading writes them back as rows with the same sums)."""
    from flask_migrate import downgrade, upgrade

    from app.meetings.models import BallotBox, MotionRoll

    body = bodies.save_body(chair, places.community, name="业主大会", kind=BodyKind.owners_assembly)
    owners = [make_user(display_name=f"业主{i}") for i in range(4)]
    for owner, area in zip(owners, ["89.50", "120.00", "75.25", "60.75"], strict=True):
        bodies.add_member(chair, body, user=owner, area=Decimal(area))
    meeting = agenda.schedule_meeting(chair, body, title="业主大会", starts_at=WHEN, place="会所", free_items=["事项"])
    for owner in owners:
        attendance.check_in(owner, meeting, meeting.checkin_code)
    motion = motions.open_motion(chair, meeting, title="事项", item=meeting.items[0], secret=True)
    for owner, choice in zip(owners[:3], [Y, Y, N], strict=True):
        votes.cast_vote(owner, motion, choice)
    motion_id = motion.id
    db.session.commit()
    db.session.close()

    downgrade(revision="82080fae6696")
    old = sa.table("secret_ballot", sa.column("motion_id"), sa.column("choice"), sa.column("area", sa.Numeric(10, 2)))
    with db.engine.begin() as conn:
        rows = conn.execute(sa.select(old.c.choice, old.c.area).where(old.c.motion_id == motion_id)).all()
        assert sorted(c for c, _ in rows) == ["no", "yes", "yes"]
        assert sum(a or 0 for c, a in rows if c == "yes") == Decimal("209.50")
        conn.execute(old.insert().values(motion_id=motion_id, choice="abstain", area=Decimal("60.75")))
    upgrade()

    box = db.session.get(BallotBox, motion_id)
    assert (box.yes, box.no, box.abstain) == (2, 1, 1)
    assert (box.area_yes, box.area_no, box.area_abstain) == (Decimal("209.50"), Decimal("75.25"), Decimal("60.75"))
    assert "secret_ballot" not in sa.inspect(db.session.connection()).get_table_names()
    # the open motion's roll is filled from the attendance: all four checked in
    assert db.session.scalar(sa.select(sa.func.count()).select_from(MotionRoll)
                             .where(MotionRoll.motion_id == motion_id, MotionRoll.is_present.is_(True))) == 4
