"""The department's section of the workbench: its latest requests and its agreements."""
from __future__ import annotations

import sqlalchemy as sa

from app.agreements import admission, services
from app.extensions import db
from app.places.models import Department


def department_work(department_ids: set[int], latest: int = 6) -> list[tuple]:
    """(department, latest requests, agreements) for each department the person works for."""
    if not department_ids:
        return []
    departments = db.session.scalars(sa.select(Department).where(Department.id.in_(department_ids))
                                     .order_by(Department.name))
    return [(d, admission.requests_of_department(d.id, limit=latest), services.agreements_of_department(d.id))
            for d in departments]
