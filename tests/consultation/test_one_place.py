"""One rule in one place: the author rule, the page's actions from the state
machine, 422 on the field for moderators' answers, POST-only reloads, and the
follow fragment loading only what it shows."""
from __future__ import annotations

import pytest
import sqlalchemy as sa

from app.consultation import services
from app.consultation.models import TopicState
from app.domain import DomainError, Forbidden
from app.extensions import db
from tests.conftest import text

S = TopicState


def test_a_moderator_cannot_rewrite_a_residents_topic(make_topic, moderator):
    topic = make_topic(S.pending_review)
    with pytest.raises(DomainError):
        services.update_topic(moderator, topic, title="改过的标题", body="改过的内容", category_id=None)
    with pytest.raises(Forbidden):
        services.topic_for(moderator, topic.id, to="edit")


def test_actions_follow_the_state_machine(make_topic, moderator):
    pending = make_topic(S.pending_review)
    author = pending.author
    assert services.actions_for(author, pending).withdraw and not services.actions_for(author, pending).submit
    mod = services.actions_for(moderator, pending)
    assert mod.publish and mod.reject and mod.merge and not mod.decide and not mod.edit
    deliberating = make_topic(S.deliberating)
    mod = services.actions_for(moderator, deliberating)
    assert mod.decide and mod.agenda and not mod.publish and not mod.complete


def test_comment_edit_window_comes_from_the_service(make_topic, make_user, places):
    topic = make_topic(S.published)
    resident = make_user()
    comment = services.add_comment(resident, topic, body="同意", stance=services.Stance.support,
                                   idempotency_key="w1")
    db.session.commit()
    actions = services.comment_actions_for(resident, comment, moderator=False, reporter=True, commenter=True)
    assert actions.edit and actions.delete and not actions.report
    comment.created_at = services.utcnow() - services.COMMENT_EDIT_WINDOW - services.COMMENT_EDIT_WINDOW
    assert not services.comment_actions_for(resident, comment, moderator=False, reporter=True, commenter=True).edit


def test_too_long_agenda_note_answers_422_on_the_field_keeping_it(client_for, make_topic, moderator):
    topic = make_topic(S.deliberating)
    note = "会" * 201
    response = client_for(moderator).post(f"/topics/{topic.id}/agenda", {"reason": note})
    assert response.status_code == 422 and note in text(response) and 'id="agenda-note-error"' in text(response)
    db.session.expire_all()
    assert db.session.get(type(topic), topic.id).on_agenda_at is None


def test_empty_reason_to_reject_answers_422_on_the_field(client_for, make_topic, moderator):
    topic = make_topic(S.pending_review)
    response = client_for(moderator).post(f"/topics/{topic.id}/moderate", {"action": "reject", "reason": ""})
    assert response.status_code == 422 and 'id="reason-reject-error"' in text(response)
    db.session.expire_all()
    assert db.session.get(type(topic), topic.id).state is S.pending_review


def test_too_long_hide_reason_answers_422_keeping_it(client_for, make_topic, make_user, moderator):
    topic = make_topic(S.published)
    comment = services.add_comment(make_user(), topic, body="广告", stance=services.Stance.neutral,
                                   idempotency_key="h1")
    db.session.commit()
    reason = "违" * 201
    response = client_for(moderator).post(f"/comments/{comment.id}/moderate", {"action": "hide", "reason": reason})
    assert response.status_code == 422 and reason in text(response)
    db.session.expire_all()
    assert db.session.get(type(comment), comment.id).hidden_at is None


def test_withdraw_with_a_too_long_reason_answers_422_keeping_it(client_for, make_topic):
    topic = make_topic(S.published)
    reason = "撤" * 501
    response = client_for(topic.author).post(f"/topics/{topic.id}/withdraw", {"reason": reason})
    assert response.status_code == 422 and reason in text(response)


def test_reloading_the_rating_url_lands_on_the_topic(client_for, make_topic):
    topic = make_topic(S.completed)
    response = client_for(topic.author).get(f"/topics/{topic.id}/rating")
    assert response.status_code == 303 and response.headers["Location"].endswith(f"/topics/{topic.id}")


def _statements(action) -> list[str]:
    statements = []

    def count(_conn, _cursor, statement, *_args):
        statements.append(statement)

    sa.event.listen(db.engine, "before_cursor_execute", count)
    try:
        response = action()
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", count)
    assert response.status_code < 400
    return statements


def test_follow_fragment_loads_only_what_it_shows(client_for, make_topic, make_user):
    topic = make_topic(S.published)
    url = f"/topics/{topic.id}"
    c = client_for(make_user())
    token = c.csrf()
    page = _statements(lambda: c.get(url))
    fragment = _statements(lambda: c.post(f"{url}/follow", {"follow": "1", "csrf_token": token}, csrf=False,
                                                 headers={"HX-Request": "true"}))
    assert len(fragment) * 3 <= len(page) * 2, (len(fragment), len(page))
    shown_elsewhere = ("FROM comment", "FROM rating", "FROM topic_event", "FROM support", "FROM report")
    assert not [s for s in fragment if any(table in s for table in shown_elsewhere)]
