"""Star levels and the time bank pages."""
from __future__ import annotations

from datetime import date

import pytest

from app.extensions import db
from app.timebank import ledger
from app.timebank.models import Txn
from app.timebank.stars import star_level
from tests.conftest import text


@pytest.fixture(autouse=True)
def _a_year_in_one_record(request):
    """These tests credit a year's service in one record; the day's ceiling has tests of its own."""
    if "app" in request.fixturenames:
        request.getfixturevalue("app").config["TIMEBANK_DAY_CEILING_HOURS"] = 24 * 366



@pytest.mark.parametrize("hours,stars", [(0, 0), (99, 0), (100, 1), (299, 1), (300, 2), (600, 3), (999, 3),
                                         (1000, 4), (1499, 4), (1500, 5), (4000, 5)])
def test_star_thresholds_are_inclusive(app, hours, stars):
    assert star_level(hours * 60).stars == stars
    assert star_level(hours * 60 - 1).stars == max(stars - 1, 0) or hours == 0 or hours not in (100, 300, 600,
                                                                                                   1000, 1500)


def test_star_progress_and_config(app):
    level = star_level(200 * 60)
    assert (level.stars, level.to_next, level.percent) == (1, 100 * 60, 50)
    assert star_level(1500 * 60).next_at is None and star_level(1500 * 60).percent == 100
    app.config["TIMEBANK_STAR_HOURS"] = (10, 20, 30, 40, 50)
    assert star_level(20 * 60).stars == 2
    with pytest.raises(TypeError):
        star_level(60.0)  # type: ignore[arg-type]


def test_my_timebank_shows_balance_record_and_stars(client_for, make_user):
    staff = make_user("social_worker"), make_user("social_worker")
    volunteer = make_user()
    service = ledger.credit_service(volunteer, 101 * 60, description="助老陪伴（全年）", served_on=date.today(),
                                    recorded_by=staff[0], verified_by=staff[1], idempotency_key="k")
    ledger.reverse(db.session.get(Txn, service.txn_id), reason="重复记录", initiated_by=staff[0],
                   confirmed_by=staff[1], idempotency_key="r")
    ledger.credit_service(volunteer, 100 * 60 + 30, description="社区环境整治", served_on=date.today(),
                          recorded_by=staff[0], verified_by=staff[1], idempotency_key="k2")
    db.session.commit()
    page = text(client_for(volunteer).get("/my/timebank"))
    assert "100 小时 30 分钟" in page and "★☆☆☆☆" in page and "重复记录" in page and "更正" in page
    assert "社区环境整治" in page and "距下一星级还需 199 小时 30 分钟" in page


def test_unverified_resident_has_no_account(client_for, make_user):
    page = text(client_for(make_user(verified=False)).get("/my/timebank"))
    assert "只有通过居住认证的居民才能开设时间银行账户" in page


def test_community_totals_are_public_and_personal_data_free(client, make_user, places):
    staff = make_user("social_worker"), make_user("social_worker")
    volunteer = make_user(display_name="赵阿姨", login="13912349999")
    ledger.credit_service(volunteer, 180, description="助老", served_on=date.today(), recorded_by=staff[0],
                          verified_by=staff[1], idempotency_key="t")
    db.session.commit()
    page = text(client.get(f"/c/{places.community.id}/timebank"))
    assert '<dd class="big-number">1</dd>' in page and '<dd class="big-number">3</dd>' in page
    assert "赵阿姨" not in page and "13912349999" not in page
