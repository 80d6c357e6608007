"""Who may work on admission and agreements, registered once for the package."""
from __future__ import annotations

from app.agreements.access import committee_community_ids, department_ids
from app.permissions import register_rule, staff_subdistrict_ids

# a department's staff file requests and draft agreements for their department
register_rule("file_admission", lambda user, _obj: bool(department_ids(user)))
# subdistrict staff decide requests and set the deadlines
register_rule("decide_admission", lambda user, _obj: bool(staff_subdistrict_ids(user)))
# a community's committee (social workers, committee members) answers requests and signs
register_rule("answer_admission", lambda user, _obj: bool(committee_community_ids(user)))
