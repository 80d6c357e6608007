"""What a phone user met and the page guard (tests/browser/test_page_guard.py)
reported, pinned where a test without a browser can see it: QR images a
browser can decode, a clean CSV header, a favicon, and the wording."""
from __future__ import annotations

import re

from tests.conftest import text


def test_qr_svg_is_a_standalone_svg_a_browser_decodes_as_an_image(app):
    """Served as its own image, the SVG needs its namespace, or <img> shows nothing."""
    from app.web import qr_svg

    with app.test_request_context():
        response = qr_svg("https://example.org/meetings/1/checkin?code=ABC", "签到二维码")
    body = response.get_data(as_text=True)
    assert body.startswith("<svg") and 'xmlns="http://www.w3.org/2000/svg"' in body.split(">", 1)[0]
    assert "<title>签到二维码</title>" in body
    assert response.headers["Content-Type"] == "image/svg+xml"


def test_csv_download_says_its_charset_once_and_keeps_a_readable_ascii_name(app):
    from app.exports import Sheet, download

    with app.test_request_context():
        response = download(Sheet(title="流水", preamble=[], tables=[]), "时间银行流水_20260101-20261130", "csv")
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    disposition = response.headers["Content-Disposition"]
    fallback = disposition.split("filename=", 1)[1].split(";", 1)[0].strip('"')
    assert fallback[0].isalnum() and fallback.endswith("_20260101-20261130.csv")
    assert "filename*=UTF-8''" in disposition  # the Chinese name for browsers that read it


def test_favicon_is_served(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 200 and response.data
    assert response.mimetype.startswith("image/")
    response.close()


# -- wording ----------------------------------------------------------------------------

def _activity(worker, community, places=1):
    from datetime import timedelta

    from app.sqltypes import utcnow
    from app.volunteering import services as activities

    start = utcnow() + timedelta(days=2)
    return activities.publish(worker, community, title="敬老服务", description="陪伴老人", category="助老", place="活动中心",
                              starts_at=start, ends_at=start + timedelta(hours=2),
                              signup_deadline=start - timedelta(hours=2), places=places, minutes=90)


def test_activity_places_are_called_places_not_the_admin_menu(make_user, places, client_for):
    from app.extensions import db

    worker = make_user("social_worker")
    activity = _activity(worker, places.community)
    db.session.commit()
    page = text(client_for(worker).get(f"/activities/{activity.id}"))
    assert "<dt>名额</dt>" in page and "区划管理</dt>" not in page
    form = text(client_for(worker).get(f"/c/{places.community.id}/activities/new"))
    assert ">名额" in form


def test_a_waiting_list_sign_up_says_so_with_the_position(make_user, places, client_for):
    from app.extensions import db
    from app.volunteering import services as activities

    worker = make_user("social_worker")
    first, second, third = make_user(), make_user(), make_user()
    for volunteer in (first, second, third):
        activities.register_volunteer(volunteer, skills="", availability="", consent=True)
    activity = _activity(worker, places.community, places=1)
    db.session.commit()
    for volunteer in (first, second):
        client_for(volunteer).post(f"/activities/{activity.id}/signup")
    c = client_for(third)
    response = c.post(f"/activities/{activity.id}/signup")
    page = text(c.get(response.headers["Location"]))
    assert "已进入候补名单，排第 2 位" in page and "报名成功" not in page


def test_durations_read_as_hours_and_minutes(make_user, places, client_for):
    from datetime import date

    from app.extensions import db
    from app.timebank import ledger

    worker, volunteer = make_user("social_worker"), make_user()
    for n, minutes in enumerate((90, 45)):
        ledger.credit_service(volunteer, minutes, description=f"助老{n}", served_on=date.today(), recorded_by=worker,
                              verified_by=worker, idempotency_key=f"dur-{n}")
    db.session.commit()
    page = text(client_for(volunteer).get("/my/timebank"))
    assert "1 小时 30 分钟" in page and "45 分钟" in page and "2 小时 15 分钟" in page
    assert not re.search(r"\d:\d\d 小时", page)


def test_a_draft_topic_shows_no_supports_and_no_empty_timeline(make_user, places, client_for):
    from app.consultation import services
    from app.extensions import db

    author = make_user()
    topic = services.create_topic(author, places.community, title="垃圾分类", body="东门增设投放点", category_id=None)
    db.session.commit()
    page = text(client_for(author).get(f"/topics/{topic.id}"))
    assert "<progress" not in page and 'id="timeline"' not in page and "暂无。" not in page


def test_resubmitting_a_returned_topic_says_it_was_sent_for_review(make_user, places, client_for):
    from app.consultation import services
    from app.extensions import db

    author, worker = make_user(), make_user("social_worker")
    topic = services.create_topic(author, places.community, title="垃圾分类", body="东门增设投放点", category_id=None,
                                  submit=True)
    services.request_changes(worker, topic, "请写明具体位置")
    db.session.commit()
    c = client_for(author)
    response = c.post(f"/topics/{topic.id}/edit", {"title": "垃圾分类", "body": "东门北侧增设投放点", "category_id": "",
                                                  "location": "", "submit": "review"})
    assert response.status_code == 303
    page = text(c.get(response.headers["Location"]))
    assert "已提交审核，社工审核后公示。" in page and "已保存。" not in page


def test_reporting_a_comment_thanks_once_and_offers_the_way_back(make_user, places, client_for):
    from app.consultation import services
    from app.consultation.models import Stance
    from app.extensions import db

    author, worker, reader = make_user(), make_user("social_worker"), make_user()
    topic = services.create_topic(author, places.community, title="停车难", body="车位不足", category_id=None,
                                  submit=True)
    services.publish(worker, topic)
    comment = services.add_comment(author, topic, body="同意", stance=Stance.support, idempotency_key="k1")
    db.session.commit()
    c = client_for(reader)
    response = c.post(f"/comments/{comment.id}/report", {"reason": "advert", "note": ""},
                      headers={"HX-Request": "true", "HX-Target": "report-box"})
    assert response.status_code == 200
    page = text(response)
    assert page.count("感谢您的举报") == 1  # in the status region only, not again in the box
    assert f'href="/topics/{topic.id}#comment-{comment.id}"' in page


def test_a_wrong_certificate_code_is_a_plain_page_with_the_message_on_the_field(client):
    response = client.get("/verify?code=ZZZZZZZZZZ")
    assert response.status_code == 404
    page = text(response)
    assert "没有这个编码的证明" in page or "No certificate has this code" in page
    # a plain GET, not an htmx request whose 404 would show only the generic "出错了，请重试。"
    assert re.search(r'<form method="get" action="/verify"[^>]*hx-boost="false"', page)
