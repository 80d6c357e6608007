"""A hostile or careless keeper of the lists: other subdistricts' drafts, a replayed
publication, and an effective date typed decades ahead."""
from __future__ import annotations

from datetime import timedelta

from app.extensions import db
from app.lists import services
from app.lists.models import ListVersion
from app.localtime import today


def test_other_subdistricts_drafts_and_a_replayed_publication(client_for, places, staff, published, make_user):
    published()
    draft = services.start_draft(staff, places.subdistrict)
    db.session.commit()
    far = client_for(make_user("subdistrict_staff", scope=places.other_subdistrict))
    for url in (f"/lists/drafts/{draft.id}", f"/lists/drafts/{draft.id}/preview",
                f"/lists/drafts/{draft.id}/items/new"):
        assert far.get(url).status_code in (403, 404), url
    assert far.post(f"/lists/drafts/{draft.id}/publish", {"effective_on": today().isoformat()}).status_code in (403,
                                                                                                                 404)
    assert far.post(f"/lists/drafts/{draft.id}/discard").status_code in (403, 404)
    c = client_for(staff)
    assert c.post(f"/lists/drafts/{draft.id}/publish", {"effective_on": today().isoformat()}).status_code == 303
    again = c.post(f"/lists/drafts/{draft.id}/publish", {"effective_on": today().isoformat()})  # the second tab
    assert again.status_code in (404, 422)
    numbers = [v.number for v in db.session.query(ListVersion).filter_by(subdistrict_id=places.subdistrict.id)]
    assert sorted(numbers) == [1, 2]


def test_a_version_cannot_take_effect_decades_ahead(client_for, places, staff, published):
    """Every later version must take effect on or after this one's date, and a
    published version never changes: 2206 typed for 2026 would freeze the lists
    for 180 years. The date field refuses it; the draft stays open."""
    published()
    draft = services.start_draft(staff, places.subdistrict)
    db.session.commit()
    c = client_for(staff)
    typo = today().replace(year=today().year + 180)
    page = c.post(f"/lists/drafts/{draft.id}/publish", {"effective_on": typo.isoformat()})
    assert page.status_code == 422
    db.session.expire_all()
    assert services.open_draft(places.subdistrict.id).id == draft.id
    assert c.post(f"/lists/drafts/{draft.id}/publish",
                  {"effective_on": (today() + timedelta(days=90)).isoformat()}).status_code == 303
