"""The helpers other domains call before a relative acts for a resident."""
from __future__ import annotations

from app.extensions import db
from app.sqltypes import utcnow
from app.timebank import family
from app.timebank.family_models import FamilyLink, FamilyProxy, LinkStatus, Relation


def _link(a, b, status=LinkStatus.accepted, relation=Relation.child):
    link = FamilyLink(requester_id=a.id, addressee_id=b.id, relation=relation, status=status,
                      pair_low=min(a.id, b.id), pair_high=max(a.id, b.id))
    db.session.add(link)
    db.session.flush()
    return link


def test_can_act_for_needs_an_active_designation_on_an_accepted_link(make_user):
    mother, daughter, stranger = make_user(display_name="王秀英"), make_user(display_name="李娜"), make_user()
    link = _link(mother, daughter)
    assert not family.can_act_for(daughter, mother)  # linked is not enough
    proxy = FamilyProxy(resident_id=mother.id, proxy_id=daughter.id, link_id=link.id, designated_by_id=mother.id)
    db.session.add(proxy)
    db.session.flush()
    assert family.can_act_for(daughter, mother)
    assert not family.can_act_for(mother, daughter)  # one way
    assert not family.can_act_for(stranger, mother)
    assert not family.can_act_for(mother, mother)
    assert [u.id for u in family.residents_represented_by(daughter)] == [mother.id]
    assert [r.person.id for r in family.linked_relatives(mother)] == [daughter.id]
    assert family.linked_relatives(mother)[0].relation is Relation.child
    assert family.linked_relatives(daughter)[0].relation is Relation.parent  # the reverse, seen from the other side
    label = family.acting_label(daughter, mother)
    assert "李娜" in str(label) and family.acting_label(mother, mother) is None
    assert family.on_behalf(daughter, mother)["on_behalf_of"] == mother.id and family.on_behalf(mother, mother) == {}
    daughter.is_active = False
    assert not family.can_act_for(daughter, mother)
    daughter.is_active = True
    proxy.revoked_at = utcnow()
    db.session.flush()
    assert not family.can_act_for(daughter, mother)


def test_an_ended_link_ends_the_proxy(make_user):
    mother, son = make_user(), make_user()
    link = _link(mother, son)
    db.session.add(FamilyProxy(resident_id=mother.id, proxy_id=son.id, link_id=link.id, designated_by_id=mother.id))
    link.status = LinkStatus.ended
    db.session.flush()
    assert not family.can_act_for(son, mother)
    assert family.linked_relatives(mother) == []
