"""Admission pages: a department's requests and its form, the subdistrict's
queue, decisions and deadlines, the committee's answers, and the public 减负
figures with their chart. Agreement pages are in agreement_views.py."""
from __future__ import annotations

from datetime import date

from flask import make_response, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from wtforms.fields.choices import SelectChoice

from app import localtime
from app.accounts.forms import DecisionForm as EmptyForm
from app.agreements import admission, bp, services, stats
from app.agreements.forms import DecideForm, DeclineForm, PeriodForm, RequestForm, SettingsForm
from app.blueprints import FormPost
from app.lists import services as lists
from app.places.models import Subdistrict
from app.places.services import public_subdistrict
from app.web import act, permission_required, render, submit_form

# -- the department ---------------------------------------------------------------------


@bp.get("/departments/<int:department_id>")
@permission_required("file_admission")
def show_department(department_id: int):
    department = admission.department_for(current_user, department_id)
    return render("agreements/department.html", department=department,
                  requests=admission.requests_of_department(department.id),
                  agreements=services.agreements_of_department(department.id))


def _request_form(department, communities, subdistrict_id, version) -> RequestForm:
    form = RequestForm()
    form.communities.choices = [SelectChoice(c.id, c.full_name if department.subdistrict_id is None else c.name)
                                for c in communities]
    form.claimed_item_id.choices = [SelectChoice(0, _("— I don't know / none —"))] + [
        SelectChoice(i.id, f"{i.kind.label} · {i.title}") for i in (version.items if version else [])]
    if request.method == "GET" and not form.starts_on.data and subdistrict_id:
        form.starts_on.data = admission.earliest_start(subdistrict_id)
    return form


@bp.route("/departments/<int:department_id>/requests/new", methods=["GET", "POST"])
@permission_required("file_admission")
def new_request(department_id: int):
    department = admission.department_for(current_user, department_id)
    communities = admission.addressable_communities(department)
    subdistrict_id = department.subdistrict_id or (communities[0].subdistrict_id if communities else None)
    version = lists.version_in_force(subdistrict_id) if subdistrict_id else None
    form = _request_form(department, communities, subdistrict_id, version)
    chosen = [c for c in communities if c.id in (form.communities.data or [])]
    return submit_form(
        form, lambda: admission.submit(
            current_user, department, chosen, title=form.title.data, description=form.description.data or "",
            starts_on=form.starts_on.data, ends_on=form.ends_on.data, workload=form.workload.data,
            needs_stamp=form.needs_stamp.data, claimed_item_id=form.claimed_item_id.data or None),
        done=lambda made: url_for("agreements.show_request", admission_id=made[0].id) if len(made) == 1
        else url_for("agreements.show_department", department_id=department.id),
        message=lambda made: _("Your request was sent to %(n)d communities.", n=len(made)) if len(made) > 1
        else _("Your request was sent."),
        page="agreements/request_form.html", department=department, version=version,
        settings=admission.settings_for(subdistrict_id) if subdistrict_id else None)


# -- a request ----------------------------------------------------------------------------


def _item_choices(proposals) -> list[SelectChoice]:
    return [SelectChoice(item.id, f"{item.kind.label} · {item.title}") for item, _score in proposals] + [
        SelectChoice(0, _("None of these fits"))]


def _request_page(req, *, status: int = 200, decide_form=None, decline_form=None):
    proposals = admission.proposals_of(req)
    decide_form = decide_form or DecideForm(formdata=None)
    decide_form.item_id.choices = _item_choices(proposals)
    agreements = [a for a in services.agreements_of_department(req.department_id) if a.request_id == req.id]
    return render("agreements/request.html", status=status, req=req, proposals=proposals,
                  actions=admission.actions_for(current_user, req), decide_form=decide_form,
                  decline_form=decline_form or DeclineForm(formdata=None), form=EmptyForm(), agreements=agreements)


@bp.get("/requests/<int:admission_id>")
@login_required
def show_request(admission_id: int):
    return _request_page(_request(admission_id))


def _on_request(req, form, action, message, *, key: str):
    """A form of the request's page (`key` there); on an error the page comes back with it as typed."""
    if key == "decide_form":
        form.item_id.choices = _item_choices(admission.proposals_of(req))
    return submit_form(form, action, done=url_for("agreements.show_request", admission_id=req.id), message=message,
                       rerender=lambda: _request_page(req, status=422, **{key: form}))


def _request(admission_id: int):
    return admission.request_for(current_user, admission_id)


bp.form_posts(
    FormPost("/requests/<int:admission_id>/decide", "decide_request", DecideForm,
             lambda user, req, form: admission.decide(user, req, form.item_id.data or None),
             lambda decided: _("Decided: %(outcome)s.", outcome=decided.state.label), {"key": "decide_form"}),
    load=_request, guard=permission_required("decide_admission"), submit=_on_request)
bp.form_posts(
    FormPost("/requests/<int:admission_id>/decline", "decline_request", DeclineForm,
             lambda user, req, form: admission.decline(user, req, form.reason.data),
             _l("Declined. The department is told why."), {"key": "decline_form"}),
    load=_request, guard=permission_required("answer_admission"), submit=_on_request)


@bp.post("/requests/<int:admission_id>/withdraw")
@permission_required("file_admission")
def withdraw_request(admission_id: int):
    req = _request(admission_id)
    return act(lambda: admission.withdraw(current_user, req), _("The request is withdrawn."),
               url_for("agreements.show_request", admission_id=req.id), form=EmptyForm())


# -- the subdistrict and the community ------------------------------------------------------


@bp.get("/s/<int:subdistrict_id>/requests")
@permission_required("decide_admission")
def subdistrict_requests(subdistrict_id: int):
    subdistrict = admission.subdistrict_for(current_user, subdistrict_id)
    everything = request.args.get("all") == "1"
    return render("agreements/subdistrict_requests.html", subdistrict=subdistrict, everything=everything,
                  requests=admission.requests_of_subdistrict(subdistrict.id, open_only=not everything),
                  settings=admission.settings_for(subdistrict.id))


@bp.route("/s/<int:subdistrict_id>/admission-settings", methods=["GET", "POST"])
@permission_required("decide_admission")
def admission_settings(subdistrict_id: int):
    subdistrict = admission.subdistrict_for(current_user, subdistrict_id)
    form = SettingsForm(obj=admission.settings_for(subdistrict.id))
    return submit_form(form, lambda: admission.save_settings(current_user, subdistrict,
                                                             notice_days=form.notice_days.data,
                                                             decision_days=form.decision_days.data),
                       done=url_for("agreements.subdistrict_requests", subdistrict_id=subdistrict.id),
                       message=_("The deadlines are saved."), page="agreements/settings.html",
                       subdistrict=subdistrict)


@bp.get("/c/<int:community_id>/requests")
@login_required
def community_requests(community_id: int):
    community = admission.community_for(current_user, community_id)
    return render("agreements/community.html", community=community,
                  requests=admission.requests_of_community(community.id),
                  agreements=services.agreements_of_community(community.id))


# -- 减负 figures (public) ---------------------------------------------------------------------


def _subdistrict(subdistrict_id: int) -> Subdistrict:
    return public_subdistrict(subdistrict_id)


def _period() -> tuple[PeriodForm, date, date]:
    """The period asked for, this year so far by default (a bad one: 422 on the field)."""
    form = PeriodForm(request.args)
    today = localtime.today()
    start, end = today.replace(month=1, day=1), today
    if request.args and form.validate():
        start, end = form.period_from.data, form.period_to.data
        if end < start:
            form.period_to.errors = [_("The period ends before it starts.")]
    elif not request.args:
        form.period_from.data, form.period_to.data = start, end
    return form, start, end


def _chart_labels() -> dict:
    return {"made": _("Requests made"), "admitted": _("Admitted under the lists"),
            "assisted": _("Admitted as assistance"), "under_agreement": _("Admitted under an agreement"),
            "declined": _("Declined")}


@bp.get("/s/<int:subdistrict_id>/reduction")
def reduction(subdistrict_id: int):
    subdistrict = _subdistrict(subdistrict_id)
    form, start, end = _period()
    failed = bool(form.errors)
    rows = [] if failed else stats.figures(subdistrict.id, start, end)
    return render("agreements/reduction.html", status=422 if failed else 200, subdistrict=subdistrict, form=form,
                  rows=rows, totals=stats.totals(rows), labels=_chart_labels(), columns=stats.COLUMNS,
                  start=start, end=end, query=request.query_string.decode())


@bp.get("/s/<int:subdistrict_id>/reduction.svg")
def reduction_chart(subdistrict_id: int):
    subdistrict = _subdistrict(subdistrict_id)
    form, start, end = _period()
    rows = [] if form.errors else stats.figures(subdistrict.id, start, end)
    response = make_response(stats.chart_svg(rows, _chart_labels(), _("Work asked of the communities, by outcome")))
    response.headers["Content-Type"] = "image/svg+xml"
    return response
