"""Reading the audit log: admins see everything, subdistrict staff their communities."""
from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, request
from flask_login import current_user

from app.audit.models import AuditEntry
from app.extensions import db
from app.inputs import int_arg
from app.permissions import is_admin, overseen_community_ids
from app.web import permission_required, render

bp = Blueprint("audit", __name__)

PAGE = 50


def entries_visible_to(user, *, before_id: int | None = None, action: str = ""):
    query = sa.select(AuditEntry)
    if not is_admin(user):
        query = query.where(AuditEntry.community_id.in_(overseen_community_ids(user) or {-1}))
    if action:
        query = query.where(AuditEntry.action.startswith(action))
    if before_id:
        query = query.where(AuditEntry.id < before_id)
    return list(db.session.scalars(query.order_by(AuditEntry.id.desc()).limit(PAGE)))


@bp.get("/audit")
@permission_required("view_audit")
def list_entries():
    action = request.args.get("action", "").strip()
    entries = entries_visible_to(current_user, before_id=int_arg("before"), action=action)
    return render("audit/list.html", "audit/_rows.html", entries=entries, action=action, more=len(entries) == PAGE)
