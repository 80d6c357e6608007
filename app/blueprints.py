"""A domain's blueprint, defined in its package's `__init__.py` and exported
from there. Its routes live in the view modules it names; they are imported
when the factory registers the blueprint. Other domains import a package's
models and services all the time, and that must not load its pages (the
pages import other domains' services, which import these models: a cycle)."""
from __future__ import annotations

import importlib
import inspect
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

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

    def buttons(self, *buttons: "Button", load: Callable[..., Any], guard: Callable, form: type | None = None) -> None:
        """Register plain-POST buttons that act on one object: each loads it
        from the URL's arguments through `load` (the domain's scoped loader:
        404/403 outside the person's reach), runs its service as the current
        user and goes back with the outcome flashed (`app.web.act`). `guard`
        is the route's permission decorator; `form` the form the button posts
        (its CSRF token), when the domain checks it as a form."""
        for button in buttons:
            self.add_url_rule(button.rule, button.endpoint, guard(button.view(load, form)), methods=["POST"])

    def form_posts(self, *posts: "FormPost", load: Callable[..., Any], guard: Callable, submit: Callable,
                   methods: tuple[str, ...] = ("POST",)) -> None:
        """Register forms posted from one object's page: each loads the object
        through `load` (the domain's scoped loader), binds its form and hands
        both to the page's `submit(obj, form, action, message, **options)`,
        which runs `action` on a valid submission (flash, 303) or shows the
        page again with the form as typed (422). `methods` ("GET", "POST")
        when the rule is also the page itself."""
        for post in posts:
            self.add_url_rule(post.rule, post.endpoint, guard(post.view(load, submit)), methods=list(methods))


@dataclass(frozen=True)
class Button:
    """One button's route: the same thin view for every action that only
    differs in the service it calls, the message and where it goes back to."""
    rule: str
    endpoint: str
    service: Callable[..., Any]  # service(user, obj, *the rule's other ids) -> result
    message: Any  # a (lazy) string, or a function of the service's result
    back: Callable[[Any], str]  # obj -> the page to go back to
    done: Callable[[Any], str] | None = None  # result -> the page to go to on success, when not `back`

    def view(self, load: Callable[..., Any], form: type | None) -> Callable:
        from flask_login import current_user

        from app.web import act

        loaded = set(inspect.signature(load).parameters)
        rest = [name for name in re.findall(r"<(?:[^:>]+:)?([^>]+)>", self.rule) if name not in loaded]

        def view(**args):
            obj = load(**{name: args[name] for name in loaded})
            extra = [args[name] for name in rest]  # the rule's other ids, in order, for the service to check
            return act(lambda: self.service(current_user, obj, *extra), self.message, self.back(obj),
                       form=form() if form is not None else None, done=self.done)

        view.__name__ = view.__qualname__ = self.endpoint
        view.__doc__ = f"POST {self.rule}: {getattr(self.service, '__name__', 'service')}"
        return view


@dataclass(frozen=True)
class FormPost:
    """One form's route: the same thin view for every form that only differs
    in the form it binds, the service it calls and the message."""
    rule: str
    endpoint: str
    form: type  # the FlaskForm it binds
    service: Callable[..., Any]  # service(user, obj, form) -> result, called once the form is valid
    message: Any  # a (lazy) string, or a function of the service's result
    options: dict = field(default_factory=dict)  # the page's own: the form's name on it, an anchor…

    def view(self, load: Callable[..., Any], submit: Callable) -> Callable:
        from flask_login import current_user

        def view(**args):
            obj = load(**args)
            form = self.form()
            return submit(obj, form, lambda: self.service(current_user, obj, form), self.message, **self.options)

        view.__name__ = view.__qualname__ = self.endpoint
        view.__doc__ = f"{self.rule}: {self.form.__name__}"
        return view
