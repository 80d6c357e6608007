"""志愿服务证明: issued from verified service, checked by anyone, tampering shows."""
from __future__ import annotations

from datetime import date, timedelta

import sqlalchemy as sa

from app.extensions import db
from app.timebank import ledger
from app.volunteering import certificates
from app.timebank.models import Txn
from app.volunteering.models import Certificate
from tests.conftest import text

TODAY = date.today()


def _serve(volunteer, staff, minutes, what, days_ago, key):
    return ledger.credit_service(volunteer, minutes, description=what, served_on=TODAY - timedelta(days=days_ago),
                                 recorded_by=staff, verified_by=staff, idempotency_key=key)


def test_issue_counts_verified_service_in_the_period_only(make_user, places):
    staff = make_user("social_worker")
    volunteer = make_user(display_name="王阿姨")
    _serve(volunteer, staff, 120, "助老陪伴", 5, "a")
    wrong = _serve(volunteer, staff, 60, "录错", 4, "b")
    _serve(volunteer, staff, 90, "去年的服务", 400, "c")
    ledger.reverse(db.session.get(Txn, wrong.txn_id), reason="录错冲正", initiated_by=staff,
                   confirmed_by=make_user("social_worker"), idempotency_key="r")
    ledger.transfer(volunteer, make_user(), 60, idempotency_key="gift")  # spending never reduces service
    c = certificates.issue(volunteer, TODAY - timedelta(days=30), TODAY)
    assert c.total_minutes == 120 and len(c.code) == 10 and certificates.is_genuine(c)
    assert [s[2] for s in c.services] == [120, 60, -60]


def test_certificate_page_is_public_and_tampering_shows(client_for, client, make_user):
    staff = make_user("social_worker")
    volunteer = make_user(display_name="王阿姨")
    _serve(volunteer, staff, 150, "社区环境整治", 2, "a")
    c = client_for(volunteer)
    bad = c.post("/my/certificates", {"period_from": str(TODAY), "period_to": str(TODAY - timedelta(days=3))})
    assert bad.status_code == 422
    ok = c.post("/my/certificates", {"period_from": str(TODAY - timedelta(days=10)), "period_to": str(TODAY)})
    assert ok.status_code == 303
    certificate = db.session.scalar(sa.select(Certificate))
    page = text(client.get(f"/certificates/{certificate.code}"))
    assert "真实有效" in page and "王阿姨" in page and "2 小时 30 分钟" in page and "社区环境整治" in page
    assert "qr.svg" in page and b"<svg" in client.get(f"/certificates/{certificate.code}/qr.svg").data
    by_form = text(client.get(f"/verify?code={certificate.code.lower()}"))
    assert "真实有效" in by_form
    assert client.get("/verify?code=NOTACODE").status_code == 404
    assert client.get("/certificates/ZZZZZZZZZZ").status_code == 404
    certificate.total_minutes = 6000  # someone edits the stored record
    db.session.commit()
    assert "与签发时不符" in text(client.get(f"/certificates/{certificate.code}"))


def test_no_service_no_certificate(client_for, make_user):
    response = client_for(make_user()).post("/my/certificates", {"period_from": str(TODAY), "period_to": str(TODAY)})
    assert response.status_code == 422 and "没有认证的志愿服务" in text(response)
