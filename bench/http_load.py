"""Pages and writes over HTTP, served by gunicorn as in production, on a city-scale database.

    .venv/bin/python bench/http_load.py --database postgresql://postgres@127.0.0.1/linli_bench --scale 0.1
    .venv/bin/python bench/http_load.py --database sqlite:////tmp/linli-bench.db --scale 0.01 --seconds 20

Migrates the database and fills it with `flask bench-data --scale N` when it has no users (an
existing bench database is reused as it is), prepares what the writes need through the services
(an open roll-call motion with its members present; activities whose volunteers attended),
starts gunicorn with gunicorn.conf.py on 127.0.0.1, logs in residents and staff, then runs
a mix of resident and staff pages and writes (comment, support, vote, confirm hours) from
--concurrency client threads with keep-alive connections on loopback, for --seconds or
--max-requests, whichever comes first. Prints, per page: requests, errors, p50/p95/p99 in
ms, and p50 as a multiple of the bare route (`/healthz`: one `SELECT 1`) measured in the
same run; then the requests per second. --json FILE also writes the figures.
Several workers need shared rate limits: with --workers > 1, RATELIMIT_STORAGE_URI defaults
to redis://127.0.0.1:6379.
"""
from __future__ import annotations

import sys
from pathlib import Path


import argparse
import http.client
import json
import os
import re
import secrets
import statistics
import subprocess
import tempfile
import threading
import time
import urllib.parse

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

CSRF_RE = re.compile(r'name="csrf_token" value="([^"]+)"')
PASSWORD = "linli-bench-2026"


def percentile(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, round(q / 100 * (len(values) - 1)))]


class Session:
    """One browser: a keep-alive connection, its cookies and its CSRF token."""

    def __init__(self, port: int):
        self.port, self.cookies, self.csrf = port, {}, None
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)

    def request(self, method: str, path: str, form: dict | None = None) -> tuple[int, bytes]:
        headers = {"Accept-Encoding": "gzip, br", "User-Agent": "linli-bench"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if form is not None:
            body = urllib.parse.urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        for attempt in (1, 2):
            try:
                self.conn.request(method, path, body=body, headers=headers)
                response = self.conn.getresponse()
                data = response.read()
                break
            except (http.client.HTTPException, ConnectionError):
                self.conn.close()
                self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
                if attempt == 2:
                    raise
        for header, value in response.getheaders():
            if header.lower() == "set-cookie":
                name, _, rest = value.partition("=")
                self.cookies[name] = rest.split(";", 1)[0]
        return response.status, data

    def fetch_csrf(self, path: str = "/display") -> str:
        # uncompressed, to read the token (a visitor's forms with one: /login; a signed-in person's: any page)
        self.conn.request("GET", path, headers={"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())})
        response = self.conn.getresponse()
        page = response.read().decode()
        for header, value in response.getheaders():
            if header.lower() == "set-cookie":
                name, _, rest = value.partition("=")
                self.cookies[name] = rest.split(";", 1)[0]
        self.csrf = CSRF_RE.search(page).group(1)
        return self.csrf

    def login(self, login: str) -> Session:
        self.fetch_csrf("/login")
        status, _ = self.request("POST", "/login", {"login": login, "password": PASSWORD, "csrf_token": self.csrf})
        if status != 303:
            raise SystemExit(f"login as {login} answered {status}")
        self.fetch_csrf()  # the session (and its token) changed at login
        return self


def prepare(env: dict, args) -> dict:
    """Migrate, generate when empty, find the pages' targets and prepare what the writes need."""
    flask = [sys.executable, "-m", "flask", "--app", "wsgi"]
    subprocess.run([*flask, "db", "upgrade"], cwd=ROOT, env=env, check=True, capture_output=True)
    os.environ.update(env)
    from datetime import timedelta

    import sqlalchemy as sa

    from app import create_app
    from app.extensions import db
    from app.sqltypes import utcnow

    app = create_app()
    with app.app_context():
        from app import benchdata

        empty = benchdata.is_empty()
        db.session.remove()  # end the transaction: on SQLite it would hold the write lock
        if empty:
            print(f"Generating scale {args.scale} (flask bench-data) …", flush=True)
            started = time.perf_counter()
            subprocess.run([*flask, "bench-data", "--scale", str(args.scale)], cwd=ROOT, env=env, check=True)
            print(f"generated in {time.perf_counter() - started:.0f} s", flush=True)
            db.session.remove()

        def one(sql, **params):
            return db.session.execute(sa.text(sql), params).scalar()

        from app.accounts.models import ResidenceStatus, User
        from app.meetings.attendance import record_attendance
        from app.meetings.bodies import active_members
        from app.meetings.motions import open_motion
        from app.meetings.models import AttendanceStatus, Meeting
        from app.places.models import Community
        from app.volunteering import services as activities
        from app.volunteering.models import Signup, VolunteerProfile

        t = {"community": 1, "scale": one("SELECT count(*) FROM topic") / 100_000}
        t["busiest"] = one("SELECT id FROM topic ORDER BY comment_count DESC LIMIT 1")
        t["busiest_comments"] = one("SELECT count(*) FROM comment WHERE topic_id = :t", t=t["busiest"])
        counts = sorted(c for (c,) in db.session.execute(sa.text(
            "SELECT comment_count FROM topic WHERE community_id = 1 AND state = 'published'")))
        median = counts[len(counts) // 2]
        t["typical"] = one("SELECT id FROM topic WHERE community_id = 1 AND state = 'published' "
                           "AND comment_count = :c ORDER BY id LIMIT 1", c=median)
        t["meeting"] = one("SELECT m.id FROM meeting m JOIN body b ON b.id = m.body_id "
                           "WHERE b.community_id = 1 AND m.state = 'closed' ORDER BY m.id DESC LIMIT 1")
        t["heavy"] = one("SELECT u.phone FROM posting p JOIN account a ON a.id = p.account_id "
                         "JOIN \"user\" u ON u.id = a.user_id WHERE a.community_id = 1 "
                         "GROUP BY u.phone ORDER BY count(*) DESC LIMIT 1")
        t["heavy_movements"] = one("SELECT count(*) FROM posting p JOIN account a ON a.id = p.account_id "
                                   "JOIN \"user\" u ON u.id = a.user_id WHERE u.phone = :p", p=t["heavy"])
        residents = [r for (r,) in db.session.execute(sa.text(
            "SELECT phone FROM \"user\" WHERE community_id = 1 AND residence_status = 'verified' "
            "AND phone IS NOT NULL AND phone <> :h ORDER BY id LIMIT 400"), {"h": t["heavy"]})]
        t["residents"] = residents[5:5 + args.concurrency]
        t["open_topics"] = [r for (r,) in db.session.execute(sa.text(
            "SELECT id FROM topic WHERE community_id = 1 AND state = 'published' AND hidden_at IS NULL "
            "ORDER BY id DESC LIMIT 3000"))]

        # a meeting in session with everyone present and an open roll-call motion
        sw = db.session.scalar(sa.select(User).where(User.username == "sw01a"))
        meeting = db.session.scalar(sa.select(Meeting).join(Meeting.body).where(
            Meeting.state != "closed", sa.text("body.community_id = 1")).order_by(Meeting.id.desc()).limit(1))
        voters = []
        if meeting is not None:
            for member in active_members(meeting.body):
                record_attendance(sw, meeting, member, AttendanceStatus.present)
                if member.user is not None:
                    voters.append(member.user.login_name)
            motion = open_motion(sw, meeting, title=f"压力测试表决 {secrets.token_hex(3)}")
            t["motion"] = motion.id
            t["live_meeting"] = meeting.id
        t["voters"] = voters[:args.concurrency]
        # activities whose volunteers attended, for the organiser to confirm
        # six volunteers an activity, none twice: a volunteer is credited at most 12 hours a day
        # (a small scale has too few registered volunteers: more residents register, so that at every
        # scale each confirmation credits six people who have not been credited today)
        everyone = list(db.session.scalars(sa.select(User).join(VolunteerProfile, VolunteerProfile.user_id == User.id)
                                           .where(User.community_id == 1).order_by(User.id).limit(6 * args.confirms)))
        if len(everyone) < 6 * args.confirms:
            for resident in db.session.scalars(
                    sa.select(User).outerjoin(VolunteerProfile, VolunteerProfile.user_id == User.id)
                    .where(User.community_id == 1, User.residence_status == ResidenceStatus.verified,
                           VolunteerProfile.user_id.is_(None)).order_by(User.id)
                    .limit(6 * args.confirms - len(everyone))):
                activities.register_volunteer(resident, skills="", availability="", consent=True)
                everyone.append(resident)
        start = utcnow() + timedelta(days=2)
        t["to_confirm"] = []
        for k in range(args.confirms):
            volunteers = everyone[6 * k:6 * k + 6] or everyone[:6]
            activity = activities.publish(sw, db.session.get(Community, 1), title=f"压力测试活动{k}",
                                          description="", category="环境", place="中心广场", starts_at=start,
                                          ends_at=start + timedelta(hours=2), signup_deadline=start - timedelta(hours=1),
                                          places=len(volunteers), minutes=120)
            for v in volunteers:
                activities.sign_up(v, activity)
            for signup in db.session.scalars(sa.select(Signup).where(Signup.activity_id == activity.id)):
                activities.mark_attendance(sw, signup, True)
            # it has taken place (hours are confirmed only afterwards): signed up while ahead, held an hour ago
            activity.ends_at = utcnow() - timedelta(hours=1)
            activity.starts_at = activity.ends_at - timedelta(hours=2)
            activity.signup_deadline = activity.starts_at - timedelta(hours=1)
            t["to_confirm"].append(activity.id)
        db.session.commit()
        db.session.remove()
        db.engine.dispose()
    return t


def run(args) -> dict:
    tmp = Path(tempfile.mkdtemp(prefix="linli-http-"))
    env = {**os.environ, "DATABASE_URL": args.database, "INSTANCE_PATH": str(tmp), "FLASK_APP": "wsgi",
           "SECRET_KEY": secrets.token_urlsafe(32), "BIND": f"127.0.0.1:{args.port}"}
    if args.workers > 1:
        env.setdefault("RATELIMIT_STORAGE_URI", "redis://127.0.0.1:6379")
    if args.workers:
        env["WEB_CONCURRENCY"] = str(args.workers)
    targets = prepare(env, args)
    log = open(tmp / "gunicorn.log", "w")  # noqa: SIM115 - open while the server runs
    server = subprocess.Popen([sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py",
                               "wsgi:app"], cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=log)
    try:
        for _ in range(300):
            try:
                if Session(args.port).request("GET", "/healthz")[0] == 200:
                    break
            except OSError:
                time.sleep(0.1)
        else:
            raise SystemExit(f"gunicorn did not answer; see {tmp / 'gunicorn.log'}")
        return drive(args, targets)
    finally:
        server.terminate()
        server.wait(30)
        log.close()


def drive(args, t: dict) -> dict:
    port = args.port
    anon = [Session(port) for _ in range(args.concurrency)]
    residents = [Session(port).login(login) for login in t["residents"]]
    heavy = Session(port).login(t["heavy"])
    staff = Session(port).login("sw01a")
    admin = Session(port).login("bench-admin")
    voters = [Session(port).login(login) for login in t["voters"]]
    topics = list(t["open_topics"])
    confirm = list(t["to_confirm"])
    lock = threading.Lock()
    supported: set[tuple[int, int]] = set()

    def comment(i):
        s = residents[i % len(residents)]
        return s, "POST", f"/topics/{topics[i % len(topics)]}/comments", {
            "body": "压力测试：同意这个建议，希望尽快落实。", "stance": "support",
            "idempotency_key": secrets.token_hex(16), "csrf_token": s.csrf}

    def support(i):
        k = i % len(residents)
        s = residents[k]
        with lock:
            topic = next((x for x in topics if (k, x) not in supported), topics[0])
            supported.add((k, topic))
        return s, "POST", f"/topics/{topic}/support", {"csrf_token": s.csrf}

    def vote(i):
        s = voters[i % len(voters)]
        return s, "POST", f"/motions/{t['motion']}/vote", {"choice": ["yes", "no", "abstain"][i % 3],
                                                           "csrf_token": s.csrf}

    def confirm_hours(_i):
        with lock:
            activity = confirm.pop() if confirm else None
        if activity is None:
            return None
        return staff, "POST", f"/activities/{activity}/confirm", {"csrf_token": staff.csrf}

    c = t["community"]
    # (name, weight, make(i) -> (session, method, path, form))
    mix = [
        ("bare /healthz", 6, lambda i: (anon[i % len(anon)], "GET", "/healthz", None)),
        ("home /", 4, lambda i: (anon[i % len(anon)], "GET", "/", None)),
        ("community /c/1", 3, lambda i: (anon[i % len(anon)], "GET", f"/c/{c}", None)),
        ("topic list", 5, lambda i: (anon[i % len(anon)], "GET", f"/c/{c}/topics", None)),
        ("topic search 电梯", 2, lambda i: (anon[i % len(anon)], "GET", f"/c/{c}/topics?q=%E7%94%B5%E6%A2%AF", None)),
        ("topic typical (anon)", 4, lambda i: (anon[i % len(anon)], "GET", f"/topics/{t['typical']}", None)),
        ("topic busiest (anon)", 2, lambda i: (anon[i % len(anon)], "GET", f"/topics/{t['busiest']}", None)),
        ("topic busiest (resident)", 2, lambda i: (residents[i % len(residents)], "GET", f"/topics/{t['busiest']}", None)),
        ("activities calendar", 2, lambda i: (anon[i % len(anon)], "GET", f"/c/{c}/activities", None)),
        ("meeting (closed)", 2, lambda i: (anon[i % len(anon)], "GET", f"/meetings/{t['meeting']}", None)),
        ("my time bank", 3, lambda i: (residents[i % len(residents)], "GET", "/my/timebank", None)),
        ("statement (resident)", 2, lambda i: (residents[i % len(residents)], "GET", "/my/timebank/statement", None)),
        ("statement (heavy user)", 1, lambda i: (heavy, "GET", "/my/timebank/statement", None)),
        ("my time bank (heavy)", 1, lambda i: (heavy, "GET", "/my/timebank", None)),
        ("notifications", 2, lambda i: (residents[i % len(residents)], "GET", "/notifications", None)),
        ("moderation queue", 2, lambda i: (staff, "GET", f"/c/{c}/moderation", None)),
        ("time bank manage", 1, lambda i: (staff, "GET", f"/c/{c}/timebank/manage", None)),
        ("volunteer hours", 1, lambda i: (staff, "GET", f"/c/{c}/timebank/volunteers", None)),
        ("verification queue", 1, lambda i: (staff, "GET", "/verification", None)),
        ("audit log (admin)", 1, lambda i: (admin, "GET", "/audit", None)),
        ("write: comment", 2, comment),
        ("write: support", 1, support),
    ]
    if voters:
        mix.append(("write: vote", 2, vote))
    if confirm:
        mix.append(("write: confirm hours", 1, confirm_hours))
    schedule = [(name, make) for name, weight, make in mix for _ in range(weight)]
    import random

    random.Random(7).shuffle(schedule)
    times: dict[str, list[float]] = {name: [] for name, _w, _m in mix}
    errors: dict[str, int] = {name: 0 for name, _w, _m in mix}
    statuses: dict[str, set] = {name: set() for name, _w, _m in mix}
    counter = iter(range(args.max_requests))
    deadline = time.perf_counter() + args.seconds
    session_locks: dict[int, threading.Lock] = {}

    def worker():
        while time.perf_counter() < deadline:
            with lock:
                i = next(counter, None)
            if i is None:
                return
            name, make = schedule[i % len(schedule)]
            job = make(i)
            if job is None:
                continue
            session, method, path, form = job
            slock = session_locks.setdefault(id(session), threading.Lock())
            with slock:  # a session (a browser) sends one request at a time
                start = time.perf_counter()
                try:
                    status, _ = session.request(method, path, form)
                except OSError:
                    status = 599
                elapsed = (time.perf_counter() - start) * 1000
            with lock:
                times[name].append(elapsed)
                statuses[name].add(status)
                if status >= 400:
                    errors[name] += 1

    started = time.perf_counter()
    threads = [threading.Thread(target=worker) for _ in range(args.concurrency)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    wall = time.perf_counter() - started
    total = sum(len(v) for v in times.values())
    bare = statistics.median(times["bare /healthz"]) if times["bare /healthz"] else float("nan")
    rows = []
    print(f"\nscale {t['scale']:g}, {args.concurrency} clients, {wall:.1f} s, busiest topic {t['busiest']} "
          f"({t['busiest_comments']} comments), heavy user {t['heavy']} ({t['heavy_movements']} movements)")
    print(f"{'page':<28}{'n':>6}{'err':>5}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}{'× bare':>8}  status")
    for name, _w, _m in mix:
        values = times[name]
        if not values:
            continue
        row = {"page": name, "n": len(values), "errors": errors[name], "p50": statistics.median(values),
               "p95": percentile(values, 95), "p99": percentile(values, 99)}
        row["x_bare"] = row["p50"] / bare
        rows.append(row)
        print(f"{name:<28}{row['n']:>6}{row['errors']:>5}{row['p50']:>9.1f}{row['p95']:>9.1f}{row['p99']:>9.1f}"
              f"{row['x_bare']:>8.1f}  {','.join(map(str, sorted(statuses[name])))}")
    print(f"total {total} requests in {wall:.1f} s: {total / wall:.1f} req/s")
    return {"scale": t["scale"], "clients": args.concurrency, "seconds": wall, "requests": total,
            "req_per_s": total / wall, "bare_p50": bare, "pages": rows,
            "busiest_comments": t["busiest_comments"], "heavy_movements": t["heavy_movements"]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", required=True, help="sqlite:///path or postgresql://user@host/db")
    parser.add_argument("--scale", type=float, default=0.01, help="for flask bench-data when the database is empty")
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--max-requests", type=int, default=20_000)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--workers", type=int, default=0, help="gunicorn workers (default: gunicorn.conf.py's)")
    parser.add_argument("--confirms", type=int, default=10, help="activities prepared for confirm-hours writes")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--json", help="also write the figures to this file")
    args = parser.parse_args()
    result = run(args)
    if args.json:
        Path(args.json).write_text(json.dumps(result, indent=1, ensure_ascii=False))


if __name__ == "__main__":
    main()
