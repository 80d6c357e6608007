"""Consultation rules, called directly (议题 states, supports, comments, reports, moderation)."""
from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from app.audit.models import AuditEntry
from app.consultation import services
from app.consultation.models import (
    Comment,
    Follow,
    Outcome,
    ReportReason,
    ReportTarget,
    Stance,
    Support,
    SupportBasis,
    TopicEvent,
    TopicState,
)
from app.domain import DomainError, NotFound
from app.extensions import db
from app.notifications.models import Notification

S = TopicState


def _kinds(user):
    return [n.kind for n in db.session.scalars(sa.select(Notification).where(Notification.user_id == user.id))]


# -- the state machine ------------------------------------------------------------------

def test_every_transition_in_the_table_is_allowed_and_others_refused(make_topic, moderator):
    topic = make_topic(S.draft)
    for target in S:
        if target in services.ALLOWED[S.draft]:
            continue
        with pytest.raises(DomainError):
            services.transition(topic, target, moderator)
    assert topic.state is S.draft
    services.transition(topic, S.pending_review, moderator)
    assert topic.state is S.pending_review


def test_terminal_states_allow_nothing(make_topic, moderator):
    topic = make_topic(S.completed)
    for target in S:
        with pytest.raises(DomainError):
            services.transition(topic, target, moderator)


def test_full_flow_records_a_public_timeline_with_who_and_why(make_topic, moderator):
    topic = make_topic(S.completed)
    events = services.timeline(topic, None)
    assert [e.to_state for e in events] == [S.published, S.deliberating, S.decided, S.in_progress, S.completed]
    assert events[1].note == "社区两委研究后提交议事会" and events[1].actor_id == moderator.id
    assert topic.outcome is Outcome.adopted and topic.rating_closes_at is not None
    # the author also sees the private steps (draft → review)
    private = services.timeline(topic, topic.author)
    assert private[0].to_state is S.pending_review
    actions = set(db.session.scalars(sa.select(AuditEntry.action).where(AuditEntry.object_id == topic.id)))
    assert {"consultation.create_topic", "consultation.transition"} <= actions


def test_rejected_decision_stays_decided(make_topic, moderator):
    topic = make_topic(S.deliberating)
    services.record_decision(moderator, topic, Outcome.rejected, "表决未通过")
    assert topic.state is S.decided and topic.outcome is Outcome.rejected
    with pytest.raises(DomainError):
        services.add_progress(moderator, topic, "进展")


def test_moderator_reject_and_resubmit(make_topic, moderator):
    topic = make_topic(S.pending_review)
    with pytest.raises(DomainError):
        services.reject(moderator, topic, "  ")
    services.reject(moderator, topic, "涉及个人隐私，请删除门牌号")
    assert topic.state is S.rejected_by_moderator and topic.moderator_note == "涉及个人隐私，请删除门牌号"
    assert "consultation.moderated" in _kinds(topic.author)
    services.update_topic(topic.author, topic, title=topic.title, body="修改后的描述", category_id=None)
    services.submit_topic(topic.author, topic)
    assert topic.state is S.pending_review


def test_request_changes_returns_a_draft_with_the_note(make_topic, moderator):
    topic = make_topic(S.pending_review)
    services.request_changes(moderator, topic, "请补充具体位置")
    assert topic.state is S.draft and topic.moderator_note == "请补充具体位置"


def test_withdraw_only_by_author_and_before_decision(make_topic, make_user):
    topic = make_topic(S.published)
    with pytest.raises(DomainError):
        services.withdraw_topic(make_user(), topic)
    services.withdraw_topic(topic.author, topic, "已自行解决")
    assert topic.state is S.withdrawn
    decided = make_topic(S.in_progress)
    with pytest.raises(DomainError):
        services.withdraw_topic(decided.author, decided)


def test_edit_only_before_publication(make_topic):
    topic = make_topic(S.published)
    with pytest.raises(DomainError):
        services.update_topic(topic.author, topic, title="新标题", body="x", category_id=None)


def test_title_limit_and_foreign_category_refused(make_topic, places, make_user):
    author = make_user()
    with pytest.raises(DomainError) as e:
        services.create_topic(author, places.community, title="长" * 61, body="x", category_id=None)
    assert e.value.field == "title"
    other_category = services.categories_for(places.other.id)
    services.ensure_defaults(places.other)
    other_category = services.categories_for(places.other.id)[0]
    with pytest.raises(DomainError):
        services.create_topic(author, places.community, title="标题", body="x", category_id=other_category.id)


def test_only_residents_of_the_community_post(places, make_user, settings):
    settings()
    outsider = make_user(community=places.sibling)
    with pytest.raises(DomainError):
        services.create_topic(outsider, places.community, title="标题", body="内容", category_id=None)


def test_proxy_posting_names_both(places, make_user, moderator, settings):
    settings()
    elder = make_user(display_name="孙奶奶")
    topic = services.create_topic(elder, places.community, title="楼道照明", body="楼道灯坏了", category_id=None,
                                  submit=True, proxy=moderator)
    assert topic.author_id == elder.id and topic.proxy_id == moderator.id
    entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "consultation.create_topic"))
    assert entry.actor_id == moderator.id and entry.detail["on_behalf_of"] == elder.id
    event = services.timeline(topic, moderator)[0]
    assert event.proxy_id == moderator.id


# -- keywords ------------------------------------------------------------------------------

def test_keyword_filter_is_case_and_width_insensitive(make_topic, settings, places, make_user):
    settings(keywords="VPN\n代开发票")
    assert services.matched_keywords(places.community.id, "便宜ｖｐｎ出售") == ["VPN"]
    assert services.matched_keywords(places.community.id, "代 开 发票") == ["代开发票"]
    assert services.matched_keywords(places.community.id, "正常内容") == []
    topic = make_topic(S.draft, body="出售ＶＰＮ")
    services.submit_topic(topic.author, topic)
    assert topic.held_by_keywords and topic.state is S.pending_review


def test_held_comment_is_invisible_to_others_until_published(make_topic, settings, make_user, moderator):
    topic = make_topic(S.published)
    settings(keywords="广告")
    author, other = make_user(), make_user()
    comment = services.add_comment(author, topic, body="这是广告", stance=Stance.neutral, idempotency_key="k1")
    assert comment.held_by_keywords
    ids = lambda viewer: [c.id for c, _ in services.comments_of(topic, viewer)]  # noqa: E731
    assert comment.id not in ids(other) and comment.id in ids(author) and comment.id in ids(moderator)
    assert topic.comment_count == 0
    services.restore_comment(moderator, comment)
    assert comment.id in ids(other) and topic.comment_count == 1


# -- supports and the threshold ------------------------------------------------------------------

def test_support_rules(make_topic, make_user, places):
    topic = make_topic(S.published)
    resident = make_user()
    services.add_support(resident, topic)
    with pytest.raises(DomainError):
        services.add_support(resident, topic)
    with pytest.raises(DomainError):
        services.add_support(make_user(verified=False), topic)
    with pytest.raises(DomainError):
        services.add_support(make_user(community=places.sibling), topic)
    assert topic.support_count == 1
    services.withdraw_support(resident, topic)
    assert topic.support_count == 0
    draft = make_topic(S.draft)
    with pytest.raises(DomainError):
        services.add_support(resident, draft)


def test_threshold_moves_to_deliberating_exactly_once(make_topic, make_user):
    topic = make_topic(S.published)  # threshold 3
    for _ in range(3):
        services.add_support(make_user(), topic)
    assert topic.state is S.deliberating
    services.add_support(make_user(), topic)  # supports still count during deliberation
    assert topic.support_count == 4
    moves = db.session.scalars(sa.select(TopicEvent).where(TopicEvent.topic_id == topic.id,
                                                           TopicEvent.to_state == S.deliberating)).all()
    assert len(moves) == 1 and moves[0].actor_id is None and "3" in moves[0].note
    with pytest.raises(DomainError):
        services.withdraw_support(make_user(), topic)


def test_household_basis_counts_each_household_once(make_topic, make_user, settings):
    settings(support_basis=SupportBasis.households, support_threshold=2)
    topic = make_topic(S.published)
    a, b = make_user(), make_user()
    a.household, b.household = "3幢 2单元501", "3幢2单元501"  # the same 户, written differently
    c = make_user()
    c.household = ""
    services.add_support(a, topic)
    services.add_support(b, topic)
    assert topic.support_count == 1 and topic.state is S.published
    services.add_support(c, topic)
    assert topic.support_count == 2 and topic.state is S.deliberating


def test_followers_hear_of_state_changes(make_topic, make_user, moderator):
    topic = make_topic(S.published)
    follower = make_user()
    services.set_follow(follower, topic, True)
    services.start_deliberation(moderator, topic, "提交议事会")
    assert "consultation.state" in _kinds(follower)
    assert "consultation.state" in _kinds(topic.author)  # authors follow their topics
    services.set_follow(follower, topic, False)
    assert db.session.get(Follow, (topic.id, follower.id)) is None


# -- merge -----------------------------------------------------------------------------------

def test_merge_carries_supports_and_followers_without_double_counting(make_topic, make_user, moderator, settings):
    settings(support_threshold=5)
    source, target = make_topic(S.published, title="来源议题"), make_topic(S.published, title="目标议题")
    both, only_source, only_target = make_user(), make_user(), make_user()
    for user in (both, only_source):
        services.add_support(user, source)
    for user in (both, only_target):
        services.add_support(user, target)
    services.set_follow(only_source, source, True)
    services.merge(moderator, source, target, "同一问题")
    assert source.state is S.merged and source.merged_into_id == target.id and source.support_count == 0
    supporters = set(db.session.scalars(sa.select(Support.user_id).where(Support.topic_id == target.id)))
    assert supporters == {both.id, only_source.id, only_target.id}
    assert target.support_count == 3
    assert db.session.get(Follow, (target.id, only_source.id)) is not None
    assert db.session.get(Follow, (target.id, source.author_id)) is not None


def test_merge_can_cross_the_threshold(make_topic, make_user, moderator, settings):
    settings(support_threshold=3)
    source, target = make_topic(S.published), make_topic(S.published)
    services.add_support(make_user(), source)
    services.add_support(make_user(), target)
    services.add_support(make_user(), target)
    services.merge(moderator, source, target, "合并")
    assert target.state is S.deliberating


def test_merge_refusals(make_topic, moderator, places, make_user):
    topic = make_topic(S.published)
    with pytest.raises(DomainError):
        services.merge(moderator, topic, topic, "x")
    done = make_topic(S.completed)
    with pytest.raises(DomainError):
        services.merge(moderator, topic, done, "x")


# -- comments --------------------------------------------------------------------------------

def test_comments_reply_one_level_and_notify(make_topic, make_user):
    topic = make_topic(S.published)
    alice, bob, carol = make_user(), make_user(), make_user()
    root = services.add_comment(alice, topic, body="支持加装", stance=Stance.support, idempotency_key="a")
    reply = services.add_comment(bob, topic, body="一楼住户有顾虑", stance=Stance.oppose, parent_id=root.id,
                                 idempotency_key="b")
    deeper = services.add_comment(carol, topic, body="可以协商补偿", stance=Stance.neutral, parent_id=reply.id,
                                  idempotency_key="c")
    assert reply.parent_id == root.id and deeper.parent_id == root.id  # flattened to one level
    assert "consultation.reply" in _kinds(alice)
    threads = services.comments_of(topic, None)
    assert [(c.id, [r.id for r in rs]) for c, rs in threads] == [(root.id, [reply.id, deeper.id])]
    assert topic.comment_count == 3


def test_comment_idempotency_key_prevents_double_posts(make_topic, make_user):
    topic = make_topic(S.published)
    user = make_user()
    first = services.add_comment(user, topic, body="同意", stance=Stance.support, idempotency_key="same")
    second = services.add_comment(user, topic, body="同意", stance=Stance.support, idempotency_key="same")
    assert first.id == second.id
    assert db.session.scalar(sa.select(sa.func.count(Comment.id))) == 1


def test_comment_edit_window_and_delete_keeps_thread(make_topic, make_user):
    topic = make_topic(S.published)
    user, other = make_user(), make_user()
    comment = services.add_comment(user, topic, body="原文", stance=Stance.neutral, idempotency_key="e")
    reply = services.add_comment(other, topic, body="回复", stance=Stance.neutral, parent_id=comment.id,
                                 idempotency_key="r")
    services.edit_comment(user, comment, body="修改", stance=Stance.support)
    assert comment.body == "修改" and comment.edited_at is not None
    with pytest.raises(DomainError):
        services.edit_comment(other, comment, body="x", stance=Stance.support)
    comment.created_at -= timedelta(minutes=11)
    with pytest.raises(DomainError):
        services.edit_comment(user, comment, body="太晚", stance=Stance.support)
    services.delete_comment(user, comment)
    assert comment.deleted_at is not None and comment.body == ""
    threads = services.comments_of(topic, None)
    assert threads[0][0].id == comment.id and threads[0][1][0].id == reply.id


def test_comments_need_verified_residents_and_a_public_topic(make_topic, make_user):
    topic = make_topic(S.published)
    with pytest.raises(DomainError):
        services.add_comment(make_user(verified=False), topic, body="x", stance=Stance.neutral, idempotency_key="u")
    draft = make_topic(S.draft)
    with pytest.raises(DomainError):
        services.add_comment(make_user(), draft, body="x", stance=Stance.neutral, idempotency_key="d")


def test_moderator_hides_a_comment_with_a_reason(make_topic, make_user, moderator):
    topic = make_topic(S.published)
    author = make_user()
    comment = services.add_comment(author, topic, body="人身攻击", stance=Stance.oppose, idempotency_key="h")
    with pytest.raises(DomainError):
        services.hide_comment(moderator, comment, "")
    services.hide_comment(moderator, comment, "人身攻击")
    assert not comment.is_visible and comment.hidden_reason == "人身攻击"
    assert "consultation.moderated" in _kinds(author)


# -- reports and auto-hide ------------------------------------------------------------------------

def test_auto_hide_at_the_nth_report_and_keep_clears(make_topic, make_user, moderator):
    topic = make_topic(S.published)  # reports_to_hide = 2
    comment = services.add_comment(make_user(), topic, body="广告内容", stance=Stance.neutral, idempotency_key="x")
    first = make_user()
    services.report(first, ReportTarget.comment, comment, ReportReason.advert)
    assert comment.is_visible
    with pytest.raises(DomainError):
        services.report(first, ReportTarget.comment, comment, ReportReason.advert)
    services.report(make_user(), ReportTarget.comment, comment, ReportReason.abuse)
    assert not comment.is_visible and comment.hidden_by_id is None
    assert "consultation.reported" in _kinds(moderator)
    services.restore_comment(moderator, comment, "内容正常")
    assert comment.is_visible and comment.report_count == 0
    assert services.reports_for(ReportTarget.comment, comment.id) == []


def test_reported_topic_is_hidden_from_lists_until_kept(make_topic, make_user, moderator, places):
    topic = make_topic(S.published)
    for _ in range(2):
        services.report(make_user(), ReportTarget.topic, topic, ReportReason.untrue, "不实")
    assert topic.hidden_at is not None and not topic.is_public
    assert topic.id not in [t.id for t in services.list_topics(places.community.id)[0]]
    with pytest.raises(NotFound):
        services.topic_for(None, topic.id)
    assert services.topic_for(moderator, topic.id) is not None
    services.keep_topic(moderator, topic)
    assert topic.is_public


def test_only_verified_residents_of_the_topics_community_may_report(make_topic, make_user, places):
    """Three fresh accounts of another community (or unverified ones) cannot hide anything."""
    topic = make_topic(S.published)
    comment = services.add_comment(make_user(), topic, body="意见", stance=Stance.neutral, idempotency_key="o")
    outsiders = [make_user(community=places.other) for _ in range(3)]
    unverified = [make_user(verified=False) for _ in range(3)]
    for user in outsiders + unverified:
        for target_type, target in ((ReportTarget.topic, topic), (ReportTarget.comment, comment)):
            with pytest.raises(DomainError):
                services.report(user, target_type, target, ReportReason.untrue)
    assert topic.hidden_at is None and topic.report_count == 0
    assert comment.is_visible and comment.report_count == 0
    assert services.reports_for(ReportTarget.topic, topic.id) == []


def _in_household(make_user, household):
    user = make_user()
    user.household = household
    db.session.commit()
    return user


def test_reports_to_hide_count_distinct_households(make_topic, make_user, moderator):
    """Two people of one household (户) count once; a resident without a
    household recorded counts as a household of their own."""
    topic = make_topic(S.published)  # reports_to_hide = 2
    comment = services.add_comment(make_user(), topic, body="意见", stance=Stance.neutral, idempotency_key="h2")
    for target_type, target in ((ReportTarget.topic, topic), (ReportTarget.comment, comment)):
        services.report(_in_household(make_user, "3幢2单元501"), target_type, target, ReportReason.untrue)
        services.report(_in_household(make_user, "3幢 2单元501"), target_type, target, ReportReason.untrue)
        assert target.hidden_at is None and target.report_count == 2
        services.report(_in_household(make_user, ""), target_type, target, ReportReason.untrue)
        assert target.hidden_at is not None
    assert "consultation.reported" in _kinds(moderator)


@pytest.mark.parametrize("state", [S.deliberating, S.in_progress, S.completed])
def test_a_topic_in_deliberation_or_later_is_never_auto_hidden(make_topic, make_user, moderator, places, state):
    """A topic on a meeting's agenda stays visible; its reports go to the moderation queue."""
    topic = make_topic(state)
    for _ in range(3):
        services.report(make_user(), ReportTarget.topic, topic, ReportReason.untrue)
    assert topic.hidden_at is None and topic.is_public and topic.report_count == 3
    assert topic in services.moderation_queue(places.community.id)["reported_topics"].items
    assert "consultation.reports_to_review" in _kinds(moderator)
    assert "consultation.reported" not in _kinds(moderator)


# -- ratings ------------------------------------------------------------------------------------

def test_rating_once_changeable_until_window_closes(make_topic, make_user):
    topic = make_topic(S.completed)
    resident = make_user()
    services.rate(resident, topic, 4, "基本满意")
    services.rate(resident, topic, 5)
    summary = services.rating_summary(topic)
    assert summary["count"] == 1 and summary["counts"][5] == 1
    services.rate(make_user(), topic, 2)
    assert str(services.rating_summary(topic)["average"]) == "3.5"
    with pytest.raises(DomainError):
        services.rate(make_user(), topic, 6)
    topic.rating_closes_at = services.utcnow() - timedelta(seconds=1)
    with pytest.raises(DomainError):
        services.rate(resident, topic, 3)
    with pytest.raises(DomainError):
        services.rate(make_user(), make_topic(S.in_progress), 5)


# -- blocks --------------------------------------------------------------------------------------

def test_blocked_resident_cannot_post(make_topic, make_user, moderator, places):
    topic = make_topic(S.published)
    user = make_user()
    block = services.block_user(moderator, places.community, user, days=7, reason="多次发布广告")
    with pytest.raises(DomainError) as e:
        services.add_comment(user, topic, body="x", stance=Stance.neutral, idempotency_key="b")
    assert "多次发布广告" in str(e.value.message)
    with pytest.raises(DomainError):
        services.create_topic(user, places.community, title="t", body="b", category_id=None)
    services.lift_block(moderator, block)
    services.add_comment(user, topic, body="x", stance=Stance.neutral, idempotency_key="b2")


# -- settings -----------------------------------------------------------------------------------

def test_settings_keep_category_ids_and_retire_removed_ones(make_topic, settings, places):
    topic = make_topic(S.published)
    elevator = topic.category
    settings(categories=["加装电梯", "养老助餐"])
    names = [c.name for c in services.categories_for(places.community.id)]
    assert names == ["加装电梯", "养老助餐"]
    db.session.refresh(elevator)
    assert elevator.is_active and topic.category_id == elevator.id
    with pytest.raises(DomainError):
        settings(categories=[])


def test_new_communities_get_default_categories(app, places):
    from app.places import services as place_services

    community = place_services.save_community(None, None, subdistrict=places.subdistrict, name="新建社区",
                                              kind=places.community.kind, households=None, address="", description="")
    assert [c.name for c in services.categories_for(community.id)][:3] == ["社区环境", "物业管理", "加装电梯"]
