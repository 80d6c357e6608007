"""LOG_FORMAT=json: one JSON line per request with method, path, status,
duration, user id and request id; nothing of the kind by default."""
from __future__ import annotations

import io
import json
import logging

from app.requestlog import LOGGER
from tests.conftest import Client, another_app


def _lines(stream: io.StringIO) -> list[dict]:
    return [json.loads(line) for line in stream.getvalue().splitlines() if line.strip()]


def test_json_request_lines(database_url):
    with another_app(database_url, LOG_FORMAT="json") as app:
        _json_request_lines(app)


def _json_request_lines(app):
    from app.accounts import services
    from app.extensions import db

    stream = io.StringIO()
    logging.getLogger(LOGGER).handlers[0].setStream(stream)
    client = Client(app.test_client())
    with app.app_context():
        user = services.create_user(None, login="logtest", display_name="日志", password="correct horse battery")
        db.session.commit()
        user_id = user.id
    with app.app_context():
        response = client.get("/communities?q=secret", headers={"X-Request-ID": "abc12345-proxy"})
    assert response.headers["X-Request-ID"] == "abc12345-proxy"
    with app.app_context():
        client.post("/login", {"login": "logtest", "password": "correct horse battery"})
    with app.app_context():
        client.get("/nope", headers={"X-Request-ID": "bad id with spaces {}"})
    lines = _lines(stream)
    first = lines[0]
    assert {k: first[k] for k in ("method", "path", "status", "user_id", "request_id")} == {
        "method": "GET", "path": "/communities", "status": 200, "user_id": None, "request_id": "abc12345-proxy"}
    assert isinstance(first["duration_ms"], float) and first["duration_ms"] >= 0 and "time" in first
    missing = lines[-1]
    assert missing["status"] == 404 and missing["user_id"] == user_id and missing["path"] == "/nope"
    assert len(missing["request_id"]) == 32 and " " not in missing["request_id"]  # made here, not the header's
    assert any(line["method"] == "POST" and line["path"] == "/login" and line["status"] == 303 for line in lines)


def test_text_logs_by_default(database_url):
    with another_app(database_url) as app:
        response = app.test_client().get("/communities")
    assert "X-Request-ID" not in response.headers
