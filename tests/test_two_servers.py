"""Two app servers (gunicorn, as deployed) against one PostgreSQL schema and one Redis:
a session started on one is good on the other, the login limit counts attempts made on
both, and transfers made on both leave a ledger that verifies.

Needs PostgreSQL (skips without it unless REQUIRE_POSTGRES=1) and redis-server on
127.0.0.1:6379 (skips without it unless REQUIRE_REDIS=1)."""
from __future__ import annotations

import http.client
import os
import re
import secrets
import socket
import subprocess
import sys
import time
import urllib.parse
from pathlib import Path

import pytest
import sqlalchemy as sa

from tests.conftest import app_for

ROOT = Path(__file__).resolve().parent.parent
REDIS = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379")
CSRF_RE = re.compile(r'name="csrf_token" value="([^"]+)"')
PASSWORD = "correct horse battery"


def _redis_available() -> str | None:
    host, port = urllib.parse.urlsplit(REDIS).hostname, urllib.parse.urlsplit(REDIS).port or 6379
    try:
        with socket.create_connection((host, port), timeout=2) as s:
            s.sendall(b"PING\r\n")
            return None if s.recv(16).startswith(b"+PONG") else "Redis did not answer PING"
    except OSError as exc:
        return f"Redis not reachable at {REDIS} ({exc}); install redis-server or set TEST_REDIS_URL"


@pytest.fixture(scope="module")
def redis_url():
    problem = _redis_available()
    if problem:
        if os.environ.get("REQUIRE_REDIS") == "1":
            pytest.fail(f"Redis required (REQUIRE_REDIS=1): {problem}")
        pytest.skip(problem)
    return REDIS


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Browser:
    """Cookies carried by hand, so one browser can talk to either server."""

    def __init__(self):
        self.cookies: dict[str, str] = {}

    def request(self, port: int, method: str, path: str, form: dict | None = None) -> tuple[int, str]:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())} if self.cookies else {}
        body = None
        if form is not None:
            body = urllib.parse.urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        conn.request(method, path, body=body, headers=headers)
        response = conn.getresponse()
        text = response.read().decode()
        for name, value in response.getheaders():
            if name.lower() == "set-cookie":
                key, _, rest = value.partition("=")
                self.cookies[key] = rest.split(";", 1)[0]
        conn.close()
        return response.status, text

    def csrf(self, port: int) -> str:
        """A signed-in person's pages carry the token; a visitor gets one on the login page."""
        found = CSRF_RE.search(self.request(port, "GET", "/display")[1])
        return (found or CSRF_RE.search(self.request(port, "GET", "/login")[1])).group(1)

    def login(self, port: int, login: str, password: str = PASSWORD) -> int:
        return self.request(port, "POST", "/login", {"login": login, "password": password,
                                                     "csrf_token": self.csrf(port)})[0]


@pytest.fixture(scope="module")
def servers(pg_schema, redis_url, tmp_path_factory):
    """The schema with two verified residents of one community, and two gunicorn servers on it."""
    url, _schema = pg_schema
    app = app_for(url)
    from app.accounts import services
    from app.extensions import db
    from app.places import services as places

    with app.app_context():
        sub = places.save_subdistrict(None, None, name="两服务器街道", city="太仓市")
        community = places.save_community(None, None, subdistrict=sub, name="两服务器社区", kind=_kind(),
                                          households=100, address="", description="")
        logins = [f"two{secrets.token_hex(3)}" for _ in range(2)]
        for login in logins:
            services.create_user(None, login=login, display_name=login, password=PASSWORD, community=community,
                                 verified=True)
        db.session.commit()
        db.session.remove()
        db.engine.dispose()
    tmp = tmp_path_factory.mktemp("two-servers")
    ports, processes = [_free_port(), _free_port()], []
    env = {**os.environ, "DATABASE_URL": url, "RATELIMIT_STORAGE_URI": redis_url, "SECRET_KEY": "two-servers-secret",
           "INSTANCE_PATH": str(tmp), "WEB_CONCURRENCY": "1", "GUNICORN_THREADS": "2",
           # the account's limit is the one under test; the address's is shared with other runs on this Redis
           "LOGIN_LIMIT_PER_ACCOUNT": "4 per 15 minutes", "LOGIN_LIMIT_PER_IP": "10000 per 15 minutes"}
    logs = [open(tmp / f"{port}.log", "w") for port in ports]  # noqa: SIM115 - open while the servers run
    for port, log in zip(ports, logs, strict=True):
        processes.append(subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "-b", f"127.0.0.1:{port}", "wsgi:app"],
            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=log))
    try:
        for port in ports:
            for _ in range(200):
                try:
                    if Browser().request(port, "GET", "/healthz")[0] == 200:
                        break
                except OSError:
                    time.sleep(0.1)
            else:
                pytest.fail(f"server on {port} did not start: {(tmp / f'{port}.log').read_text()[-2000:]}")
        yield {"ports": ports, "logins": logins, "url": url}
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(20)
        for log in logs:
            log.close()


def _kind():
    from app.places.models import CommunityKind

    return CommunityKind.community


def test_a_session_started_on_one_server_is_good_on_the_other(servers):
    a, b = servers["ports"]
    browser = Browser()
    assert browser.login(a, servers["logins"][0]) == 303
    status, page = browser.request(b, "GET", "/account")
    assert status == 200 and servers["logins"][0] in page
    # logging out on B ends the session on A too (the session lives in the database)
    assert browser.request(b, "POST", "/logout", {"csrf_token": browser.csrf(b)})[0] == 303
    assert browser.request(a, "GET", "/account")[0] == 302


def test_the_login_limit_counts_attempts_on_both_servers(servers):
    a, b = servers["ports"]
    login = servers["logins"][1]
    # four failed attempts, alternating servers, use up the account's limit of 4 …
    for port in (a, b, a, b):
        assert Browser().login(port, login, "wrong password!") == 422
    # … so the fifth, even with the right password, is refused on either server
    assert Browser().login(a, login) == 429
    assert Browser().login(b, login) == 429


def test_hours_confirmed_on_both_servers_are_credited_once_and_the_ledger_verifies(servers):
    """The ledger's write over HTTP is the organiser's confirmation: two social workers confirm
    the same activity on both servers at once, and each their own on one server each."""
    import threading
    from datetime import timedelta

    a, b = servers["ports"]
    app = app_for(servers["url"])
    from app.accounts import services
    from app.accounts.models import Role, User
    from app.extensions import db
    from app.places.models import Community
    from app.sqltypes import utcnow
    from app.timebank import ledger
    from app.volunteering import services as activities
    from app.timebank.models import ServiceRecord
    from app.volunteering.models import Signup
    from tests.volunteering.helpers import ended

    with app.app_context():
        residents = [db.session.scalar(sa.select(User).where(User.username == login)) for login in servers["logins"]]
        community = db.session.get(Community, residents[0].community_id)
        workers = []
        for n in range(2):
            worker = services.create_user(None, login=f"sw{secrets.token_hex(3)}", display_name=f"社工{n}",
                                          password=PASSWORD)
            services.assign_role(None, worker, Role.social_worker, community.id)
            workers.append(worker)
        for resident in residents:
            if activities.profile_of(resident) is None:
                activities.register_volunteer(resident, skills="", availability="", consent=True)
        start = utcnow() + timedelta(days=1)
        ids = []
        for n in range(3):
            activity = activities.publish(workers[0], community, title=f"两服务器活动{n}", description="",
                                          category="环境", place="广场", starts_at=start,
                                          ends_at=start + timedelta(hours=1), signup_deadline=start,
                                          places=5, minutes=60)
            for resident in residents:
                activities.sign_up(resident, activity)
            ended(activity)  # hours are confirmed only after the activity took place
            for signup in db.session.scalars(sa.select(Signup).where(Signup.activity_id == activity.id)):
                activities.mark_attendance(workers[0], signup, True)
            ids.append(activity.id)
        db.session.commit()
        logins = [w.username for w in workers]
        db.session.remove()
        db.engine.dispose()

    def confirm(login: str, port: int, activity_ids: list[int]):
        browser = Browser()
        assert browser.login(port, login) == 303
        token = browser.csrf(port)
        for activity_id in activity_ids:
            status, _ = browser.request(port, "POST", f"/activities/{activity_id}/confirm", {"csrf_token": token})
            assert status in (303, 422), status

    threads = [threading.Thread(target=confirm, args=(logins[0], a, [ids[0], ids[2]])),
               threading.Thread(target=confirm, args=(logins[1], b, [ids[1], ids[2]]))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    with app.app_context():
        result = ledger.verify()
        credited = db.session.execute(sa.select(ServiceRecord.reference_id, sa.func.count()).where(
            ServiceRecord.reference_type == "activity", ServiceRecord.reference_id.in_(ids))
            .group_by(ServiceRecord.reference_id)).all()
        db.session.remove()
        db.engine.dispose()
    assert result["problems"] == []
    assert dict(credited) == {activity_id: 2 for activity_id in ids}  # each volunteer once per activity
