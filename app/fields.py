"""Whole numbers typed into forms (minutes, hours, counts, places).

Python's int() reads far more than a person means: '١٢٠' (Arabic-Indic
digits) is 120, '1_000' is 1000, ' +5 ' is 5, and str.isdigit() is true for
'²', which int() then refuses with a ValueError (a 500 where a field error
belongs). Every minute and count input goes through `whole_number`: ASCII
digits 0–9 only, within explicit bounds, or a message for the field."""
from __future__ import annotations

import re

from flask_babel import lazy_gettext as _l
from wtforms import IntegerField
from wtforms.widgets import NumberInput

_DIGITS = re.compile(r"[0-9]{1,9}")  # ASCII only (re's [0-9] is not \d), at most 9 digits


class NotAWholeNumber(ValueError):
    """The text is not a whole number within the bounds; str() is the message for the field."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return str(self.message)


def whole_number(text: str | None, *, low: int, high: int) -> int:
    """The whole number `text` spells in ASCII digits, low ≤ n ≤ high."""
    raw = (text or "").strip()
    if not _DIGITS.fullmatch(raw):
        raise NotAWholeNumber(_l("Enter a whole number using the digits 0–9."))
    value = int(raw)
    if not low <= value <= high:
        raise NotAWholeNumber(_l("Enter a whole number from %(low)d to %(high)d.", low=low, high=high))
    return value


class WholeNumberField(IntegerField):
    """An IntegerField that reads only ASCII digits, within [low, high].

    Empty input leaves `data` None: add InputRequired to require a value,
    Optional to allow none."""

    def __init__(self, label=None, validators=None, *, low: int, high: int, **kwargs):
        kwargs.setdefault("widget", NumberInput(min=low, max=high, step=1))
        render_kw = {"inputmode": "numeric", **kwargs.pop("render_kw", {})}
        super().__init__(label, validators, render_kw=render_kw, **kwargs)
        self.low, self.high = low, high

    def process_formdata(self, valuelist):
        if not valuelist or not (valuelist[0] or "").strip():
            self.data = None
            return
        try:
            self.data = whole_number(valuelist[0], low=self.low, high=self.high)
        except NotAWholeNumber as error:
            self.data = None
            raise ValueError(str(error)) from None
