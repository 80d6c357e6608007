"""Two people answering at the same moment (both databases): both signatures count and
the agreement comes into force; a request is decided once."""
from __future__ import annotations

from app.agreements import admission, services
from app.agreements.models import AdmissionRequest, Agreement, AgreementState, RequestState
from app.domain import DomainError
from app.extensions import db
from tests.conftest import run_in_threads


def test_both_sides_signing_at_once_bring_it_into_force(app, draft_agreement, clerk, worker):
    agreement_id, people = draft_agreement().id, [clerk.id, worker.id]

    def prepare(user_id):
        from app.accounts.models import User
        return db.session.get(User, user_id), db.session.get(Agreement, agreement_id)

    errors = run_in_threads(app, people, lambda s: services.sign(s[0], s[1]), prepare)
    assert errors == []
    db.session.expire_all()
    agreement = db.session.get(Agreement, agreement_id)
    assert agreement.state is AgreementState.in_force
    assert {agreement.department_signed_by_id, agreement.community_signed_by_id} == set(people)


def test_a_request_is_decided_once(app, submit, staff, make_user, places, item):
    other = make_user("subdistrict_staff")
    req_id, choices = submit().id, [(staff.id, item("高龄津贴资格认证").id), (other.id, None)]

    def prepare(choice):
        from app.accounts.models import User
        return db.session.get(User, choice[0]), db.session.get(AdmissionRequest, req_id), choice[1]

    errors = run_in_threads(app, choices, lambda s: admission.decide(s[0], s[1], s[2]), prepare)
    assert len(errors) == 1 and isinstance(errors[0], DomainError), errors
    db.session.expire_all()
    assert db.session.get(AdmissionRequest, req_id).state in (RequestState.assisted, RequestState.needs_agreement)
