from __future__ import annotations

from datetime import date

import pytest

from app.extensions import db
from tests.agreements import conftest as _agreements

# the lists, a department's clerk, the committee's social worker and a request factory (the evidence tests)
clerk, lists_v1, staff, submit, worker = (_agreements.clerk, _agreements.lists_v1, _agreements.staff,
                                          _agreements.submit, _agreements.worker)

RUBRIC_G2C = [("履职尽责", 40, "依法履行职责"), ("协议履行", 35, "委托协议完成情况"), ("居务公开", 25, "")]
RUBRIC_C2G = [("清单执行", 50, "是否按两份清单办事"), ("支持社区", 50, "")]


@pytest.fixture
def world(app, places, make_user):
    """A draft round of subdistrict A with rubrics, two evaluators per direction and a survey."""
    from app.evaluation import services
    from app.evaluation.models import Direction
    from app.places import services as place_services

    staff = make_user("subdistrict_staff", display_name="王科长")
    dept2 = place_services.save_department(None, None, subdistrict=places.subdistrict, name="城管科")
    officer = make_user("department_staff", display_name="赵干事")
    officer2 = make_user("department_staff", scope=dept2, display_name="钱干事")
    member = make_user("committee_member", display_name="陈委员")
    worker = make_user("social_worker", display_name="李社工")
    round_ = services.create_round(staff, places.subdistrict, title="2026年度双向评估", year=2026,
                                   period_start=date(2026, 1, 1), period_end=date(2026, 12, 31),
                                   deadline=date(2026, 12, 20), remind_days=5, survey_enabled=True,
                                   survey_weight=30)
    services.set_rubric(staff, round_, Direction.gov_to_community, RUBRIC_G2C)
    services.set_rubric(staff, round_, Direction.community_to_gov, RUBRIC_C2G)
    services.set_questions(staff, round_, services.DEFAULT_QUESTIONS)
    db.session.commit()

    class World:
        pass

    w = World()
    w.places, w.round, w.staff, w.officer, w.officer2, w.member, w.worker = (
        places, round_, staff, officer, officer2, member, worker)
    w.dept2 = dept2
    return w


def open_with_one_sheet(world):
    """The world's round opened with the officer scoring community A: (round, the sheet, its criterion ids)."""
    from app.evaluation import services
    from app.evaluation.models import Direction

    services.assign(world.staff, world.round, Direction.gov_to_community, world.officer, [world.places.community.id])
    services.open_round(world.staff, world.round)
    db.session.commit()
    sheet = services.sheets_of(world.round)[0]
    return world.round, sheet, [c.id for c in services.criteria_of(world.round, Direction.gov_to_community)]
