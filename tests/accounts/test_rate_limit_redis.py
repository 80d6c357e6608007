"""Rate limits shared across workers through Redis (RATELIMIT_STORAGE_URI=redis://…)."""
from __future__ import annotations

import pytest

from tests.conftest import Client, another_app

REDIS_URL = "redis://127.0.0.1:6379/15"  # database 15 is the tests' own: emptied before and after


def _redis_or_skip():
    redis = pytest.importorskip("redis")
    try:
        client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1)
        client.ping()
    except Exception as exc:  # noqa: BLE001
        pytest.skip(f"Redis not reachable at {REDIS_URL}: {exc}")
    client.flushdb()
    return client


def test_login_limit_is_shared_by_two_workers(database_url, make_user):
    redis = _redis_or_skip()
    user = make_user()
    with another_app(database_url, RATELIMIT_STORAGE_URI=REDIS_URL) as worker_a, \
            another_app(database_url, RATELIMIT_STORAGE_URI=REDIS_URL) as worker_b:
        try:
            a, b = Client(worker_a.test_client()), Client(worker_b.test_client())
            for client in (a, b, a, b, a):
                assert client.post("/login", {"login": user.login_name, "password": "wrong-password"}).status_code == 422
            assert b.post("/login", {"login": user.login_name, "password": "correct horse battery"}).status_code == 429
            assert any(redis.scan_iter(f"*login:{user.login_name}*")), "the counters live in Redis"
        finally:
            redis.flushdb()
