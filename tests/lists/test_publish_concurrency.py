"""Publishing is atomic: two publishes at the same moment never both win (both databases)."""
from __future__ import annotations

import sqlalchemy as sa

from app.domain import DomainError
from app.extensions import db
from app.lists import services
from app.lists.models import ListItem, ListVersion, VersionState
from app.localtime import today
from tests.conftest import run_in_threads


def _published_count(subdistrict_id):
    return db.session.scalar(sa.select(sa.func.count()).select_from(ListVersion).where(
        ListVersion.subdistrict_id == subdistrict_id, ListVersion.state == VersionState.published))


def test_the_same_draft_published_twice_at_once(app, places, staff, published):
    published()
    draft = services.start_draft(staff, places.subdistrict)
    db.session.commit()
    ids = (staff.id, draft.id)

    def prepare(_n):
        from app.accounts.models import User
        return db.session.get(User, ids[0]), db.session.get(ListVersion, ids[1])

    errors = run_in_threads(app, [1, 2], lambda s: services.publish(s[0], s[1], effective_on=today()), prepare)
    assert len(errors) == 1 and isinstance(errors[0], DomainError), errors
    assert _published_count(places.subdistrict.id) == 2
    assert services.version_in_force(places.subdistrict.id).number == 2


def test_two_drafts_of_the_same_version_cannot_both_be_published(app, places, staff, published):
    v1 = published()
    # two drafts revising v1 (the service allows one at a time; here made by hand, as a second
    # server racing the first could have)
    drafts = []
    for title in ("甲事项", "乙事项"):
        d = ListVersion(subdistrict_id=places.subdistrict.id, state=VersionState.draft, based_on_id=v1.id)
        db.session.add(d)
        db.session.flush()
        db.session.add(ListItem(version_id=d.id, item_key=title.encode().hex()[:32], kind=services.ItemKind.statutory,
                                title=title))
        drafts.append(d.id)
    db.session.commit()
    staff_id = staff.id  # read here: a thread touching the test's session would hold SQLite's lock

    def prepare(draft_id):
        from app.accounts.models import User
        return db.session.get(User, staff_id), db.session.get(ListVersion, draft_id)

    errors = run_in_threads(app, drafts, lambda s: services.publish(s[0], s[1], effective_on=today()), prepare)
    assert len(errors) == 1 and isinstance(errors[0], DomainError), errors
    db.session.expire_all()
    assert _published_count(places.subdistrict.id) == 2
    numbers = db.session.scalars(sa.select(ListVersion.number).where(
        ListVersion.subdistrict_id == places.subdistrict.id).order_by(ListVersion.id)).all()
    assert sorted(n for n in numbers if n) == [1, 2]
    in_force = services.version_in_force(places.subdistrict.id)
    assert in_force.number == 2 and len(services.items_of(in_force)) == 1


def test_two_drafts_started_at_once_leave_one(app, places, staff, published):
    published()
    staff_id, subdistrict_id = staff.id, places.subdistrict.id

    def prepare(_n):
        from app.accounts.models import User
        from app.places.models import Subdistrict
        return db.session.get(User, staff_id), db.session.get(Subdistrict, subdistrict_id)

    errors = run_in_threads(app, [1, 2], lambda s: services.start_draft(s[0], s[1]), prepare)
    assert len(errors) == 1 and isinstance(errors[0], DomainError), errors
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ListVersion).where(
        ListVersion.state == VersionState.draft)) == 1
