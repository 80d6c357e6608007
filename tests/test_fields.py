"""Whole numbers typed into forms: ASCII digits only, within bounds (app/fields.py)."""
from __future__ import annotations

import pytest
from werkzeug.datastructures import MultiDict

from app.inputs import NotAWholeNumber, whole_number


@pytest.mark.parametrize("typed, value", [("120", 120), (" 7 ", 7), ("0", 0), ("007", 7)])
def test_ascii_digits_are_read(typed, value):
    assert whole_number(typed, low=0, high=1000) == value


@pytest.mark.parametrize("typed", ["١٢٠", "²", "１２０", "٣", "1_000", "+5", "-5", "1e3", "12.0", "0x10", "", " ",
                                   "1 000", "9999999999999"])
def test_anything_else_is_refused(typed):
    with pytest.raises(NotAWholeNumber):
        whole_number(typed, low=0, high=10**12)


def test_bounds():
    with pytest.raises(NotAWholeNumber) as error:
        whole_number("121", low=1, high=120)
    assert "1" in str(error.value) and "120" in str(error.value)
    with pytest.raises(NotAWholeNumber):
        whole_number("0", low=1, high=120)


def test_count_fields_of_every_domain_use_it(app):
    """A hand-vote tally typed with other digits is a field error, not a count (nor a 500)."""
    from app.meetings.forms import TallyForm

    with app.test_request_context():
        form = TallyForm(formdata=MultiDict({"yes": "١٢", "no": "²", "abstain": "3"}), meta={"csrf": False})
        assert not form.validate()
        assert set(form.errors) == {"yes", "no"} and form.abstain.data == 3
        assert form.yes._value() == "١٢"  # the page keeps what was typed
