"""The threshold race: the last supports arrive at the same moment."""
from __future__ import annotations

import threading

import sqlalchemy as sa

from app.consultation import services
from app.consultation.models import Support, Topic, TopicEvent, TopicState
from app.extensions import db


def _race(app, topic_id: int, user_ids: list[int], action) -> list[BaseException]:
    errors: list[BaseException] = []
    barrier = threading.Barrier(len(user_ids))
    db.session.commit()  # the test's own transaction must not hold the SQLite write lock

    def worker(user_id: int):
        with app.app_context():
            try:
                from app.accounts.models import User

                user = db.session.get(User, user_id)
                topic = db.session.get(Topic, topic_id)
                db.session.commit()  # start the write transaction after the barrier
                barrier.wait()
                action(user, topic)
                db.session.commit()
            except BaseException as exc:  # noqa: BLE001 - collected for the assertion
                db.session.rollback()
                errors.append(exc)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=worker, args=(uid,)) for uid in user_ids]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return errors


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
