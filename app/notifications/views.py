"""The notification centre: list, unread badge, mark read."""
from __future__ import annotations

from flask_login import current_user, login_required

from app.notifications import bp
from app.accounts.forms import CsrfOnlyForm
from app.inputs import int_arg
from app.notifications import services
from app.web import found, render, safe_next, see_other, wants_fragment


PAGE = 30


def _listing():
    items = services.notifications_of(current_user, before_id=int_arg("before"), limit=PAGE)
    return render("notifications/list.html", "notifications/_items.html", items=items,
                  more=len(items) == PAGE, message_for=services.message_for, form=CsrfOnlyForm())


@bp.get("")
@login_required
def list_notifications():
    return _listing()


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
    return see_other(safe_next(services.link_for(notification), default="/notifications"))


@bp.post("/read-all")
@login_required
def mark_all_read():
    services.mark_all_read(current_user)
    if wants_fragment():
        return _listing()
    return see_other("notifications.list_notifications")
