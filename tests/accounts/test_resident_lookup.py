"""One lookup for "the resident this form names": every domain's staff forms
(acting on behalf, blocks, grants, credit lines, meeting seats, priority)
go through accounts.resident_of, one query, scoped to the community."""
from __future__ import annotations

import pytest
import sqlalchemy as sa

from app.accounts.services import resident_of
from app.extensions import db


def test_only_a_verified_active_resident_of_that_community(app, make_user, places):
    resident = make_user()
    unverified, gone = make_user(verified=False), make_user(active=False)
    elsewhere = make_user(community=places.sibling)
    community = places.community.id
    assert resident_of(community, resident.id) == resident
    assert resident_of(community, str(resident.id)) == resident
    assert resident_of(community, f" {resident.id} ") == resident
    for other in (unverified, gone, elsewhere):
        assert resident_of(community, other.id) is None
    assert resident_of(places.sibling.id, elsewhere.id) == elsewhere


@pytest.mark.parametrize("sent", [None, "", "abc", "1_2", "+1", "１", "٣", "-1", "0", str(2**31), "9" * 40])
def test_anything_but_plain_digits_in_range_is_nobody(app, make_user, places, sent):
    make_user()
    community_id = places.community.id
    db.session.commit()
    seen = []

    def record(conn, cursor, statement, *args):
        seen.append(statement)

    sa.event.listen(db.engine, "before_cursor_execute", record)
    try:
        assert resident_of(community_id, sent) is None
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", record)
    assert seen == []  # refused before the database
