"""Who may run a community's time bank, registered once for the whole package."""
from __future__ import annotations

from app.permissions import register_rule, social_worker_community_ids, staff_subdistrict_ids

# a community's social workers: grants, reversals, the bank's rules, credit lines, statements and reports
register_rule("manage_timebank", lambda user, _obj: bool(social_worker_community_ids(user)))
# the second person of the four-eyes rule: a social worker, or subdistrict staff (where a community has only
# one social worker); which community's requests each may decide is ledger.may_confirm
register_rule("confirm_ledger_requests",
              lambda user, _obj: bool(social_worker_community_ids(user) or staff_subdistrict_ids(user)))
