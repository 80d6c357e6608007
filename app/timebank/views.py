"""Time bank pages: a resident's balance, service record, stars and
statement (page, XLSX, CSV); a community's public totals."""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from flask import Blueprint, current_app, request
from flask_babel import format_datetime
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.domain import DomainError
from app.exports import Sheet, Table, download
from app.places.services import public_community
from app.sqltypes import utcnow
from app.timebank import ledger, statements
from app.timebank.forms import StatementForm
from app.timebank.stars import star_level, thresholds
from app.web import attach_error, found, render

bp = Blueprint("timebank", __name__)


@bp.get("/my/timebank")
@login_required
def my_timebank():
    account = ledger.account_of(current_user, create=False)
    total = ledger.service_minutes(current_user)
    return render("timebank/mine.html", account=account, level=star_level(total), total=total,
                  this_year=ledger.service_minutes_in(current_user, utcnow().year),
                  records=ledger.service_records_of(current_user),
                  postings=ledger.postings_of(account) if account else [], kinds=statements.KIND_LABELS,
                  star_hours=[t // 60 for t in thresholds()])


@bp.get("/c/<int:community_id>/timebank")
def community_timebank(community_id: int):
    community = found(public_community(community_id))
    year = utcnow().year
    return render("timebank/community.html", community=community, year=year,
                  totals=ledger.community_totals(community.id, year))



def _statement_from_args() -> tuple[StatementForm, statements.Statement | None]:
    """The period from the query string (this year to today when none is
    given) and the statement, or the form with its errors."""
    tz = ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])
    form = StatementForm(request.args)
    if not request.args:
        today = datetime.now(tz).date()
        form.period_from.data, form.period_to.data = date(today.year, 1, 1), today
    elif not form.validate():
        return form, None
    try:
        return form, statements.statement(current_user, form.period_from.data, form.period_to.data, tz)
    except DomainError as error:
        attach_error(form, error)
        return form, None


@bp.get("/my/timebank/statement")
@login_required
def my_statement():
    form, statement = _statement_from_args()
    return render("timebank/statement.html", form=form, st=statement, kinds=statements.KIND_LABELS,
                  status=200 if statement else 422)


@bp.get("/my/timebank/statement.xlsx", defaults={"fmt": "xlsx"})
@bp.get("/my/timebank/statement.csv", defaults={"fmt": "csv"})
@login_required
def download_statement(fmt: str):
    form, statement = _statement_from_args()
    if statement is None:
        return render("timebank/statement.html", form=form, st=None, kinds=statements.KIND_LABELS, status=422)
    name = _("time-bank-statement") + f"_{statement.period_from:%Y%m%d}-{statement.period_to:%Y%m%d}"
    return download(_statement_sheet(statement), name, fmt)


def _hours(minutes: int) -> Decimal:
    return (Decimal(minutes) / 60).quantize(Decimal("0.01"))


def _statement_sheet(st: statements.Statement) -> Sheet:
    community = st.holder.community
    return Sheet(
        title=_("Time bank statement"),
        preamble=[[_("Holder"), st.holder.display_name],
                  [_("Community"), f"{community.subdistrict.name}{community.name}" if community else ""],
                  [_("Period"), f"{st.period_from.isoformat()} – {st.period_to.isoformat()}"],
                  [_("Opening balance (minutes)"), st.opening], [_("Credits (minutes)"), st.credits],
                  [_("Debits (minutes)"), st.debits], [_("Closing balance (minutes)"), st.closing],
                  [_("Verified service in the period (minutes)"), st.service_minutes],
                  [_("Made on"), format_datetime(utcnow(), "yyyy-MM-dd HH:mm")]],
        tables=[
            Table(_("Balance (time coins)"),
                  [_("When"), _("Transaction no."), _("Type"), _("Memo"), _("Change (minutes)"),
                   _("Change (hours)"), _("Balance after (minutes)")],
                  [[format_datetime(line.at, "yyyy-MM-dd HH:mm"), line.txn_id, str(statements.KIND_LABELS[line.kind]),
                    line.memo, line.amount, _hours(line.amount), line.balance] for line in st.lines]),
            Table(_("Service record"), [_("Date"), _("Service"), _("Time (minutes)"), _("Time (hours)")],
                  [[r.served_on, r.description + (" " + _("(correction)") if r.corrects_id else ""), r.minutes,
                    _hours(r.minutes)] for r in st.services]),
        ])
