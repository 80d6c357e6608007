from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, DecimalField, RadioField, SelectField, StringField
from wtforms import TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from app.accounts.picker import ResidentField
from app.accounts.forms import REQUIRED, enum_name, optional_id
from app.inputs import DateTimeLocalField, WholeNumberField
from app.meetings.models import BODY_KIND_LABELS, BodyKind, EligibleBasis

AT_MOST = _l("At most %(max)d characters.")
MAX_COUNT = 1_000_000  # people at a meeting or on a body: far above any community


class BodyForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(REQUIRED), Length(max=60, message=AT_MOST)])
    kind = SelectField(_l("Kind and rule set"), choices=[SelectChoice(k.name, v) for k, v in BODY_KIND_LABELS.items()],
                       coerce=enum_name, validators=[DataRequired(REQUIRED)])
    eligible_basis = RadioField(_l("Residents' meeting counts (第九条)"), choices=[
        SelectChoice(EligibleBasis.members.name, _l("Residents aged 18 or over")),
        SelectChoice(EligibleBasis.households.name, _l("One representative per household")),
        SelectChoice(EligibleBasis.group_representatives.name, _l("Elected representatives of each residents' group"))],
        coerce=enum_name, default=EligibleBasis.members.name)
    eligible_count = WholeNumberField(_l("Eligible number, if members are not listed (e.g. 1200 residents)"),
                                      validators=[Optional()], low=1, high=MAX_COUNT)
    quorum = StringField(_l("Quorum share (议事会/联席会议 only)"), default="2/3",
                         description=_l("A fraction such as 2/3."))
    quorum_inclusive = BooleanField(_l("Inclusive (以上): exactly the share is enough"), default=True)
    decision = StringField(_l("Share of those present needed to carry"), default="1/2")
    decision_inclusive = BooleanField(_l("Inclusive (以上) for the decision"), default=False)


class MemberForm(FlaskForm):
    user_id = ResidentField(_l("Resident with an account"), optional=True,
                            description=_l("Type a phone number (or its last four digits), a name or a household, "
                                           "then choose. Leave it empty for a named person without an account."))
    name = StringField(_l("Or a name (no account)"), validators=[Optional(), Length(max=40, message=AT_MOST)])
    household = StringField(_l("Household (户)"), validators=[Optional(), Length(max=60, message=AT_MOST)])
    is_adult = BooleanField(_l("Aged 18 or over"), default=True)
    area = DecimalField(_l("Floor area m² (业主大会)"), places=2,  # stored as Numeric(10, 2)
                        validators=[Optional(), NumberRange(min=0, max=99_999_999)])


class MeetingForm(FlaskForm):
    title = StringField(_l("Title"), validators=[DataRequired(REQUIRED), Length(max=80, message=AT_MOST)])
    starts_at = DateTimeLocalField(_l("Date and time"), format="%Y-%m-%dT%H:%M",
                                   validators=[InputRequired(_l("Give the meeting's date and time."))])
    place = StringField(_l("Place (or online)"), validators=[Optional(), Length(max=100, message=AT_MOST)])
    free_items = TextAreaField(_l("Other agenda items, one per line"), validators=[Optional()])


class CheckinForm(FlaskForm):
    code = StringField(_l("Check-in code shown in the room"), validators=[DataRequired(REQUIRED), Length(max=6)],
                       render_kw={"inputmode": "numeric", "autocomplete": "one-time-code"})


class MotionForm(FlaskForm):
    item_id = SelectField(_l("Agenda item"), coerce=optional_id, validators=[Optional()])
    title = StringField(_l("Motion (if not an agenda item)"), validators=[Optional(), Length(max=120, message=AT_MOST)])
    mode = RadioField(_l("How votes are taken"), choices=[
        SelectChoice("roll_call", _l("Each member votes (on their phone or by hand, recorded by the chair)")),
        SelectChoice("tally", _l("Counts entered by the chair, confirmed by a second staff member"))],
        default="roll_call", validators=[InputRequired(REQUIRED)])
    secret = BooleanField(_l("Secret ballot (results hidden until close)"))
    major = BooleanField(_l("Major item (业主大会: maintenance fund, rebuilding, change of use)"))


class TallyForm(FlaskForm):
    present = WholeNumberField(_l("Present (if counted at the door)"), validators=[Optional()], low=0, high=MAX_COUNT)
    yes = WholeNumberField(_l("In favour"), validators=[InputRequired(REQUIRED)], low=0, high=MAX_COUNT)
    no = WholeNumberField(_l("Against"), validators=[InputRequired(REQUIRED)], low=0, high=MAX_COUNT)
    abstain = WholeNumberField(_l("Abstain"), validators=[InputRequired(REQUIRED)], low=0, high=MAX_COUNT)


class MinutesForm(FlaskForm):
    minutes = TextAreaField(_l("Text of the minutes"), validators=[DataRequired(_l("Write the minutes first."))],
                            render_kw={"rows": 6})


class CorrectionForm(FlaskForm):
    reason = StringField(_l("Reason for the correction"), validators=[DataRequired(REQUIRED), Length(max=300)])


class WithdrawForm(FlaskForm):
    reason = StringField(_l("Reason for withdrawing the vote"),
                         validators=[DataRequired(_l("Give the reason for withdrawing the vote.")), Length(max=300)])


BODY_KINDS = BodyKind
