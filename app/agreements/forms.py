"""Forms for admission requests, agreements, fulfilment, payments and the deadlines."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import MultipleFileField
from wtforms import BooleanField, RadioField, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms import widgets
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from app.accounts.forms import REQUIRED
from app.agreements.models import DELIVERY_LABELS, Delivery
from app.inputs import DateField, WholeNumberField
from app.timebank.forms import AT_MOST


class CheckboxesField(SelectMultipleField):
    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


class RequestForm(FlaskForm):
    communities = CheckboxesField(_l("Communities"), coerce=int, validators=[DataRequired(REQUIRED)])
    title = StringField(_l("Task"), validators=[DataRequired(REQUIRED), Length(max=80, message=AT_MOST)],
                        description=_l("In plain words, e.g. 老年人高龄津贴资格认证."))
    description = TextAreaField(_l("What the community would do"),
                                validators=[Optional(), Length(max=2000, message=AT_MOST)])
    starts_on = DateField(_l("Starts on"), validators=[InputRequired(REQUIRED)])
    ends_on = DateField(_l("Ends on"), validators=[InputRequired(REQUIRED)])
    workload = StringField(_l("Workload"), validators=[DataRequired(REQUIRED), Length(max=100, message=AT_MOST)],
                           description=_l("e.g. 每月约 4 小时, 入户 200 户."))
    needs_stamp = BooleanField(_l("The community would stamp or certify something (盖章证明)"))
    claimed_item_id = SelectField(_l("The list item you believe covers it"), coerce=int, validators=[Optional()])


class DecideForm(FlaskForm):
    item_id = RadioField(_l("The item it falls under"), coerce=int, validators=[InputRequired(REQUIRED)])


class DeclineForm(FlaskForm):
    reason = StringField(_l("Reason"), validators=[DataRequired(REQUIRED), Length(max=300, message=AT_MOST)],
                         description=_l("e.g. 不在两份清单内，且未签订委托协议."))


class SettingsForm(FlaskForm):
    notice_days = WholeNumberField(_l("Working days a request is filed ahead"), validators=[InputRequired(REQUIRED)],
                                   low=0, high=250)
    decision_days = WholeNumberField(_l("Working days to decide a request"), validators=[InputRequired(REQUIRED)],
                                     low=1, high=250)


class AgreementForm(FlaskForm):
    community_id = SelectField(_l("Community"), coerce=int, validators=[InputRequired(REQUIRED)])
    title = StringField(_l("Title"), validators=[DataRequired(REQUIRED), Length(max=80, message=AT_MOST)])
    starts_on = DateField(_l("Starts on"), validators=[InputRequired(REQUIRED)])
    ends_on = DateField(_l("Ends on"), validators=[InputRequired(REQUIRED)])
    internal_note = TextAreaField(_l("Internal note (only the two sides and the subdistrict read it)"),
                                  validators=[Optional(), Length(max=2000, message=AT_MOST)])


class ItemForm(FlaskForm):
    title = StringField(_l("Item"), validators=[DataRequired(REQUIRED), Length(max=80, message=AT_MOST)])
    deliverables = TextAreaField(_l("Deliverables"), validators=[Optional(), Length(max=2000, message=AT_MOST)])
    due_on = DateField(_l("Due on"), validators=[InputRequired(REQUIRED)])
    amount = StringField(_l("Funding in yuan"), validators=[DataRequired(REQUIRED), Length(max=20, message=AT_MOST)],
                         render_kw={"inputmode": "decimal"})


class MilestoneForm(FlaskForm):
    label = StringField(_l("Payment"), validators=[DataRequired(REQUIRED), Length(max=60, message=AT_MOST)],
                        description=_l("e.g. 首期款, 尾款."))
    due_on = DateField(_l("Due on"), validators=[InputRequired(REQUIRED)])
    amount = StringField(_l("Amount in yuan"), validators=[DataRequired(REQUIRED), Length(max=20, message=AT_MOST)],
                         render_kw={"inputmode": "decimal"})


class FulfilmentForm(FlaskForm):
    status = RadioField(_l("Fulfilment"), choices=[SelectChoice(d.name, DELIVERY_LABELS[d]) for d in Delivery],
                        validators=[InputRequired(REQUIRED)])
    evidence = TextAreaField(_l("Evidence"), validators=[Optional(), Length(max=2000, message=AT_MOST)])
    photos = MultipleFileField(_l("Photos (up to 3)"))


class PaymentForm(FlaskForm):
    amount = StringField(_l("Amount received in yuan"),
                         validators=[DataRequired(REQUIRED), Length(max=20, message=AT_MOST)],
                         render_kw={"inputmode": "decimal"})
    received_on = DateField(_l("Received on"), validators=[InputRequired(REQUIRED)])


class PeriodForm(FlaskForm):
    class Meta:
        csrf = False  # a GET form: choosing a period changes nothing

    period_from = DateField(_l("From"), validators=[InputRequired(REQUIRED)])
    period_to = DateField(_l("To"), validators=[InputRequired(REQUIRED)])
