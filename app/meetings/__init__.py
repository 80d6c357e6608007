"""Joint review and votes (联审/表决): bodies (bodies.py), meetings with their
agenda and minutes (agenda.py), attendance and check-in (attendance.py), the
figures a result is computed from (figures.py, rules.py), motions
(motions.py), votes, ballots and tallies (votes.py). Who may: permissions.py
and access.py; pages: views.py."""
from app.meetings import permissions  # noqa: F401  (registers the domain's one rule: organise_meetings)
from app.blueprints import DomainBlueprint

bp = DomainBlueprint("meetings", __name__, views=(".views",))
