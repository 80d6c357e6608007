"""Topic factories: make_topic(state=…) walks a topic through the real services."""
from __future__ import annotations

import pytest

from app.consultation import services
from app.consultation.models import Outcome, TopicState
from app.extensions import db


@pytest.fixture
def moderator(make_user):
    return make_user("social_worker", display_name="李社工")


@pytest.fixture
def settings(app, places, moderator):
    """Save the community's settings (threshold 3, reports 2) so tests can count on them."""
    def save(**overrides):
        values = dict(support_threshold=3, support_basis=services.SupportBasis.residents, reports_to_hide=2,
                      rating_window_days=30, keywords="", categories=["社区环境", "加装电梯", "停车"])
        values.update(overrides)
        services.save_settings(moderator, places.community, **values)
        db.session.commit()
        return services.settings_for(places.community.id)
    return save


@pytest.fixture
def make_topic(app, places, make_user, moderator, settings):
    settings()

    def make(state: TopicState = TopicState.published, author=None, title="3幢加装电梯意见征集",
             body="3幢住户多为老人，上下楼困难，建议加装电梯。", **kwargs):
        author = author or make_user(display_name="王阿姨")
        category = services.categories_for(places.community.id)[1]
        topic = services.create_topic(author, places.community, title=title, body=body,
                                      category_id=category.id, location=kwargs.pop("location", "3幢"))
        steps = {
            TopicState.draft: [],
            TopicState.pending_review: [lambda: services.submit_topic(author, topic)],
        }
        steps[TopicState.published] = steps[TopicState.pending_review] + [lambda: services.publish(moderator, topic)]
        steps[TopicState.deliberating] = steps[TopicState.published] + [
            lambda: services.start_deliberation(moderator, topic, "社区两委研究后提交议事会")]
        steps[TopicState.in_progress] = steps[TopicState.deliberating] + [
            lambda: services.record_decision(moderator, topic, Outcome.adopted, "居民代表会议 15票赞成")]
        steps[TopicState.completed] = steps[TopicState.in_progress] + [
            lambda: services.complete(moderator, topic, "电梯已于11月底投入使用")]
        for step in steps[state]:
            step()
        db.session.commit()
        return topic

    return make
