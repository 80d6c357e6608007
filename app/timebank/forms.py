from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, RadioField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from app.accounts.forms import REQUIRED
from app.accounts.picker import ResidentField
from app.inputs import DateField, WholeNumberField
from app.timebank.family_models import RELATION_LABELS

AT_MOST = _l("At most %(max)d characters.")
MAX_GRANT_MINUTES = 100 * 60


class CancelForm(FlaskForm):
    reason = StringField(_l("Reason for cancelling"), validators=[DataRequired(REQUIRED), Length(max=200)])


class StatementForm(FlaskForm):
    class Meta:
        csrf = False  # a GET form: choosing a period changes nothing

    period_from = DateField(_l("From"), validators=[InputRequired(REQUIRED)])
    period_to = DateField(_l("To"), validators=[InputRequired(REQUIRED)])


class ResidentStatementForm(StatementForm):
    user_id = ResidentField(_l("Resident"))


class GrantRequestForm(FlaskForm):
    user_id = ResidentField(_l("Resident"))
    minutes = WholeNumberField(_l("Time in minutes"), validators=[InputRequired(REQUIRED)], low=1, high=MAX_GRANT_MINUTES)
    reason = StringField(_l("Reason (e.g. 80岁以上独居老人)"), validators=[DataRequired(REQUIRED), Length(max=200)])


class SettingsForm(FlaskForm):
    unit_minutes = SelectField(_l("Hours move in units of"), coerce=int,
                               choices=[SelectChoice(15, _l("15 minutes")), SelectChoice(30, _l("30 minutes")),
                                        SelectChoice(60, _l("1 hour"))])
    max_balance_hours = WholeNumberField(_l("Maximum balance in hours (empty: no maximum)"),
                                         description=_l("Credits above it go to the community pool; the volunteer is told."),
                                         validators=[Optional()], low=1, high=100_000)


class CreditLineForm(FlaskForm):
    user_id = ResidentField(_l("Resident"))
    hours = WholeNumberField(_l("Credit line in hours (0 closes it)"), validators=[InputRequired(REQUIRED)],
                             low=0, high=1000)
    reason = StringField(_l("Reason (e.g. 独居老人，先享受服务)"), validators=[DataRequired(REQUIRED), Length(max=200)])


# -- family (亲属关联, 通存通兑, 代办) --------------------------------------------------------------

MAX_GIFT_MINUTES = 200 * 60


def new_idempotency_key() -> str:
    import secrets

    return secrets.token_urlsafe(16)


class FamilyAskForm(FlaskForm):
    phone = StringField(_l("Your relative's mobile number"), validators=[DataRequired(REQUIRED), Length(max=11)],
                        render_kw={"inputmode": "tel", "autocomplete": "off"})
    name = StringField(_l("Your relative's name, as on the platform"), validators=[DataRequired(REQUIRED), Length(max=40)])
    relation = RadioField(_l("This relative is my"), validators=[InputRequired(REQUIRED)],
                          choices=[SelectChoice(r.name, label) for r, label in RELATION_LABELS.items()])


class GiveForm(FlaskForm):
    receiver_id = SelectField(_l("Receiver"), validators=[DataRequired(REQUIRED)])
    minutes = WholeNumberField(_l("Time in minutes"), description=_l("60 minutes = 1 hour"),
                               validators=[InputRequired(REQUIRED)], low=1, high=MAX_GIFT_MINUTES)
    idempotency_key = HiddenField(default=new_idempotency_key)


class DonateForm(FlaskForm):
    minutes = WholeNumberField(_l("Time in minutes"), description=_l("60 minutes = 1 hour"),
                               validators=[InputRequired(REQUIRED)], low=1, high=MAX_GIFT_MINUTES)
    idempotency_key = HiddenField(default=new_idempotency_key)


class ProxyForm(FlaskForm):
    relative_id = SelectField(_l("Relative"), validators=[DataRequired(REQUIRED)])
    adult = BooleanField(_l("This relative is 18 or over"))


class ConsentProxyForm(FlaskForm):
    pair = SelectField(_l("Resident and the linked relative who will act for them"),
                       validators=[DataRequired(REQUIRED)])
    adult = BooleanField(_l("This relative is 18 or over"))
    consent_note = StringField(_l("The resident's consent (what they said or signed, and when)"),
                               validators=[DataRequired(REQUIRED), Length(max=200)])
