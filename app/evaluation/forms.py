from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, RadioField, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms import widgets
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from app.accounts.picker import ResidentField
from app.accounts.forms import REQUIRED
from app.inputs import DateField, WholeNumberField

ANSWERS = [SelectChoice("5", _l("5 · Very satisfied")), SelectChoice("4", _l("4 · Satisfied")),
           SelectChoice("3", _l("3 · So-so")), SelectChoice("2", _l("2 · Dissatisfied")),
           SelectChoice("1", _l("1 · Very dissatisfied"))]


class RoundForm(FlaskForm):
    title = StringField(_l("Title"), validators=[DataRequired(REQUIRED), Length(max=80)])
    year = WholeNumberField(_l("Year"), validators=[InputRequired(REQUIRED)], low=2000, high=2100)
    period_start = DateField(_l("Period from"), validators=[InputRequired(REQUIRED)])
    period_end = DateField(_l("Period to"), validators=[InputRequired(REQUIRED)])
    deadline = DateField(_l("Deadline for sheets and survey"), validators=[InputRequired(REQUIRED)])
    remind_days = WholeNumberField(_l("Remind evaluators this many days before the deadline"),
                                   validators=[InputRequired(REQUIRED)], low=0, high=60, default=3)
    excellent_from = WholeNumberField(_l("Excellent from"), validators=[InputRequired(REQUIRED)], low=0, high=100,
                                      default=90)
    good_from = WholeNumberField(_l("Good from"), validators=[InputRequired(REQUIRED)], low=0, high=100, default=75)
    pass_from = WholeNumberField(_l("Pass from"), validators=[InputRequired(REQUIRED)], low=0, high=100, default=60)
    survey_enabled = BooleanField(_l("Residents' satisfaction survey counts"))
    survey_weight = WholeNumberField(_l("Weight of the survey (of 100)"), validators=[Optional()], low=0, high=100,
                                     description=_l("It counts only for a committee with at least 5 responses."))


class RubricForm(FlaskForm):
    criteria = TextAreaField(
        _l("Criteria"), validators=[DataRequired(REQUIRED), Length(max=4000)],
        description=_l("One a line: name | weight | description. The weights sum to 100."))


class AssignForm(FlaskForm):
    evaluator_id = SelectField(_l("Evaluator"), validators=[DataRequired(REQUIRED)])
    party_ids = SelectMultipleField(_l("Evaluates"), coerce=int, validators=[DataRequired(REQUIRED)],
                                    widget=widgets.ListWidget(prefix_label=False),
                                    option_widget=widgets.CheckboxInput())


class QuestionsForm(FlaskForm):
    questions = TextAreaField(_l("Survey questions"), validators=[DataRequired(REQUIRED), Length(max=1200)],
                              description=_l("3 to 8 questions, one a line; residents answer each from 1 to 5."))


class ReasonForm(FlaskForm):
    reason = StringField(_l("Why is the round reopened?"), validators=[DataRequired(REQUIRED), Length(max=200)])


class CopyForm(FlaskForm):
    """Copy the subdistrict's latest round (no fields: the round is named in the form's action)."""


def score_text(value) -> str:
    """A stored score as typed: 85 or 85.5 (the column keeps one decimal place)."""
    return str(int(value)) if value == value.to_integral_value() else str(value)


def sheet_form(criteria, sheet):
    """A form with a score and a comment field per criterion (the rubric is the round's)."""

    class SheetForm(FlaskForm):
        pass

    for c in criteria:
        setattr(SheetForm, f"score_{c.id}", StringField(
            c.name, description=c.description, validators=[Optional(), Length(max=10)],
            render_kw={"inputmode": "decimal", "autocomplete": "off"}))
        setattr(SheetForm, f"comment_{c.id}", TextAreaField(
            _l("Comment (required below 60)"), validators=[Optional(), Length(max=500)]))
    form = SheetForm()
    if not form.is_submitted():
        for score in sheet.scores:
            if hasattr(form, f"score_{score.criterion_id}"):
                getattr(form, f"score_{score.criterion_id}").data = score_text(score.value)
                getattr(form, f"comment_{score.criterion_id}").data = score.comment
    return form


def survey_form(questions, response=None, proxy: bool = False):
    """A 1–5 choice per question; `proxy`: with the resident a social worker records for."""
    given = {a.question_id: str(a.value) for a in (response.answers if response else [])}

    class SurveyForm(FlaskForm):
        pass

    if proxy:
        SurveyForm.resident_id = ResidentField(_l("Resident"))
    for q in questions:
        setattr(SurveyForm, f"q_{q.id}", RadioField(q.text, choices=ANSWERS, validators=[InputRequired(REQUIRED)],
                                                    default=given.get(q.id)))
    return SurveyForm()
