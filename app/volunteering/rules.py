"""Who may organise volunteering, registered once for the whole package."""
from __future__ import annotations

from app.permissions import register_rule, social_worker_community_ids

# a community's social workers publish activities, keep their rosters and confirm their hours
register_rule("organise_activities", lambda user, _obj: bool(social_worker_community_ids(user)))
