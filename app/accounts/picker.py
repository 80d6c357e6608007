"""Choosing a resident on a staff form without listing every resident.

A social worker types a phone number (or its last digits), a name or a
household; at most `PICK_LIMIT` verified residents of the community that
match are offered as radio buttons. With JavaScript they appear as the
staff member types (`accounts.pick_resident`); without it the form is
submitted, and comes back (422) with the matches to choose from, keeping
everything else that was typed. The text alone is enough only when it is one
resident's whole phone number; a single other match comes back chosen, for
one more tap to confirm. A choice followed by new text in the box is a new
search.

The field posts two values: `<name>` is the chosen resident's id, and
`<name>_q` what was typed. Either way the resident is looked up once, scoped
to the community (`accounts.services.resident_of`), and `field.data` is that
`User` after validation (None when the field is optional and left empty). A
chosen id of another community is not found (404), as another community's id
is everywhere.
"""
from __future__ import annotations

from flask import render_template, url_for
from flask_babel import lazy_gettext as _l
from markupsafe import Markup
from wtforms import Field
from wtforms.utils import unset_value
from wtforms.validators import ValidationError

from app.accounts import services
from app.domain import NotFound

CHOOSE_ONE = _l("Several residents match: choose one below.")
CONFIRM_ONE = _l("Is this the resident? It is chosen below: submit again to confirm.")
NONE_MATCH = _l("No verified resident of this community matches what you typed.")
TYPE_SOMETHING = _l("Type the resident's phone number, name or household.")
TYPE_MORE = _l("Type at least three digits of the phone number.")
GONE = _l("This person is no longer a verified resident of the community: type again to find someone else.")
HELP = _l("Type a phone number (or its last four digits), a name or a household, then choose.")


class ResidentPicker:
    """The widget: a search box, its help, and the matches under it as radio buttons."""

    shows_help = True  # the field macro leaves the help to it: it belongs between the box and the matches

    def __call__(self, field, **kwargs):
        kwargs.pop("required", None)  # the box may stay empty once a resident is chosen below
        box_id = kwargs.pop("id", field.id)
        return Markup(render_template("_macros/resident_picker.html", field=field, box_id=box_id, attrs=kwargs,
                                      pick_url=url_for("accounts.pick_resident", community_id=field.community_id,
                                                       name=field.name)))


class ResidentField(Field):
    """A verified resident of one community (`within(community_id)` before
    validating or rendering). `optional`: left empty, it is None."""

    widget = ResidentPicker()

    def __init__(self, label=None, validators=None, *, optional: bool = False, **kwargs):
        kwargs.setdefault("description", HELP)
        super().__init__(label, validators, **kwargs)
        self.optional = optional
        self.flags.required = not optional
        self.community_id: int | None = None
        self.query_text = ""
        self.chosen = ""
        self.matches: list = []
        self.more = False
        self.outcome: bool | ValidationError | None = None

    def within(self, community_id: int) -> "ResidentField":
        self.community_id = community_id
        return self

    def process(self, formdata, data=unset_value, extra_filters=None):
        self.process_errors = []
        self.data = None if data is unset_value else data
        self.raw_data = []
        if formdata is not None:
            self.raw_data = formdata.getlist(self.name)
            self.chosen = (self.raw_data[-1] if self.raw_data else "").strip()
            self.query_text = services.pick_text(formdata.get(f"{self.name}_q"))

    @property
    def given(self) -> bool:
        """Whether anything was chosen or typed."""
        return bool(self.chosen or self.query_text)

    def pre_validate(self, form):
        if self.community_id is None:
            raise RuntimeError(f"{self.name}: call within(community_id) first")
        if self.outcome is None:  # one lookup per request, however often the page validates
            try:
                self._resolve()
                self.outcome = True
            except ValidationError as error:
                self.outcome = error
        if self.outcome is not True:
            raise self.outcome

    def _resolve(self) -> None:
        self.data = None
        if self.chosen:
            chosen = services.resident_of(self.community_id, self.chosen)
            if chosen is None:
                self._not_offered()
            # a choice stands unless the box now names someone else (typed again after choosing)
            if not self.query_text or services.find_residents(self.community_id, self.query_text, among=chosen.id):
                self.data = chosen
                return
        if not self.query_text:
            if self.optional:
                return
            raise ValidationError(TYPE_SOMETHING)
        found = services.find_residents(self.community_id, self.query_text)
        exact = [u for u in found if services.is_exact_pick(u, self.query_text)]
        if len(exact) == 1:
            self.data = exact[0]
            return
        self.matches, self.more = found[:services.PICK_LIMIT], len(found) > services.PICK_LIMIT
        if len(found) == 1:
            raise ValidationError(CONFIRM_ONE)
        raise ValidationError(CHOOSE_ONE if found else _no_match(self.query_text))

    def _not_offered(self):
        """A chosen id that is no resident here: another community's is not found (404); one of
        this community who is no longer a verified resident is a message on the field."""
        if services.user_in_community(self.community_id, self.chosen):
            raise ValidationError(GONE)
        raise NotFound()

    @property
    def offered(self) -> list:
        """The residents shown under the box: the chosen one, then the matches of what was typed."""
        chosen = [self.data] if self.data is not None else []
        return chosen + [u for u in self.matches if u not in chosen]

    @property
    def checked_id(self) -> int | None:
        """The chosen resident, or the only match (the person still submits to confirm it)."""
        if self.data is not None:
            return self.data.id
        return self.matches[0].id if len(self.matches) == 1 else None

    def _value(self) -> str:
        return self.query_text


def _no_match(text: str):
    return TYPE_MORE if 0 < len(services.pick_digits(text)) < 3 else NONE_MATCH


def choices(community_id: int, name: str, text: str) -> str:
    """The radio buttons for what was typed so far (the picker's live search):
    one match comes chosen; none says why."""
    found = services.find_residents(community_id, text)
    shown = found[:services.PICK_LIMIT]
    return render_template("_macros/resident_choices.html", name=name, residents=shown,
                           checked_id=shown[0].id if len(shown) == 1 else None, more=len(found) > len(shown),
                           note=_no_match(services.pick_text(text)) if not shown and services.pick_text(text) else None)


def scoped(form, community_id: int):
    """`form` with each of its resident fields looking in `community_id` (returns the form)."""
    for field in form:
        if isinstance(field, ResidentField):
            field.within(community_id)
    return form
