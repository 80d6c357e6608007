"""Acting for a resident without a phone: the social worker finds them with
the resident picker; a resident cannot act for anyone."""
from __future__ import annotations

import re

import sqlalchemy as sa

from app.consultation.models import Support, TopicState
from app.extensions import db


def _text(response) -> str:
    return response.get_data(as_text=True)


def test_a_resident_cannot_post_a_topic_for_someone_else(client_for, make_user, places, settings):
    settings()
    elder = make_user(display_name="钱阿婆")
    resident = client_for(make_user())
    response = resident.post(f"/c/{places.community.id}/topics/new",
                             {"title": "楼道灯坏了", "body": "三楼的灯不亮了，晚上很危险。", "on_behalf_of_q": "钱"})
    assert response.status_code == 403 and "钱阿婆" not in _text(response)
    assert resident.post(f"/c/{places.community.id}/topics/new",
                         {"title": "楼道灯坏了", "body": "三楼的灯不亮了。", "on_behalf_of": str(elder.id)}).status_code == 403


def test_a_social_worker_supports_for_a_resident_found_by_name(client_for, make_user, make_topic, moderator):
    topic = make_topic(TopicState.published)
    sun = make_user(display_name="孙奶奶")
    make_user(display_name="孙爷爷")
    worker = client_for(moderator)
    ambiguous = worker.post(f"/topics/{topic.id}/support", {"on_behalf_of_q": "孙"})
    assert ambiguous.status_code == 422 and len(re.findall(r'name="on_behalf_of" value="\d+"', _text(ambiguous))) == 2
    assert db.session.scalar(sa.select(sa.func.count(Support.id))) == 0
    whole_name = worker.post(f"/topics/{topic.id}/support", {"on_behalf_of_q": "孙奶奶"})
    assert whole_name.status_code == 422 and f'value="{sun.id}" checked' in _text(whole_name)  # a name: confirm
    assert 'autofocus' in _text(whole_name)  # the page comes back at the box, not at its top
    assert db.session.scalar(sa.select(sa.func.count(Support.id))) == 0
    assert worker.post(f"/topics/{topic.id}/support", {"on_behalf_of_q": "孙奶奶",
                                                       "on_behalf_of": str(sun.id)}).status_code == 303
    assert db.session.scalar(sa.select(Support.user_id)) == sun.id
