"""The resident picker: staff forms find one resident by what they type
(phone, its last digits, name, household) instead of listing every resident
of the community; the choice resolves through one scoped lookup."""
from __future__ import annotations

import re
from contextlib import contextmanager

import pytest
import sqlalchemy as sa

from app.accounts import services
from app.extensions import db
from app.timebank.models import LedgerRequest


@pytest.fixture
def staff(make_user):
    return make_user("social_worker", display_name="李社工"), make_user("social_worker", display_name="王社工")


@contextmanager
def count_queries():
    seen: list[str] = []

    def record(conn, cursor, statement, *args):
        seen.append(statement)

    sa.event.listen(db.engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", record)


def _resident(make_user, name: str, login: str | None = None, household: str = ""):
    user = make_user(display_name=name, login=login)
    user.household = household
    db.session.commit()
    return user


def _text(response) -> str:
    return response.get_data(as_text=True)


def _offered(response) -> list[int]:
    return [int(i) for i in re.findall(r'type="radio" name="user_id" value="(\d+)"', _text(response))]


def test_finds_by_phone_tail_whole_number_name_and_household(app, make_user, places):
    zhang = _resident(make_user, "张阿姨", "13912340001", "3幢2单元501")
    zhao = _resident(make_user, "张大爷", "13912340002", "5幢101")
    cid = places.community.id
    assert services.find_residents(cid, "0001") == [zhang]
    assert services.find_residents(cid, "139 1234 0002") == [zhao]  # spaces dropped
    assert services.find_residents(cid, "+86-139-1234-0002") == [zhao]
    assert services.find_residents(cid, "１３９１２３４０００１") == [zhang]  # full-width digits folded
    assert set(services.find_residents(cid, "张")) == {zhang, zhao}
    assert services.find_residents(cid, "3幢2单元") == [zhang]
    assert services.find_residents(cid, "501") == [zhang]  # a household number, though it is digits
    assert services.find_residents(cid, "12") == []  # under three digits: too many to mean anyone
    assert services.find_residents(cid, "1234") == []  # inside the number: neither its start nor its tail
    assert set(services.find_residents(cid, "1391234")) == {zhang, zhao}  # the number as it is being typed
    assert services.find_residents(cid, "") == [] and services.find_residents(cid, "   ") == []


def test_exact_match_first_and_wildcards_taken_literally(app, make_user, places):
    make_user(display_name="李秀英（大）")
    li = make_user(display_name="李秀英")
    cid = places.community.id
    assert services.find_residents(cid, "李秀英")[0] == li
    assert services.find_residents(cid, "%") == [] and services.find_residents(cid, "_") == []


def test_only_verified_active_residents_of_that_community(app, make_user, places):
    make_user(display_name="王外区", community=places.other)
    make_user(display_name="王待认证", verified=False)
    make_user(display_name="王已停用", active=False)
    assert services.find_residents(places.community.id, "王") == []


def test_at_most_one_more_than_shown(app, make_user, places):
    for i in range(25):
        make_user(display_name=f"刘{i:02d}")
    found = services.find_residents(places.community.id, "刘")
    assert len(found) == services.PICK_LIMIT + 1


def test_live_matches_for_the_communitys_social_worker_only(client_for, make_user, staff, places):
    zhang = make_user(display_name="张阿姨", login="13912340001")
    make_user(display_name="张外区", community=places.other)
    url = f"/c/{places.community.id}/residents/pick?name=user_id&user_id_q="
    worker = client_for(staff[0])
    one = worker.get(url + "张")
    assert one.status_code == 200 and _offered(one) == [zhang.id] and "checked" in _text(one)  # one match: chosen
    assert "尾号 0001" in _text(one) and "13912340001" not in _text(one)  # the tail tells them apart, no more
    assert "没有符合" in _text(worker.get(url + "赵"))
    assert "至少输入三位" in _text(worker.get(url + "13"))
    assert worker.get(url.replace("name=user_id", "name=<x>") + "张").status_code == 400
    other = client_for(make_user("social_worker", scope=places.other))
    assert other.get(url + "张").status_code == 404
    assert client_for(make_user()).get(url + "张").status_code == 403


def test_many_matches_say_there_are_more(client_for, make_user, staff, places):
    for i in range(25):
        make_user(display_name=f"刘{i:02d}")
    response = client_for(staff[0]).get(f"/c/{places.community.id}/residents/pick?name=user_id&user_id_q=刘")
    assert len(_offered(response)) == services.PICK_LIMIT and "请多输入几个字" in _text(response)


def test_grant_form_without_javascript_types_then_chooses(client_for, make_user, staff, places):
    """Typed text that names several residents brings the form back with them to choose from,
    the minutes and reason as typed; the choice then posts."""
    zhang = make_user(display_name="张阿姨", login="13912340001")
    make_user(display_name="张大爷", login="13912340002")
    worker = client_for(staff[0])
    url = f"/c/{places.community.id}/timebank/manage"
    first = worker.post(url, {"user_id_q": "张", "minutes": "90", "reason": "独居老人"})
    assert first.status_code == 422 and "有多位居民符合" in _text(first)
    assert len(_offered(first)) == 2 and 'value="90"' in _text(first) and 'value="独居老人"' in _text(first)
    assert 'value="张"' in _text(first)  # what was typed stays in the box
    assert db.session.scalar(sa.select(sa.func.count(LedgerRequest.id))) == 0
    second = worker.post(url, {"user_id_q": "张", "user_id": str(zhang.id), "minutes": "90", "reason": "独居老人"})
    assert second.status_code == 303
    assert db.session.scalar(sa.select(LedgerRequest.user_id)) == zhang.id


def test_only_a_whole_phone_number_needs_no_second_step(client_for, make_user, staff, places):
    """A whole number is one person; a name is not (two people share one, and the one meant may
    not be verified): a single match by name comes back chosen, for one more tap."""
    zhang = make_user(display_name="张阿姨", login="13912340001")
    worker = client_for(staff[0])
    url = f"/c/{places.community.id}/timebank/credit-line"
    assert worker.post(url, {"user_id_q": "139-1234-0001", "hours": "5", "reason": "先享受服务"}).status_code == 303
    by_name = worker.post(url, {"user_id_q": "张阿姨", "hours": "6", "reason": "先享受服务"})
    assert by_name.status_code == 422 and "是这位居民吗" in _text(by_name) and _offered(by_name) == [zhang.id]
    assert f'value="{zhang.id}" checked' in _text(by_name)
    from app.timebank import ledger
    assert [(line.user.id, line.floor) for line in ledger.credit_lines(places.community.id)] == [(zhang.id, -300)]


def test_a_choice_then_new_text_is_a_new_search(client_for, make_user, staff, places):
    """Chose 张阿姨, then typed 李 into the box (no JavaScript to clear the choice): not 张阿姨."""
    zhang = make_user(display_name="张阿姨")
    li, dabo = make_user(display_name="李奶奶"), make_user(display_name="李大伯")
    worker = client_for(staff[0])
    url = f"/c/{places.community.id}/timebank/manage"
    again = worker.post(url, {"user_id": str(zhang.id), "user_id_q": "李", "minutes": "90", "reason": "独居老人"})
    assert again.status_code == 422 and set(_offered(again)) == {li.id, dabo.id}  # not 张阿姨
    kept = worker.post(url, {"user_id": str(zhang.id), "user_id_q": "张", "minutes": "90", "reason": "独居老人"})
    assert kept.status_code == 303 and db.session.scalar(sa.select(LedgerRequest.user_id)) == zhang.id


def test_phone_tails_come_before_numbers_that_start_so(app, make_user, places):
    starts = [make_user(display_name=f"甲{i}", login=f"1391{i:07d}") for i in range(3)]
    ends = make_user(display_name="乙", login="13800001391")
    found = services.find_residents(places.community.id, "1391")
    assert found[0] == ends and set(found[1:]) == set(starts)


def test_someone_no_longer_verified_is_a_message_not_a_missing_page(client_for, make_user, staff, places):
    gone = make_user(display_name="张已搬走")
    worker = client_for(staff[0])
    gone.is_active = False
    db.session.commit()
    response = worker.post(f"/c/{places.community.id}/timebank/manage",
                           {"user_id": str(gone.id), "minutes": "90", "reason": "独居老人"})
    assert response.status_code == 422 and "不再是本社区的已认证居民" in _text(response)
    assert 'value="独居老人"' in _text(response)


def test_nothing_typed_or_nothing_found_is_a_message_on_the_field(client_for, make_user, staff, places):
    make_user(display_name="张阿姨")
    worker = client_for(staff[0])
    url = f"/c/{places.community.id}/timebank/manage"
    empty = worker.post(url, {"minutes": "90", "reason": "独居老人"})
    assert empty.status_code == 422 and "请输入居民的手机号、姓名或门牌" in _text(empty)
    missing = worker.post(url, {"user_id_q": "赵", "minutes": "90", "reason": "独居老人"})
    assert missing.status_code == 422 and "本社区没有符合所输入内容的已认证居民" in _text(missing)
    assert 'aria-invalid="true"' in _text(missing)


def test_another_communitys_resident_cannot_be_chosen_or_found(client_for, make_user, staff, places):
    outsider = make_user(display_name="张外区", login="13912349999", community=places.other)
    worker = client_for(staff[0])
    url = f"/c/{places.community.id}/timebank/manage"
    assert worker.post(url, {"user_id": str(outsider.id), "minutes": "90", "reason": "x"}).status_code == 404
    typed = worker.post(url, {"user_id_q": "13912349999", "minutes": "90", "reason": "x"})
    assert typed.status_code == 422 and _offered(typed) == []
    assert db.session.scalar(sa.select(sa.func.count(LedgerRequest.id))) == 0


def test_the_management_page_does_not_grow_with_the_community(client_for, make_user, staff, places):
    """No list of every resident: the same page and the same queries for 3 residents or 60."""
    worker = client_for(staff[0])
    url = f"/c/{places.community.id}/timebank/manage"
    worker.get(url)
    for i in range(3):
        make_user(display_name=f"居民{i:03d}")
    with count_queries() as few:
        small = _text(worker.get(url))
    for i in range(3, 60):
        make_user(display_name=f"居民{i:03d}")
    with count_queries() as many:
        large = _text(worker.get(url))
    assert len(many) == len(few) and "居民059" not in large and len(large) == len(small)


def test_asking_help_for_a_resident_opens_their_request_form(client_for, make_user, staff, places):
    elder = make_user(display_name="陈爷爷", login="13912340010")
    worker = client_for(staff[0])
    response = worker.get(f"/c/{places.community.id}/help/manage?resident_q=0010")
    assert response.status_code == 422 and f'name="resident" value="{elder.id}"' in _text(response)
    chosen = worker.get(f"/c/{places.community.id}/help/manage?resident={elder.id}")
    assert chosen.status_code == 303 and chosen.headers["Location"].endswith(f"/help/new?for={elder.id}")
    assert worker.get(f"/c/{places.community.id}/help/manage?resident_q=13912340010").status_code == 303
    empty = worker.get(f"/c/{places.community.id}/help/manage?resident_q=")
    assert empty.status_code == 422 and "请输入居民的手机号、姓名或门牌" in _text(empty)
