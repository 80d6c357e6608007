"""The shared pieces every domain builds on: labelled states and the yes/no answers of `actions_for`."""
from __future__ import annotations

import importlib
import re
from pathlib import Path

import pytest

from app.domain import Labelled, Offer, UnknownAction


class Sample(Offer):
    names = "edit sign read_note"


def test_an_offer_answers_no_unless_told_yes():
    offer = Sample(edit=True, sign=False)
    assert offer.edit is True and offer.sign is False and offer.read_note is False
    assert offer == Sample(edit=True) and offer != Sample(sign=True)
    assert hash(offer) == hash(Sample(edit=True))


def test_an_offer_refuses_an_action_its_domain_does_not_have():
    with pytest.raises(TypeError, match="publish"):
        Sample(publish=True)
    with pytest.raises(AttributeError, match="publish"):
        Sample().publish  # noqa: B018
    with pytest.raises(UnknownAction):
        Sample()["publish"]
    with pytest.raises(AttributeError):
        Sample().edit = True


def test_an_offer_copies_and_pickles_as_its_answers():
    import copy
    import pickle

    offer = Sample(edit=True, read_note=True)
    assert copy.copy(offer) == copy.deepcopy(offer) == pickle.loads(pickle.dumps(offer)) == offer


def test_a_template_asking_for_an_unknown_action_fails_loudly(app):
    from flask import render_template_string
    with app.test_request_context():
        assert render_template_string("{{ a.edit }}/{{ a.sign }}", a=Sample(edit=True)) == "True/False"
        with pytest.raises(UnknownAction):
            render_template_string("{{ a.edti }}", a=Sample(edit=True))


def test_a_labelled_state_keeps_its_plain_value_and_carries_its_name():
    class Colour(Labelled):
        red = "red", "Red"
        blue = "blue", "Blue"

    assert Colour("red") is Colour.red and Colour.red.value == "red" and Colour.red.label == "Red"
    assert Colour.labels() == {Colour.red: "Red", Colour.blue: "Blue"}


def test_a_labelled_state_cannot_be_declared_without_its_name():
    with pytest.raises(TypeError):
        class Broken(Labelled):
            red = "red"


def test_every_stored_state_with_a_name_has_one_for_every_member():
    importlib.import_module("app.models")  # every domain's models

    def subclasses(cls):
        for sub in cls.__subclasses__():
            yield sub
            yield from subclasses(sub)

    domain_states = [cls for cls in subclasses(Labelled) if cls.__module__.startswith("app.")]
    assert len(domain_states) >= 20
    for cls in domain_states:
        for member in cls:
            assert str(member.label).strip(), f"{cls.__name__}.{member.name} has no name"
        assert all(cls(member.value) is member for member in cls)


def test_every_action_a_template_asks_for_is_one_a_domain_offers(app):
    """A misspelt action would only fail when its branch renders; read every template for them.
    (`app`: every domain's pages and services are loaded, so every Offer is defined.)"""

    def subclasses(cls):
        for sub in cls.__subclasses__():
            yield sub
            yield from subclasses(sub)

    offered = set().union(*(cls.names for cls in subclasses(Offer) if cls.__module__.startswith("app.")))
    asked = {}
    for template in (Path(__file__).resolve().parent.parent / "templates").rglob("*.html"):
        text = template.read_text(encoding="utf-8")
        for name in re.findall(r"\b(?:actions|item_actions|can)(?:\[[^\]]+\])?\.([a-z_]+)", text):
            asked.setdefault(name, template.name)
    assert len(asked) > 40
    assert {name: where for name, where in asked.items() if name not in offered} == {}
