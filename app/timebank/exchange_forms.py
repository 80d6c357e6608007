from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from app.accounts.forms import REQUIRED
from app.accounts.picker import ResidentField
from app.inputs import DateField, DateTimeLocalField, WholeNumberField
from app.timebank.exchange import MAX_MINUTES, MAX_SERVED


class HelpRequestForm(FlaskForm):
    category_id = SelectField(_l("What kind of help"), coerce=int, validators=[InputRequired(REQUIRED)])
    needed_at = DateTimeLocalField(_l("When the help is needed"), format="%Y-%m-%dT%H:%M", validators=[InputRequired(REQUIRED)])
    place = StringField(_l("Where the help is needed"), validators=[DataRequired(REQUIRED), Length(max=100)])
    minutes = WholeNumberField(_l("About how many minutes"), validators=[InputRequired(REQUIRED)], low=1,
                               high=MAX_MINUTES)
    notes = TextAreaField(_l("Notes for the helper (optional)"), validators=[Optional(), Length(max=500)])
    accept_first = BooleanField(_l("Accept the first volunteer who offers"))
    ask_pool = BooleanField(_l("Ask the community pool (公益池) to pay"))
    pool_reason = StringField(_l("Why the pool should pay (e.g. 独居老人，余额不足)"),
                              validators=[Optional(), Length(max=200)])


class NoteForm(FlaskForm):
    note = StringField(_l("A note for the requester (optional)"), validators=[Optional(), Length(max=200)])


class ChooseForm(FlaskForm):
    offer_id = HiddenField(validators=[DataRequired(REQUIRED)])


class MessageForm(FlaskForm):
    body = StringField(_l("Message"), validators=[DataRequired(REQUIRED), Length(max=300)])


class ReasonForm(FlaskForm):
    reason = StringField(_l("Reason"), validators=[Optional(), Length(max=200)])


class ConfirmForm(FlaskForm):
    minutes = WholeNumberField(_l("Actual minutes"), validators=[InputRequired(REQUIRED)], low=1, high=MAX_SERVED)
    rating = SelectField(_l("Rating (optional)"), validators=[Optional()],
                         choices=[SelectChoice("", _l("No rating"))] + [
                             SelectChoice(str(n), "★" * n + f" {n}") for n in (5, 4, 3, 2, 1)])
    comment = StringField(_l("Comment (optional)"), validators=[Optional(), Length(max=300)])


class ListingForm(FlaskForm):
    category_id = SelectField(_l("Kind of help"), coerce=int, validators=[InputRequired(REQUIRED)])
    title = StringField(_l("Title (e.g. 周末上门理发)"), validators=[DataRequired(REQUIRED), Length(max=60)])
    description = TextAreaField(_l("Details (optional)"), validators=[Optional(), Length(max=300)])


class ClaimForm(FlaskForm):
    receiver = StringField(_l("Phone number of the person you helped"),
                           validators=[DataRequired(REQUIRED), Length(max=32)])
    served_on = DateField(_l("Date of the help"), validators=[InputRequired(REQUIRED)])
    minutes = WholeNumberField(_l("Time (minutes)"), validators=[InputRequired(REQUIRED)], low=1, high=MAX_SERVED)
    description = StringField(_l("What you helped with"), validators=[DataRequired(REQUIRED), Length(max=200)])


class DecisionForm(FlaskForm):
    decision = SelectField(_l("Decision"), choices=[SelectChoice("uphold", _l("The helper is right: move the hours")),
                                                    SelectChoice("reject", _l("The record is wrong: move nothing"))])
    reason = StringField(_l("Reason"), validators=[DataRequired(REQUIRED), Length(max=200)])


class CategoriesForm(FlaskForm):
    names = TextAreaField(_l("Categories, one a line"), validators=[DataRequired(REQUIRED), Length(max=1000)])


class PriorityForm(FlaskForm):
    user_id = ResidentField(_l("Resident"))
    priority = BooleanField(_l("Priority resident (first in the pool queue)"), default=True)
    reason = StringField(_l("Reason (e.g. 80岁以上独居)"), validators=[Optional(), Length(max=200)])


class WiderForm(FlaskForm):
    wider = BooleanField(_l("Also show requests of the subdistrict's other communities"))


class ActForForm(FlaskForm):
    """Whom a social worker asks for help for (a GET form: it only opens the request form)."""
    class Meta:
        csrf = False

    resident = ResidentField(_l("Resident"))
