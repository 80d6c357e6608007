"""Time bank pages: a resident's balance, service record and stars; a
community's public totals."""
from __future__ import annotations

from flask import Blueprint
from flask_login import current_user, login_required

from app.places.services import public_community
from app.sqltypes import utcnow
from app.timebank import ledger
from app.timebank.models import TxnKind
from app.timebank.stars import star_level, thresholds
from app.web import found, render

bp = Blueprint("timebank", __name__)


@bp.get("/my/timebank")
@login_required
def my_timebank():
    account = ledger.account_of(current_user, create=False)
    total = ledger.service_minutes(current_user)
    return render("timebank/mine.html", account=account, level=star_level(total), total=total,
                  this_year=ledger.service_minutes_in(current_user, utcnow().year),
                  records=ledger.service_records_of(current_user),
                  postings=ledger.postings_of(account) if account else [], TxnKind=TxnKind,
                  star_hours=[t // 60 for t in thresholds()])


@bp.get("/c/<int:community_id>/timebank")
def community_timebank(community_id: int):
    community = found(public_community(community_id))
    year = utcnow().year
    return render("timebank/community.html", community=community, year=year,
                  totals=ledger.community_totals(community.id, year))

