"""What every domain's services share."""
from __future__ import annotations


class DomainError(Exception):
    """A rule refused the change. `message` is a translatable string shown to
    the person as is; views turn it into a 422 or a flash, never a 500."""

    def __init__(self, message, field: str | None = None):
        super().__init__(str(message))
        self.message = message
        self.field = field
