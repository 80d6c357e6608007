"""What every domain's services share: the errors a rule raises, and the two
answers a scoped loader gives when the acting user may not have the object."""
from __future__ import annotations


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
