"""Who may keep the two lists, registered once for the whole package."""
from __future__ import annotations

from app.permissions import register_rule, staff_subdistrict_ids


def _subdistrict_id(obj) -> int | None:
    return getattr(obj, "subdistrict_id", None) or getattr(obj, "id", None) if not isinstance(obj, int) else obj


# a subdistrict's staff keep its lists (draft, revise, publish, import); with no object: staff of any subdistrict
register_rule("keep_lists", lambda user, obj: bool(staff_subdistrict_ids(user)) if obj is None
              else _subdistrict_id(obj) in staff_subdistrict_ids(user))
