"""Versions: drafting from the version in force, what is in force when, the
field-level comparison, and the scoped loaders."""
from __future__ import annotations

from datetime import timedelta
from fractions import Fraction

import pytest

from app.domain import DomainError, Forbidden, NotFound
from app.extensions import db
from app.lists import services
from app.lists.models import ItemKind, VersionState
from app.localtime import today


def test_first_publication_is_version_one_and_in_force(places, staff, published):
    assert services.version_in_force(places.subdistrict.id) is None
    v1 = published()
    assert (v1.number, v1.state) == (1, VersionState.published)
    assert services.version_in_force(places.subdistrict.id).id == v1.id
    assert services.version_in_force(places.other_subdistrict.id) is None
    assert services.version_in_force(places.subdistrict.id, on=today() - timedelta(days=1)) is None


def test_a_future_version_takes_over_on_its_day(places, staff, published):
    v1 = published()
    draft = services.start_draft(staff, places.subdistrict)
    assert draft.based_on_id == v1.id and len(services.items_of(draft)) == len(services.items_of(v1))
    item = next(i for i in services.items_of(draft) if i.title == "调解民间纠纷")
    services.change_item(staff, item, reason="依据修订", **{**_values(item), "legal_basis": "人民调解法 第三十四条"})
    v2 = services.publish(staff, draft, effective_on=today() + timedelta(days=10))
    db.session.commit()
    assert v2.number == 2
    assert services.version_in_force(places.subdistrict.id).id == v1.id
    assert services.version_in_force(places.subdistrict.id, on=today() + timedelta(days=10)).id == v2.id
    assert [v.number for v in services.published_versions(places.subdistrict.id)] == [2, 1]


def _values(item):
    return {f: getattr(item, f) for f in services.FIELDS}


def test_diff_is_item_by_item_and_field_by_field(places, staff, published):
    v1 = published()
    draft = services.start_draft(staff, places.subdistrict)
    items = {i.title: i for i in services.items_of(draft)}
    services.change_item(staff, items["居住证明"], reason="改由派出所出具",
                         **{**_values(items["居住证明"]), "department": "太仓市公安局", "materials": "身份证"})
    services.remove_item(staff, items["低保对象家庭状况核查"], reason="并入社会救助事项")
    added = services.add_item(staff, draft, reason="新增", kind="assisted", title="退役军人信息采集",
                              department="退役军人事务局", keywords="退役军人")
    d = services.diff(v1, draft)
    assert [i.title for i in d.added] == ["退役军人信息采集"] and d.added[0].id == added.id
    assert [(r.item.title, r.reason) for r in d.removed] == [("低保对象家庭状况核查", "并入社会救助事项")]
    assert len(d.changed) == 1
    change = d.changed[0]
    assert [(f.name, f.old, f.new) for f in change.fields] == [
        ("department", "公安派出所", "太仓市公安局"), ("materials", "", "身份证")]
    assert change.new.change_reason == "改由派出所出具"
    assert d.unchanged == len(services.items_of(v1)) - 2
    # an item added and removed in the same draft never shows as removed
    services.remove_item(staff, added, reason="误加")
    assert services.diff(v1, draft).added == []
    # kind changes count as a field change
    services.change_item(staff, items["调解民间纠纷"], reason="调整", **{**_values(items["调解民间纠纷"]),
                                                                     "kind": ItemKind.assisted})
    assert ("kind", ItemKind.statutory, ItemKind.assisted) in [
        (f.name, f.old, f.new) for c in services.diff(v1, draft).changed for f in c.fields]


def test_published_versions_never_change(places, staff, published):
    v1 = published()
    item = services.items_of(v1)[0]
    with pytest.raises(DomainError):
        services.change_item(staff, item, reason="x", **{**_values(item), "title": "别的"})
    with pytest.raises(DomainError):
        services.remove_item(staff, item, reason="x")
    with pytest.raises(DomainError):
        services.add_item(staff, v1, reason="x", kind="statutory", title="新事项")


def test_rules_for_items_and_publishing(places, staff, published):
    v1 = published()
    draft = services.start_draft(staff, places.subdistrict)
    with pytest.raises(DomainError) as e:
        services.start_draft(staff, places.subdistrict)  # one draft at a time
    with pytest.raises(DomainError) as e:
        services.add_item(staff, draft, reason="", kind="statutory", title="新事项")
    assert e.value.field == "reason"
    with pytest.raises(DomainError) as e:
        services.add_item(staff, draft, reason="r", kind="nonsense", title="新事项")
    assert e.value.field == "kind"
    with pytest.raises(DomainError) as e:
        services.add_item(staff, draft, reason="r", kind="statutory", title=" 居住证明 ")
    assert e.value.field == "title"  # same name as an item already there
    with pytest.raises(DomainError) as e:
        services.add_item(staff, draft, reason="r", kind="assisted", title="无犯罪记录证明", is_certificate=True)
    assert e.value.field == "materials"
    with pytest.raises(DomainError) as e:
        services.add_item(staff, draft, reason="r", kind="excluded", title="无犯罪记录证明")
    assert e.value.field == "department"
    with pytest.raises(DomainError) as e:
        services.publish(staff, draft, effective_on=today() - timedelta(days=1))
    assert e.value.field == "effective_on"
    services.publish(staff, draft, effective_on=today())
    assert services.version_in_force(places.subdistrict.id).number == 2
    assert v1.number == 1


def test_keywords_are_split_on_either_separator(places, staff):
    draft = services.start_draft(staff, places.subdistrict)
    item = services.add_item(staff, draft, reason="r", kind="statutory", title="事项",
                             keywords="甲、乙,丙，丁 、 甲")
    assert item.keywords == "甲、乙、丙、丁" and item.keyword_list == ["甲", "乙", "丙", "丁"]


def test_loaders_scope_drafts_and_editing(places, staff, published, make_user):
    v1 = published()
    draft = services.start_draft(staff, places.subdistrict)
    db.session.commit()
    other_staff = make_user("subdistrict_staff", scope=places.other_subdistrict)
    resident = make_user()
    admin = make_user("admin")
    assert services.list_version_for(None, v1.id).id == v1.id  # the public reads published versions
    assert services.list_version_for(staff, draft.id, to="edit").id == draft.id
    for user in (None, resident, other_staff):
        with pytest.raises(NotFound):
            services.list_version_for(user, draft.id)
    for user in (resident, other_staff, admin):
        with pytest.raises(Forbidden):
            services.list_version_for(user, v1.id, to="edit")
    assert services.list_version_for(admin, draft.id).id == draft.id
    with pytest.raises(NotFound):
        services.list_version_for(staff, 999999)
    with pytest.raises(Forbidden):
        services.subdistrict_for(other_staff, places.subdistrict.id, to="keep")
    with pytest.raises(Forbidden):
        services.start_draft(other_staff, places.subdistrict)
    assert services.actions_for(staff, draft).publish and not services.actions_for(other_staff, draft).publish
    assert not services.actions_for(staff, v1).revise  # a draft is already open


def test_scores_are_exact(places, staff, published):
    v1 = published()
    for m in services.match_items(v1, "养老金资格认证"):
        assert isinstance(m.score, Fraction)
