"""Evaluation pages: the rounds, their set-up and progress (subdistrict staff),
the evaluator's sheets, the residents' survey, and results (full for the
round's staff; grades, finals and charts for everyone once published).
Objects load through the scoped loaders of `services` (404/403)."""
from __future__ import annotations

from functools import partial

from flask import abort, g, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from wtforms.fields.choices import SelectChoice

from app.accounts import picker
from app.blueprints import Button, FormPost
from app.domain import NotFound
from app.charts import svg_response
from app.evaluation import bp, charts, results, scoring, services
from app.evaluation.evidence import evidence_for
from app.inputs import int_arg
from app.evaluation.forms import (
    AssignForm,
    CopyForm,
    QuestionsForm,
    ReasonForm,
    RoundForm,
    RubricForm,
    score_text,
    sheet_form,
    survey_form,
)
from app.evaluation.models import (
    DIRECTION_LABELS,
    GRADE_LABELS,
    Direction,
)
from app.web import (
    act,
    in_own_transaction,
    permission_required,
    render,
    submit_form,
)

DIRECTIONS = "<any(gov_to_community, community_to_gov):direction>"
LABELS = {"GRADE_LABELS": GRADE_LABELS, "Direction": Direction, "score_text": score_text,
          "exact": scoring.four_places}


def _round(round_id: int, to: str = "read"):
    """The round through its scoped loader; reading any page of an open round
    past its reminder date sends the automatic reminders (after the page, in a
    transaction of their own), so no scheduled job is needed for them."""
    round_ = services.round_for(current_user, round_id, to=to)
    if request.method == "GET" and services.reminders_due(round_):
        g.evaluation_remind = round_.id
    return round_


@bp.after_request
def _send_due_reminders(response):
    round_id = g.pop("evaluation_remind", None)
    if round_id is None or response.status_code >= 400:
        return response
    in_own_transaction(lambda: services.send_due_reminders(round_id), what=f"reminders of evaluation round {round_id}")
    return response


# -- rounds -------------------------------------------------------------------------------------

@bp.get("/evaluation")
def list_rounds():
    rounds = services.rounds_for(current_user)
    staff = services.staff_subdistrict_ids(current_user)
    latest = [services.latest_round(sid) for sid in sorted(staff)]
    return render("evaluation/rounds.html", rounds=rounds, may_create=bool(staff),
                  actions={r.id: services.actions_for(current_user, r) for r in rounds},
                  to_copy=[r for r in latest if r is not None], copy_form=CopyForm(), **LABELS)


def _round_form(round_=None) -> RoundForm:
    form = RoundForm(obj=round_)
    if round_ is None and not form.is_submitted():
        from app import localtime

        year = localtime.today().year
        form.year.data = year
        form.title.data = _("%(year)s two-way evaluation of government and communities", year=year)
        form.period_start.data = localtime.today().replace(month=1, day=1)
        form.period_end.data = localtime.today().replace(month=12, day=31)
        form.deadline.data = localtime.today().replace(month=12, day=31)
    return form


def _settings(form) -> dict:
    return {"title": form.title.data or "", "year": form.year.data, "period_start": form.period_start.data,
                "period_end": form.period_end.data, "deadline": form.deadline.data, "remind_days": form.remind_days.data,
                "survey_enabled": bool(form.survey_enabled.data), "survey_weight": form.survey_weight.data or 0,
                "excellent_from": form.excellent_from.data, "good_from": form.good_from.data, "pass_from": form.pass_from.data}


@bp.route("/evaluation/new", methods=["GET", "POST"])
@permission_required("manage_evaluations")
def create_round():
    subdistrict = services.own_subdistrict(current_user)
    form = _round_form()
    return submit_form(form, lambda: services.create_round(current_user, subdistrict, **_settings(form)),
                       done=lambda r: url_for("evaluation.show_round", round_id=r.id), message=_("Round created."),
                       page="evaluation/round_new.html", subdistrict=subdistrict)


@bp.post("/evaluation/<int:round_id>/copy")
@permission_required("manage_evaluations")
def copy_round(round_id: int):
    source = _round(round_id, "manage")
    return act(lambda: services.copy_round(current_user, source),
               _("Copied as a new draft round; check the dates and rubrics."), url_for("evaluation.list_rounds"),
               done=lambda copy: url_for("evaluation.show_round", round_id=copy.id))


def _round_page(round_, status: int = 200, **forms):
    actions = services.actions_for(current_user, round_)
    sheets = services.sheets_of(round_)
    assign_forms = {}
    for direction in Direction:
        form = forms.get(f"assign_{direction.name}") or AssignForm(formdata=None)
        form.evaluator_id.choices = [SelectChoice("", _("— choose —"))] + [
            SelectChoice(str(u.id), u.display_name) for u in services.eligible_evaluators(round_, direction)]
        form.party_ids.choices = [SelectChoice(p.id, p.name) for p in services.parties(round_, direction)]
        assign_forms[direction] = form
    rubric_forms = {}
    for direction in Direction:
        rubric_forms[direction] = forms.get(f"rubric_{direction.name}") or RubricForm(formdata=None, criteria="\n".join(
            f"{c.name} | {c.weight} | {c.description}".rstrip(" |")
            for c in services.criteria_of(round_, direction)))
    questions = forms.get("questions") or QuestionsForm(formdata=None,
                                                        questions="\n".join(q.text for q in round_.questions)
                                                        or "\n".join(services.DEFAULT_QUESTIONS))
    return render("evaluation/round.html", round=round_, actions=actions, sheets=sheets,
                  settings_form=forms.get("settings") or _round_form(round_), rubric_forms=rubric_forms,
                  assign_forms=assign_forms, questions_form=questions,
                  reason_form=forms.get("reason") or ReasonForm(formdata=None), criteria_of=services.criteria_of,
                  reminder_date=services.reminder_date(round_), status=status, **LABELS)


@bp.get("/evaluation/<int:round_id>")
@permission_required("manage_evaluations")
def show_round(round_id: int):
    return _round_page(_round(round_id, "manage"))


def _round_form_submit(round_, form, action, message, *, key: str):
    """A form of the round's page (`key`: its name and anchor there); on an error the page comes back with it."""
    return submit_form(form, action, done=url_for("evaluation.show_round", round_id=round_.id) + f"#{key}",
                       message=message, rerender=lambda: _round_page(round_, 422, **{key: form}))


bp.form_posts(
    FormPost("/evaluation/<int:round_id>/settings", "update_round", RoundForm,
             lambda user, round_, form: services.update_round(user, round_, **_settings(form)), _l("Saved."),
             {"key": "settings"}),
    FormPost("/evaluation/<int:round_id>/questions", "set_questions", QuestionsForm,
             lambda user, round_, form: services.set_questions(user, round_, (form.questions.data or "").splitlines()),
             _l("Survey questions saved."), {"key": "questions"}),
    FormPost("/evaluation/<int:round_id>/reopen", "reopen_round", ReasonForm,
             lambda user, round_, form: services.reopen_round(user, round_, form.reason.data),
             _l("The round is open again."), {"key": "reason"}),
    load=lambda round_id: _round(round_id, "manage"), guard=permission_required("manage_evaluations"),
    submit=_round_form_submit)


@bp.post(f"/evaluation/<int:round_id>/rubric/{DIRECTIONS}")
@permission_required("manage_evaluations")
def set_rubric(round_id: int, direction: str):
    round_ = _round(round_id, "manage")
    form = RubricForm()
    return _round_form_submit(round_, form, lambda: services.set_rubric(
        current_user, round_, Direction[direction], services.parse_rubric(form.criteria.data)), _("Rubric saved."),
        key=f"rubric_{direction}")


@bp.post(f"/evaluation/<int:round_id>/assign/{DIRECTIONS}")
@permission_required("manage_evaluations")
def assign(round_id: int, direction: str):
    round_ = _round(round_id, "manage")
    form = AssignForm()
    evaluators = {str(u.id): u for u in services.eligible_evaluators(round_, Direction[direction])}
    form.evaluator_id.choices = [SelectChoice(k, u.display_name) for k, u in evaluators.items()]
    form.party_ids.choices = [SelectChoice(p.id, p.name) for p in services.parties(round_, Direction[direction])]
    return _round_form_submit(round_, form, lambda: services.assign(
        current_user, round_, Direction[direction], evaluators[form.evaluator_id.data], form.party_ids.data),
        _("Evaluator assigned."), key=f"assign_{direction}")


@bp.post(f"/evaluation/<int:round_id>/assign-everyone/{DIRECTIONS}")
@permission_required("manage_evaluations")
def assign_everyone(round_id: int, direction: str):
    round_ = _round(round_id, "manage")
    return act(lambda: services.assign_everyone(current_user, round_, Direction[direction]),
               lambda n: _("%(n)s sheets added.", n=n), url_for("evaluation.show_round", round_id=round_.id))


@bp.post("/evaluation/sheets/<int:sheet_id>/unassign")
@permission_required("manage_evaluations")
def unassign(sheet_id: int):
    sheet = services.sheet_for(current_user, sheet_id, to="read")
    if not services.manages(current_user, sheet.round):
        raise NotFound
    round_id = sheet.round_id
    return act(lambda: services.unassign(current_user, sheet), _("Removed."),
               url_for("evaluation.show_round", round_id=round_id))


@bp.get("/evaluation/<int:round_id>/progress")
@permission_required("manage_evaluations")
def show_progress(round_id: int):
    round_ = _round(round_id, "manage")
    return render("evaluation/progress.html", round=round_, rows=services.progress(round_),
                  actions=services.actions_for(current_user, round_), reminder_date=services.reminder_date(round_),
                  **LABELS)


# -- results ------------------------------------------------------------------------------------

def _results_round(round_id: int):
    round_ = _round(round_id, "read")
    actions = services.actions_for(current_user, round_)
    if not (actions.results or actions.public):
        raise NotFound  # staff see results from closing on; everyone else once published
    return round_, actions


@bp.get("/evaluation/<int:round_id>/results")
def show_results(round_id: int):
    round_, actions = _results_round(round_id)
    return render("evaluation/results.html", round=round_, actions=actions, results=results.compute(round_),
                  **LABELS)


def _party(round_, direction: str, party_id: int):
    computed = results.compute(round_)[Direction[direction]]
    row = computed.row(party_id)
    if row is None:
        raise NotFound
    return computed, row


@bp.get(f"/evaluation/<int:round_id>/results/{DIRECTIONS}/<int:party_id>")
def show_party(round_id: int, direction: str, party_id: int):
    round_, actions = _results_round(round_id)
    computed, row = _party(round_, direction, party_id)
    return render("evaluation/party.html", round=round_, actions=actions, computed=computed, row=row,
                  years=results.history(round_, Direction[direction], party_id), **LABELS)


@bp.get("/evaluation/<int:round_id>/report")
@permission_required("manage_evaluations")
def show_report(round_id: int):
    round_ = _round(round_id, "manage")
    actions = services.actions_for(current_user, round_)
    if not actions.results:
        raise NotFound
    return render("evaluation/report.html", round=round_, actions=actions, results=results.compute(round_), **LABELS)


@bp.get("/evaluation/<int:round_id>/results.xlsx")
@permission_required("manage_evaluations")
def export_results(round_id: int):
    from app.evaluation.export import workbook
    from app.exports import download

    round_ = _round(round_id, "manage")
    if not services.actions_for(current_user, round_).results:
        raise NotFound
    return download(workbook(round_, results.compute(round_)), f"{round_.title}", "xlsx")


@bp.get(f"/evaluation/<int:round_id>/charts/{DIRECTIONS}/ranking.svg")
def ranking_chart(round_id: int, direction: str):
    round_, _actions = _results_round(round_id)
    rows = [r for r in results.compute(round_)[Direction[direction]].rows if r.result]
    return svg_response(charts.ranking_bars(
        _("Ranking: %(direction)s", direction=DIRECTION_LABELS[Direction[direction]]),
        [f"{r.rank}. {r.party.name}" for r in rows], [r.result.final for r in rows]))


@bp.get(f"/evaluation/<int:round_id>/charts/{DIRECTIONS}/<int:party_id>/criteria.svg")
def criteria_chart(round_id: int, direction: str, party_id: int):
    round_, _actions = _results_round(round_id)
    computed, row = _party(round_, direction, party_id)
    return svg_response(charts.criteria_bars(
        _("Scores by criterion"), [c.name for c in computed.criteria],
        [row.averages.get(c.id) for c in computed.criteria], [computed.averages.get(c.id) for c in computed.criteria],
        row.party.name, _("Average of all")))


@bp.get(f"/evaluation/<int:round_id>/charts/{DIRECTIONS}/<int:party_id>/years.svg")
def years_chart(round_id: int, direction: str, party_id: int):
    round_, _actions = _results_round(round_id)
    _computed, row = _party(round_, direction, party_id)
    years = results.history(round_, Direction[direction], party_id)
    return svg_response(charts.years_line(
        _("Final score year by year"), [y for y, _f in years], [f for _y, f in years], row.party.name))


# -- sheets -------------------------------------------------------------------------------------

def _sheet_page(sheet, form, status: int = 200):
    criteria = services.criteria_of(sheet.round, sheet.direction)
    return render("evaluation/sheet.html", sheet=sheet, round=sheet.round, form=form, criteria=criteria,
                  actions=services.sheet_actions(current_user, sheet), evidence=evidence_for(sheet),
                  total=services.sheet_total(sheet), status=status, **LABELS)


@bp.route("/evaluation/sheets/<int:sheet_id>", methods=["GET", "POST"])
@login_required
def fill_sheet(sheet_id: int):
    sheet = services.sheet_for(current_user, sheet_id, to="read")
    if request.method == "GET" and services.reminders_due(sheet.round):
        g.evaluation_remind = sheet.round_id
    criteria = services.criteria_of(sheet.round, sheet.direction)
    form = sheet_form(criteria, sheet)
    if request.method == "POST" and sheet.evaluator_id != current_user.id:
        abort(403)  # the round's staff read a sheet; only its evaluator writes it
    submit = request.form.get("action") == "submit"
    entries = {c.id: (getattr(form, f"score_{c.id}").data, getattr(form, f"comment_{c.id}").data) for c in criteria}
    return submit_form(form, lambda: services.save_sheet(current_user, sheet, entries, submit=submit),
                       done=url_for("home.index") if submit else url_for("evaluation.fill_sheet", sheet_id=sheet.id),
                       message=_("Submitted. You can reopen it until the round closes.") if submit
                       else _("Draft saved."), rerender=lambda: _sheet_page(sheet, form, 422 if form.is_submitted()
                                                                             else 200))


# -- the residents' survey ----------------------------------------------------------------------

def _answers(form, questions) -> dict[int, int]:
    values = {}
    for q in questions:
        data = getattr(form, f"q_{q.id}").data
        values[q.id] = int(data) if data in ("1", "2", "3", "4", "5") else 0
    return values


@bp.route("/evaluation/<int:round_id>/survey", methods=["GET", "POST"])
@login_required
def answer_survey(round_id: int):
    round_ = _round(round_id, "survey")
    response = services.response_of(round_, current_user)
    form = survey_form(round_.questions, response)
    return submit_form(form, lambda: services.answer_survey(current_user, round_, current_user,
                                                            _answers(form, round_.questions)),
                       done=url_for("evaluation.answer_survey", round_id=round_.id),
                       message=_("Thank you. You can change your answers until the survey closes."),
                       page="evaluation/survey.html", round=round_, response=response,
                       open=services.may_answer(round_), **LABELS)


@bp.route("/evaluation/<int:round_id>/survey/record", methods=["GET", "POST"])
@login_required
def record_survey(round_id: int):
    round_ = _round(round_id, "survey_proxy")
    communities = services.proxy_communities(current_user, round_)  # at least one: else not found above
    chosen = int_arg("community")
    community = next((c for c in communities if c.id == chosen), communities[0])
    form = picker.scoped(survey_form(round_.questions, proxy=True), community.id)
    return submit_form(form, lambda: services.answer_survey(current_user, round_, form.resident_id.data,
                                                            _answers(form, round_.questions)),
                       done=url_for("evaluation.record_survey", round_id=round_.id, community=community.id),
                       message=_("Recorded on the resident's behalf."), page="evaluation/survey_record.html",
                       round=round_, community=community, communities=communities,
                       tally=services.survey_tally(round_, communities), open=services.may_answer(round_), **LABELS)


def _back_to(endpoint: str):
    return lambda round_: url_for(endpoint, round_id=round_.id)


bp.buttons(
    Button("/evaluation/<int:round_id>/open", "open_round", services.open_round,
           lambda n: _("The round is open; %(n)s evaluators were notified.", n=n), _back_to("evaluation.show_round")),
    Button("/evaluation/<int:round_id>/close", "close_round", services.close_round,
           _l("The round is closed; sheets are locked."), _back_to("evaluation.show_results")),
    Button("/evaluation/<int:round_id>/publish", "publish_round", services.publish_round,
           _l("The results are published."), _back_to("evaluation.show_results")),
    Button("/evaluation/<int:round_id>/remind", "remind", partial(services.send_reminders, by_hand=True),
           lambda n: _("%(n)s evaluators reminded.", n=n), _back_to("evaluation.show_progress")),
    load=lambda round_id: _round(round_id, "manage"), guard=permission_required("manage_evaluations"))


bp.buttons(Button("/evaluation/sheets/<int:sheet_id>/reopen", "reopen_sheet", services.reopen_sheet,
                  _l("The sheet is open again."), lambda sheet: url_for("evaluation.fill_sheet", sheet_id=sheet.id)),
           load=lambda sheet_id: services.sheet_for(current_user, sheet_id), guard=login_required)
