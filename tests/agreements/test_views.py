"""The pages: a department files and drafts, the subdistrict decides, the committee
declines and signs, the public reads; another side's ids answer 404."""
from __future__ import annotations

from datetime import timedelta

from app.agreements import admission, services
from app.agreements.models import AdmissionRequest, Agreement, AgreementState, RequestState
from app.extensions import db
from app.localtime import today
from tests.conftest import text


def _request_form(places, **over):
    start = today() + timedelta(days=60)
    data = {"communities": [str(places.community.id)], "title": "组织辖区商户消防演练", "description": "",
            "starts_on": start.isoformat(), "ends_on": (start + timedelta(days=7)).isoformat(),
            "workload": "两天，约 20 人次", "claimed_item_id": "0"}
    data.update(over)
    return data


def test_a_department_files_a_request_and_sees_it_at_home(client_for, places, clerk, lists_v1):
    c = client_for(clerk)
    page = c.get(f"/departments/{places.department.id}/requests/new")
    assert page.status_code == 200 and "朝阳社区" in text(page) and "出具居住证明" in text(page)
    response = c.post(f"/departments/{places.department.id}/requests/new", _request_form(places))
    assert response.status_code == 303
    req = db.session.scalar(db.select(AdmissionRequest))
    assert response.headers["Location"].endswith(f"/requests/{req.id}")
    home = text(c.get("/"))
    assert "组织辖区商户消防演练" in home


def test_a_late_or_empty_request_is_422_on_the_field(client_for, places, clerk, lists_v1):
    c = client_for(clerk)
    soon = today() + timedelta(days=3)
    response = c.post(f"/departments/{places.department.id}/requests/new",
                      _request_form(places, starts_on=soon.isoformat(), ends_on=soon.isoformat()))
    assert response.status_code == 422 and 'id="starts_on-error"' in text(response)
    assert "组织辖区商户消防演练" in text(response)  # what was typed stays
    response = c.post(f"/departments/{places.department.id}/requests/new", _request_form(places, communities=[]))
    assert response.status_code == 422 and 'id="communities-error"' in text(response)
    assert db.session.scalar(db.select(db.func.count(AdmissionRequest.id))) == 0


def test_staff_decide_from_the_proposals_and_the_committee_declines(client_for, submit, staff, worker, clerk, item):
    req = submit("老年人高龄津贴资格认证")
    page = client_for(staff).get(f"/requests/{req.id}")
    assert page.status_code == 200 and "高龄津贴资格认证" in text(page)
    response = client_for(staff).post(f"/requests/{req.id}/decide", {"item_id": str(item("高龄津贴资格认证").id)})
    assert response.status_code == 303
    db.session.expire_all()
    assert db.session.get(AdmissionRequest, req.id).state is RequestState.assisted

    unlisted = submit("代收有线电视费")
    assert client_for(staff).post(f"/requests/{unlisted.id}/decide", {"item_id": "0"}).status_code == 303
    c = client_for(worker)
    assert c.post(f"/requests/{unlisted.id}/decline", {"reason": ""}).status_code == 422
    assert c.post(f"/requests/{unlisted.id}/decline", {"reason": "不在清单内"}).status_code == 303
    db.session.expire_all()
    assert db.session.get(AdmissionRequest, unlisted.id).state is RequestState.declined
    assert "不在清单内" in text(client_for(clerk).get(f"/requests/{unlisted.id}"))


def test_other_sides_ids_are_not_found(client_for, submit, draft_agreement, make_user, places):
    req, agreement = submit(), draft_agreement()
    from app.places import services as place_services

    other = place_services.save_department(None, None, subdistrict=places.subdistrict, name="住建科")
    db.session.commit()
    outsiders = [make_user("department_staff", scope=other), make_user("social_worker", scope=places.sibling),
                 make_user("subdistrict_staff", scope=places.other_subdistrict), make_user()]
    for outsider in outsiders:
        c = client_for(outsider)
        assert c.get(f"/requests/{req.id}").status_code == 404
        assert c.get(f"/agreements/{agreement.id}").status_code == 404
        assert c.post(f"/agreements/{agreement.id}/sign").status_code in (403, 404)
    assert client_for(outsiders[0]).get(f"/departments/{places.department.id}").status_code == 404
    assert client_for(outsiders[0]).get(f"/departments/{places.department.id}/requests/new").status_code == 404
    assert client_for(outsiders[2]).get(f"/s/{places.subdistrict.id}/requests").status_code == 404
    assert client_for(outsiders[1]).get(f"/c/{places.community.id}/requests").status_code == 404
    db.session.expire_all()
    assert db.session.get(Agreement, agreement.id).state is AgreementState.draft


def test_drafting_signing_and_the_public_page(client, client_for, places, clerk, worker):
    c = client_for(clerk)
    start = today()
    response = c.post(f"/departments/{places.department.id}/agreements/new", {
        "community_id": str(places.community.id), "title": "困难群众走访委托协议", "starts_on": start.isoformat(),
        "ends_on": (start + timedelta(days=200)).isoformat(), "internal_note": "预算科目 2101"})
    assert response.status_code == 303
    agreement = db.session.scalar(db.select(Agreement))
    url = f"/agreements/{agreement.id}"
    bad = c.post(f"{url}/items", {"title": "入户走访", "due_on": (start + timedelta(days=30)).isoformat(),
                                  "amount": "12.345"})
    assert bad.status_code == 422 and "12.345" in text(bad) and 'id="item-amount-error"' in text(bad)
    assert c.post(f"{url}/items", {"title": "入户走访", "deliverables": "走访记录",
                                   "due_on": (start + timedelta(days=30)).isoformat(),
                                   "amount": "1,200.50"}).status_code == 303
    assert c.post(f"{url}/milestones", {"label": "全款", "due_on": (start + timedelta(days=40)).isoformat(),
                                        "amount": "1200.50"}).status_code == 303
    # an item and a payment added by mistake, removed again
    assert c.post(f"{url}/items", {"title": "误加", "due_on": start.isoformat(), "amount": "1"}).status_code == 303
    assert c.post(f"{url}/milestones", {"label": "误加", "due_on": start.isoformat(), "amount": "1"}).status_code == 303
    db.session.expire_all()
    extra_item = next(i for i in db.session.get(Agreement, agreement.id).items if i.title == "误加")
    extra_milestone = next(m for m in db.session.get(Agreement, agreement.id).milestones if m.label == "误加")
    item_id, milestone_id = extra_item.id, extra_milestone.id
    removed = c.post(f"{url}/items/{item_id}/remove")
    assert removed.status_code == 303 and removed.headers["Location"].endswith("#items")
    assert c.post(f"{url}/milestones/{milestone_id}/remove").status_code == 303
    assert c.post(f"{url}/items/{item_id}/remove").status_code == 404  # gone: not an item of this agreement
    db.session.expire_all()
    assert [i.title for i in db.session.get(Agreement, agreement.id).items] == ["入户走访"]
    assert [m.label for m in db.session.get(Agreement, agreement.id).milestones] == ["全款"]
    assert client.get(url).status_code == 404  # a draft is not public yet
    assert c.post(f"{url}/sign").status_code == 303
    assert client_for(worker).post(f"{url}/sign").status_code == 303
    db.session.expire_all()
    assert db.session.get(Agreement, agreement.id).state is AgreementState.in_force
    public = client.get(url)
    assert public.status_code == 200 and "1200.50" in text(public) and "入户走访" in text(public)
    assert "预算科目" not in text(public)
    assert "预算科目" in text(c.get(url))
    assert "困难群众走访委托协议" in text(client.get(f"/s/{places.subdistrict.id}/agreements"))
    # signed: the edit routes refuse
    assert c.post(f"{url}/items", {"title": "加项", "due_on": start.isoformat(), "amount": "1"}).status_code == 422
    db.session.expire_all()
    assert db.session.get(Agreement, agreement.id).total == services.parse_yuan("1200.50")


def test_fulfilment_is_recorded_on_the_page(client_for, draft_agreement, clerk, worker):
    agreement = draft_agreement()
    services.sign(clerk, agreement)
    services.sign(worker, agreement)
    db.session.commit()
    item, milestone = agreement.items[0], agreement.milestones[0]
    c = client_for(worker)
    url = f"/agreements/{agreement.id}"
    assert c.post(f"{url}/items/{item.id}/fulfilment", {f"f{item.id}-status": "delivered"}).status_code == 422
    assert c.post(f"{url}/items/{item.id}/fulfilment", {f"f{item.id}-status": "delivered",
                                                       f"f{item.id}-evidence": "走访记录 58 户"}).status_code == 303
    assert c.post(f"{url}/milestones/{milestone.id}/payment", {f"p{milestone.id}-amount": "1200",
                                                               f"p{milestone.id}-received_on": today().isoformat()}
                  ).status_code == 303
    page = text(client_for(clerk).get(url))
    assert "走访记录 58 户" in page


def test_reduction_figures_are_public_with_a_chart(client, submit, staff, places, item):
    admission.decide(staff, submit(), item("高龄津贴资格认证").id)
    db.session.commit()
    page = client.get(f"/s/{places.subdistrict.id}/reduction")
    assert page.status_code == 200 and "民政科" in text(page) and "reduction.svg" in text(page)
    chart = client.get(f"/s/{places.subdistrict.id}/reduction.svg")
    assert chart.headers["Content-Type"] == "image/svg+xml" and b"<svg" in chart.data
    bad = client.get(f"/s/{places.subdistrict.id}/reduction?period_from=2026-05-01&period_to=2026-04-01")
    assert bad.status_code == 422
    assert client.get("/s/999999/reduction").status_code == 404


def test_staff_set_the_deadlines(client_for, staff, places):
    c = client_for(staff)
    assert c.post(f"/s/{places.subdistrict.id}/admission-settings",
                  {"notice_days": "10", "decision_days": "0"}).status_code == 422
    assert c.post(f"/s/{places.subdistrict.id}/admission-settings",
                  {"notice_days": "10", "decision_days": "5"}).status_code == 303
    assert admission.settings_for(places.subdistrict.id).notice_days == 10
