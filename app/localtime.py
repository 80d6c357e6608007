"""Local time, once: every calendar date the platform shows or counts is the
community's local date, not UTC's.

Times are stored in UTC. A community has no zone of its own yet; all use the
installation's zone (TIMEZONE, Asia/Shanghai by default), read here only.
"""
from __future__ import annotations

from datetime import date, datetime, time, timezone
from zoneinfo import ZoneInfo

from flask import current_app, has_app_context

DEFAULT_ZONE = "Asia/Shanghai"


def zone(community=None) -> ZoneInfo:  # noqa: ARG001 - one zone for every community today
    name = current_app.config.get("BABEL_DEFAULT_TIMEZONE", DEFAULT_ZONE) if has_app_context() else DEFAULT_ZONE
    return ZoneInfo(name)


def now_utc() -> datetime:
    return datetime.now(timezone.utc)


def local(moment: datetime, community=None) -> datetime:
    """A stored UTC time as the community's wall-clock time."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(zone(community))


def local_date(moment: datetime, community=None) -> date:
    """The calendar day on which `moment` fell where the community is."""
    return local(moment, community).date()


def today(community=None) -> date:
    return local_date(now_utc(), community)


def start_of_day_utc(day: date, community=None) -> datetime:
    """The UTC instant at which the community's local `day` begins."""
    return datetime.combine(day, time.min, tzinfo=zone(community)).astimezone(timezone.utc)


def year_start_utc(community=None) -> datetime:
    """When this local year began, as a UTC instant (for "this year" figures)."""
    return start_of_day_utc(today(community).replace(month=1, day=1), community)
