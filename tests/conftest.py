"""Test fixtures: an app per test from the factory, a database per test on
SQLite and on PostgreSQL (every DB-backed test runs on both), factories for
places and users, and a client that logs in and carries CSRF tokens."""
from __future__ import annotations

import contextlib
import itertools
import os
import re
import shutil
import uuid
from pathlib import Path

import pytest
import sqlalchemy as sa

from app import create_app
from app.config import TestConfig
from app.extensions import db
from app import models as _every_model  # noqa: F401  (every mapper registered, whichever test a worker runs first)

PG_URL = os.environ.get("TEST_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
REQUIRE_POSTGRES = os.environ.get("REQUIRE_POSTGRES") == "1"


def _migrate(url: str) -> None:
    from flask_migrate import upgrade

    app = app_for(url)
    with app.app_context():
        upgrade()
        db.engine.dispose()


def app_for(url: str, **overrides):
    config = {**{k: getattr(TestConfig, k) for k in dir(TestConfig) if k.isupper()},
              "SQLALCHEMY_DATABASE_URI": url, **overrides}
    return create_app(config)


@contextlib.contextmanager
def another_app(url: str, **overrides):
    """A second app on the test's database (another worker, other settings).

    Its connections are closed when the block ends: one left to the garbage
    collector warns in whichever later test happens to collect it."""
    app = app_for(url, **overrides)
    try:
        yield app
    finally:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("template") / "template.db"
    _migrate(f"sqlite:///{path}")
    return path


@pytest.fixture(scope="session")
def pg_schema():
    """A schema of its own in the test database, migrated once."""
    try:
        engine = sa.create_engine(PG_URL, connect_args={"connect_timeout": 3})
        with engine.connect() as conn:
            conn.execute(sa.text("SELECT 1"))
    except Exception as exc:  # noqa: BLE001 - any failure means "not available"
        if REQUIRE_POSTGRES:
            pytest.fail(f"PostgreSQL required (REQUIRE_POSTGRES=1) but not reachable at {PG_URL}: {exc}")
        pytest.skip(f"PostgreSQL not reachable at {PG_URL}; set TEST_DATABASE_URL or start it")
    schema = f"t_{uuid.uuid4().hex[:10]}"
    with engine.begin() as conn:
        conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    try:  # database-wide, in public: created once here so parallel workers do not race on it
        with engine.begin() as conn:
            conn.execute(sa.text("CREATE EXTENSION IF NOT EXISTS pg_trgm SCHEMA public"))
    except sa.exc.IntegrityError:
        pass
    url = f"{PG_URL}{'&' if '?' in PG_URL else '?'}options=-csearch_path%3D{schema},public"
    _migrate(url)
    yield url, schema
    with engine.begin() as conn:
        conn.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
    engine.dispose()


def _truncate_pg(url: str) -> None:
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        tables = [t.name for t in db.metadata.sorted_tables]
        conn.execute(sa.text("TRUNCATE " + ", ".join(f'"{t}"' for t in tables) + " RESTART IDENTITY CASCADE"))
    engine.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request, tmp_path):
    if request.param == "sqlite":
        path = tmp_path / "test.db"
        shutil.copyfile(request.getfixturevalue("sqlite_template"), path)
        yield f"sqlite:///{path}"
    else:
        url, _schema = request.getfixturevalue("pg_schema")
        yield url
        _truncate_pg(url)


@pytest.fixture
def app(database_url):
    app = app_for(database_url)
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def backend(database_url) -> str:
    return "sqlite" if database_url.startswith("sqlite") else "postgresql"


# -- factories ---------------------------------------------------------------------

_seq = itertools.count(1)


class Places:
    """Two subdistricts: A has communities a1 (ours) and a2; B has b1."""

    def __init__(self):
        from app.places import services

        self.subdistrict = services.save_subdistrict(None, None, name="娄东街道", city="太仓市")
        self.other_subdistrict = services.save_subdistrict(None, None, name="城厢镇", city="太仓市")
        kw = dict(kind=_kind(), households=2000, address="", description="")
        self.community = services.save_community(None, None, subdistrict=self.subdistrict, name="朝阳社区", **kw)
        self.sibling = services.save_community(None, None, subdistrict=self.subdistrict, name="南园社区", **kw)
        self.other = services.save_community(None, None, subdistrict=self.other_subdistrict, name="东林社区", **kw)
        self.grid = services.save_grid(None, None, community=self.community, name="第一网格")
        self.department = services.save_department(None, None, subdistrict=self.subdistrict, name="民政科")
        db.session.commit()


def _kind():
    from app.places.models import CommunityKind

    return CommunityKind.community


@pytest.fixture
def places(app) -> Places:
    return Places()


@pytest.fixture
def make_user(app, places):
    """make_user(role=None, scope=None, community=..., verified=True, **fields) -> User"""
    from app.accounts import services
    from app.accounts.models import ResidenceStatus, Role

    def make(role: str | None = None, scope=None, *, community="default", verified=True,
             password="correct horse battery", display_name=None, login=None, active=True):
        n = next(_seq)
        if community == "default":
            community = places.community if role is None else None
        user = services.create_user(
            None, login=login or f"user{n:04d}", display_name=display_name or f"用户{n}",
            password=password, community=community, verified=verified)
        if community is not None and not verified:
            user.residence_status = ResidenceStatus.pending
        if role:
            r = Role[role]
            if scope is None and r is not Role.admin:
                scope = {"social_worker": places.community, "committee_member": places.community,
                         "subdistrict_staff": places.subdistrict, "department_staff": places.department}[role]
            services.assign_role(None, user, r, scope.id if scope is not None else None)
        user.is_active = active
        db.session.commit()
        return user

    return make


# -- clients -----------------------------------------------------------------------

CSRF_RE = re.compile(r'name="csrf_token" value="([^"]+)"')


class Client:
    """A test client that fetches the CSRF token a real form would carry.

    Each request runs in an app context of its own, as in production: the
    test's own app context would otherwise be reused by the request, sharing
    `g` and the database session between requests."""

    def __init__(self, flask_client):
        self.c = flask_client

    def __getattr__(self, name):
        return getattr(self.c, name)

    def open(self, *args, **kw):
        # End the test's own transaction first (as separate processes would),
        # so the request never waits on a lock the test holds; objects the
        # test holds are expired and reload fresh afterwards.
        db.session.commit()
        with self.c.application.app_context():
            response = self.c.open(*args, **kw)
        # read the body, then close: that also closes the request's input
        # stream (a temporary file for large uploads)
        response.get_data()
        response.close()
        return response

    def csrf(self) -> str:
        """A signed-in person's forms carry the token everywhere; a visitor gets one where a form needs it."""
        found = CSRF_RE.search(self.get("/display").get_data(as_text=True))
        return (found or CSRF_RE.search(self.get("/login").get_data(as_text=True))).group(1)

    def post(self, url, data=None, *, csrf=True, **kw):
        data = dict(data or {})
        if csrf:
            data.setdefault("csrf_token", self.csrf())
        return self.open(url, method="POST", data=data, **kw)

    def get(self, url, **kw):
        return self.open(url, method="GET", **kw)

    def login(self, user, password="correct horse battery"):
        response = self.post("/login", {"login": user.login_name, "password": password})
        assert response.status_code == 303, response.get_data(as_text=True)[:2000]
        return response


@pytest.fixture
def client(app) -> Client:
    return Client(app.test_client())


@pytest.fixture
def client_for(app):
    """client_for(user) -> a Client logged in as user (a real login)."""
    def make(user, password="correct horse battery"):
        c = Client(app.test_client())
        c.login(user, password)
        return c
    return make


def text(response) -> str:
    return response.get_data(as_text=True)


def run_in_threads(app, inputs, work, prepare=None) -> list[BaseException]:
    """Run `work` once per input, each in its own thread, app context and
    database session, all released together by a barrier; return what raised.

    `prepare(input)` loads objects before the barrier (its result is passed to
    `work`), so the writes themselves start at the same moment. The caller's
    own transaction is committed first: on SQLite it would hold the write lock."""
    import threading

    inputs = list(inputs)
    errors: list[BaseException] = []
    barrier = threading.Barrier(len(inputs))
    db.session.commit()

    def run(item):
        with app.app_context():
            try:
                state = prepare(item) if prepare else item
                db.session.commit()
                barrier.wait()
                work(state)
                db.session.commit()
            except BaseException as exc:  # noqa: BLE001 - returned for the test's assertion
                db.session.rollback()
                errors.append(exc)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run, args=(item,)) for item in inputs]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return errors


def run_state_machine(machine_cls, make_user, *, steps: int) -> None:
    """Run a hypothesis rule-based machine whose people come from `make_user`
    (15 examples of `steps` steps, no deadline: each step writes to the database)."""
    from hypothesis import HealthCheck, settings

    machine_cls.factory = staticmethod(make_user)
    case = machine_cls.TestCase
    case.settings = settings(max_examples=15, stateful_step_count=steps, deadline=None,
                             suppress_health_check=[HealthCheck.too_slow])
    case().runTest()
