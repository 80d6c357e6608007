"""Flat query counts: every page and htmx fragment runs the same number of SQL
statements whether the database holds a little or ten times as much.

The same world is generated twice (the city generator at two small scales, in
the same database, emptied in between): ten times the topics, comments,
meetings, activities, postings, audit entries and notifications. Each persona
opens every GET page of the url map whose arguments the world can fill (not
the downloads), as a page and as an htmx fragment; a page whose statement
count grows fails with its path, persona and both counts.

Growth inside packages being restructured elsewhere is listed in KNOWN_GROWTH
with the counts measured: the test still fails if such a page grows further
or any other page starts to grow."""
from __future__ import annotations

import re
import shutil

import sqlalchemy as sa

from app import benchdata
from app.extensions import db
from tests.conftest import Client, _truncate_pg

SMALL, LARGE = 0.0002, 0.002  # 20 / 200 topics, 100 / 1,000 comments, 10 / 100 activities, 200 / 2,000 postings
# (and 4 / 11 communities in 2 / 4 subdistricts: see _more_places)

PERSONAS = {"anonymous": None, "resident": "heavy", "social_worker": "sw01a", "subdistrict_staff": "jd01",
            "admin": "bench-admin"}

SKIP_ENDPOINTS = {"static", "favicon", "health.check_health"}
SKIP_SUFFIXES = (".csv", ".xlsx", ".svg")

# (persona, path pattern, htmx) → (small, large, reason): pages in packages other engineers are
# restructuring, whose growth is known and must not get worse. Path patterns name the rule.
KNOWN_GROWTH: dict[tuple[str, str, bool], tuple[int, int, str]] = {}  # none: the roster loads its volunteers with it


def _arguments(community_id: int) -> dict[str, int | None]:
    """An id from the world for each url argument, in community `community_id`."""
    def first(sql: str) -> int | None:
        return db.session.execute(sa.text(sql), {"c": community_id}).scalar()

    topic = first("SELECT t.id FROM topic t WHERE t.community_id = :c AND t.state IN "
                  "('published', 'deliberating', 'decided', 'in_progress', 'completed') "
                  "ORDER BY t.comment_count DESC, t.id LIMIT 1")
    return {
        "community_id": community_id,
        "topic_id": topic,
        "comment_id": first(f"SELECT min(id) FROM comment WHERE topic_id = {topic or 0}"),
        "body_id": first("SELECT min(id) FROM body WHERE community_id = :c"),
        "meeting_id": first("SELECT min(m.id) FROM meeting m JOIN body b ON b.id = m.body_id "
                            "WHERE b.community_id = :c"),
        "activity_id": first("SELECT a.id FROM activity a LEFT JOIN signup s ON s.activity_id = a.id "
                             "WHERE a.community_id = :c GROUP BY a.id ORDER BY count(s.id) DESC, a.id LIMIT 1"),
        "user_id": first("SELECT min(id) FROM \"user\" WHERE community_id = :c AND phone IS NOT NULL"),
        "subdistrict_id": first("SELECT subdistrict_id FROM community WHERE id = :c"),
        "grid_id": first("SELECT min(id) FROM grid WHERE community_id = :c"),
        "department_id": first("SELECT min(id) FROM department"),
        "version_id": first("SELECT max(id) FROM list_version WHERE state = 'published'"),
        "draft_id": first("SELECT max(id) FROM list_version WHERE state = 'draft'"),
        "item_id": first("SELECT max(i.id) FROM list_item i JOIN list_version v ON v.id = i.version_id "
                         "WHERE v.state = 'draft'"),
    }


def _paths(app, arguments: dict) -> list[tuple[str, str]]:
    """(rule, path) for every GET page the arguments can fill."""
    out = []
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if "GET" not in rule.methods or rule.endpoint in SKIP_ENDPOINTS or rule.rule.endswith(SKIP_SUFFIXES):
            continue
        if any(arguments.get(name) is None for name in rule.arguments):
            continue  # an argument the world cannot fill (a certificate code, a photo token)
        path = rule.rule
        for name in rule.arguments:
            path = re.sub(rf"<(?:\w+:)?{name}>", str(arguments[name]), path)
        out.append((rule.rule, path))
    return out


def _measure(app, result: dict) -> dict[tuple[str, str, bool], tuple[int, int]]:
    """(persona, rule, htmx) → (statements, status) for every page, in the world now in the database."""
    arguments = _arguments(1)
    paths = _paths(app, arguments)
    counts: dict[tuple[str, str, bool], tuple[int, int]] = {}
    for persona, login in PERSONAS.items():
        client = Client(app.test_client())
        if login is not None:
            login = result["heavy"][0] if login == "heavy" else login
            response = client.post("/login", {"login": login, "password": benchdata.BENCH_PASSWORD})
            assert response.status_code == 303, (persona, response.status_code)
        for rule, path in paths:
            for htmx in (False, True):
                seen: list[str] = []

                def count(conn, cursor, statement, *args, seen=seen):
                    seen.append(statement)

                headers = {"HX-Request": "true"} if htmx else {}
                db.session.commit()
                sa.event.listen(db.engine, "before_cursor_execute", count)
                try:
                    response = client.get(path, headers=headers)
                finally:
                    sa.event.remove(db.engine, "before_cursor_execute", count)
                assert response.status_code < 500, (persona, path, htmx, response.status_code)
                counts[(persona, rule, htmx)] = (len(seen), response.status_code)
    return counts


def _empty(request, database_url: str) -> None:
    """Back to the migrated, empty database (the ledger's tables refuse DELETE: start again)."""
    db.session.remove()
    db.engine.dispose()
    if database_url.startswith("sqlite"):
        shutil.copyfile(request.getfixturevalue("sqlite_template"), database_url.removeprefix("sqlite:///"))
    else:
        _truncate_pg(database_url)


def _more_places(in_first: int, subdistricts: int, each: int) -> None:
    """Both scales have one subdistrict of two communities: add `in_first` communities to it and
    `subdistricts` more subdistricts of `each` communities (lists of places, the overviews)."""
    from app.places import services
    from app.places.models import CommunityKind, Subdistrict

    kw = dict(kind=CommunityKind.community, households=1500, address="", description="")
    first = db.session.get(Subdistrict, 1)
    for i in range(in_first):
        services.save_community(None, None, subdistrict=first, name=f"新建{i}社区", **kw)
    for s in range(subdistricts):
        subdistrict = services.save_subdistrict(None, None, name=f"新设{s}街道", city="太仓市")
        for i in range(each):
            services.save_community(None, None, subdistrict=subdistrict, name=f"新设{s}-{i}社区", **kw)
    db.session.commit()


def _lists(versions: int, items: int) -> None:
    """Subdistrict 1's two lists: `versions` published versions, each revising a few of `items`
    items (some certificates, some cancelled), and an open draft (the staff's pages)."""
    from app.accounts.models import User
    from app.lists import services as lists
    from app.localtime import today
    from app.places.models import Subdistrict

    staff = db.session.scalar(sa.select(User).where(User.username == "jd01"))
    subdistrict = db.session.get(Subdistrict, 1)
    kinds = ("statutory", "assisted", "excluded")
    for number in range(versions + 1):
        draft = lists.start_draft(staff, subdistrict)
        if number == 0:
            for i in range(items):
                lists.add_item(staff, draft, reason="首次", kind=kinds[i % 3], title=f"事项{i}证明",
                               department="民政科", is_certificate=i % 4 == 0, materials="身份证",
                               keywords=f"别名{i}、证明{i}")
        else:
            for item in lists.items_of(draft)[:3]:
                values = {f: getattr(item, f) for f in lists.FIELDS}
                lists.change_item(staff, item, reason="修订", **{**values, "description": f"第{number}次修订"})
            lists.remove_item(staff, lists.items_of(draft)[-1], reason="合并")
            lists.add_item(staff, draft, reason="新增", kind="assisted", title=f"新增事项{number}")
        if number < versions:
            lists.publish(staff, draft, effective_on=today())
    db.session.commit()


def test_no_page_runs_more_statements_for_more_rows(app, request, database_url):
    quiet = lambda _line: None  # noqa: E731
    generated = benchdata.generate(SMALL, echo=quiet)
    _more_places(1, 1, 1)
    _lists(2, 12)
    small = _measure(app, generated)
    _empty(request, database_url)
    generated = benchdata.generate(LARGE, echo=quiet)
    _more_places(3, 3, 2)
    _lists(6, 120)
    large = _measure(app, generated)

    grew, worse, report = [], [], []
    for key, (count_small, status_small) in sorted(small.items()):
        count_large, status_large = large[key]
        persona, rule, htmx = key
        label = f"{persona:17} {'htmx ' if htmx else 'page '}{rule}  {status_small}/{status_large}  " \
                f"{count_small} → {count_large}"
        report.append(label)
        if count_large <= count_small:
            continue
        known = KNOWN_GROWTH.get(key)
        if known is None:
            grew.append(label)
        elif count_small > known[0] or count_large > known[1]:
            worse.append(f"{label} (known: {known[0]} → {known[1]})")
    print("\n".join(report))
    assert not grew and not worse, "\n".join(
        ["Statements grow with the data:", *grew, "Known growth got worse:", *worse])
    assert len({rule for _p, rule, _h in small}) >= 50  # the walk really covered the url map
