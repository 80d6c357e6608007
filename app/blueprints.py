"""A domain's blueprint, defined in its package's `__init__.py` and exported
from there. Its routes live in the view modules it names; they are imported
when the factory registers the blueprint. Other domains import a package's
models and services all the time, and that must not load its pages (the
pages import other domains' services, which import these models: a cycle)."""
from __future__ import annotations

import importlib

from flask import Blueprint


class DomainBlueprint(Blueprint):
    def __init__(self, name: str, import_name: str, *, views: tuple[str, ...], **options) -> None:
        """`views`: the modules that register routes on this blueprint, relative to the package (".views")."""
        super().__init__(name, import_name, **options)
        self.view_modules = views

    def register(self, app, options) -> None:
        for module in self.view_modules:
            importlib.import_module(module, self.import_name)
        super().register(app, options)
