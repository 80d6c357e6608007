"""Each role's home (工作台): what is theirs to do, with counts and links, and
nothing of another community or subdistrict."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import sqlalchemy as sa

from app.consultation.models import TopicState
from app.extensions import db
from app.notifications.services import notify
from app.timebank.models import Account, AccountKind, LedgerRequest, RequestKind
from app.volunteering.models import Activity, Signup, SignupStatus
from tests.conftest import text

NOW = datetime.now(timezone.utc)


def _activity(community, organiser, title, *, starts_in=timedelta(days=3), hours=2):
    starts = NOW + starts_in
    activity = Activity(community_id=community.id, organiser_id=organiser.id, title=title, category="助老",
                        place="活动中心", starts_at=starts, ends_at=starts + timedelta(hours=hours),
                        signup_deadline=starts - timedelta(hours=1), places=5, minutes=60 * hours)
    db.session.add(activity)
    db.session.flush()
    return activity


def test_visitors_see_the_communities(client, places):
    page = text(client.get("/"))
    assert "朝阳社区" in page and "东林社区" in page
    assert client.get("/communities").status_code == 200


def test_a_resident_sees_topics_their_topics_activities_hours_and_news(client_for, make_user, make_topic, places,
                                                                       moderator):
    resident = make_user(display_name="张阿姨")
    open_topic = make_topic(TopicState.deliberating, title="3幢加装电梯意见征集")
    mine = make_topic(TopicState.pending_review, author=resident, title="楼道堆物清理")
    joined = _activity(places.community, moderator, "助老陪伴")
    db.session.add(Signup(activity_id=joined.id, volunteer_id=resident.id, status=SignupStatus.waitlisted))
    _activity(places.community, moderator, "社区环境整治", starts_in=timedelta(days=5))
    _activity(places.sibling, moderator, "南园的活动")
    db.session.add(Account(community_id=places.community.id, kind=AccountKind.resident, user_id=resident.id,
                           balance=150))
    notify(resident, "accounts.residence_verified", community="朝阳社区")
    db.session.commit()

    page = text(client_for(resident).get("/"))
    assert "你好，张阿姨" in page
    assert open_topic.title in page and f"/topics/{open_topic.id}" in page
    assert mine.title in page and "待审核" in page
    assert "助老陪伴" in page and "候补" in page
    assert "社区环境整治" in page and "南园的活动" not in page
    assert "2 小时 30 分钟" in page  # the balance, 150 minutes
    assert "1 条新" in page or "1 新" in page or "新 1" in page
    assert f"/c/{places.community.id}/activities" in page and "/my/timebank" in page


def test_an_unverified_resident_is_told_what_waits(client_for, make_user):
    page = text(client_for(make_user(verified=False)).get("/"))
    assert "尚未认证" in page or "还没有认证" in page or "未认证" in page


def test_a_social_worker_sees_todays_work_with_counts_and_links(client_for, make_user, make_topic, places,
                                                                 moderator):
    make_user(verified=False)
    make_user(verified=False)
    make_user(verified=False, community=places.sibling)  # another community: not theirs
    make_topic(TopicState.pending_review)
    ended = _activity(places.community, moderator, "北门文明劝导", starts_in=-timedelta(days=1))
    colleague = make_user("social_worker")
    resident = make_user()
    db.session.add(LedgerRequest(community_id=places.community.id, kind=RequestKind.grant, user_id=resident.id,
                                 minutes=60, reason="独居老人", requested_by_id=colleague.id))
    db.session.add(LedgerRequest(community_id=places.community.id, kind=RequestKind.grant, user_id=resident.id,
                                 minutes=60, reason="自己提出的", requested_by_id=moderator.id))
    db.session.commit()

    page = text(client_for(moderator).get("/"))
    assert "朝阳社区" in page
    assert '<span class="count">2</span>' in page and "/verification" in page  # two residents, not the sibling's
    assert f"/c/{places.community.id}/moderation" in page
    assert f"/c/{places.community.id}/activities" in page and ended.title not in page
    # one request by a colleague waits for them; their own waits for someone else
    assert f"/c/{places.community.id}/timebank/manage" in page
    assert page.count('<span class="count">1</span>') >= 3  # moderation, activity, one ledger request


def test_subdistrict_staff_see_each_community_in_one_row_and_nothing_beyond(client_for, make_user, places,
                                                                           make_topic):
    make_topic(TopicState.published)
    make_user(verified=False, community=places.sibling)
    page = text(client_for(make_user("subdistrict_staff")).get("/"))
    assert "朝阳社区" in page and "南园社区" in page
    assert "东林社区" not in page  # another subdistrict
    assert f"/c/{places.community.id}" in page


def test_the_subdistrict_overview_costs_the_same_queries_for_more_communities(app, client_for, make_user, places):
    from app.places import services

    staff = make_user("subdistrict_staff")
    c = client_for(staff)

    def queries() -> int:
        seen: list[str] = []

        def count(conn, cursor, statement, *args):
            seen.append(statement)

        sa.event.listen(db.engine, "before_cursor_execute", count)
        try:
            assert c.get("/").status_code == 200
        finally:
            sa.event.remove(db.engine, "before_cursor_execute", count)
        return len(seen)

    before = queries()
    for i in range(4):
        community = services.save_community(None, None, subdistrict=places.subdistrict, name=f"新社区{i}",
                                            kind=places.community.kind, households=100, address="", description="")
        make_user(verified=False, community=community)
    db.session.commit()
    assert queries() == before


def test_department_staff_are_told_what_they_can_do_here(client_for, make_user, places):
    page = text(client_for(make_user("department_staff")).get("/"))
    assert "民政科" in page and "/communities" in page
