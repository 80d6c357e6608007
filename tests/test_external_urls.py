"""Absolute links (QR codes, certificates) never take their host from the
request's Host header alone: anyone can send any Host."""
from __future__ import annotations

from datetime import date, timedelta

from app.extensions import db
from app.timebank import ledger
from app.volunteering import certificates
from app.web import external_url
from tests.conftest import text


def _certificate(make_user):
    staff, volunteer = make_user("social_worker"), make_user()
    ledger.credit_service(volunteer, 60, description="助老陪伴", served_on=date.today() - timedelta(days=1),
                          recorded_by=staff, verified_by=staff, idempotency_key="x")
    certificate = certificates.issue(volunteer, date.today() - timedelta(days=30), date.today())
    db.session.commit()
    return certificate


def test_a_forged_host_never_reaches_the_certificate_link(client, make_user):
    certificate = _certificate(make_user)
    page = text(client.get(f"/certificates/{certificate.code}", headers={"Host": "evil.example"}))
    assert "evil.example" not in page and "/verify" in page


def test_public_base_url_is_used_for_every_absolute_link(app, client, make_user):
    app.config["PUBLIC_BASE_URL"] = "https://linli.example.org/"
    certificate = _certificate(make_user)
    page = text(client.get(f"/certificates/{certificate.code}", headers={"Host": "evil.example"}))
    assert "https://linli.example.org/verify" in page and "evil.example" not in page
    with app.test_request_context("/", headers={"Host": "evil.example"}):
        assert external_url("volunteering.show_certificate", code="AB") == "https://linli.example.org/certificates/AB"


def test_trusted_hosts_refuse_other_hosts_and_name_the_link(app, client, make_user):
    app.config["TRUSTED_HOSTS"] = ["linli.example.org"]
    certificate = _certificate(make_user)
    assert client.get(f"/certificates/{certificate.code}", headers={"Host": "evil.example"}).status_code == 400
    page = text(client.get(f"/certificates/{certificate.code}", headers={"Host": "linli.example.org"}))
    assert "http://linli.example.org/verify" in page


def test_without_configuration_only_this_machine_is_trusted(app):
    with app.test_request_context("/", headers={"Host": "localhost:5000"}):
        assert external_url("volunteering.verify_certificate") == "http://localhost:5000/verify"
    with app.test_request_context("/", headers={"Host": "evil.example"}):
        assert external_url("volunteering.verify_certificate") == "/verify"
