"""The lists' pages as people use them: the public reads and asks, staff revise
and publish, another subdistrict's staff see nothing of a draft."""
from __future__ import annotations

import io
from datetime import timedelta

from openpyxl import Workbook

from app.extensions import db
from app.lists import services, xlsx
from app.lists.models import ListVersion
from app.localtime import today
from tests.conftest import text


def test_public_pages_without_login(client, places, staff, published):
    v1 = published()
    sid = places.subdistrict.id
    page = client.get(f"/subdistricts/{sid}/lists")
    assert page.status_code == 200
    body = text(page)
    assert "居住证明" in body and "调解民间纠纷" in body and f"/subdistricts/{sid}/lists/ask" in body
    assert f"/subdistricts/{sid}/lists/certificates.svg" in body and "<table" in body
    assert "/manage" not in body
    chart = client.get(f"/subdistricts/{sid}/lists/certificates.svg")
    assert chart.status_code == 200 and chart.content_type.startswith("image/svg+xml") and b"<svg" in chart.data
    assert client.get(f"/subdistricts/{sid}/lists/versions").status_code == 200
    assert client.get(f"/lists/versions/{v1.id}").status_code == 200
    download = client.get(f"/lists/versions/{v1.id}/lists.xlsx")
    assert download.status_code == 200 and download.content_type == xlsx.XLSX_TYPE if hasattr(xlsx, "XLSX_TYPE") \
        else download.content_type.startswith("application/vnd.openxmlformats")
    assert client.get("/subdistricts/99999/lists").status_code == 404


def test_asking_in_plain_words(client, places, staff, published):
    published()
    sid = places.subdistrict.id
    cancelled = text(client.get(f"/subdistricts/{sid}/lists/ask", query_string={"q": "开居住证明需要找社区吗？"}))
    assert "answer-cancelled" in cancelled and "公安派出所" in cancelled
    issued = text(client.get(f"/subdistricts/{sid}/lists/ask", query_string={"q": "我要开困难证明"}))
    assert "answer-yes" in issued and "身份证、户口簿" in issued
    nothing = client.get(f"/subdistricts/{sid}/lists/ask", query_string={"q": "宠物狗疫苗"})
    assert nothing.status_code == 200 and "answer-none" in text(nothing)
    too_long = client.get(f"/subdistricts/{sid}/lists/ask", query_string={"q": "证" * 101})
    assert too_long.status_code == 422


def test_community_and_home_pages_link_to_the_lists(client, places, staff, published):
    published()
    link = f"/subdistricts/{places.subdistrict.id}/lists"
    assert link in text(client.get(f"/c/{places.community.id}"))
    assert link in text(client.get("/"))


def test_staff_revise_preview_and_publish(client_for, places, staff, published):
    v1 = published()
    c = client_for(staff)
    sid = places.subdistrict.id
    assert c.get(f"/subdistricts/{sid}/lists/manage").status_code == 200
    started = c.post(f"/subdistricts/{sid}/lists/drafts")
    assert started.status_code == 303
    draft = services.open_draft(sid)
    assert started.headers["Location"].endswith(f"/lists/drafts/{draft.id}")
    again = c.post(f"/subdistricts/{sid}/lists/drafts")  # one draft at a time: refused with a message
    assert again.status_code == 303 and services.open_draft(sid).id == draft.id

    new = {"kind": "assisted", "title": "退役军人信息采集", "department": "退役军人事务局", "keywords": "退役军人",
           "reason": "区里新增"}
    missing_reason = c.post(f"/lists/drafts/{draft.id}/items/new", {**new, "reason": ""})
    assert missing_reason.status_code == 422 and "退役军人信息采集" in text(missing_reason)
    assert c.post(f"/lists/drafts/{draft.id}/items/new", new).status_code == 303
    item = next(i for i in services.items_of(draft) if i.title == "居住证明")
    form = {f: getattr(item, f) for f in services.FIELDS}
    form.update(kind=item.kind.name, is_certificate="y", department="太仓市公安局", reason="机构调整")
    assert c.get(f"/lists/drafts/{draft.id}/items/{item.id}/edit").status_code == 200
    assert c.post(f"/lists/drafts/{draft.id}/items/{item.id}/edit", form).status_code == 303
    gone = next(i for i in services.items_of(draft) if i.title == "亲属关系证明")
    assert c.post(f"/lists/drafts/{draft.id}/items/{gone.id}/remove", {"reason": ""}).status_code == 422
    assert c.post(f"/lists/drafts/{draft.id}/items/{gone.id}/remove", {"reason": "已并入"}).status_code == 303

    preview = text(c.get(f"/lists/drafts/{draft.id}/preview"))
    assert "退役军人信息采集" in preview and "<del>公安派出所</del>" in preview and "<ins>太仓市公安局</ins>" in preview
    assert "已并入" in preview and "机构调整" in preview

    past = c.post(f"/lists/drafts/{draft.id}/publish", {"effective_on": (today() - timedelta(days=1)).isoformat()})
    assert past.status_code == 422 and 'aria-invalid="true"' in text(past)
    published_ = c.post(f"/lists/drafts/{draft.id}/publish", {"effective_on": today().isoformat(), "note": "第二版"})
    assert published_.status_code == 303
    db.session.expire_all()
    v2 = services.version_in_force(sid)
    assert v2.number == 2 and v2.note == "第二版"
    compare = text(c.get(f"/subdistricts/{sid}/lists/compare", query_string={"a": v1.id, "b": v2.id}))
    assert "<ins>太仓市公安局</ins>" in compare and "已并入" in compare
    default = text(c.get(f"/subdistricts/{sid}/lists/compare"))  # in force against the one before
    assert "<ins>太仓市公安局</ins>" in default
    # a published version is not a draft any more
    assert c.get(f"/lists/drafts/{v2.id}").status_code == 404
    assert c.post(f"/lists/drafts/{v2.id}/items/new", new).status_code == 404


def test_discarding_a_draft(client_for, places, staff, published):
    published()
    c = client_for(staff)
    c.post(f"/subdistricts/{places.subdistrict.id}/lists/drafts")
    draft_id = services.open_draft(places.subdistrict.id).id
    assert c.post(f"/lists/drafts/{draft_id}/discard").status_code == 303
    db.session.expire_all()
    assert services.open_draft(places.subdistrict.id) is None
    assert db.session.get(ListVersion, draft_id) is None


def _upload(rows):
    book = Workbook()
    book.active.append(list(xlsx.HEADERS))
    for r in rows:
        book.active.append(list(r))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_import_through_the_page(client_for, places, staff):
    c = client_for(staff)
    sid = places.subdistrict.id
    bad = c.post(f"/subdistricts/{sid}/lists/import", {
        "file": (io.BytesIO(_upload([("依法履职", "事项甲", "", "", "", "", "否", "", ""),
                                     ("其他", "事项乙", "", "", "", "", "否", "", "")])), "清单.xlsx")},
        content_type="multipart/form-data")
    assert bad.status_code == 422
    body = text(bad)
    assert "import-problems" in body and ">3<" in body and "清单类别" in body
    assert services.open_draft(sid) is None
    good = c.post(f"/subdistricts/{sid}/lists/import", {
        "file": (io.BytesIO(_upload([("依法履职", "事项甲", "", "", "", "", "否", "", "")])), "清单.xlsx")},
        content_type="multipart/form-data")
    assert good.status_code == 303
    assert [i.title for i in services.items_of(services.open_draft(sid))] == ["事项甲"]
    nofile = c.post(f"/subdistricts/{sid}/lists/import", {}, content_type="multipart/form-data")
    assert nofile.status_code == 422


def test_another_subdistricts_staff_and_residents(client_for, client, places, staff, published, make_user):
    v1 = published()
    draft = services.start_draft(staff, places.subdistrict)
    item = services.items_of(draft)[0]
    db.session.commit()
    sid = places.subdistrict.id
    other = client_for(make_user("subdistrict_staff", scope=places.other_subdistrict))
    assert other.get(f"/subdistricts/{sid}/lists/manage").status_code == 403
    assert other.post(f"/subdistricts/{sid}/lists/drafts").status_code == 403
    assert other.post(f"/subdistricts/{sid}/lists/import").status_code == 403
    for url in (f"/lists/drafts/{draft.id}", f"/lists/drafts/{draft.id}/preview",
                f"/lists/drafts/{draft.id}/items/new", f"/lists/drafts/{draft.id}/items/{item.id}/edit",
                f"/lists/versions/{draft.id}", f"/lists/versions/{draft.id}/lists.xlsx"):
        assert other.get(url).status_code == 404, url
    assert other.post(f"/lists/drafts/{draft.id}/publish", {"effective_on": today().isoformat()}).status_code == 404
    assert other.post(f"/lists/drafts/{draft.id}/discard").status_code == 404
    # a draft of this subdistrict cannot be compared in another's pages, nor read by the public
    assert client.get(f"/lists/versions/{draft.id}").status_code == 404
    assert client.get(f"/subdistricts/{sid}/lists/compare", query_string={"a": v1.id, "b": draft.id}).status_code \
        == 404
    assert client.get(f"/subdistricts/{places.other_subdistrict.id}/lists/compare",
                      query_string={"a": v1.id, "b": v1.id}).status_code == 404
    resident = client_for(make_user())
    assert resident.get(f"/lists/drafts/{draft.id}").status_code == 403
    assert client.get(f"/lists/drafts/{draft.id}").status_code == 302  # log in first
    # item of another draft through this draft's URL
    assert client_for(staff).get(f"/lists/drafts/{draft.id}/items/{services.items_of(v1)[0].id}/edit").status_code \
        == 404


def test_posts_need_the_csrf_token(client_for, places, staff):
    c = client_for(staff)
    assert c.post(f"/subdistricts/{places.subdistrict.id}/lists/drafts", csrf=False).status_code in (400, 403)
    assert services.open_draft(places.subdistrict.id) is None
