"""Family (亲属关联) in the time bank: a link two people agree to, the hours
one gives the other across any communities of the installation (通存通兑),
and the proxies (代办) an elderly resident names among linked adult
relatives. Beside models.py: the balance itself stays in the ledger."""
from __future__ import annotations

from datetime import datetime
from typing import Optional

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.domain import Labelled
from app.extensions import db
from app.sqltypes import UTCDateTime, enum_column, utcnow


class Relation(Labelled):
    """What the other person is to the one who states it (from the asker's side)."""
    parent = "parent", _l("Parent")  # 父母
    grandparent = "grandparent", _l("Grandparent")  # 祖父母/外祖父母
    spouse = "spouse", _l("Spouse")  # 配偶
    child = "child", _l("Child")  # 子女
    grandchild = "grandchild", _l("Grandchild")  # 孙子女/外孙子女
    other = "other", _l("Other relative")  # 其他亲属

    @property
    def reverse(self) -> "Relation":
        """The same link seen from the other side: my parent sees me as their child."""
        return _REVERSE[self]


_REVERSE = {Relation.parent: Relation.child, Relation.child: Relation.parent,
            Relation.grandparent: Relation.grandchild, Relation.grandchild: Relation.grandparent,
            Relation.spouse: Relation.spouse, Relation.other: Relation.other}

RELATION_LABELS = Relation.labels()


class LinkStatus(Labelled):
    pending = "pending", _l("Waiting for an answer")  # asked, waiting for the other's answer
    accepted = "accepted", _l("Linked")
    refused = "refused", _l("Refused")
    withdrawn = "withdrawn", _l("Withdrawn")  # the asker took the question back before an answer
    ended = "ended", _l("Ended")  # either side ended an accepted link


LINK_STATUS_LABELS = LinkStatus.labels()

# one open (pending or accepted) link per pair of people, whichever of them asked
OPEN_LINK = "status IN ('pending', 'accepted')"


class FamilyLink(db.Model):
    """One asks, the other accepts or refuses. `relation` is what the
    addressee is to the requester ("my parent"); the addressee sees its
    reverse. The pair (lower id, higher id) makes "one open link per pair"
    a unique index whichever side asked."""

    __table_args__ = (
        sa.CheckConstraint("requester_id <> addressee_id", name="two_people"),
        sa.CheckConstraint("pair_low < pair_high", name="pair_ordered"),
        sa.Index("uq_family_link_open", "pair_low", "pair_high", unique=True,
                 sqlite_where=sa.text(OPEN_LINK), postgresql_where=sa.text(OPEN_LINK)),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    requester_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"), index=True)
    addressee_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"), index=True)
    relation: Mapped[Relation] = mapped_column(enum_column(Relation))
    status: Mapped[LinkStatus] = mapped_column(enum_column(LinkStatus), default=LinkStatus.pending)
    pair_low: Mapped[int]
    pair_high: Mapped[int]
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    decided_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    ended_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    ended_by_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("user.id"))

    requester = relationship("User", foreign_keys=[requester_id])
    addressee = relationship("User", foreign_keys=[addressee_id])

    def other(self, user_id: int):
        """The other person of the link, seen by `user_id`."""
        return self.addressee if user_id == self.requester_id else self.requester

    def relation_seen_by(self, user_id: int) -> Relation:
        """What the other person is to `user_id`."""
        return self.relation if user_id == self.requester_id else self.relation.reverse


# one active designation per resident and proxy
ACTIVE_PROXY = "revoked_at IS NULL"


class FamilyProxy(db.Model):
    """代办: a linked adult relative who may act for the resident. Named by the
    resident themself, or by a social worker who records the resident's
    consent (what they said or signed, who recorded it, when). Revoked by the
    resident, the proxy, or a social worker; ending the link revokes it."""

    __table_args__ = (
        sa.CheckConstraint("resident_id <> proxy_id", name="two_people"),
        # named by someone else than the resident → the resident's consent is on record
        sa.CheckConstraint("designated_by_id = resident_id OR (consent_note <> '' AND consent_recorded_by_id IS NOT NULL"
                           " AND consent_recorded_at IS NOT NULL)", name="consent"),
        sa.Index("uq_family_proxy_active", "resident_id", "proxy_id", unique=True,
                 sqlite_where=sa.text(ACTIVE_PROXY), postgresql_where=sa.text(ACTIVE_PROXY)),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    resident_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"), index=True)
    proxy_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"), index=True)
    link_id: Mapped[int] = mapped_column(sa.ForeignKey("family_link.id"), index=True)
    designated_by_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"))
    designated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    consent_note: Mapped[str] = mapped_column(sa.String(200), default="")
    consent_recorded_by_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("user.id"))
    consent_recorded_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    revoked_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    revoked_by_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("user.id"))
    revoke_reason: Mapped[str] = mapped_column(sa.String(200), default="")

    resident = relationship("User", foreign_keys=[resident_id])
    proxy = relationship("User", foreign_keys=[proxy_id])
    designated_by = relationship("User", foreign_keys=[designated_by_id])
    consent_recorded_by = relationship("User", foreign_keys=[consent_recorded_by_id])


class FamilyTransfer(db.Model):
    """Hours one linked relative gives another (赠与, 通存通兑). Within one
    community it is one ledger transaction sender → receiver. Across two
    communities it is two, in the one database transaction: the sender's
    community takes the hours back (sender → its issuance account) and the
    receiver's community issues them (its issuance → receiver), so each
    community's ledger stays whole and each community's issuance keeps
    counting the hours held in it. Both communities' social workers see it."""

    __table_args__ = (sa.CheckConstraint("minutes > 0", name="minutes_positive"),
                      sa.CheckConstraint("sender_id <> receiver_id", name="two_people"))
    id: Mapped[int] = mapped_column(primary_key=True)
    link_id: Mapped[int] = mapped_column(sa.ForeignKey("family_link.id"), index=True)
    sender_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"), index=True)
    receiver_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"), index=True)
    from_community_id: Mapped[int] = mapped_column(sa.ForeignKey("community.id"), index=True)
    to_community_id: Mapped[int] = mapped_column(sa.ForeignKey("community.id"), index=True)
    minutes: Mapped[int]
    out_txn_id: Mapped[int] = mapped_column(sa.ForeignKey("txn.id"), unique=True)  # the sender's side
    in_txn_id: Mapped[int] = mapped_column(sa.ForeignKey("txn.id"), index=True)  # the receiver's (the same within one community)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    sender = relationship("User", foreign_keys=[sender_id])
    receiver = relationship("User", foreign_keys=[receiver_id])
    link = relationship("FamilyLink")
