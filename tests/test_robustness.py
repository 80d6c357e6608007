"""Hostile input answers 400/404/422 with the normal error page or form, never 500:
ids and integer parameters past any database's integer range, crafted list
cursors, NUL bytes in a search, statement periods at the calendar's ends."""
from __future__ import annotations

import base64
import re

import pytest
from werkzeug.routing import IntegerConverter

from app.extensions import db
from tests.conftest import CSRF_RE, Client, text
from tests.test_matrix import World, _login

HUGE = "99999999999999999999999"  # past 2^63: SQLite cannot bind it, PostgreSQL's bigint cannot hold it


def error_page(response) -> bool:
    body = text(response)
    return 'class="error-page"' in body and "data-error-message" in body and "Traceback" not in body


def int_rules(app):
    for rule in app.url_map.iter_rules():
        if any(isinstance(conv, IntegerConverter) for conv in rule._converters.values()):
            yield rule


def test_int_routes_exist(app):
    assert len(list(int_rules(app))) > 50  # the walk below would pass vacuously otherwise


@pytest.mark.parametrize("persona", ["A", "S", "M"])
def test_every_int_route_with_a_huge_id_answers_404(app, places, make_user, persona):
    world = World(places, make_user)
    client = Client(app.test_client()) if persona == "A" else _login(app, world.personas[persona])
    token = client.csrf()
    failures = []
    for rule in int_rules(app):
        url = re.sub(r"<(\w+:)?(\w+)>", lambda m: HUGE if m.group(1) == "int:" else str(world.values[m.group(2)]),
                     rule.rule)
        method = "GET" if "GET" in rule.methods else "POST"
        data = {"csrf_token": token} if method == "POST" else None
        response = client.open(url, method=method, data=data)
        if response.status_code != 404 or not error_page(response):
            failures.append(f"{method} {url}: {response.status_code}")
    assert not failures, failures


def test_ids_past_the_integer_columns_are_a_plain_not_found(client, places):
    """2^31 fits SQLite's INTEGER but not PostgreSQL's integer column; 2^63 fits neither;
    Python refuses to parse 5000 digits."""
    for value in (2**31 - 1, 2**31, 2**63 - 1, 2**63, 2**64, "9" * 5000):
        response = client.get(f"/topics/{value}")
        assert response.status_code == 404 and error_page(response), value
        response = client.get(f"/c/{value}")
        assert response.status_code == 404 and error_page(response), value


def test_the_int_converter_still_builds_and_matches_ordinary_ids(app, places):
    from flask import url_for

    with app.test_request_context():
        assert url_for("places.show_community", community_id=places.community.id) == f"/c/{places.community.id}"
    assert Client(app.test_client()).get(f"/c/{places.community.id}").status_code == 200
    assert Client(app.test_client()).get("/c/-1").status_code == 404


@pytest.mark.parametrize("url", [
    "/notifications?before={huge}",
    "/audit?before={huge}",
    "/admin/users?after={huge}",
    "/c/{community}/topics?category={huge}",
    "/notifications?before=-{huge}",
    "/admin/users?after=abc",
])
def test_integer_query_parameters_out_of_range_answer_400(app, places, make_user, url):
    admin = _login(app, make_user("admin"))
    response = admin.get(url.format(huge=HUGE, community=places.community.id))
    assert response.status_code == 400 and error_page(response)


def test_integer_query_parameters_in_range_still_work(app, places, make_user):
    admin = _login(app, make_user("admin"))
    assert admin.get("/notifications?before=5").status_code == 200
    assert admin.get("/audit?before=5").status_code == 200
    assert admin.get("/admin/users?after=1").status_code == 200
    assert admin.get(f"/c/{places.community.id}/topics?category=1").status_code == 200
    assert admin.get("/notifications?before=").status_code == 200  # empty means none


@pytest.mark.parametrize("route,field,persona", [
    ("/meetings/{meeting_id}/attendance", "member_id", "S"),
    ("/motions/{motion_id}/hand-vote", "member_id", "S"),
    ("/activities/{activity_id}/attendance", "signup_id", "S"),
    ("/topics/{topic_id}/comments", "parent_id", "R"),
])
def test_integer_form_fields_out_of_range_answer_400(app, places, make_user, route, field, persona):
    world = World(places, make_user)
    client = _login(app, world.personas[persona])
    data = {"csrf_token": client.csrf(), "status": "present", "choice": "no", "attended": "1",
            "body": "同意", "stance": "support", "idempotency_key": "k" * 20, field: HUGE}
    response = client.open(route.format(**world.values), method="POST", data=data)
    assert response.status_code == 400 and error_page(response)


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


CURSORS = [
    "garbage!!", "\x00", _b64(b"\xff\xfe\x00"), _b64(b"no separator"),
    _b64(f"2024-01-01T00:00:00+00:00|{HUGE}".encode()), _b64(f"{HUGE}|1".encode()),
    _b64(b"2024-01-01T00:00:00+00:00|-5"), _b64(b"9999-12-31T23:59:59+00:00|1"),
    _b64(b"0001-01-01T00:00:00+14:00|1"), _b64(b"-1|1"), _b64(("9" * 5000 + "|1").encode()),
    _b64(b"2024-01-01T00:00:00|1"), _b64(b"nan|1"), "A" * 5000,
]


@pytest.mark.parametrize("sort", ["newest", "supported", "active"])
def test_crafted_cursors_answer_400(client, places, sort):
    for cursor in CURSORS:
        response = client.get(f"/c/{places.community.id}/topics", query_string={"sort": sort, "cursor": cursor})
        assert response.status_code == 400 and error_page(response), (sort, cursor, response.status_code)


@pytest.mark.parametrize("query", ["电梯\x00加装", "\x00\x00\x00", "abc\x00"])
def test_nul_in_a_search_is_refused(client, places, query):
    response = client.get(f"/c/{places.community.id}/topics", query_string={"q": query})
    assert response.status_code == 400 and error_page(response)


def test_search_treats_control_characters_as_spaces(app, places, make_user):
    """What reaches FTS5 (SQLite) or pg_trgm (PostgreSQL) has no control characters:
    a NUL ends an SQLite string early (an unterminated FTS5 phrase) and
    PostgreSQL refuses it in text outright."""
    from app.consultation import services

    for query in ("电梯\x00加装", "\x00\x00\x00", "加装\x01电梯", "\x00\x1f\x7f", "加装电梯\x00"):
        assert services.list_topics(places.community.id, q=query)[0] == [], repr(query)


def test_a_search_with_a_pasted_tab_still_finds(client, places, make_user):
    from app.consultation import services

    author = make_user()
    topic = services.create_topic(author, places.community, title="加装电梯意见征集", body="老人上下楼困难",
                                  category_id=None, submit=True)
    services.publish(make_user("social_worker"), topic)
    db.session.commit()
    assert services.list_topics(places.community.id, q="\t加装电梯\x01")[0] == [topic]
    response = client.get(f"/c/{places.community.id}/topics", query_string={"q": "加装电梯\t"})
    assert response.status_code == 200 and "加装电梯意见征集" in text(response)


@pytest.mark.parametrize("request_args", [
    ("POST", "/login", {"login": "user\x00name", "password": "x"}),
    ("GET", "/photos/abc%00def", None),
    ("GET", "/certificates/AB%00CD", None),
    ("GET", "/verify?code=AB%00CD", None),
])
def test_a_nul_byte_anywhere_in_the_request_answers_400(client, places, request_args):
    """PostgreSQL refuses NUL in text: no value carrying one reaches a query."""
    method, url, data = request_args
    if method == "POST":
        data = {**data, "csrf_token": client.csrf()}
    response = client.open(url, method=method, data=data)
    assert response.status_code == 400 and error_page(response), response.status_code


PERIOD_MESSAGE = "日期须在 2000 年至 2100 年之间"


@pytest.mark.parametrize("period", [("9999-12-31", "9999-12-31"), ("0001-01-01", "0001-01-02"),
                                    ("2024-01-01", "9999-12-31"), ("1999-12-31", "2000-01-02")])
def test_statement_periods_outside_the_calendar_answer_422(app, places, make_user, period):
    resident = make_user()
    staff = make_user("social_worker")
    query = {"period_from": period[0], "period_to": period[1]}
    own = _login(app, resident)
    for url in ("/my/timebank/statement", "/my/timebank/statement.csv"):
        response = own.get(url, query_string=query)
        assert response.status_code == 422 and PERIOD_MESSAGE in text(response), url
    manager = _login(app, staff)
    base = f"/c/{places.community.id}/timebank"
    for url, extra in ((f"{base}/statement", {"user_id": resident.id}), (f"{base}/volunteers", {}),
                       (f"{base}/volunteers.xlsx", {})):
        response = manager.get(url, query_string={**query, **extra})
        assert response.status_code == 422 and PERIOD_MESSAGE in text(response), url


def test_certificate_period_outside_the_calendar_answers_422(app, places, make_user):
    resident = make_user()
    own = _login(app, resident)
    token = CSRF_RE.search(text(own.get("/my/certificates"))).group(1)
    response = own.post("/my/certificates", data={"csrf_token": token, "period_from": "0001-01-01",
                                                 "period_to": "9999-12-31"})
    assert response.status_code == 422 and PERIOD_MESSAGE in text(response)


TOO_LARGE = "之间的整数"  # the whole-number field names its bounds


def _form_posts(world):
    v = world.values
    return [
        (f"/topics/{v['topic_id']}/merge", {"target": HUGE, "reason": "重复"}, TOO_LARGE),
        (f"/c/{v['community_id']}/bodies/new", {"name": "居民代表会议二", "kind": "residents_representatives",
                                               "eligible_basis": "members", "eligible_count": HUGE,
                                               "quorum": "2/3"}, TOO_LARGE),
        (f"/bodies/{v['body_id']}/members", {"name": "张三", "household": "5幢502", "is_adult": "y",
                                            "area": "1" * 30}, None),  # Numeric(10, 2)
        (f"/bodies/{v['body_id']}/meetings/new", {"title": "例会", "starts_at": "0001-01-01T00:01", "place": "会议室"},
         PERIOD_MESSAGE),
        (f"/bodies/{v['body_id']}/meetings/new", {"title": "例会", "starts_at": "9999-12-31T23:59", "place": "会议室"},
         PERIOD_MESSAGE),
        (f"/c/{v['community_id']}/activities/new", {
            "title": "敬老", "starts_at": "0001-01-01T00:01", "ends_at": "0001-01-01T02:00",
            "signup_deadline": "0001-01-01T00:00", "places": "5", "minutes": "60", "category": "助老",
            "place": "活动中心"}, PERIOD_MESSAGE),
        (f"/c/{v['community_id']}/activities/new", {
            "title": "敬老", "starts_at": "9999-12-31T22:00", "ends_at": "9999-12-31T23:59",
            "signup_deadline": "9999-12-31T21:00", "places": "5", "minutes": "60", "category": "助老",
            "place": "活动中心"}, PERIOD_MESSAGE),
    ]


def test_numbers_and_dates_no_column_holds_answer_422_on_the_field(app, places, make_user):
    world = World(places, make_user)
    staff = _login(app, world.personas["S"])
    token = staff.csrf()
    failures = []
    for url, data, message in _form_posts(world):
        response = staff.post(url, {**data, "csrf_token": token})
        body = text(response)
        if response.status_code != 422 or (message and message not in body):
            failures.append((url, data, response.status_code))
    assert not failures, failures


def test_every_form_number_and_date_field_is_bounded(app):
    """Forms take WholeNumberField, DateField and DateTimeLocalField from app.inputs."""
    import wtforms
    from flask_wtf import FlaskForm

    from app import inputs

    unbounded = {wtforms.IntegerField: inputs.WholeNumberField, wtforms.DateField: inputs.DateField,
                 wtforms.DateTimeLocalField: inputs.DateTimeLocalField, wtforms.DateTimeField: None}
    forms, todo = [], list(FlaskForm.__subclasses__())
    while todo:
        form = todo.pop()
        forms.append(form)
        todo.extend(form.__subclasses__())
    assert len(forms) > 20
    wrong = [f"{form.__module__}.{form.__name__}.{name}" for form in forms for name in dir(form)
             if isinstance(getattr(form, name, None), wtforms.fields.core.UnboundField)
             and getattr(form, name).field_class in unbounded]
    assert not wrong, wrong
