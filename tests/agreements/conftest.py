"""A subdistrict with published lists, a department, its staff, the community's committee."""
from __future__ import annotations

from datetime import date, timedelta

import pytest

from app.extensions import db

TODAY = date(2026, 3, 2)  # a Monday


@pytest.fixture
def staff(make_user):
    return make_user("subdistrict_staff")


@pytest.fixture
def lists_v1(places, staff):
    """Version 1: 居住证明 (statutory certificate), 高龄津贴认证 (assisted), 房屋安全鉴定 (excluded)."""
    from app.lists import services as lists
    from app.localtime import today

    draft = lists.start_draft(staff, places.subdistrict)
    lists.add_item(staff, draft, reason="初版", kind="statutory", title="出具居住证明", is_certificate=True,
                   materials="身份证、户口簿", keywords="居住证明、开证明")
    lists.add_item(staff, draft, reason="初版", kind="assisted", title="高龄津贴资格认证",
                   keywords="高龄津贴、养老金认证", department="民政科")
    lists.add_item(staff, draft, reason="初版", kind="excluded", title="房屋安全鉴定", department="住建局",
                   keywords="危房鉴定")
    version = lists.publish(staff, draft, effective_on=today())
    db.session.commit()
    return version


@pytest.fixture
def item(lists_v1):
    def find(title):
        return next(i for i in lists_v1.items if i.title == title)
    return find


@pytest.fixture
def clerk(make_user):
    """民政科's staff member."""
    return make_user("department_staff", display_name="赵干事")


@pytest.fixture
def worker(make_user):
    """The community's social worker (signs and declines for the committee)."""
    return make_user("social_worker", display_name="李社工")


@pytest.fixture
def submit(places, clerk, lists_v1):
    """submit(title=…, **fields) -> the request to 朝阳社区, filed far enough ahead."""
    from app.agreements import admission
    from app.localtime import today

    def make(title="开展老年人高龄津贴资格认证", communities=None, **fields):
        values = dict(description="", starts_on=today() + timedelta(days=60), ends_on=today() + timedelta(days=90),
                      workload="每月约4小时", needs_stamp=False, claimed_item_id=None)
        values.update(fields)
        made = admission.submit(clerk, places.department, communities or [places.community], title=title, **values)
        db.session.commit()
        return made[0]
    return make


@pytest.fixture
def draft_agreement(places, clerk):
    """draft_agreement(items=[("入户走访", "1200.00")], milestones=[("首期款", "1200.00")])"""
    from app.agreements import services
    from app.localtime import today

    def make(items=(("入户走访", "1200.00"),), milestones=None, title="困难群众走访委托协议", request=None):
        start = today() - timedelta(days=30)
        agreement = services.create(clerk, places.department, places.community, title=title, starts_on=start,
                                    ends_on=start + timedelta(days=365), internal_note="内部备注：预算科目 2101",
                                    request=request)
        for name, amount in items:
            services.add_item(clerk, agreement, title=name, deliverables="走访记录表",
                              due_on=start + timedelta(days=60), amount=amount)
        for label, amount in (milestones if milestones is not None else [("全款", str(agreement.total))]):
            services.add_milestone(clerk, agreement, label=label, due_on=start + timedelta(days=90), amount=amount)
        db.session.commit()
        return agreement
    return make
