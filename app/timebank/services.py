"""The time bank's scoped loaders: what a staff member may manage or decide;
staff forms name a resident through app.accounts.picker. Views load only through these; the rules
that move hours are the ledger's (app.timebank.ledger)."""
from __future__ import annotations

from app.domain import NotFound
from app.extensions import db
from app.permissions import social_worker_community_ids
from app.places.services import public_community
from app.timebank import ledger
from app.timebank.models import LedgerRequest, Txn


def community_for(user, community_id: int, *, to: str = "manage"):
    """`to="read"`: any public community; `to="manage"`: its social workers; `to="decide"`: whoever may confirm its
    requests (its social workers, its subdistrict's staff). Else not found."""
    community = public_community(community_id)
    if community is None:
        raise NotFound
    if to == "manage":
        allowed = community.id in social_worker_community_ids(user)
    else:
        allowed = to == "read" or ledger.may_confirm(user, community.id)
    if not allowed:
        raise NotFound
    return community


def txn_for(user, txn_id: int, *, to: str = "reverse") -> Txn:  # noqa: ARG001 - reversing is the one use
    """A transaction of a community the user manages (to ask for its reversal)."""
    txn = db.session.get(Txn, txn_id)
    if txn is None:
        raise NotFound
    community_for(user, txn.community_id)
    return txn


def request_for(user, request_id: int) -> LedgerRequest:
    """A grant, reversal or credit request the user may decide."""
    ledger_request = db.session.get(LedgerRequest, request_id)
    if ledger_request is None:
        raise NotFound
    community_for(user, ledger_request.community_id, to="decide")
    return ledger_request
