"""A round from set-up to publication through the services."""
from __future__ import annotations

from datetime import date
from decimal import Decimal as D

import pytest
import sqlalchemy as sa

from app.audit.models import AuditEntry
from app.domain import DomainError, NotFound
from app.evaluation import results, services
from app.evaluation.models import Direction, Reminder, RoundState, SheetState
from app.extensions import db
from app.notifications.models import Notification


def _scores(sheet, *values, comment=""):
    criteria = services.criteria_of(sheet.round, sheet.direction)
    return {c.id: (str(v), comment) for c, v in zip(criteria, values, strict=True)}


def test_rubric_weights_must_sum_to_100(world):
    with pytest.raises(DomainError) as e:
        services.set_rubric(world.staff, world.round, Direction.gov_to_community, [("a", 50, ""), ("b", 40, "")])
    assert e.value.field == "criteria"
    assert [c.weight for c in services.criteria_of(world.round, Direction.gov_to_community)] == [40, 35, 25]
    with pytest.raises(DomainError):
        services.parse_rubric("只有名称")
    assert services.parse_rubric("甲｜60｜说明\n乙 | 40") == [("甲", 60, "说明"), ("乙", 40, "")]


def test_only_eligible_evaluators_and_own_subdistrict_parties(world, make_user):
    resident = make_user()
    with pytest.raises(DomainError):
        services.assign(world.staff, world.round, Direction.gov_to_community, resident, [world.places.community.id])
    with pytest.raises(DomainError):  # a community of the other subdistrict
        services.assign(world.staff, world.round, Direction.gov_to_community, world.officer, [world.places.other.id])
    with pytest.raises(DomainError):  # committees score departments, not committees
        services.assign(world.staff, world.round, Direction.gov_to_community, world.member,
                        [world.places.community.id])
    assert services.assign(world.staff, world.round, Direction.gov_to_community, world.officer,
                           [world.places.community.id, world.places.sibling.id]) == 2
    assert services.assign(world.staff, world.round, Direction.gov_to_community, world.officer,
                           [world.places.community.id]) == 0  # kept, not doubled


def test_a_full_round(world, make_user):
    r, places = world.round, world.places
    n = services.assign_everyone(world.staff, r, Direction.gov_to_community)
    # officer, officer2 and the staff member each score both communities of subdistrict A
    assert n == 6
    services.assign_everyone(world.staff, r, Direction.community_to_gov)
    assert services.open_round(world.staff, r) == 5
    assert db.session.scalar(sa.select(sa.func.count(Notification.id)).where(
        Notification.kind == "evaluation.opened")) == 5
    sheets = {(s.evaluator_id, s.party_id, s.direction): s for s in services.sheets_of(r)}
    g2c = Direction.gov_to_community
    s1 = sheets[(world.officer.id, places.community.id, g2c)]
    with pytest.raises(DomainError) as e:  # below 60 without a comment
        services.save_sheet(world.officer, s1, _scores(s1, 50, 80, 80), submit=True)
    assert e.value.field.startswith("comment_")
    with pytest.raises(DomainError) as e:
        services.save_sheet(world.officer, s1, _scores(s1, "85.55", 80, 80), submit=True)
    assert e.value.field.startswith("score_")
    with pytest.raises(DomainError):  # someone else's sheet
        services.save_sheet(world.officer2, s1, _scores(s1, 90, 90, 90), submit=True)
    services.save_sheet(world.officer, s1, {}, submit=False)  # an empty draft is fine
    services.save_sheet(world.officer, s1, _scores(s1, "92", "80.5", 70), submit=True)
    s2 = sheets[(world.officer2.id, places.community.id, g2c)]
    services.save_sheet(world.officer2, s2, _scores(s2, 80, 80, 80), submit=True)
    s3 = sheets[(world.staff.id, places.community.id, g2c)]
    services.save_sheet(world.staff, s3, _scores(s3, 70, 60, 50, comment="公开不及时"), submit=True)
    services.reopen_sheet(world.staff, s3)
    assert s3.state is SheetState.draft
    services.save_sheet(world.staff, s3, _scores(s3, 70, 60, 50, comment="公开不及时"), submit=True)
    # five residents of community A answer 4, 5, 4, 4, 3 on each of the three questions
    residents = [make_user() for _ in range(5)]
    qs = world.round.questions
    for resident, value in zip(residents, [4, 5, 4, 4, 3], strict=True):
        services.answer_survey(resident, r, resident, {q.id: value for q in qs})
    services.close_round(world.staff, r)
    with pytest.raises(DomainError):  # locked
        services.save_sheet(world.officer2, s2, _scores(s2, 10, 10, 10), submit=False)

    computed = results.compute(r)[g2c]
    row = computed.row(places.community.id)
    # totals: 82.475, 80, (70×40 + 60×35 + 50×25)/100 = 61.5 → sheets part 223.975/3 = 74.658333…
    assert sorted(line.total for line in row.sheets) == [D("61.5"), D("80"), D("82.475")]
    # survey: mean 4 → 75; final = 74.658333… × 0.7 + 75 × 0.3 = 52.260833… + 22.5 = 74.760833… → 74.76
    assert row.result.final == D("74.76") and row.result.grade == "pass"
    assert row.result.survey_counted and row.survey_questions
    assert row.rank == 1  # the sibling community has no submitted sheet
    assert computed.row(places.sibling.id).result is None
    assert row.averages[services.criteria_of(r, g2c)[0].id] == D("80.67")  # (92+80+70)/3

    with pytest.raises(DomainError):
        services.reopen_round(world.staff, r, "")
    services.reopen_round(world.staff, r, "漏评一个社区")
    assert r.state is RoundState.open
    entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "evaluation.reopen"))
    assert entry.detail["reason"] == "漏评一个社区"
    services.close_round(world.staff, r)
    services.publish_round(world.staff, r)
    assert r.state is RoundState.published


def test_survey_rules(world, make_user):
    r = world.round
    services.assign_everyone(world.staff, r, Direction.gov_to_community)
    services.assign_everyone(world.staff, r, Direction.community_to_gov)
    resident = make_user()
    qs = r.questions
    with pytest.raises(DomainError):  # not open yet
        services.answer_survey(resident, r, resident, {q.id: 5 for q in qs})
    services.open_round(world.staff, r)
    with pytest.raises(DomainError):
        services.answer_survey(resident, r, resident, {q.id: 6 for q in qs})
    unverified = make_user(verified=False)
    with pytest.raises(DomainError):
        services.answer_survey(unverified, r, unverified, {q.id: 5 for q in qs})
    services.answer_survey(resident, r, resident, {q.id: 5 for q in qs})
    services.answer_survey(resident, r, resident, {q.id: 2 for q in qs})  # edited, still one response
    response = services.response_of(r, resident)
    assert [a.value for a in response.answers] == [2, 2, 2] and not response.by_proxy
    with pytest.raises(DomainError):  # the social worker cannot overwrite the resident's own answers
        services.answer_survey(world.worker, r, resident, {q.id: 5 for q in qs})
    no_phone = make_user()
    services.answer_survey(world.worker, r, no_phone, {q.id: 4 for q in qs})
    assert services.response_of(r, no_phone).recorded_by_id == world.worker.id
    outsider = make_user("social_worker", scope=world.places.sibling)
    with pytest.raises(DomainError):
        services.answer_survey(outsider, r, make_user(), {q.id: 4 for q in qs})


def test_automatic_reminder_reaches_each_evaluator_once(world):
    r = world.round
    services.assign(world.staff, r, Direction.gov_to_community, world.officer, [world.places.community.id])
    services.assign(world.staff, r, Direction.gov_to_community, world.officer2, [world.places.community.id])
    services.open_round(world.staff, r)
    before = date(2026, 12, 14)  # deadline 20 December, 5 days: reminders from the 15th
    assert not services.reminders_due(r, before)
    assert services.send_reminders(None, r, by_hand=False, today=before) == 0
    sheet = next(s for s in services.sheets_of(r) if s.evaluator_id == world.officer2.id)
    services.save_sheet(world.officer2, sheet, _scores(sheet, 90, 90, 90), submit=True)
    day = date(2026, 12, 15)
    assert services.reminders_due(r, day)
    assert services.send_reminders(None, r, by_hand=False, today=day) == 1  # officer2 has submitted
    assert not services.reminders_due(r, day)
    assert services.send_reminders(None, r, by_hand=False, today=date(2026, 12, 16)) == 0
    assert services.remind_due_rounds(date(2026, 12, 17)) == 0
    reminders = db.session.scalars(sa.select(Notification).where(Notification.kind == "evaluation.reminder")).all()
    assert [n.user_id for n in reminders] == [world.officer.id]
    # by hand: again, once a day
    assert services.send_reminders(world.staff, r, by_hand=True, today=date(2026, 12, 17)) == 1
    assert services.send_reminders(world.staff, r, by_hand=True, today=date(2026, 12, 17)) == 0
    assert db.session.scalar(sa.select(sa.func.count(Reminder.id))) == 2


def test_copy_last_years_round(world):
    r = world.round
    services.assign_everyone(world.staff, r, Direction.gov_to_community)
    copy = services.copy_round(world.staff, r)
    assert copy.year == 2027 and copy.title == "2027年度双向评估" and copy.state is RoundState.draft
    assert [(c.name, c.weight) for c in copy.criteria] == [(c.name, c.weight) for c in r.criteria]
    assert len(services.sheets_of(copy)) == len(services.sheets_of(r)) == 6
    assert [q.text for q in copy.questions] == [q.text for q in r.questions]
    assert copy.deadline == date(2027, 12, 20)
    with pytest.raises(DomainError):  # 2027 exists now
        services.copy_round(world.staff, r)


def test_loaders_scope_rounds_and_sheets(world, make_user):
    r = world.round
    other_staff = make_user("subdistrict_staff", scope=world.places.other_subdistrict)
    with pytest.raises(NotFound):
        services.round_for(other_staff, r.id, to="manage")
    with pytest.raises(NotFound):
        services.round_for(other_staff, r.id)  # a draft is nobody's business outside the subdistrict
    assert services.round_for(world.staff, r.id, to="manage") is r
    services.assign(world.staff, r, Direction.gov_to_community, world.officer, [world.places.community.id])
    sheet = services.sheets_of(r)[0]
    with pytest.raises(NotFound):
        services.sheet_for(world.officer2, sheet.id)
    with pytest.raises(NotFound):
        services.sheet_for(world.staff, sheet.id)  # staff read it, never fill it
    assert services.sheet_for(world.staff, sheet.id, to="read") is sheet


def test_the_same_resident_answering_from_two_phones_at_once_keeps_one_response(app, world, make_user):
    """Two first submissions at the same moment (two tabs, a double tap): one
    response with the later answers, no error for either."""
    from app.accounts.models import User
    from app.evaluation.models import EvaluationRound, SurveyResponse
    from tests.conftest import run_in_threads

    r = world.round
    services.assign_everyone(world.staff, r, Direction.gov_to_community)
    services.assign_everyone(world.staff, r, Direction.community_to_gov)
    services.open_round(world.staff, r)
    resident = make_user()
    round_id, resident_id = r.id, resident.id
    question_ids = [q.id for q in r.questions]

    def answer(value):
        round_ = db.session.get(EvaluationRound, round_id)
        return round_, db.session.get(User, resident_id), value

    def work(state):
        round_, person, value = state
        services.answer_survey(person, round_, person, {q: value for q in question_ids})

    errors = run_in_threads(app, [3, 4, 5, 2], work, prepare=answer)
    assert errors == []
    db.session.expire_all()
    responses = db.session.scalars(sa.select(SurveyResponse).where(SurveyResponse.resident_id == resident_id)).all()
    assert len(responses) == 1 and len({a.value for a in responses[0].answers}) == 1
