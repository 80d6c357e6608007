"""Untrusted request values checked once, before any reaches a query.

Every id and count column is PostgreSQL's `integer` (signed 32-bit; SQLite's
INTEGER is 64-bit): a larger value bound to it fails the query ("integer out
of range"), and past 2^63 SQLite cannot even bind it. PostgreSQL refuses a
NUL character in any text, and a NUL cuts an SQLite string short. So:

- `<int:…>` in every route is `IdConverter`: 0 … 2^31 − 1, a larger number is
  the same 404 page as an id that does not exist, whatever the method;
- integer query/form parameters go through `int_arg` (400 when malformed or
  out of bounds);
- a NUL anywhere in the path, the query string or a form value is a bad
  request (400) for the whole app;
- dates people choose (statement periods, meeting and activity times) and
  dates read back from a cursor lie in 2000–2100: year 1 or 9999 overflows as
  soon as a time zone is applied, and no record of this site lies outside it.
  Forms take `DateField` and `DateTimeLocalField` from here, which put these
  bounds on every such field as a message on the field (422);
- whole numbers typed into forms (minutes, hours, counts, places) are
  `WholeNumberField`: ASCII digits only, within the field's own bounds.
"""
from __future__ import annotations

import re
from datetime import date, datetime

import wtforms
from wtforms.widgets import NumberInput
from flask import Flask, abort, request
from flask_babel import lazy_gettext as _l
from werkzeug.exceptions import NotFound
from werkzeug.routing import IntegerConverter, ValidationError

MAX_ID = 2**31 - 1  # PostgreSQL integer, the narrower of the two databases
_INTEGER = re.compile(r"[+-]?\d{1,20}")
EARLIEST = date(2000, 1, 1)
LATEST = date(2100, 12, 31)
OUT_OF_CALENDAR = _l("Dates must be between the years 2000 and 2100.")


class IdConverter(IntegerConverter):
    """Flask's `int` converter bounded to what a database id can be."""

    def __init__(self, map, fixed_digits: int = 0, min: int | None = None,  # werkzeug's argument names
                 max: int | None = None, signed: bool = False) -> None:
        upper = MAX_ID if max is None or max > MAX_ID else max
        lower = -MAX_ID - 1 if signed and (min is None or min < -MAX_ID - 1) else min
        super().__init__(map, fixed_digits=fixed_digits, min=lower, max=upper, signed=signed)

    def to_python(self, value: str) -> int:
        # Werkzeug's ValidationError would try the next rule, and a rule for
        # another method on the same path turns that into a 405.
        # Python refuses to parse more than 4300 digits (ValueError).
        try:
            return super().to_python(value)
        except (ValidationError, ValueError):
            raise NotFound() from None


def int_arg(name: str, *, source=None, minimum: int = 1, maximum: int = MAX_ID) -> int | None:
    """The integer parameter `name` of the query string (or of `source`, e.g.
    `request.form`), None when absent or empty; 400 when it is not a whole
    number within [minimum, maximum]."""
    raw = (request.args if source is None else source).get(name, "")
    raw = raw.strip()
    if not raw:
        return None
    if not _INTEGER.fullmatch(raw):
        abort(400)
    value = int(raw)
    if not minimum <= value <= maximum:
        abort(400)
    return value


def in_calendar(value: date | datetime) -> bool:
    """Whether a date (or a datetime's date) lies in the years this site deals with."""
    day = value.date() if isinstance(value, datetime) else value
    return EARLIEST <= day <= LATEST


def require_in_calendar(**dates: date) -> None:
    """DomainError on the first named date outside 2000–2100 (a form's field name)."""
    from app.domain import DomainError

    for field, value in dates.items():
        if not in_calendar(value):
            raise DomainError(OUT_OF_CALENDAR, field=field)


class _InCalendar:
    def process_formdata(self, valuelist):
        super().process_formdata(valuelist)
        if self.data is not None and not in_calendar(self.data):
            self.data = None
            raise ValueError(str(OUT_OF_CALENDAR))


class DateField(_InCalendar, wtforms.DateField):
    """WTForms' DateField within 2000–2100."""


class DateTimeLocalField(_InCalendar, wtforms.DateTimeLocalField):
    """WTForms' DateTimeLocalField within 2000–2100."""


def has_nul(values) -> bool:
    return any("\x00" in key or any("\x00" in v for v in values.getlist(key)) for key in values)


def refuse_nul() -> None:
    """A NUL never comes from a person typing: refuse it before any view."""
    if "\x00" in request.path or has_nul(request.args):
        abort(400)
    if request.method not in ("GET", "HEAD", "OPTIONS") and has_nul(request.form):
        abort(400)


def register(app: Flask) -> None:
    app.url_map.converters["int"] = IdConverter
    app.before_request(refuse_nul)


# -- whole numbers typed into forms -----------------------------------------------------
#
# Whole numbers typed into forms (minutes, hours, counts, places).
# 
# Python's int() reads far more than a person means: '١٢٠' (Arabic-Indic
# digits) is 120, '1_000' is 1000, ' +5 ' is 5, and str.isdigit() is true for
# '²', which int() then refuses with a ValueError (a 500 where a field error
# belongs). Every minute and count input goes through `whole_number`: ASCII
# digits 0–9 only, within explicit bounds, or a message for the field.


_DIGITS = re.compile(r"[0-9]+")  # ASCII only (re's [0-9] is not \d)


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
    value = int(raw) if len(raw) <= 12 else None  # past 12 digits no bound of ours is near
    if value is None or not low <= value <= high:
        raise NotAWholeNumber(_l("Enter a whole number from %(low)d to %(high)d.", low=low, high=high))
    return value


class WholeNumberField(wtforms.IntegerField):
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
