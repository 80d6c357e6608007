"""Social workers: grants to priority residents and reversals, each asked
for by one staff member and confirmed by a second; the community's rules
(unit, maximum balance) and residents' credit lines; a resident's statement
printed for them; recent transactions."""
from __future__ import annotations

from functools import partial

from flask import request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from app.accounts import picker
from app.blueprints import Button, FormPost
from app.accounts.forms import DecisionForm as EmptyForm
from app.domain import DomainError
from app.exports import Sheet, Table, download
from app.permissions import social_worker_community_ids
from app.timebank import ledger, services, statements
from app.timebank.forms import (CancelForm, CreditLineForm, GrantRequestForm, ResidentStatementForm, SettingsForm,
                                 StatementForm)
from app.timebank.statements import KIND_LABELS
from app.timebank.stars import star_level
from app.timebank import bp
from app.timebank.views import (hours_decimal, period_downloads, period_file_name, period_from_args,
                                 statement_for, statement_response)
from app.web import attach_error, permission_required, render, submit_form


def _managed(community_id: int):
    return services.community_for(current_user, community_id)


def _page(community, submitted) -> dict:
    """The management page's context; `submitted` is the form being posted
    (it keeps what was typed), the others start fresh."""
    rules = ledger.community_rules(community.id)
    forms = {
        "grant_form": picker.scoped(GrantRequestForm(formdata=None), community.id),
        "settings_form": SettingsForm(formdata=None, unit_minutes=rules.unit_minutes,
                                      max_balance_hours=rules.max_balance and rules.max_balance // 60),
        "credit_form": picker.scoped(CreditLineForm(formdata=None), community.id),
        "reversal_form": CancelForm(formdata=None),
    }
    forms.update(submitted)
    return dict(community=community, pending=ledger.pending_requests(community.id), rules=rules,
                lines=ledger.credit_lines(community.id), txns=ledger.recent_transactions(community.id),
                kinds=KIND_LABELS, action_form=EmptyForm(), **forms)


def _submit(community, form, action, message, *, name: str):
    """Post one of the page's forms (`name` on the page); on an error the page comes back with it as typed."""
    picker.scoped(form, community.id)
    return submit_form(form, action, done=url_for("timebank.manage", community_id=community.id), message=message,
                       page="timebank/manage.html", **_page(community, {name: form}))


bp.form_posts(FormPost("/c/<int:community_id>/timebank/manage", "manage", GrantRequestForm,
                       lambda user, _community, form: ledger.request_grant(user, form.user_id.data, form.minutes.data,
                                                                            form.reason.data),
                       _l("Grant requested. A second staff member must confirm it."), {"name": "grant_form"}),
              load=_managed, guard=permission_required("manage_timebank"), submit=_submit, methods=("GET", "POST"))
bp.form_posts(
    FormPost("/c/<int:community_id>/timebank/settings", "save_settings", SettingsForm,
             lambda user, community, form: ledger.save_settings(user, community.id, unit_minutes=form.unit_minutes.data,
                                                                max_balance_hours=form.max_balance_hours.data),
             _l("The time bank's rules are saved."), {"name": "settings_form"}),
    FormPost("/c/<int:community_id>/timebank/credit-line", "set_credit_line", CreditLineForm,
             lambda user, _community, form: ledger.set_credit_line(user, form.user_id.data, form.hours.data,
                                                                    form.reason.data),
             _l("The credit line is saved."), {"name": "credit_form"}),
    load=_managed, guard=permission_required("manage_timebank"), submit=_submit)


@bp.get("/c/<int:community_id>/timebank/statement")
@bp.get("/c/<int:community_id>/timebank/statement.xlsx", defaults={"fmt": "xlsx"},
        endpoint="resident_statement_file")
@bp.get("/c/<int:community_id>/timebank/statement.csv", defaults={"fmt": "csv"},
        endpoint="resident_statement_file")
@permission_required("manage_timebank")
def resident_statement(community_id: int, fmt: str | None = None):
    """A social worker prints a resident's statement (for someone without a phone)."""
    community = _managed(community_id)
    form = picker.scoped(ResidentStatementForm(request.args), community.id)
    holder = form.user_id.data if form.user_id.given and form.user_id.validate(form) else None
    return statement_response(form, statement_for(form, holder), fmt, "timebank.resident_statement",
                              query={"user_id": holder.id} if holder else None, community_id=community.id)


@bp.get("/c/<int:community_id>/timebank/volunteers")
@bp.get("/c/<int:community_id>/timebank/volunteers.xlsx", defaults={"fmt": "xlsx"}, endpoint="volunteer_hours_file")
@bp.get("/c/<int:community_id>/timebank/volunteers.csv", defaults={"fmt": "csv"}, endpoint="volunteer_hours_file")
@permission_required("manage_timebank")
def volunteer_hours(community_id: int, fmt: str | None = None):
    """Each volunteer's verified service for a period: the page, or the XLSX/CSV a social worker reports with."""
    community = _managed(community_id)
    form = StatementForm(request.args)
    rows = None
    if period_from_args(form):
        try:
            rows = statements.volunteer_hours(community.id, form.period_from.data, form.period_to.data)
        except DomainError as error:
            attach_error(form, error)
    if rows is None:
        return render("timebank/volunteers.html", community=community, form=form, rows=None, status=422)
    period = form.period_from.data, form.period_to.data
    if fmt:
        return download(_volunteer_sheet(community, *period, rows), period_file_name(_("volunteer-hours"), *period),
                        fmt)
    return render("timebank/volunteers.html", community=community, form=form, rows=rows,
                  stars={r.volunteer.id: star_level(r.total).stars for r in rows},
                  downloads=period_downloads("timebank.volunteer_hours", *period, community_id=community.id))


def _volunteer_sheet(community, period_from, period_to, rows) -> Sheet:
    return Sheet(
        title=_("Volunteer service hours"),
        preamble=[[_("Community"), community.full_name],
                  [_("Period"), f"{period_from.isoformat()} – {period_to.isoformat()}"],
                  [_("Volunteers"), len(rows)],
                  [_("Verified service in the period (minutes)"), sum(r.minutes for r in rows)]],
        tables=[Table("", [_("Volunteer"), _("Time (minutes)"), _("Time (hours)"), _("Services"),
                           _("All verified service (hours)"), _("Stars")],
                      [[r.volunteer.display_name, r.minutes, hours_decimal(r.minutes), r.services,
                        hours_decimal(r.total), star_level(r.total).stars] for r in rows])])


@bp.post("/txns/<int:txn_id>/reversal-request")
@permission_required("manage_timebank")
def request_reversal(txn_id: int):
    txn = services.txn_for(current_user, txn_id)
    community = _managed(txn.community_id)
    form = CancelForm()
    return submit_form(form, lambda: ledger.request_reversal(current_user, txn, form.reason.data),
                       done=url_for("timebank.manage", community_id=community.id),
                       message=_("Reversal requested. A second staff member must confirm it."),
                       rerender=lambda: render("timebank/manage.html", status=422, reversal_txn_id=txn.id,
                                               **_page(community, {"reversal_form": form})))


def _back(community_id: int) -> str:
    if community_id in social_worker_community_ids(current_user):
        return url_for("timebank.manage", community_id=community_id)
    return url_for("timebank.ledger_requests", community_id=community_id)


@bp.get("/c/<int:community_id>/timebank/requests")
@permission_required("confirm_ledger_requests")
def ledger_requests(community_id: int):
    """Grants, reversals and activity credits waiting for a second staff member."""
    community = services.community_for(current_user, community_id, to="decide")
    return render("timebank/requests.html", community=community, pending=ledger.pending_requests(community.id),
                  action_form=EmptyForm())


bp.buttons(Button("/ledger-requests/<int:request_id>/confirm", "confirm_request",
                  partial(ledger.decide_request, confirm=True), _l("Confirmed: the hours moved."),
                  lambda ledger_request: _back(ledger_request.community_id)),
           Button("/ledger-requests/<int:request_id>/decline", "decline_request",
                  partial(ledger.decide_request, confirm=False), _l("Declined."),
                  lambda ledger_request: _back(ledger_request.community_id)),
           load=lambda request_id: services.request_for(current_user, request_id),
           guard=permission_required("confirm_ledger_requests"), form=EmptyForm)
