from __future__ import annotations

import secrets

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import MultipleFileField
from wtforms import HiddenField, RadioField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from app.accounts.forms import REQUIRED, enum_name, optional_id
from app.accounts.picker import ResidentField
from app.consultation.models import REPORT_LABELS, STANCE_LABELS, Outcome, ReportReason, Stance, SupportBasis
from app.inputs import WholeNumberField

AT_MOST = _l("At most %(max)d characters.")


class TopicForm(FlaskForm):
    title = StringField(_l("Title"), validators=[DataRequired(_l("Give the topic a title.")),
                                                 Length(max=60, message=AT_MOST)],
                        description=_l("At most 60 characters, e.g. 3幢加装电梯意见征集."))
    body = TextAreaField(_l("Description"), validators=[DataRequired(_l("Describe the topic.")),
                                                        Length(max=5000, message=AT_MOST)],
                         description=_l("What is the problem, who does it affect, what do you suggest?"),
                         render_kw={"rows": 6})
    category_id = SelectField(_l("Category"), coerce=optional_id, validators=[Optional()])
    location = StringField(_l("Location (optional)"), validators=[Optional(), Length(max=100, message=AT_MOST)])
    photos = MultipleFileField(_l("Photos (optional, up to 3)"),
                               description=_l("JPEG, PNG or WebP, at most 5 MB each. Location data is removed."),
                               render_kw={"accept": "image/jpeg,image/png,image/webp"})
    on_behalf_of = ResidentField(_l("On behalf of (resident without a phone)"), optional=True,
                                 description=_l("Leave it empty to post as yourself. To post for a resident, type "
                                                "their phone number (or its last four digits), name or household, "
                                                "then choose."))


class ConfirmForm(FlaskForm):
    """Only the CSRF token: a one-button action (delete, unsupport, lift a block)."""


class ReasonForm(FlaskForm):
    reason = TextAreaField(_l("Reason"), validators=[Optional(), Length(max=500, message=AT_MOST)],
                           render_kw={"rows": 2})


class ModerateForm(ReasonForm):
    action = HiddenField()


class MergeForm(FlaskForm):
    target = WholeNumberField(_l("Merge into topic number"), validators=[InputRequired(REQUIRED)], low=1,
                              high=999_999_999)
    reason = TextAreaField(_l("Reason"), validators=[Optional(), Length(max=500, message=AT_MOST)])


class OutcomeForm(FlaskForm):
    """The outcome a meeting decided for a topic (adopted or not), with where and how."""

    outcome = RadioField(_l("Decision"), choices=[SelectChoice(Outcome.adopted.name, _l("Adopted")),
                                                  SelectChoice(Outcome.rejected.name, _l("Not adopted"))],
                         validators=[InputRequired(REQUIRED)])
    reason = TextAreaField(_l("Meeting and result (e.g. 居民代表会议 2026-11-20, 15 of 19 in favour)"),
                           validators=[Optional(), Length(max=500, message=AT_MOST)])


class ProgressForm(FlaskForm):
    note = TextAreaField(_l("Progress"), validators=[DataRequired(_l("Describe the progress.")),
                                                     Length(max=2000, message=AT_MOST)])
    photos = MultipleFileField(_l("Photos (optional, up to 3)"),
                               render_kw={"accept": "image/jpeg,image/png,image/webp"})


def new_idempotency_key() -> str:
    return secrets.token_urlsafe(16)


class CommentForm(FlaskForm):
    body = TextAreaField(_l("Your comment"), validators=[DataRequired(_l("Write a comment first.")),
                                                         Length(max=2000, message=AT_MOST)],
                         render_kw={"rows": 3})
    stance = RadioField(_l("Your stance"), choices=[SelectChoice(s.name, STANCE_LABELS[s]) for s in Stance],
                        default=Stance.neutral.name, validators=[InputRequired(REQUIRED)])
    parent_id = HiddenField()
    idempotency_key = HiddenField(default=new_idempotency_key)


class CommentEditForm(FlaskForm):
    body = TextAreaField(_l("Your comment"), validators=[DataRequired(_l("Write a comment first.")),
                                                         Length(max=2000, message=AT_MOST)])
    stance = RadioField(_l("Your stance"), choices=[SelectChoice(s.name, STANCE_LABELS[s]) for s in Stance],
                        coerce=enum_name, validators=[InputRequired(REQUIRED)])


class ReportForm(FlaskForm):
    reason = RadioField(_l("Why are you reporting this?"),
                        choices=[SelectChoice(r.name, REPORT_LABELS[r]) for r in ReportReason],
                        validators=[InputRequired(_l("Choose a reason."))])
    note = StringField(_l("More detail (optional)"), validators=[Optional(), Length(max=200, message=AT_MOST)])


class RatingForm(FlaskForm):
    score = RadioField(_l("How satisfied are you with the result?"),
                       choices=[SelectChoice(str(n), label) for n, label in
                                [(5, _l("5 · Very satisfied")), (4, _l("4 · Satisfied")), (3, _l("3 · So-so")),
                                 (2, _l("2 · Dissatisfied")), (1, _l("1 · Very dissatisfied"))]],
                       validators=[InputRequired(_l("Choose from 1 to 5 stars."))])
    comment = StringField(_l("Comment (optional)"), validators=[Optional(), Length(max=300, message=AT_MOST)])


class SupportForm(FlaskForm):
    on_behalf_of = ResidentField(_l("Support on behalf of a resident without a phone"), optional=True)


class SettingsForm(FlaskForm):
    support_threshold = WholeNumberField(_l("Supports that move a topic to deliberation"),
                                         validators=[InputRequired(REQUIRED)], low=1, high=10000)
    support_basis = RadioField(_l("Count supports by"), choices=[
        SelectChoice(SupportBasis.residents.name, _l("Resident (each verified resident counts)")),
        SelectChoice(SupportBasis.households.name, _l("Household (户: one per household)"))],
        coerce=enum_name, validators=[InputRequired(REQUIRED)])
    reports_to_hide = WholeNumberField(_l("Reports before an item is hidden for review"),
                                       validators=[InputRequired(REQUIRED)], low=1, high=100)
    rating_window_days = WholeNumberField(_l("Days residents may rate a completed topic"),
                                          validators=[InputRequired(REQUIRED)], low=1, high=365)
    keywords = TextAreaField(_l("Keywords that hold a post for review (敏感词), one per line"),
                             validators=[Optional(), Length(max=5000, message=AT_MOST)], render_kw={"rows": 5})
    categories = TextAreaField(_l("Categories, one per line"), validators=[DataRequired(REQUIRED)],
                               render_kw={"rows": 8})


class BlockForm(FlaskForm):
    user_id = ResidentField(_l("Resident"))
    days = WholeNumberField(_l("Days"), default=7, validators=[InputRequired(REQUIRED)], low=1, high=365)
    reason = StringField(_l("Reason (the resident will read it)"), validators=[DataRequired(REQUIRED),
                                                                               Length(max=200, message=AT_MOST)])
