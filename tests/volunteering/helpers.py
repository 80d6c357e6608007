"""Shared test steps for activities."""
from __future__ import annotations

from datetime import timedelta

from app.extensions import db
from app.sqltypes import utcnow


def ended(activity, *, hours_ago: int = 1):
    """Move an activity into the past (its volunteers signed up while it was ahead)."""
    activity.ends_at = utcnow() - timedelta(hours=hours_ago)
    activity.starts_at = activity.ends_at - timedelta(hours=2)
    activity.signup_deadline = activity.starts_at - timedelta(hours=1)
    db.session.flush()
    return activity
