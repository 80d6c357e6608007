"""The lists of requests and agreements run as many statements for many rows as for few."""
from __future__ import annotations

import sqlalchemy as sa

from app.agreements import admission, services
from app.agreements.models import Delivery
from app.extensions import db
from app.localtime import today


def _statements(client, path: str) -> int:
    seen = []

    def count(conn, cursor, statement, *args):
        seen.append(statement)

    sa.event.listen(db.engine, "before_cursor_execute", count)
    try:
        response = client.get(path)
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", count)
    assert response.status_code == 200, path
    return len(seen)


def _more(n, submit, staff, worker, clerk, draft_agreement, item):
    for i in range(n):
        req = submit(f"工作{i}")
        admission.decide(staff, req, None if i % 2 else item("高龄津贴资格认证").id)
        agreement = draft_agreement(items=[("走访", "100"), ("台账", "50.5")], title=f"协议{i}")
        services.sign(clerk, agreement)
        services.sign(worker, agreement)
        services.record_fulfilment(worker, agreement, agreement.items[0].id, Delivery.partly, "进行中")
        services.record_payment(clerk, agreement, agreement.milestones[0].id, "10", today())
    db.session.commit()


def test_request_and_agreement_lists_do_not_grow_with_rows(client_for, client, submit, staff, worker, clerk,
                                                           draft_agreement, item, places):
    pages = {staff: [f"/s/{places.subdistrict.id}/requests?all=1", f"/c/{places.community.id}/requests"],
             worker: [f"/c/{places.community.id}/requests"],
             clerk: ["/", f"/departments/{places.department.id}"],
             None: [f"/s/{places.subdistrict.id}/agreements", f"/s/{places.subdistrict.id}/reduction"]}
    clients = {user: client_for(user) if user else client for user in pages}

    def measure():
        return {(getattr(u, "id", None), p): _statements(clients[u], p) for u, paths in pages.items() for p in paths}

    _more(2, submit, staff, worker, clerk, draft_agreement, item)
    few = measure()
    _more(8, submit, staff, worker, clerk, draft_agreement, item)
    many = measure()
    assert many == few
