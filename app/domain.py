"""What every domain's services share: the errors a rule raises, the two
answers a scoped loader gives when the acting user may not have the object,
states that carry their own names, and the yes/no answers a page asks of
`actions_for`."""
from __future__ import annotations

import enum


class DomainError(Exception):
    """A rule refused the change. `message` is a translatable string shown to
    the person as is; views turn it into a 422 or a flash, never a 500."""

    def __init__(self, message, field: str | None = None):
        super().__init__(str(message))
        self.message = message
        self.field = field


class NotFound(LookupError):
    """A scoped loader found nothing the user may see: no such object, or one of
    another community. Answered 404, so an id never tells what exists elsewhere."""


class Forbidden(PermissionError):
    """The user may see the object but their role may not do this to it. Answered 403."""


class Labelled(enum.Enum):
    """An enum whose every member carries the words a person reads for it,
    declared together so a new state cannot come without a name:
    `draft = "draft", _l("Draft")`. The value stays the plain string."""

    def __new__(cls, value: str, label):
        member = object.__new__(cls)
        member._value_ = value
        member.label = label
        return member

    @classmethod
    def labels(cls) -> dict:
        """{member: label}, for a template that looks a state up by member."""
        return {member: member.label for member in cls}


class UnknownAction(Exception):
    """A page or a test asked an `Offer` for an action its domain does not have."""


class Offer:
    """What one user may do with one object now: named yes/no answers, every
    one "no" unless given. A subclass lists its `names` (one string, split on
    white space); giving or reading any other name is an error, so a page that
    asks for an action the domain does not have fails instead of reading "no"
    (a template's lookup falls back to `[name]`, which raises `UnknownAction`)."""

    names: frozenset[str] = frozenset()
    __slots__ = ("_yes",)

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if isinstance(cls.names, str):
            cls.names = frozenset(cls.names.split())

    def __init__(self, **answers: bool):
        unknown = answers.keys() - self.names
        if unknown:
            raise TypeError(f"{type(self).__name__} has no action {', '.join(sorted(unknown))}")
        object.__setattr__(self, "_yes", frozenset(name for name, yes in answers.items() if yes))

    def __getattr__(self, name: str) -> bool:
        if name in type(self).names:
            return name in self._yes
        raise AttributeError(f"{type(self).__name__} has no action {name}")

    def __getitem__(self, name: str) -> bool:
        if name in type(self).names:
            return name in self._yes
        raise UnknownAction(f"{type(self).__name__} has no action {name}")

    def __setattr__(self, name, value):
        raise AttributeError(f"{type(self).__name__} is read only")

    def __eq__(self, other) -> bool:
        return type(other) is type(self) and other._yes == self._yes

    def __hash__(self) -> int:
        return hash((type(self), self._yes))

    def __repr__(self) -> str:
        return f"{type(self).__name__}({', '.join(sorted(self._yes))})"

    def __reduce__(self):
        """Copied and pickled as its yes answers (its slot cannot be set again)."""
        return _offer, (type(self), tuple(sorted(self._yes)))


def _offer(cls: type[Offer], yes: tuple[str, ...]) -> Offer:
    return cls(**dict.fromkeys(yes, True))
