"""Structured request logs: with LOG_FORMAT=json, one JSON line per request
on stderr (method, path, status, duration in ms, user id or null, request id)
and the app's own log records as JSON lines too, so a log shipper can index
them without parsing text. The request id comes from a proxy's X-Request-ID
when it is a plain token (nginx: `proxy_set_header X-Request-ID $request_id`),
else it is made here; it is sent back in the response's X-Request-ID."""
from __future__ import annotations

import json
import logging
import re
import sys
import time
import uuid

from flask import Flask, g, request, request_finished
from flask_login import current_user

LOGGER = "linli.requests"
_TOKEN = re.compile(r"[A-Za-z0-9._-]{8,64}")


class JsonFormatter(logging.Formatter):
    """A record as one JSON line: its `fields` when it has them, else level, logger and message."""

    def format(self, record: logging.LogRecord) -> str:
        line = getattr(record, "fields", None)
        if line is None:
            line = {"level": record.levelname.lower(), "logger": record.name, "message": record.getMessage()}
            request_id = getattr(g, "request_id", None) if _in_request() else None
            if request_id:
                line["request_id"] = request_id
            if record.exc_info:
                line["exception"] = self.formatException(record.exc_info)
        return json.dumps({"time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S") + "Z", **line},
                          ensure_ascii=False, default=str)

    converter = time.gmtime


def _in_request() -> bool:
    from flask import has_request_context

    return has_request_context()


def register(app: Flask) -> None:
    if app.config.get("LOG_FORMAT", "text") != "json":
        return
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter())
    requests = logging.getLogger(LOGGER)
    requests.handlers[:] = [handler]
    requests.setLevel(logging.INFO)
    requests.propagate = False
    if not app.testing and not app.debug:  # the app's own records (errors, warnings) as JSON lines too
        logging.basicConfig(level=logging.INFO, handlers=[handler])

    @app.before_request
    def _start():
        g.request_started = time.perf_counter()
        given = request.headers.get("X-Request-ID", "")
        g.request_id = given if _TOKEN.fullmatch(given) else uuid.uuid4().hex

    def _finished(sender, response, **_extra):
        started = g.get("request_started")
        if started is None:  # the request failed before it began (e.g. a malformed URL)
            return
        response.headers["X-Request-ID"] = g.request_id
        try:
            user_id = current_user.id if current_user.is_authenticated else None
        except Exception:  # the user loader failed (database gone): still log the request
            user_id = None
        requests.info("request", extra={"fields": {
            "method": request.method, "path": request.path, "status": response.status_code,
            "duration_ms": round((time.perf_counter() - started) * 1000, 1), "user_id": user_id,
            "request_id": g.request_id}})

    request_finished.connect(_finished, app, weak=False)
