"""The threshold race: the last supports arrive at the same moment."""
from __future__ import annotations

import sqlalchemy as sa

from app.consultation import services
from app.consultation.models import Support, Topic, TopicEvent, TopicState
from app.extensions import db
from tests.conftest import run_in_threads


def _race(app, topic_id: int, user_ids: list[int], action) -> list[BaseException]:
    def load(user_id):
        from app.accounts.models import User

        return db.session.get(User, user_id), db.session.get(Topic, topic_id)

    return run_in_threads(app, user_ids, lambda state: action(*state), prepare=load)


def test_simultaneous_last_supports_move_the_topic_exactly_once(app, make_topic, make_user):
    topic = make_topic(TopicState.published)  # threshold 3
    services.add_support(make_user(), topic)
    db.session.commit()
    racers = [make_user().id for _ in range(4)]
    errors = _race(app, topic.id, racers, lambda user, t: services.add_support(user, t))
    assert errors == []
    db.session.expire_all()
    topic = db.session.get(Topic, topic.id)
    assert topic.state is TopicState.deliberating
    assert topic.support_count == 5
    assert db.session.scalar(sa.select(sa.func.count(Support.id)).where(Support.topic_id == topic.id)) == 5
    moves = db.session.scalar(sa.select(sa.func.count(TopicEvent.id)).where(
        TopicEvent.topic_id == topic.id, TopicEvent.to_state == TopicState.deliberating))
    assert moves == 1


def test_double_tap_from_two_devices_counts_one_support(app, make_topic, make_user):
    topic = make_topic(TopicState.published)
    user = make_user()
    errors = _race(app, topic.id, [user.id, user.id], lambda u, t: services.add_support(u, t))
    assert len(errors) == 1  # the second is refused with a clear message, not a 500
    assert "already support" in str(errors[0]) or "已" in str(errors[0])
    db.session.expire_all()
    assert db.session.scalar(sa.select(sa.func.count(Support.id)).where(Support.topic_id == topic.id)) == 1
