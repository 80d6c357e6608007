"""Lists fixtures: a staff member of the subdistrict and a published first version."""
from __future__ import annotations

import pytest

from app.extensions import db
from app.lists import services
from app.localtime import today

ITEMS = [
    dict(kind="statutory", title="居民委员会选举", category="基层民主", legal_basis="城市居民委员会组织法 第八条",
         keywords="换届、选举、居委会选举"),
    dict(kind="statutory", title="调解民间纠纷", category="人民调解", legal_basis="城市居民委员会组织法 第三条",
         keywords="邻里纠纷、调解、吵架"),
    dict(kind="assisted", title="城乡居民基本养老保险待遇领取资格认证", category="社会保障", department="人社局",
         keywords="养老金资格认证、生存认证、养老认证"),
    dict(kind="assisted", title="低保对象家庭状况核查", category="社会救助", department="民政科",
         keywords="低保、最低生活保障"),
    dict(kind="statutory", title="困难群众生活状况证明", category="证明事项", is_certificate=True,
         materials="身份证、户口簿", keywords="困难证明、贫困证明"),
    dict(kind="excluded", title="居住证明", category="证明事项", is_certificate=True, department="公安派出所",
         keywords="居住地证明、住址证明、居住情况证明"),
    dict(kind="excluded", title="亲属关系证明", category="证明事项", is_certificate=True, department="公安派出所",
         keywords="亲属证明、父子关系证明"),
]


@pytest.fixture
def staff(make_user):
    return make_user("subdistrict_staff")


@pytest.fixture
def published(app, places, staff):
    """Version 1 of the subdistrict's lists, in force since today."""
    def make(items=ITEMS, effective_on=None):
        draft = services.start_draft(staff, places.subdistrict)
        for values in items:
            services.add_item(staff, draft, reason="首次发布", **values)
        version = services.publish(staff, draft, effective_on=effective_on or today())
        db.session.commit()
        return version
    return make


def title_kind(version):
    return {(i.title, i.kind) for i in services.items_of(version)}

