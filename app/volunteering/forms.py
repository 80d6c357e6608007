"""Volunteering forms: an activity, the reason for cancelling one, a certificate's period, the volunteer register."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from app.accounts.forms import REQUIRED
from app.inputs import DateField, DateTimeLocalField, WholeNumberField
from app.timebank.forms import AT_MOST, CancelForm  # noqa: F401  (the same reason field cancels an activity)
from app.volunteering.services import CATEGORIES

MAX_ACTIVITY_MINUTES = 12 * 60  # one activity credits at most a long day


class ActivityForm(FlaskForm):
    title = StringField(_l("Title"), validators=[DataRequired(REQUIRED), Length(max=80, message=AT_MOST)])
    category = SelectField(_l("Category"), choices=[SelectChoice(c, c) for c in CATEGORIES])
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=2000, message=AT_MOST)])
    place = StringField(_l("Place"), validators=[DataRequired(REQUIRED), Length(max=100, message=AT_MOST)])
    starts_at = DateTimeLocalField(_l("Starts"), format="%Y-%m-%dT%H:%M", validators=[InputRequired(REQUIRED)])
    ends_at = DateTimeLocalField(_l("Ends"), format="%Y-%m-%dT%H:%M", validators=[InputRequired(REQUIRED)])
    signup_deadline = DateTimeLocalField(_l("Sign-up deadline"), format="%Y-%m-%dT%H:%M",
                                         validators=[InputRequired(REQUIRED)])
    places = WholeNumberField(_l("Volunteer places"), default=10, validators=[InputRequired(REQUIRED)], low=1, high=1000)
    minutes = WholeNumberField(_l("Minutes credited to each volunteer"), default=120,
                               validators=[InputRequired(REQUIRED)], low=1, high=MAX_ACTIVITY_MINUTES)
    topic_id = SelectField(_l("Carries out the decision on topic (optional)"), validators=[Optional()])


class CertificateForm(FlaskForm):
    period_from = DateField(_l("From"), validators=[InputRequired(REQUIRED)])
    period_to = DateField(_l("To"), validators=[InputRequired(REQUIRED)])


class VerifyForm(FlaskForm):
    class Meta:
        csrf = False  # a public GET form

    code = StringField(_l("Verification code"), validators=[DataRequired(REQUIRED), Length(max=16)])


class VolunteerForm(FlaskForm):
    skills = StringField(_l("Skills (e.g. 理发, 电脑, 陪聊, 驾驶)"), validators=[Optional(), Length(max=200, message=AT_MOST)])
    availability = StringField(_l("When you can help (e.g. 周末上午)"),
                               validators=[Optional(), Length(max=200, message=AT_MOST)])
    consent = BooleanField(_l("I agree that my volunteer service is recorded and certified by the community"))
