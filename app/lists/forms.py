"""Forms of the lists: an item (with the reason for the change), removing one,
publishing a draft, importing a spreadsheet, asking a question."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, RadioField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from app.accounts.forms import REQUIRED
from app.inputs import DateField
from app.lists.models import KIND_LABELS, ItemKind
from app.lists.services import LIMITS

AT_MOST = _l("At most %(max)d characters.")


def _text(label, name, *, required=False, area=False, **kw):
    validators = [DataRequired(REQUIRED) if required else Optional(), Length(max=LIMITS[name], message=AT_MOST)]
    return (TextAreaField if area else StringField)(label, validators=validators, **kw)


class ItemForm(FlaskForm):
    kind = RadioField(_l("List"), choices=[SelectChoice(k.name, KIND_LABELS[k]) for k in ItemKind],
                      validators=[InputRequired(_l("Choose a list."))])
    title = _text(_l("Item"), "title", required=True, description=_l("As residents say it, e.g. 居住证明."))
    description = _text(_l("Description"), "description", area=True, render_kw={"rows": 3})
    legal_basis = _text(_l("Legal basis"), "legal_basis", area=True, render_kw={"rows": 2},
                        description=_l("The law and article, e.g. 城市居民委员会组织法 第三条."))
    department = _text(_l("Responsible department"), "department",
                       description=_l("For an item the community does not do: who does it instead."))
    category = _text(_l("Category"), "category")
    is_certificate = BooleanField(_l("A certificate or stamp matter (盖章证明事项)"))
    materials = _text(_l("What to bring"), "materials", area=True, render_kw={"rows": 2},
                      description=_l("For a certificate the community issues: what the resident must bring."))
    keywords = _text(_l("Keywords"), "keywords",
                     description=_l("Other words residents use, separated by 、 or a comma."))
    reason = TextAreaField(_l("Reason for this change"), render_kw={"rows": 2},
                           validators=[DataRequired(_l("Say why (it is shown with the change).")),
                                       Length(max=500, message=AT_MOST)])

    def values(self) -> dict:
        return {name: getattr(self, name).data for name in (
            "kind", "title", "description", "legal_basis", "department", "category", "is_certificate", "materials",
            "keywords")}


class RemoveForm(FlaskForm):
    reason = TextAreaField(_l("Reason for removing it"), render_kw={"rows": 2},
                           validators=[DataRequired(_l("Say why (it is shown with the change).")),
                                       Length(max=500, message=AT_MOST)])


class PublishForm(FlaskForm):
    effective_on = DateField(_l("Takes effect on"), validators=[InputRequired(REQUIRED)])
    note = TextAreaField(_l("What this revision does (shown with the version)"), render_kw={"rows": 2},
                         validators=[Optional(), Length(max=2000, message=AT_MOST)])


class ImportForm(FlaskForm):
    file = FileField(_l("Spreadsheet (.xlsx)"), validators=[FileRequired(_l("Choose the file."))],
                     render_kw={"accept": ".xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"},
                     description=_l("Columns in this order, header in row 1: 清单类别、事项名称、事项说明、法律依据、"
                                    "责任部门、类别、是否盖章证明、办理所需材料、关键词."))


class AskForm(FlaskForm):
    class Meta:
        csrf = False  # a public GET form

    q = StringField(_l("Your question"), validators=[Optional(), Length(max=100, message=AT_MOST)],
                    description=_l("In your own words, e.g. 开居住证明需要找社区吗？"))
