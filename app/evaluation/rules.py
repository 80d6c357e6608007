"""Who may run an evaluation round, registered once for the whole package."""
from __future__ import annotations

from app.permissions import register_rule, staff_subdistrict_ids

# subdistrict staff run their subdistrict's rounds (rubrics, who evaluates whom, opening, closing, publishing);
# which round each may run is services.manages
register_rule("manage_evaluations", lambda user, _obj: bool(staff_subdistrict_ids(user)))
