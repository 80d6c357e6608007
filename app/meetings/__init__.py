"""Joint review and votes (联审/表决): bodies, meetings, attendance, motions, ballots, minutes."""
from app.meetings import permissions  # noqa: F401  (registers the domain's one rule: organise_meetings)
from app.meetings.views import bp  # noqa: F401
