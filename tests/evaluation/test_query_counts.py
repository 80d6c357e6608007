"""The evaluation's pages run as many statements for a big subdistrict as for
a small one: two rounds, one with 2 communities, 2 departments and 4
evaluators, one with 8, 6 and 12, each filled in, surveyed, closed and
published; every page read by its staff, an evaluator and a visitor."""
from __future__ import annotations

from datetime import date

import sqlalchemy as sa

from app.evaluation import services
from app.evaluation.models import Direction
from app.extensions import db
from app.places import services as places
from app.places.models import CommunityKind

RUBRIC = [("甲", 50, ""), ("乙", 30, ""), ("丙", 20, "")]


def _subdistrict(name, communities, departments, officers, make_user):
    sub = places.save_subdistrict(None, None, name=name, city="太仓市")
    kw = dict(kind=CommunityKind.community, households=100, address="", description="")
    cs = [places.save_community(None, None, subdistrict=sub, name=f"{name}{i}社区", **kw) for i in range(communities)]
    ds = [places.save_department(None, None, subdistrict=sub, name=f"{name}{i}科") for i in range(departments)]
    db.session.commit()
    staff = make_user("subdistrict_staff", scope=sub)
    evaluators = [make_user("department_staff", scope=ds[i % departments]) for i in range(officers)]
    evaluators += [make_user("committee_member", scope=cs[i % communities]) for i in range(officers // 2)]
    r = services.create_round(staff, sub, title=f"{name}评估", year=2026, period_start=date(2026, 1, 1),
                              period_end=date(2026, 12, 31), deadline=date(2026, 12, 20), survey_enabled=True,
                              survey_weight=20)
    for direction in Direction:
        services.set_rubric(staff, r, direction, RUBRIC)
        services.assign_everyone(staff, r, direction)
    services.set_questions(staff, r, services.DEFAULT_QUESTIONS)
    services.open_round(staff, r)
    for sheet in services.sheets_of(r):
        services.save_sheet(sheet.evaluator, sheet, {c.id: ("81.5", "") for c in r.criteria
                                                     if c.direction is sheet.direction}, submit=True)
    for community in cs:
        for _ in range(5):
            resident = make_user(community=community)
            services.answer_survey(resident, r, resident, {q.id: 4 for q in r.questions})
    services.close_round(staff, r)
    services.publish_round(staff, r)
    db.session.commit()
    sheet = next(s for s in services.sheets_of(r) if s.evaluator_id == evaluators[0].id)
    return r, staff, evaluators[0], cs[0], ds[0], sheet


def _count(client, path) -> tuple[int, int]:
    seen = []

    def count(conn, cursor, statement, *args):
        seen.append(statement)

    db.session.commit()
    sa.event.listen(db.engine, "before_cursor_execute", count)
    try:
        response = client.get(path)
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", count)
    return len(seen), response.status_code


def test_evaluation_pages_do_not_grow_with_the_subdistrict(app, client, client_for, make_user):
    small = _subdistrict("小", 2, 2, 2, make_user)
    large = _subdistrict("大", 8, 6, 12, make_user)

    def pages(r, community, department, sheet):
        base = f"/evaluation/{r.id}"
        return [base, f"{base}/progress", f"{base}/results", f"{base}/report", f"{base}/results.xlsx",
                f"{base}/results/gov_to_community/{community.id}", f"{base}/results/community_to_gov/{department.id}",
                f"{base}/charts/gov_to_community/ranking.svg",
                f"{base}/charts/gov_to_community/{community.id}/criteria.svg", "/evaluation", "/",
                f"/evaluation/sheets/{sheet.id}"]

    report = []
    grew = []
    for who in ("staff", "evaluator", "visitor"):
        counts = []
        for r, staff, evaluator, community, department, sheet in (small, large):
            user = {"staff": staff, "evaluator": evaluator, "visitor": None}[who]
            c = client_for(user) if user is not None else client
            counts.append([_count(c, path) for path in pages(r, community, department, sheet)])
        for path, (n_small, s_small), (n_large, s_large) in zip(pages(small[0], *small[3:]), *counts,
                                                                 strict=True):
            report.append(f"{who:10} {path:60} {s_small}/{s_large} {n_small} → {n_large}")
            assert s_small == s_large, report[-1]
            if n_large > n_small:
                grew.append(report[-1])
    print("\n".join(report))
    assert not grew, "\n".join(["Statements grow with the subdistrict:", *grew])
    assert any("200/200" in line for line in report)
