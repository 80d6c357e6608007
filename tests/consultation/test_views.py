"""Consultation pages and fragments through the client."""
from __future__ import annotations

import io
import re

import pytest
import sqlalchemy as sa
from PIL import Image

from app.consultation import photos as photo_files
from app.consultation import services
from app.consultation.models import Comment, Photo, Support, Topic, TopicState
from app.extensions import db
from tests.conftest import text

S = TopicState


def _image(fmt="JPEG", size=(800, 600), exif=True) -> bytes:
    image = Image.new("RGB", size, (200, 120, 40))
    out = io.BytesIO()
    kwargs = {}
    if exif and fmt == "JPEG":
        data = Image.Exif()
        data[0x010F] = "SecretCam"  # Make
        data[0x0131] = "SecretSoftware"  # Software
        kwargs["exif"] = data.tobytes()
    image.save(out, format=fmt, **kwargs)
    return out.getvalue()


def _post_topic(client, places, **extra):
    data = {"title": "楼道堆物清理", "body": "5幢楼道长期堆放杂物，存在消防隐患。", "category_id": "",
            "location": "5幢", "submit": "review"}
    data.update(extra)
    return client.post(f"/c/{places.community.id}/topics/new", data, content_type="multipart/form-data")


def test_resident_posts_and_public_cannot_see_until_published(client_for, client, make_user, places, moderator,
                                                               settings):
    settings()
    resident = make_user(display_name="王阿姨", login="13912340001")
    c = client_for(resident)
    response = _post_topic(c, places)
    assert response.status_code == 303
    topic = db.session.scalar(sa.select(Topic))
    assert topic.state is S.pending_review
    assert client.get(f"/topics/{topic.id}").status_code == 404
    assert c.get(f"/topics/{topic.id}").status_code == 200
    mod = client_for(moderator)
    queue = text(mod.get(f"/c/{places.community.id}/moderation"))
    assert "楼道堆物清理" in queue
    assert mod.post(f"/topics/{topic.id}/moderate", {"action": "publish"}).status_code == 303
    page = client.get(f"/topics/{topic.id}")
    assert page.status_code == 200 and "楼道堆物清理" in text(page) and resident.phone not in text(page)
    assert "楼道堆物清理" in text(client.get(f"/c/{places.community.id}/topics"))


def test_topic_form_errors_keep_input(client_for, make_user, places, settings):
    settings()
    c = client_for(make_user())
    response = _post_topic(c, places, title="", body="描述保留")
    assert response.status_code == 422 and "描述保留" in text(response) and "请给议题起个标题" in text(response)
    long = _post_topic(c, places, title="长" * 61)
    assert long.status_code == 422 and "最多 60 个字符" in text(long)


XSS = ['<script>alert(1)</script>', '"><img src=x onerror=alert(1)>', '<a hx-get="/admin">x</a>',
       'javascript:alert(1)']


@pytest.mark.parametrize("payload", XSS)
def test_user_text_is_escaped_everywhere(client_for, client, make_user, places, moderator, settings, payload):
    settings()
    resident = make_user(display_name=payload[:40])
    c = client_for(resident)
    _post_topic(c, places, title=payload[:60], body=payload, location=payload[:100])
    topic = db.session.scalar(sa.select(Topic))
    client_for(moderator).post(f"/topics/{topic.id}/moderate", {"action": "publish"})
    c.post(f"/topics/{topic.id}/comments", {"body": payload, "stance": "neutral", "idempotency_key": "x1"})
    pages = [client.get(f"/topics/{topic.id}"), client.get(f"/c/{places.community.id}/topics"),
             c.get(f"/topics/{topic.id}", headers={"HX-Request": "true"}),
             client_for(moderator).get(f"/c/{places.community.id}/moderation"),
             c.post(f"/topics/{topic.id}/comments", {"body": payload, "stance": "support", "idempotency_key": "x2"},
                    headers={"HX-Request": "true"})]
    for page in pages:
        body = text(page)
        assert "<script>alert(1)" not in body
        assert "<img src=x" not in body
        assert '<a hx-get="/admin">' not in body
        assert 'href="javascript:' not in body


def test_support_button_fragment_and_no_js(client_for, make_user, make_topic):
    topic = make_topic(S.published)
    c = client_for(make_user())
    fragment = c.post(f"/topics/{topic.id}/support", headers={"HX-Request": "true"})
    body = text(fragment)
    assert fragment.status_code == 200 and "<html" not in body and 'id="support-box"' in body
    assert "<strong>1</strong>" in body and 'hx-swap-oob="true"' in body
    again = c.post(f"/topics/{topic.id}/support", headers={"HX-Request": "true"})
    assert again.status_code == 422 and "您已附议" in text(again)
    plain = client_for(make_user()).post(f"/topics/{topic.id}/support")
    assert plain.status_code == 303
    assert db.session.scalar(sa.select(sa.func.count(Support.id))) == 2
    withdrawn = c.post(f"/topics/{topic.id}/unsupport", headers={"HX-Request": "true"})
    assert "<strong>1</strong>" in text(withdrawn)


def test_unverified_resident_sees_why_and_cannot_support(client_for, make_user, make_topic):
    topic = make_topic(S.published)
    c = client_for(make_user(verified=False))
    assert "居住认证通过后" in text(c.get(f"/topics/{topic.id}"))
    response = c.post(f"/topics/{topic.id}/support")
    assert response.status_code == 303
    assert topic.support_count == 0 and db.session.scalar(sa.select(sa.func.count(Support.id))) == 0


def test_social_worker_supports_on_behalf_of_a_resident(client_for, make_user, make_topic, moderator):
    topic = make_topic(S.published)
    elder = make_user(display_name="孙奶奶")
    response = client_for(moderator).post(f"/topics/{topic.id}/support", {"on_behalf_of": str(elder.id)})
    assert response.status_code == 303
    support = db.session.scalar(sa.select(Support))
    assert support.user_id == elder.id and support.proxy_id == moderator.id
    resident = client_for(make_user())
    assert resident.post(f"/topics/{topic.id}/support", {"on_behalf_of": str(elder.id)}).status_code == 403


def test_follow_toggle_fragment(client_for, make_user, make_topic):
    topic = make_topic(S.published)
    c = client_for(make_user())
    on = c.post(f"/topics/{topic.id}/follow", {"follow": "1"}, headers={"HX-Request": "true"})
    assert 'aria-pressed="true"' in text(on) and "<html" not in text(on)
    off = c.post(f"/topics/{topic.id}/follow", {"follow": "0"}, headers={"HX-Request": "true"})
    assert 'aria-pressed="false"' in text(off)


def test_comment_post_fragment_and_double_submit(client_for, make_user, make_topic):
    topic = make_topic(S.published)
    c = client_for(make_user())
    data = {"body": "支持！电梯早装早受益", "stance": "support", "idempotency_key": "tap-1"}
    first = c.post(f"/topics/{topic.id}/comments", data, headers={"HX-Request": "true"})
    second = c.post(f"/topics/{topic.id}/comments", data, headers={"HX-Request": "true"})
    assert first.status_code == 200 and 'id="comments"' in text(first) and "<html" not in text(first)
    assert "电梯早装早受益" in text(second)
    assert db.session.scalar(sa.select(sa.func.count(Comment.id))) == 1
    empty = c.post(f"/topics/{topic.id}/comments", {"body": "", "stance": "support", "idempotency_key": "tap-2"},
                   headers={"HX-Request": "true"})
    assert empty.status_code == 422 and "请先写下评论" in text(empty)
    plain = c.post(f"/topics/{topic.id}/comments", {"body": "无JS评论", "stance": "oppose", "idempotency_key": "p"})
    assert plain.status_code == 303 and "#comment-" in plain.headers["Location"]


def test_comment_edit_delete_and_report_pages(client_for, make_user, make_topic):
    topic = make_topic(S.published)
    author, other = make_user(), make_user()
    comment = services.add_comment(author, topic, body="原话", stance=services.Stance.neutral, idempotency_key="z")
    db.session.commit()
    a = client_for(author)
    assert a.get(f"/comments/{comment.id}/edit").status_code == 200
    assert a.post(f"/comments/{comment.id}/edit", {"body": "改过", "stance": "support"}).status_code == 303
    o = client_for(other)
    assert o.get(f"/comments/{comment.id}/edit").status_code == 403
    report = o.post(f"/comments/{comment.id}/report", {"reason": "abuse"}, headers={"HX-Request": "true"})
    assert report.status_code == 200 and "感谢" in text(report)
    again = o.post(f"/comments/{comment.id}/report", {"reason": "abuse"})
    assert again.status_code == 422 and "已经举报" in text(again)
    assert a.post(f"/comments/{comment.id}/delete").status_code == 303
    assert "已删除" in text(o.get(f"/topics/{topic.id}"))


def test_a_refused_delete_answers_with_the_forms_message(app, client_for, make_user, make_topic):
    """A delete whose form does not validate (an expired token) goes back to
    the comment with the form's message, not a 403, and deletes nothing."""
    topic = make_topic(S.published)
    author = make_user()
    comment = services.add_comment(author, topic, body="还在", stance=services.Stance.neutral, idempotency_key="d")
    db.session.commit()
    app.config["WTF_CSRF_CHECK_DEFAULT"] = False  # the form's own check decides
    a = client_for(author)
    refused = a.post(f"/comments/{comment.id}/delete", csrf=False)
    assert refused.status_code == 303 and f"#comment-{comment.id}" in refused.headers["Location"]
    assert "表单已过期或来源无效，请刷新页面后重试。" in text(a.get(refused.headers["Location"]))
    db.session.refresh(comment)
    assert comment.deleted_at is None and comment.body == "还在"


def test_photo_upload_is_reencoded_without_metadata(client_for, make_user, places, settings, client):
    settings()
    c = client_for(make_user())
    raw = _image()
    assert b"SecretCam" in raw
    response = _post_topic(c, places, photos=[(io.BytesIO(raw), "site.jpg")])
    assert response.status_code == 303, text(response)[:3000]
    photo = db.session.scalar(sa.select(Photo))
    assert photo.content_type == "image/jpeg" and b"SecretCam" not in photo.data
    assert "exif" not in Image.open(io.BytesIO(photo.data)).info
    own = c.get(f"/photos/{photo.token}")
    assert own.status_code == 200 and own.headers["Content-Type"] == "image/jpeg"
    assert own.headers["X-Content-Type-Options"] == "nosniff"
    assert client.get(f"/photos/{photo.token}").status_code == 404  # not public until published


def test_photo_type_is_checked_from_content(client_for, make_user, places, settings, monkeypatch):
    settings()
    c = client_for(make_user())
    fake = _post_topic(c, places, photos=[(io.BytesIO(b"<svg onload=alert(1)></svg>"), "cat.jpg")])
    assert fake.status_code == 422 and "JPEG、PNG 或 WebP" in text(fake)
    gif = io.BytesIO()
    Image.new("RGB", (10, 10)).save(gif, format="GIF")
    assert _post_topic(c, places, photos=[(io.BytesIO(gif.getvalue()), "x.png")]).status_code == 422
    assert photo_files.MAX_BYTES == 5 * 1024 * 1024
    monkeypatch.setattr(photo_files, "MAX_BYTES", 100_000)  # a small stand-in keeps the upload in memory
    big = _post_topic(c, places, photos=[(io.BytesIO(_image("PNG", (200, 200)) + b"0" * 100_000), "big.png")])
    assert big.status_code == 422 and "5 MB" in text(big)
    four = _post_topic(c, places, photos=[(io.BytesIO(_image("PNG")), f"{i}.png") for i in range(4)])
    assert four.status_code == 422 and "最多 3 张" in text(four)
    assert db.session.scalar(sa.select(sa.func.count(Topic.id))) == 0  # nothing half-written


def test_webp_and_large_images_are_scaled(client_for, make_user, places, settings):
    settings()
    c = client_for(make_user())
    response = _post_topic(c, places, photos=[(io.BytesIO(_image("WEBP", (3200, 1000))), "w.webp")])
    assert response.status_code == 303
    photo = db.session.scalar(sa.select(Photo))
    assert photo.content_type == "image/webp" and (photo.width, photo.height) == (1600, 500)


def test_list_load_more_fragment_and_no_js_next_link(client_for, client, make_topic, make_user, places):
    author = make_user()
    for i in range(22):
        make_topic(title=f"议题{i:02d}", author=author)
    page = text(client.get(f"/c/{places.community.id}/topics"))
    assert "议题21" in page and "议题01" not in page
    more = re.search(r'href="(/c/\d+/topics\?cursor=[^"]+)"', page).group(1).replace("&amp;", "&")
    fragment = client.get(more, headers={"HX-Request": "true"})
    body = text(fragment)
    assert "<html" not in body and "议题01" in body and "议题21" not in body
    assert "<html" in text(client.get(more))


def test_search_through_the_page(client, make_topic, places):
    make_topic(title="加装电梯意见征集")
    make_topic(title="停车难", body="车位太少")
    body = text(client.get(f"/c/{places.community.id}/topics?q=电梯"))
    assert "加装电梯意见征集" in body and "停车难" not in body


def test_full_moderator_flow_through_the_pages(client_for, make_topic, make_user, moderator, places):
    topic = make_topic(S.published)
    mod = client_for(moderator)
    assert mod.post(f"/topics/{topic.id}/moderate", {"action": "deliberate", "reason": "两委会研究"}).status_code == 303
    assert mod.post(f"/topics/{topic.id}/agenda", {"reason": "12月居民代表会议"}).status_code == 303
    no_outcome = mod.post(f"/topics/{topic.id}/decision", {"reason": "x"})
    assert no_outcome.status_code == 422
    assert mod.post(f"/topics/{topic.id}/decision", {"outcome": "adopted", "reason": "19人应到，15人赞成"}).status_code == 303
    assert mod.post(f"/topics/{topic.id}/progress", {"note": "已完成设计方案公示",
                                                      "photos": [(io.BytesIO(_image()), "p.jpg")]},
                    content_type="multipart/form-data").status_code == 303
    assert mod.post(f"/topics/{topic.id}/moderate", {"action": "complete", "reason": "电梯已投入使用"}).status_code == 303
    db.session.refresh(topic)
    assert topic.state is S.completed
    resident = client_for(make_user())
    assert resident.post(f"/topics/{topic.id}/rating", {"score": "5", "comment": "很满意"}).status_code == 303
    page = text(resident.get(f"/topics/{topic.id}"))
    for fragment in ["两委会研究", "12月居民代表会议", "19人应到，15人赞成", "已完成设计方案公示", "电梯已投入使用", "5.0"]:
        assert fragment in page, fragment
    missing = resident.post(f"/topics/{topic.id}/rating", {})
    assert missing.status_code == 422


def test_merge_through_the_page(client_for, make_topic, moderator):
    source, target = make_topic(S.published, title="来源"), make_topic(S.published, title="目标")
    mod = client_for(moderator)
    bad = mod.post(f"/topics/{source.id}/merge", {"target": "99999", "reason": "重复"})
    assert bad.status_code == 422 and "没有这个编号的议题" in text(bad)
    ok = mod.post(f"/topics/{source.id}/merge", {"target": str(target.id), "reason": "重复"})
    assert ok.status_code == 303 and ok.headers["Location"] == f"/topics/{target.id}"
    assert f"/topics/{target.id}" in text(mod.get(f"/topics/{source.id}"))


def test_moderation_queue_fragments(client_for, make_topic, make_user, moderator, places):
    topic = make_topic(S.pending_review)
    mod = client_for(moderator)
    fragment = mod.post(f"/topics/{topic.id}/moderate", {"action": "publish", "from": "queue"},
                        headers={"HX-Request": "true"})
    assert fragment.status_code == 200 and f'id="queue-topic-{topic.id}"' in text(fragment)
    assert "<html" not in text(fragment)
    published = make_topic(S.published)
    comment = services.add_comment(make_user(), published, body="垃圾广告", stance=services.Stance.neutral,
                                   idempotency_key="q")
    db.session.commit()
    hidden = mod.post(f"/comments/{comment.id}/moderate", {"action": "hide", "reason": "广告"},
                      headers={"HX-Request": "true"})
    assert f'id="queue-comment-{comment.id}"' in text(hidden) and "广告" in text(hidden)
    empty_reason = mod.post(f"/comments/{comment.id}/moderate", {"action": "restore"})
    assert empty_reason.status_code == 303
    bogus = mod.post(f"/topics/{topic.id}/moderate", {"action": "explode"})
    assert bogus.status_code == 400


def test_settings_and_blocks_pages(client_for, moderator, make_user, places):
    mod = client_for(moderator)
    assert "加装电梯" in text(mod.get(f"/c/{places.community.id}/consultation-settings"))
    bad = mod.post(f"/c/{places.community.id}/consultation-settings", {
        "support_threshold": "0", "support_basis": "residents", "reports_to_hide": "3", "rating_window_days": "30",
        "keywords": "广告", "categories": "环境"})
    assert bad.status_code == 422 and 'value="0"' in text(bad)
    ok = mod.post(f"/c/{places.community.id}/consultation-settings", {
        "support_threshold": "5", "support_basis": "households", "reports_to_hide": "3", "rating_window_days": "30",
        "keywords": "广告\n代开发票", "categories": "社区环境\n加装电梯"})
    assert ok.status_code == 303
    assert services.settings_for(places.community.id).support_threshold == 5
    resident = make_user(display_name="捣乱者")
    assert mod.post(f"/c/{places.community.id}/blocks", {"user_id": str(resident.id), "days": "3",
                                                         "reason": "多次发广告"}).status_code == 303
    assert "捣乱者" in text(mod.get(f"/c/{places.community.id}/blocks"))
    block = services.blocks_of(places.community.id)[0]
    assert mod.post(f"/blocks/{block.id}/lift").status_code == 303
    assert services.blocks_of(places.community.id) == []


def test_proxy_topic_through_the_page(client_for, moderator, make_user, places, settings):
    settings()
    elder = make_user(display_name="钱阿婆")
    response = _post_topic(client_for(moderator), places, on_behalf_of=str(elder.id))
    assert response.status_code == 303
    topic = db.session.scalar(sa.select(Topic))
    assert topic.author_id == elder.id and topic.proxy_id == moderator.id
    page = text(client_for(moderator).get(f"/topics/{topic.id}"))
    assert "钱阿婆" in page and "李社工" in page


def test_other_community_moderator_gets_404(client_for, make_user, make_topic, places):
    topic = make_topic(S.pending_review)
    outsider = client_for(make_user("social_worker", scope=places.other))
    assert outsider.post(f"/topics/{topic.id}/moderate", {"action": "publish"}).status_code == 404
    assert outsider.get(f"/c/{places.community.id}/moderation").status_code == 404
    db.session.refresh(topic)
    assert topic.state is S.pending_review


def test_report_form_opens_in_place(client_for, make_user, make_topic):
    topic = make_topic(S.published)
    c = client_for(make_user())
    page = text(c.get(f"/topics/{topic.id}"))
    assert 'hx-target="#report-slot-topic"' in page
    fragment = c.get(f"/topics/{topic.id}/report", headers={"HX-Request": "true"})
    body = text(fragment)
    assert fragment.status_code == 200 and "<html" not in body and 'id="report-box"' in body
    assert 'hx-post="/topics/' in body
    done = c.post(f"/topics/{topic.id}/report", {"reason": "untrue"}, headers={"HX-Request": "true"})
    assert "感谢您的举报" in text(done) and "<html" not in text(done)


def test_report_link_and_form_only_for_verified_residents_of_the_community(client_for, make_user, make_topic,
                                                                           places):
    topic = make_topic(S.published)
    outsider = client_for(make_user(community=places.other))
    assert 'report-link' not in text(outsider.get(f"/topics/{topic.id}"))
    refused = outsider.post(f"/topics/{topic.id}/report", {"reason": "untrue"})
    assert refused.status_code == 422 and "只有本社区居民" in text(refused)
    assert 'report-link' in text(client_for(make_user()).get(f"/topics/{topic.id}"))


def test_topic_page_queries_do_not_grow_with_commenters(app, client, make_topic, make_user):
    """Comment authors load together: the page costs the same number of queries for 2 or 8 commenters."""
    import sqlalchemy as sa

    topic = make_topic()

    def queries_with(n: int) -> int:
        for i in range(n):
            services.add_comment(make_user(display_name=f"邻居{i}"), topic, body=f"意见{i}",
                                 stance=services.Stance.support, idempotency_key=f"q{n}-{i}")
        db.session.commit()
        seen: list[str] = []

        def count(conn, cursor, statement, *args):
            seen.append(statement)

        sa.event.listen(db.engine, "before_cursor_execute", count)
        try:
            assert client.get(f"/topics/{topic.id}").status_code == 200
        finally:
            sa.event.remove(db.engine, "before_cursor_execute", count)
        return len(seen)

    assert queries_with(2) == queries_with(6)
