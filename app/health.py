"""`/healthz` for load balancers and the release step: the app answers and its
database does. No session, no rate limit, no HTML."""
from __future__ import annotations

import logging

import sqlalchemy as sa
from flask import Blueprint, jsonify

from app.extensions import db, limiter

log = logging.getLogger(__name__)
bp = Blueprint("health", __name__)


@bp.get("/healthz")
@limiter.exempt
def check_health():
    try:
        db.session.execute(sa.text("SELECT 1"))
    except Exception:  # noqa: BLE001 - any database failure means "not ready"
        log.exception("health check: database unreachable")
        db.session.rollback()
        return jsonify(status="unavailable", database="unreachable"), 503, {"Cache-Control": "no-store"}
    return jsonify(status="ok", database="ok"), 200, {"Cache-Control": "no-store"}
