"""Reading the audit log: admins see everything, subdistrict staff their
communities. Filters: community (one the reader oversees), person (the actor's
name), domain (the action's prefix) and a range of local dates."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from app.accounts.models import User
from app.audit.models import AuditEntry
from app.audit.sentences import sentence_for
from app.domain import NotFound
from app.extensions import db
from app.localtime import local, start_of_day_utc
from app.permissions import can, overseen_communities, overseen_community_ids
from app.places.models import Community

PAGE = 50
EXPORT_LIMIT = 20000
DOMAINS = ("accounts", "places", "consultation", "meetings", "timebank", "lists")


@dataclass
class AuditFilter:
    community_id: int | None = None
    person: str = ""
    domain: str = ""
    since: date | None = None
    until: date | None = None

    def args(self) -> dict:
        """The filter as query-string values (empty ones left out)."""
        values = {"community": self.community_id, "person": self.person, "domain": self.domain,
                  "since": self.since.isoformat() if self.since else None,
                  "until": self.until.isoformat() if self.until else None}
        return {k: v for k, v in values.items() if v}


def communities_for_filter(user) -> list[Community]:
    return list(db.session.scalars(overseen_communities(user)))


def _query(user, f: AuditFilter) -> sa.Select:
    query = sa.select(AuditEntry)
    ids = overseen_community_ids(user)
    if ids is not None:
        query = query.where(AuditEntry.community_id.in_(ids or {-1}))
    if f.community_id is not None:
        if ids is not None and f.community_id not in ids:
            raise NotFound()
        query = query.where(AuditEntry.community_id == f.community_id)
    if f.domain:
        query = query.where(AuditEntry.action.startswith(f.domain + ".", autoescape=True))
    if f.person:
        like = f"%{f.person.strip()}%"
        query = query.where(AuditEntry.actor_id.in_(
            sa.select(User.id).where(sa.or_(User.display_name.like(like), User.username.like(like),
                                            User.phone.like(like)))))
    if f.since:
        query = query.where(AuditEntry.at >= start_of_day_utc(f.since))
    if f.until:
        query = query.where(AuditEntry.at < start_of_day_utc(f.until + timedelta(days=1)))
    return query


def entries_for(user, f: AuditFilter, *, before_id: int | None = None, limit: int = PAGE) -> list[AuditEntry]:
    query = _query(user, f)
    if before_id:
        query = query.where(AuditEntry.id < before_id)
    # each sentence names its actor: load them with the page, not one statement per entry
    query = query.options(selectinload(AuditEntry.actor))
    return list(db.session.scalars(query.order_by(AuditEntry.id.desc()).limit(limit)))


def _names(entries: list[AuditEntry]) -> dict[tuple[str, int], str]:
    """Names of the people and communities the entries are about, in two queries."""
    wanted = {"user": (User, User.display_name), "community": (Community, Community.name)}
    names: dict[tuple[str, int], str] = {}
    for kind, (model, column) in wanted.items():
        ids = {e.object_id for e in entries if e.object_type == kind and e.object_id}
        if ids:
            for row_id, name in db.session.execute(sa.select(model.id, column).where(model.id.in_(ids))):
                names[(kind, row_id)] = name
    return names


def _links(user) -> set[str]:
    links = {"consultation.show_topic", "meetings.show_meeting", "meetings.show_body",
             "volunteering.show_activity", "places.show_community", "lists.show_version"}
    if can(user, "manage_users"):
        links.add("accounts.show_user")
    return links


@dataclass
class Line:
    entry: AuditEntry
    sentence: object


def lines_for(user, entries: list[AuditEntry], *, html: bool = True) -> list[Line]:
    names, links = _names(entries), _links(user)
    return [Line(e, sentence_for(e, names=names, links=links, html=html)) for e in entries]


def export_rows(user, f: AuditFilter) -> list[list]:
    """Time (local), person, community, action, sentence: the filtered entries."""
    entries = entries_for(user, f, limit=EXPORT_LIMIT)
    communities = dict(db.session.execute(sa.select(Community.id, Community.name).where(
        Community.id.in_({e.community_id for e in entries if e.community_id} or {-1}))).all())
    return [[local(line.entry.at).strftime("%Y-%m-%d %H:%M"),
             line.entry.actor.display_name if line.entry.actor else "",
             communities.get(line.entry.community_id, ""), line.entry.action, line.sentence]
            for line in lines_for(user, entries, html=False)]
