"""Account forms. Database-backed checks live in validate_<field>."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, PasswordField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, Optional, ValidationError

from app.accounts import passwords, services
from app.accounts.models import ROLE_LABELS, Role

REQUIRED = _l("This field is required.")


def enum_name(value) -> str:
    """Coerce a SelectField/RadioField bound to an Enum column: obj= gives the member."""
    return value.name if hasattr(value, "name") and hasattr(value, "value") else str(value)


def optional_id(value) -> str:
    """Coerce an optional foreign key for a SelectField: None shows as ""."""
    return "" if value is None else str(value)


CHOOSE_COMMUNITY = _l("Choose your community")


def community_choices(communities, empty=CHOOSE_COMMUNITY) -> list[SelectChoice]:
    return [SelectChoice("", empty)] + [
        SelectChoice(str(c.id), f"{c.subdistrict.name} · {c.name}") for c in communities
    ]


class LoginField(StringField):
    """Phone number or username, normalised (full-width digits, spaces, +86)."""

    def process_formdata(self, valuelist):
        super().process_formdata(valuelist)
        self.data = services.normalise_login(self.data or "")


def _check_login_format(form, field):
    if problem := services.login_problem(field.data or ""):
        raise ValidationError(str(problem))


def _check_login_free(form, field):
    if services.login_taken(field.data or ""):
        raise ValidationError(str(_l("This phone number or username is already registered.")))


def _check_password_policy(form, field):
    login = form.login.data if hasattr(form, "login") else getattr(form, "_login", "")
    if problem := passwords.password_problem(field.data or "", logins=(login or "",)):
        raise ValidationError(str(problem))


class RegisterForm(FlaskForm):
    login = LoginField(
        _l("Mobile number or username"),
        validators=[DataRequired(REQUIRED), _check_login_format, _check_login_free],
        description=_l("An 11-digit mobile number, or a username if you have no phone."),
        render_kw={"autocomplete": "username", "inputmode": "text", "autocapitalize": "none"},
    )
    display_name = StringField(
        _l("Your name"),
        validators=[DataRequired(REQUIRED), Length(max=40, message=_l("At most %(max)d characters."))],
        description=_l("How neighbours and staff will see you, e.g. 张阿姨."),
        render_kw={"autocomplete": "name"},
    )
    community = SelectField(_l("Your community"), validators=[DataRequired(_l("Please choose your community."))])
    household = StringField(
        _l("Household (building, unit, room)"),
        validators=[Optional(), Length(max=60, message=_l("At most %(max)d characters."))],
        description=_l("Optional; helps the social worker confirm where you live, e.g. 3幢2单元501."),
    )
    password = PasswordField(
        _l("Password"),
        validators=[InputRequired(REQUIRED), _check_password_policy],
        description=_l("At least 8 characters. A short sentence is easy to remember."),
        render_kw={"autocomplete": "new-password"},
    )

    # inline (htmx) validation checks one field at a time
    checkable = ("login", "display_name", "password")


class LoginForm(FlaskForm):
    login = LoginField(_l("Mobile number or username"), validators=[DataRequired(REQUIRED)],
                       render_kw={"autocomplete": "username", "autocapitalize": "none"})
    password = PasswordField(_l("Password"), validators=[InputRequired(REQUIRED)],
                             render_kw={"autocomplete": "current-password"})


class PasswordChangeForm(FlaskForm):
    current_password = PasswordField(_l("Current password"), validators=[InputRequired(REQUIRED)],
                                     render_kw={"autocomplete": "current-password"})
    new_password = PasswordField(
        _l("New password"), validators=[InputRequired(REQUIRED)],
        description=_l("At least 8 characters. Other devices will be logged out."),
        render_kw={"autocomplete": "new-password"},
    )


class ResidenceForm(FlaskForm):
    community_id = SelectField(_l("Your community"), validators=[DataRequired(_l("Please choose your community."))],
                               coerce=optional_id)
    household = StringField(_l("Household (building, unit, room)"),
                            validators=[Optional(), Length(max=60, message=_l("At most %(max)d characters."))])


class RejectForm(FlaskForm):
    reason = TextAreaField(
        _l("Reason (the resident will read it)"),
        validators=[DataRequired(_l("Please give the resident a reason.")),
                    Length(max=200, message=_l("At most %(max)d characters."))],
    )


class CsrfOnlyForm(FlaskForm):
    """Just the CSRF token, for a button that posts no other input."""


# The old name, still imported by other domains' views until they switch.
DecisionForm = CsrfOnlyForm


class UserForm(FlaskForm):
    login = LoginField(_l("Mobile number or username"),
                       validators=[DataRequired(REQUIRED), _check_login_format, _check_login_free])
    display_name = StringField(_l("Name"), validators=[DataRequired(REQUIRED), Length(max=40)])
    password = PasswordField(_l("Initial password"), validators=[InputRequired(REQUIRED), _check_password_policy],
                             render_kw={"autocomplete": "new-password"})
    community = SelectField(_l("Lives in (optional)"), validators=[Optional()])
    household = StringField(_l("Household (building, unit, room)"), validators=[Optional(), Length(max=60)])
    verified = BooleanField(_l("Residence already confirmed"))


class UserEditForm(FlaskForm):
    display_name = StringField(_l("Name"), validators=[DataRequired(REQUIRED), Length(max=40)])
    community_id = SelectField(_l("Lives in (optional)"), validators=[Optional()], coerce=optional_id)
    household = StringField(_l("Household (building, unit, room)"), validators=[Optional(), Length(max=60)])


class RoleForm(FlaskForm):
    role = SelectField(_l("Role"), choices=[SelectChoice(r.name, ROLE_LABELS[r]) for r in Role],
                       validators=[DataRequired(REQUIRED)])
    scope = SelectField(_l("Where"), validators=[Optional()],
                        description=_l("A community for social workers and committee members, a subdistrict for subdistrict staff, a department for department staff; nothing for administrators."))
