"""The notification centre: list, unread badge, mark read."""
from __future__ import annotations

from flask import Blueprint
from flask_login import current_user, login_required

from app.accounts.forms import DecisionForm
from app.extensions import db
from app.inputs import int_arg
from app.notifications import services
from app.web import found, render, safe_next, see_other, wants_fragment

bp = Blueprint("notifications", __name__, url_prefix="/notifications")

PAGE = 30


@bp.get("")
@login_required
def list_notifications():
    before = int_arg("before")
    items = services.notifications_of(current_user, before_id=before, limit=PAGE)
    return render("notifications/list.html", "notifications/_items.html", items=items,
                  more=len(items) == PAGE, message_for=services.message_for, form=DecisionForm())


@bp.get("/badge")
@login_required
def badge():
    return render("notifications/_badge.html", "notifications/_badge.html", oob_flash=False,
                  unread_notifications=services.unread_count(current_user))


@bp.post("/<int:notification_id>/read")
@login_required
def mark_read(notification_id: int):
    """Open a notification: mark it read and go where it points."""
    notification = found(services.notification_of(current_user, notification_id))
    services.mark_read(notification)
    db.session.commit()
    return see_other(safe_next(notification.link, default="/notifications"))


@bp.post("/read-all")
@login_required
def mark_all_read():
    services.mark_all_read(current_user)
    db.session.commit()
    if wants_fragment():
        items = services.notifications_of(current_user, limit=PAGE)
        return render("notifications/list.html", "notifications/_items.html", items=items,
                      more=len(items) == PAGE, message_for=services.message_for, form=DecisionForm())
    return see_other("notifications.list_notifications")
