"""Time bank pages: a resident's balance, service record, stars and
statement (page, XLSX, CSV); a community's public totals."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

from flask import request, url_for
from flask_babel import format_datetime
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.timebank import bp
from app.accounts.models import User
from app.domain import DomainError
from app import localtime
from app.exports import Sheet, Table, download
from app.sqltypes import utcnow
from app.timebank import family, ledger, services, statements
from app.timebank.forms import StatementForm
from app.timebank.stars import star_level, thresholds
from app.web import attach_error, render



MINE_LATEST = 20  # the latest service records and movements on "my time bank"; the statement has the rest


@bp.get("/my/timebank")
@login_required
def my_timebank():
    account = ledger.account_of(current_user, create=False)
    total = ledger.service_minutes(current_user)
    return render("timebank/mine.html", account=account, level=star_level(total), total=total,
                  this_year=ledger.service_minutes_in(current_user, localtime.today().year),
                  records=ledger.service_records_of(current_user, limit=MINE_LATEST),
                  postings=(postings := ledger.postings_of(account, limit=MINE_LATEST) if account else []),
                  described=family.line_labels(current_user, [t.id for _p, t in postings]),
                  latest=MINE_LATEST, kinds=statements.KIND_LABELS,
                  star_hours=[t // 60 for t in thresholds()])


@bp.get("/c/<int:community_id>/timebank")
def community_timebank(community_id: int):
    community = services.community_for(current_user, community_id, to="read")
    year = localtime.today().year
    return render("timebank/community.html", community=community, year=year,
                  totals=ledger.community_totals(community.id, year))


def this_year_so_far() -> tuple[date, date]:
    """The default period: 1 January to today, both the community's local dates."""
    today = localtime.today()
    return today.replace(month=1, day=1), today


def period_from_args(form: StatementForm) -> bool:
    """The period in the query string, validated (False: the form carries the
    errors); this year to today when the query names none."""
    if "period_from" not in request.args and "period_to" not in request.args:
        form.period_from.data, form.period_to.data = this_year_so_far()
        return True
    return form.validate()


def _cursor(name: str) -> int | None:
    """A page's starting point from the query string (a row id), or None for the first page."""
    value = request.args.get(name, type=int)
    return value if value is not None and 0 <= value < 2**31 else None


def statement_for(form: StatementForm, holder: User | None) -> statements.Statement | None:
    """The holder's statement for the form's period, or None (errors on the form)."""
    if not period_from_args(form) or holder is None:
        return None
    after, services_after = (_cursor("after"), _cursor("services_after"))
    try:
        # the page shows a page of movements (`after`: where it starts); a download has every movement
        if (request.view_args or {}).get("fmt"):
            return statements.statement(holder, form.period_from.data, form.period_to.data, localtime.zone(),
                                        limit=None)
        return statements.statement(holder, form.period_from.data, form.period_to.data, localtime.zone(),
                                    after=after, services_after=services_after)
    except DomainError as error:
        attach_error(form, error)
        return None


def period_downloads(endpoint: str, period_from: date, period_to: date, **args) -> dict[str, str]:
    """Links to the XLSX and CSV of a period view (its `<endpoint>_file` rules)."""
    period = {"period_from": period_from.isoformat(), "period_to": period_to.isoformat()}
    return {fmt: url_for(endpoint + "_file", fmt=fmt, **args, **period) for fmt in ("xlsx", "csv")}


def period_file_name(stem: str, period_from: date, period_to: date) -> str:
    return f"{stem}_{period_from:%Y%m%d}-{period_to:%Y%m%d}"


def statement_response(form, statement, fmt: str | None, endpoint: str, *, query: dict | None = None, **args):
    """The page (422 when the period was refused) or, with `fmt`, the
    download. `args` are the route's, `query` what the downloads add to it."""
    if fmt and statement is not None:
        name = period_file_name(_("time-bank-statement"), statement.period_from, statement.period_to)
        return download(_statement_sheet(statement), name, fmt)
    downloads = period_downloads(endpoint, statement.period_from, statement.period_to, **args,
                                 **(query or {})) if statement else {}
    more = _next_page(endpoint, statement, args, query, after=statement.next_after) if statement else None
    more_services = _next_page(endpoint, statement, args, query, services_after=statement.services_next_after,
                               _anchor="services-title") if statement else None
    refused = form.errors or form.form_errors
    described = family.line_labels(statement.holder, [line.txn_id for line in statement.lines]) if statement else {}
    return render("timebank/statement.html", form=form, st=statement, kinds=statements.KIND_LABELS, described=described,
                  action=url_for(endpoint, **args), downloads=downloads, more=more, more_services=more_services, page_size=statements.PAGE, status=422 if refused else 200)


def _next_page(endpoint: str, statement, args: dict, query: dict | None, _anchor: str | None = None, **cursor):
    """The statement's next page of movements or of service records (None on the last)."""
    if not any(cursor.values()):
        return None
    return url_for(endpoint, **args, **(query or {}), period_from=statement.period_from.isoformat(),
                   period_to=statement.period_to.isoformat(), _anchor=_anchor, **cursor)


@bp.get("/my/timebank/statement")
@bp.get("/my/timebank/statement.xlsx", defaults={"fmt": "xlsx"}, endpoint="my_statement_file")
@bp.get("/my/timebank/statement.csv", defaults={"fmt": "csv"}, endpoint="my_statement_file")
@login_required
def my_statement(fmt: str | None = None):
    form = StatementForm(request.args)
    return statement_response(form, statement_for(form, current_user), fmt, "timebank.my_statement")


def hours_decimal(minutes: int) -> Decimal:
    """Hours to two decimal places for a spreadsheet cell, as a Decimal (never a float)."""
    return (Decimal(minutes) / 60).quantize(Decimal("0.01"))


def _statement_sheet(st: statements.Statement) -> Sheet:
    community = st.holder.community
    described = family.line_labels(st.holder, [line.txn_id for line in st.lines])
    return Sheet(
        title=_("Time bank statement"),
        preamble=[[_("Holder"), st.holder.display_name],
                  [_("Community"), community.full_name if community else ""],
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
                    str(described.get(line.txn_id) or line.memo), line.amount, hours_decimal(line.amount), line.balance] for line in st.lines]),
            Table(_("Service record"), [_("Date"), _("Service"), _("Time (minutes)"), _("Time (hours)")],
                  [[r.served_on, r.description + (" " + _("(correction)") if r.corrects_id else ""), r.minutes,
                    hours_decimal(r.minutes)] for r in st.services]),
        ])
