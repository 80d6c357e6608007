"""减负 figures against hand-counted fixtures."""
from __future__ import annotations

from datetime import timedelta

from app.agreements import admission, services, stats
from app.agreements.models import AdmissionRequest
from app.extensions import db
from app.localtime import today


def test_figures_per_department_and_period(submit, staff, worker, clerk, item, places, make_user, draft_agreement):
    # 民政科: 2 admitted under the statutory list, 1 as assistance, 1 under an agreement, 2 declined, 1 open
    for _ in range(2):
        admission.decide(staff, submit("出具居住证明"), item("出具居住证明").id)
    admission.decide(staff, submit(), item("高龄津贴资格认证").id)
    entrusted = submit("组织消防演练")
    admission.decide(staff, entrusted, None)
    agreement = draft_agreement(request=entrusted)
    services.sign(clerk, agreement)
    services.sign(worker, agreement)
    for _ in range(2):
        declined = submit("代收有线电视费")
        admission.decide(staff, declined, None)
        admission.decline(worker, declined, "不在清单内")
    submit("人口抽样调查")
    # another department of the subdistrict: 1 declined
    from app.places import services as place_services

    other = place_services.save_department(None, None, subdistrict=places.subdistrict, name="住建科")
    other_clerk = make_user("department_staff", scope=other)
    far = today() + timedelta(days=60)
    req = admission.submit(other_clerk, other, [places.sibling], title="危房排查", description="", starts_on=far,
                           ends_on=far, workload="全社区", needs_stamp=False, claimed_item_id=None)[0]
    admission.decide(staff, req, None)
    admission.decline(make_user("committee_member", scope=places.sibling), req, "应由住建部门负责")
    # last year's request does not count this year
    old = submit("去年的工作")
    old.submitted_at = old.submitted_at - timedelta(days=400)
    db.session.commit()

    rows = stats.figures(places.subdistrict.id, today().replace(month=1, day=1), today())
    table = {r.department.name: r.values() for r in rows}
    #                 made admitted assisted agreement declined
    assert table == {"民政科": [7, 2, 1, 1, 2], "住建科": [1, 0, 0, 0, 1]}
    assert stats.totals(rows) == [8, 2, 1, 1, 3]
    assert [r.department.name for r in rows] == ["民政科", "住建科"]
    assert stats.figures(places.other_subdistrict.id, today().replace(month=1, day=1), today()) == []
    assert db.session.scalar(db.select(db.func.count(AdmissionRequest.id))) == 9


def test_the_chart_is_an_svg_with_the_departments(submit, staff, places, item):
    admission.decide(staff, submit(), item("高龄津贴资格认证").id)
    rows = stats.figures(places.subdistrict.id, today() - timedelta(days=1), today())
    labels = {c: c for c in stats.COLUMNS}
    svg = stats.chart_svg(rows, labels, "减负").decode()
    assert svg.startswith("<svg") and "民政科" in svg and "xmlns" in svg
