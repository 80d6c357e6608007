"""The evaluation's pages through the client: who sees what, forms, exports, charts."""
from __future__ import annotations

import io
import re

import sqlalchemy as sa
from openpyxl import load_workbook

from app.evaluation import services
from app.evaluation.models import Direction, RoundState
from app.extensions import db
from tests.evaluation.conftest import open_with_one_sheet
from tests.conftest import text


def _run_to_published(world, make_user, residents=5):
    r = world.round
    services.assign_everyone(world.staff, r, Direction.gov_to_community)
    services.assign_everyone(world.staff, r, Direction.community_to_gov)
    services.open_round(world.staff, r)
    for sheet in services.sheets_of(r):
        criteria = services.criteria_of(r, sheet.direction)
        services.save_sheet(sheet.evaluator, sheet, {c.id: ("88", "") for c in criteria}, submit=True)
    for _ in range(residents):
        resident = make_user()
        services.answer_survey(resident, r, resident, {q.id: 5 for q in r.questions})
    services.close_round(world.staff, r)
    services.publish_round(world.staff, r)
    db.session.commit()
    return r


def test_staff_set_up_a_round_through_the_pages(world, client_for):
    client = client_for(world.staff)
    r = world.round
    page = client.get(f"/evaluation/{r.id}")
    assert page.status_code == 200 and "履职尽责" in text(page)
    bad = client.post(f"/evaluation/{r.id}/rubric/gov_to_community", {"criteria": "甲 | 50\n乙 | 40"})
    assert bad.status_code == 422 and "100" in text(bad)
    assert "甲 | 50" in text(bad)  # what was typed is kept
    ok = client.post(f"/evaluation/{r.id}/rubric/gov_to_community", {"criteria": "甲 | 60 | 说明\n乙 | 40"})
    assert ok.status_code == 303
    assign = client.post(f"/evaluation/{r.id}/assign/gov_to_community",
                         {"evaluator_id": str(world.officer.id), "party_ids": [str(world.places.community.id)]})
    assert assign.status_code == 303
    assert client.post(f"/evaluation/{r.id}/open").status_code == 303
    db.session.expire_all()
    assert db.session.get(type(r), r.id).state is RoundState.open


def test_an_evaluator_fills_their_sheet_and_nobody_else_can(world, client_for, make_user):
    r, sheet, ids = open_with_one_sheet(world)
    client = client_for(world.officer)
    home = client.get("/")
    assert f"/evaluation/sheets/{sheet.id}" in text(home)
    page = client.get(f"/evaluation/sheets/{sheet.id}")
    assert page.status_code == 200 and 'id="evidence-title"' in text(page)
    missing = client.post(f"/evaluation/sheets/{sheet.id}", {
        "action": "submit", f"score_{ids[0]}": "55", f"score_{ids[1]}": "80", f"score_{ids[2]}": "80"})
    assert missing.status_code == 422
    assert re.search(r'id="comment_%d-error"' % ids[0], text(missing))
    draft = client.post(f"/evaluation/sheets/{sheet.id}", {"action": "draft", f"score_{ids[0]}": "55"})
    assert draft.status_code == 303
    done = client.post(f"/evaluation/sheets/{sheet.id}", {
        "action": "submit", f"score_{ids[0]}": "55", f"comment_{ids[0]}": "台账不全",
        f"score_{ids[1]}": "80.5", f"score_{ids[2]}": "100"})
    assert done.status_code == 303
    # (55×40 + 80.5×35 + 100×25)/100 = 22 + 28.175 + 25 = 75.175
    assert "75.175" in text(client.get(f"/evaluation/sheets/{sheet.id}"))
    assert client_for(world.officer2).get(f"/evaluation/sheets/{sheet.id}").status_code == 404
    assert client_for(make_user()).get(f"/evaluation/sheets/{sheet.id}").status_code == 404
    staff = client_for(world.staff)
    assert staff.get(f"/evaluation/sheets/{sheet.id}").status_code == 200
    assert staff.post(f"/evaluation/sheets/{sheet.id}", {"action": "draft"}).status_code == 403


def test_results_public_after_publication_without_sheets_or_evaluators(world, client, client_for, make_user):
    r = _run_to_published(world, make_user)
    public = client.get(f"/evaluation/{r.id}/results")
    body = text(public)
    assert public.status_code == 200 and "朝阳社区" in body and "88.00" in body
    assert "王科长" not in body and "赵干事" not in body
    party = client.get(f"/evaluation/{r.id}/results/gov_to_community/{world.places.community.id}")
    assert party.status_code == 200 and "赵干事" not in text(party) and "/evaluation/sheets/" not in text(party)
    assert client.get(f"/evaluation/{r.id}/report").status_code == 302  # login first
    assert client.get(f"/evaluation/{r.id}/results.xlsx").status_code == 302
    staff_party = client_for(world.staff).get(
        f"/evaluation/{r.id}/results/gov_to_community/{world.places.community.id}")
    assert "赵干事" in text(staff_party)


def test_charts_are_svg_with_a_table_beside_them(world, client, make_user):
    r = _run_to_published(world, make_user)
    svg = client.get(f"/evaluation/{r.id}/charts/gov_to_community/ranking.svg")
    assert svg.status_code == 200 and svg.headers["Content-Type"] == "image/svg+xml"
    assert b"<svg" in svg.data and "朝阳社区".encode() in svg.data
    bars = client.get(f"/evaluation/{r.id}/charts/gov_to_community/{world.places.community.id}/criteria.svg")
    assert "履职尽责".encode() in bars.data
    party = text(client.get(f"/evaluation/{r.id}/results/gov_to_community/{world.places.community.id}"))
    assert "criteria.svg" in party and "<table" in party and "履职尽责" in party
    # survey part: all fives → 100; sheets 88: 88 × .7 + 100 × .3 = 91.60
    assert "91.60" in party


def test_xlsx_holds_every_sheet_and_the_finals(world, client_for, make_user):
    r = _run_to_published(world, make_user)
    response = client_for(world.staff).get(f"/evaluation/{r.id}/results.xlsx")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.data)).active
    rows = [[c for c in row] for row in sheet.iter_rows(values_only=True)]
    flat = [c for row in rows for c in row if c is not None]
    assert "朝阳社区" in flat and "赵干事" in flat and "王科长" in flat
    assert 91.6 in [float(c) for c in flat if isinstance(c, (int, float))]


def test_few_survey_responses_do_not_count_and_are_not_shown(world, client, make_user):
    r = _run_to_published(world, make_user, residents=4)
    party = text(client.get(f"/evaluation/{r.id}/results/gov_to_community/{world.places.community.id}"))
    assert "88.00" in party and "91.60" not in party
    assert "居委会办事是否公开透明" not in party  # no per-question figures below five responses


def test_staff_of_another_subdistrict_see_nothing(world, client_for, make_user):
    other = client_for(make_user("subdistrict_staff", scope=world.places.other_subdistrict))
    r = world.round
    for path in (f"/evaluation/{r.id}", f"/evaluation/{r.id}/progress", f"/evaluation/{r.id}/results",
                 f"/evaluation/{r.id}/report"):
        assert other.get(path).status_code == 404, path
    assert other.post(f"/evaluation/{r.id}/open").status_code == 404
    assert "2026年度双向评估" not in text(other.get("/evaluation"))


def test_residents_answer_on_a_phone_page(world, client_for, make_user):
    r = world.round
    services.assign(world.staff, r, Direction.gov_to_community, world.officer, [world.places.community.id])
    services.open_round(world.staff, r)
    db.session.commit()
    resident = make_user()
    client = client_for(resident)
    assert f"/evaluation/{r.id}/survey" in text(client.get("/"))
    form = client.get(f"/evaluation/{r.id}/survey")
    assert form.status_code == 200 and 'type="radio"' in text(form)
    qs = [q.id for q in r.questions]
    half = client.post(f"/evaluation/{r.id}/survey", {f"q_{qs[0]}": "5"})
    assert half.status_code == 422
    done = client.post(f"/evaluation/{r.id}/survey", {f"q_{q}": "4" for q in qs})
    assert done.status_code == 303
    assert client_for(make_user(verified=False)).get(f"/evaluation/{r.id}/survey").status_code == 404
    outsider = make_user(community=world.places.other)
    assert client_for(outsider).get(f"/evaluation/{r.id}/survey").status_code == 404
    worker = client_for(world.worker)
    page = worker.get(f"/evaluation/{r.id}/survey/record")
    assert page.status_code == 200 and resident.display_name not in text(page)  # no list of every resident
    assert "1 位已认证居民中已有 1 位作答" in text(page)  # counted, not listed


def test_a_social_worker_records_answers_for_a_resident_found_by_typing(world, client_for, make_user):
    r = world.round
    services.assign(world.staff, r, Direction.gov_to_community, world.officer, [world.places.community.id])
    services.open_round(world.staff, r)
    db.session.commit()
    elder = make_user(display_name="孙奶奶", login="13912345678")
    self_answered = make_user(display_name="孙爷爷")
    qs = [q.id for q in r.questions]
    assert client_for(self_answered).post(f"/evaluation/{r.id}/survey", {f"q_{q}": "5" for q in qs}).status_code == 303
    worker = client_for(world.worker)
    url = f"/evaluation/{r.id}/survey/record"
    answers = {f"q_{q}": "4" for q in qs}
    offered = worker.post(url, {"resident_id_q": "孙", **answers})
    assert offered.status_code == 422 and f'name="resident_id" value="{elder.id}"' in text(offered)
    assert len(re.findall(r'<input checked[^>]*value="4"', text(offered))) == len(qs)  # the answers as given
    refused = worker.post(url, {"resident_id": str(self_answered.id), **answers})
    assert refused.status_code == 422 and "本人" in text(refused)
    assert worker.post(url, {"resident_id_q": "5678", **answers}).status_code == 422  # the tail: confirm it
    assert worker.post(url, {"resident_id_q": "13912345678", **answers}).status_code == 303
    response = services.response_of(r, elder)
    assert response.recorded_by_id == world.worker.id and {a.value for a in response.answers} == {4}
    outsider = make_user(display_name="孙外区", community=world.places.other)
    assert worker.post(url, {"resident_id": str(outsider.id), **answers}).status_code == 404


def test_automatic_reminders_go_out_when_a_round_page_is_read(world, client_for, monkeypatch):
    from datetime import date

    from app import localtime
    from app.notifications.models import Notification

    r = world.round
    services.assign(world.staff, r, Direction.gov_to_community, world.officer, [world.places.community.id])
    services.open_round(world.staff, r)
    db.session.commit()
    monkeypatch.setattr(localtime, "today", lambda community=None: date(2026, 12, 16))
    client = client_for(world.staff)
    for _ in range(3):
        assert client.get(f"/evaluation/{r.id}/progress").status_code == 200
    db.session.expire_all()
    count = db.session.scalar(sa.select(sa.func.count(Notification.id)).where(
        Notification.kind == "evaluation.reminder"))
    assert count == 1


def test_staff_change_the_settings_with_errors_on_the_field(world, client_for):
    client = client_for(world.staff)
    r = world.round
    data = {"title": "2026年度双向评估（修订）", "year": "2026", "period_start": "2026-01-01",
            "period_end": "2026-12-31", "deadline": "2026-12-25", "remind_days": "7", "excellent_from": "70",
            "good_from": "80", "pass_from": "60", "survey_enabled": "y", "survey_weight": "20"}
    bad = client.post(f"/evaluation/{r.id}/settings", data)
    assert bad.status_code == 422 and 'id="excellent_from-error"' in text(bad)
    assert client.post(f"/evaluation/{r.id}/settings", {**data, "excellent_from": "92"}).status_code == 303
    db.session.expire_all()
    r = db.session.get(type(r), r.id)
    assert (r.title, r.excellent_from, r.survey_weight, r.remind_days) == ("2026年度双向评估（修订）", 92, 20, 7)


def test_flask_evaluation_remind_sends_the_due_reminders_once(app, world, monkeypatch):
    from datetime import date

    from app import localtime
    from app.notifications.models import Notification

    r = world.round
    services.assign(world.staff, r, Direction.gov_to_community, world.officer, [world.places.community.id])
    services.open_round(world.staff, r)
    db.session.commit()
    monkeypatch.setattr(localtime, "today", lambda community=None: date(2026, 12, 18))
    runner = app.test_cli_runner()
    first = runner.invoke(args=["evaluation", "remind"])
    second = runner.invoke(args=["evaluation", "remind"])
    assert "evaluators reminded: 1" in first.output and "evaluators reminded: 0" in second.output
    assert db.session.scalar(sa.select(sa.func.count(Notification.id)).where(
        Notification.kind == "evaluation.reminder")) == 1
