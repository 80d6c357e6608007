"""Ledger throughput: N concurrent worker processes making random transfers.

    .venv/bin/python bench/ledger.py [--workers N] [--seconds 10] [--rounds 3] [--db sqlite|postgresql|both]

Each worker is a process with its own app and connection pool, as gunicorn
runs the app (threads in one process would measure the GIL, not the ledger);
N defaults to the number of cores. Two runs a database: transactions through
the ledger (`ledger.post` between two accounts) and through the
resident-facing transfer service (`ledger.transfer`, which checks both are
verified residents and names them, so the ledger finds their accounts). Prints
transactions/second, p50/p99 latency, CPU a transaction and the `verify`
result; on PostgreSQL each round also runs `pgbench -b tpcb-like` on the same
server for the same time with the same number of clients, and the bench prints
the ratio of our transfers/s to pgbench's tps for each round and their median
(target ≥ 0.5, zero violations).
"""
from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import sqlalchemy as sa  # noqa: E402
from flask_migrate import upgrade  # noqa: E402

from app import create_app  # noqa: E402
from app.config import TestConfig  # noqa: E402
from app.domain import DomainError  # noqa: E402
from app.extensions import db  # noqa: E402

PG = os.environ.get("BENCH_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
ACCOUNTS = 20


def make_app(url: str):
    config = {k: getattr(TestConfig, k) for k in dir(TestConfig) if k.isupper()}
    config.update(SQLALCHEMY_DATABASE_URI=url, SQLALCHEMY_ENGINE_OPTIONS={"pool_size": 2, "max_overflow": 0}
                  if url.startswith("postgresql") else {})
    return create_app(config)


def setup(app) -> list[int]:
    from app.accounts import services as accounts
    from app.accounts.models import Role
    from app.places import services as places
    from app.places.models import CommunityKind
    from app.timebank import ledger

    with app.app_context():
        upgrade()
        sd = places.save_subdistrict(None, None, name="基准街道", city="")
        community = places.save_community(None, None, subdistrict=sd, name="基准社区", kind=CommunityKind.community,
                                          households=None, address="", description="")
        staff = [accounts.create_user(None, login=f"staff{i}", display_name="社工", password="bench password 1")
                 for i in range(2)]
        for s in staff:
            accounts.assign_role(None, s, Role.social_worker, community.id)
        users = [accounts.create_user(None, login=f"bench{i:03d}", display_name=f"居民{i}",
                                      password="bench password 1", community=community, verified=True)
                 for i in range(ACCOUNTS)]
        for i, user in enumerate(users):
            ledger.credit_service(user, 600, description="seed", served_on=date.today(), recorded_by=staff[0],
                                  verified_by=staff[1], idempotency_key=f"seed-{i}")
        db.session.commit()
        return [u.id for u in users]


def _worker(url: str, call: str, ids: list[int], n: int, ready, go, deadline, results) -> None:
    """One worker process with its own app and connection pool, as a gunicorn
    worker has: random transactions between the residents until the shared
    deadline, each committed on its own.

    `call` is what a transaction goes through: "post" is the ledger itself
    (`ledger.post` of a transfer between two accounts: lock, unit, floors,
    idempotency key, postings, balances, audit entry); "transfer" is the
    resident-facing service on top of it (`ledger.transfer`: verified
    residents, then `post` naming the residents, whose accounts it finds)."""
    from app.accounts.models import User
    from app.timebank import ledger
    from app.timebank.models import Account, TxnKind

    app = make_app(url)
    rnd = random.Random(n)
    latencies, refused, count = [], 0, 0
    cpu = 0.0
    with app.app_context():
        # The users are in hand (loaded once, then detached so a commit or a
        # refusal's rollback does not expire them), as a request has its
        # logged-in user and the form's receiver before it calls the ledger:
        # the bench times the ledger and the commit, not the loading of users.
        users = {user.id: user for user in db.session.scalars(sa.select(User).where(User.id.in_(ids)))}
        accounts = dict(db.session.execute(sa.select(Account.user_id, Account.id)
                                           .where(Account.user_id.in_(ids))).all())
        db.session.expunge_all()
        db.session.rollback()
        ready.put(n)
        go.wait()
        cpu = time.process_time()
        while time.time() < deadline.value:
            a, b = rnd.sample(ids, 2)
            minutes = 30 * rnd.randint(1, 4)
            key = f"{call}-{n}-{count}"
            start = time.perf_counter()
            try:
                if call == "post":
                    ledger.post(TxnKind.transfer, [(accounts[a], -minutes), (accounts[b], minutes)],
                                initiated_by=users[a], idempotency_key=key)
                else:
                    ledger.transfer(users[a], users[b], minutes, idempotency_key=key)
                db.session.commit()
                latencies.append(time.perf_counter() - start)
            except DomainError:  # not enough hours: refused, rolled back, not counted
                db.session.rollback()
                refused += 1
            count += 1
        cpu = time.process_time() - cpu
        db.session.remove()
        db.engine.dispose()
    results.put((latencies, refused, cpu))


def run(app, url: str, call: str, ids: list[int], workers: int, seconds: float) -> dict:
    from app.timebank import ledger

    with app.app_context():
        db.engine.dispose()  # the children open their own connections
    ctx = mp.get_context("spawn")
    ready, results, go, deadline = ctx.Queue(), ctx.Queue(), ctx.Event(), ctx.Value("d", 0.0)
    procs = [ctx.Process(target=_worker, args=(url, call, ids, n, ready, go, deadline, results))
             for n in range(workers)]
    for p in procs:
        p.start()
    for _ in procs:
        ready.get(timeout=120)
    busy_before = _machine_busy()
    began = time.time()
    deadline.value = began + seconds
    go.set()
    latencies: list[float] = []
    refused, client_cpu = 0, 0.0
    for _ in procs:
        mine, no, cpu = results.get(timeout=seconds + 120)
        latencies.extend(mine)
        refused += no
        client_cpu += cpu
    busy = _machine_busy() - busy_before
    for p in procs:
        p.join()
    elapsed = time.time() - began
    with app.app_context():
        report = ledger.verify()
        db.engine.dispose()
    latencies.sort()
    return {"tps": len(latencies) / elapsed, "p50": statistics.median(latencies) * 1000,
            "p99": latencies[max(int(len(latencies) * 0.99) - 1, 0)] * 1000, "count": len(latencies),
            "refused": refused, "violations": report["problems"],
            "client_ms": client_cpu / max(len(latencies), 1) * 1000,
            "machine_ms": busy / max(len(latencies), 1) * 1000}


def _machine_busy() -> float:
    """CPU seconds the whole machine spent busy (all cores), from /proc/stat."""
    try:
        fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    except OSError:
        return 0.0
    idle = fields[3] + fields[4]  # idle + iowait
    return (sum(fields[:8]) - idle) / os.sysconf("SC_CLK_TCK")


def _report(name: str, result: dict) -> None:
    print(f"{name:24s} {result['tps']:8.1f} transfers/s  p50 {result['p50']:6.2f} ms  p99 {result['p99']:6.2f} ms  "
          f"({result['count']} done, {result['refused']} refused)  violations: {len(result['violations'])}")
    print(f"{'':24s} CPU a transfer: {result['machine_ms']:.2f} ms on the machine, of which "
          f"{result['client_ms']:.2f} ms in the workers (Python) and "
          f"{result['machine_ms'] - result['client_ms']:.2f} ms elsewhere (database server, OS)")


def pgbench(workers: int, seconds: int) -> tuple[float, float] | None:
    """pgbench's tps and the machine's CPU per pgbench transaction (ms)."""
    if not shutil.which("pgbench"):
        return None
    schema = f"pgb_{uuid.uuid4().hex[:8]}"
    engine = sa.create_engine(PG)
    with engine.begin() as conn:
        conn.execute(sa.text(f"CREATE SCHEMA {schema}"))
    env = {**os.environ, "PGOPTIONS": f"-csearch_path={schema}"}
    target = ["-h", "127.0.0.1", "-U", "postgres", "test"]
    try:
        subprocess.run(["pgbench", "-i", "-q", "-s", "1", *target], env=env, check=True, capture_output=True)
        busy = _machine_busy()
        out = subprocess.run(["pgbench", "-b", "tpcb-like", "-c", str(workers), "-j", "2", "-T", str(seconds),
                              *target], env=env, check=True, capture_output=True, text=True).stdout
        busy = _machine_busy() - busy
        match = re.search(r"tps = ([\d.]+)", out)
        done = re.search(r"number of transactions actually processed: (\d+)", out)
        if not match:
            return None
        return float(match.group(1)), busy / max(int(done.group(1)) if done else 1, 1) * 1000
    finally:
        with engine.begin() as conn:
            conn.execute(sa.text(f"DROP SCHEMA {schema} CASCADE"))
        engine.dispose()


CALLS = ("post", "transfer")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 2,
                        help="worker processes (default: one per core, as the README advises for gunicorn)")
    parser.add_argument("--seconds", type=int, default=10, help="length of each run")
    parser.add_argument("--rounds", type=int, default=3,
                        help="rounds of (post, transfer, pgbench) on PostgreSQL, interleaved so that a slow spell "
                             "of a shared machine falls on both sides of a ratio")
    parser.add_argument("--db", choices=["sqlite", "postgresql", "both"], default="both")
    args = parser.parse_args()
    print(f"{args.workers} workers, {args.seconds} s a run, {os.cpu_count()} cores")
    if args.db in ("sqlite", "both"):
        with tempfile.TemporaryDirectory() as tmp:
            url = f"sqlite:///{tmp}/bench.db"
            app = make_app(url)
            ids = setup(app)
            for call in CALLS:
                _report(f"sqlite {call}", run(app, url, call, ids, args.workers, args.seconds))
    if args.db in ("postgresql", "both"):
        _postgresql(args)


def _postgresql(args) -> None:
    schema = f"bench_{uuid.uuid4().hex[:8]}"
    engine = sa.create_engine(PG)
    with engine.begin() as conn:
        conn.execute(sa.text(f"CREATE SCHEMA {schema}"))
    try:
        url = f"{PG}?options=-csearch_path%3D{schema},public"
        app = make_app(url)
        ids = setup(app)
        ratios: dict[str, list[float]] = {call: [] for call in CALLS}
        for round_ in range(1, args.rounds + 1):
            results = {call: run(app, url, call, ids, args.workers, args.seconds) for call in CALLS}
            for call, result in results.items():
                _report(f"[{round_}] postgresql {call}", result)
            measured = pgbench(args.workers, args.seconds)
            if not measured:
                print("pgbench not available: no ratio")
                return
            tps, machine_ms = measured
            print(f"[{round_}] pgbench tpcb-like {tps:8.1f} tps  "
                  f"({machine_ms:.2f} ms CPU a transaction on the machine)")
            for call, result in results.items():
                ratios[call].append(result["tps"] / tps)
                print(f"[{round_}] ratio {call:9s} {ratios[call][-1]:.2f}")
        for call, values in ratios.items():
            print(f"ratio {call:9s} median {statistics.median(values):.2f} of {', '.join(f'{v:.2f}' for v in values)}"
                  "  (target ≥ 0.5, zero violations)")
    finally:
        with engine.begin() as conn:
            conn.execute(sa.text(f"DROP SCHEMA {schema} CASCADE"))
        engine.dispose()


if __name__ == "__main__":
    main()
