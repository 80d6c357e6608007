"""`/healthz` for load balancers and the release step: the app answers and its
database does. No session, no rate limit, no HTML."""
from __future__ import annotations

import logging

from flask import Blueprint, jsonify

from app.database import answers
from app.extensions import limiter

log = logging.getLogger(__name__)
bp = Blueprint("health", __name__)


@bp.get("/healthz")
@limiter.exempt
def check_health():
    if not answers():
        log.error("health check: database unreachable")
        return jsonify(status="unavailable", database="unreachable"), 503, {"Cache-Control": "no-store"}
    return jsonify(status="ok", database="ok"), 200, {"Cache-Control": "no-store"}
