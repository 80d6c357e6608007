from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional

from app.accounts.forms import enum_name, optional_id
from app.inputs import WholeNumberField
from app.places.models import CommunityKind

REQUIRED = _l("This field is required.")
KIND_LABELS = CommunityKind.labels()


def _name(label):
    return StringField(label, validators=[DataRequired(REQUIRED), Length(max=40, message=_l("At most %(max)d characters."))])


class SubdistrictForm(FlaskForm):
    name = _name(_l("Name"))
    city = StringField(_l("City or district"), validators=[Optional(), Length(max=40)])


class CommunityForm(FlaskForm):
    # field names match the model's columns, so obj= fills them with ids
    subdistrict_id = SelectField(_l("Subdistrict"), validators=[DataRequired(REQUIRED)])
    name = _name(_l("Name"))
    kind = SelectField(_l("Kind"), choices=[SelectChoice(k.name, v) for k, v in KIND_LABELS.items()],
                       coerce=enum_name)
    households = WholeNumberField(_l("Households"), validators=[Optional()], low=0, high=1_000_000)
    address = StringField(_l("Address"), validators=[Optional(), Length(max=120)])
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=2000)])
    is_active = BooleanField(_l("Open (shown to the public, accepts registrations)"), default=True)


class GridForm(FlaskForm):
    name = _name(_l("Grid name"))


class DepartmentForm(FlaskForm):
    subdistrict_id = SelectField(_l("Belongs to"), validators=[Optional()], coerce=optional_id)
    name = _name(_l("Name"))
    is_active = BooleanField(_l("Active"), default=True)
