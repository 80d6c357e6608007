"""Burden-reduction figures: per department and period, what became of the work it asked
of a subdistrict's communities. Aggregates only (public, 村(居)务公开)."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

import sqlalchemy as sa

from app import localtime
from app.agreements.models import AdmissionRequest, RequestState
from app.extensions import db
from app.places.models import Community, Department

S = RequestState
COLUMNS = ("made", "admitted", "assisted", "under_agreement", "declined")


@dataclass
class Row:
    department: Department
    made: int = 0  # every request filed in the period, whatever became of it
    admitted: int = 0  # under the statutory list
    assisted: int = 0  # under the assisted list
    under_agreement: int = 0
    declined: int = 0
    other: dict = field(default_factory=dict)  # still open, or withdrawn

    def values(self) -> list[int]:
        return [getattr(self, c) for c in COLUMNS]


def figures(subdistrict_id: int, start: date, end: date) -> list[Row]:
    """One row per department that filed with the subdistrict's communities
    from `start` to `end` (local days, both included); one grouped query."""
    since, until = localtime.start_of_day_utc(start), localtime.start_of_day_utc(end + timedelta(days=1))
    counts = db.session.execute(
        sa.select(AdmissionRequest.department_id, AdmissionRequest.state, sa.func.count(AdmissionRequest.id))
        .join(Community, AdmissionRequest.community_id == Community.id)
        .where(Community.subdistrict_id == subdistrict_id, AdmissionRequest.submitted_at >= since,
               AdmissionRequest.submitted_at < until)
        .group_by(AdmissionRequest.department_id, AdmissionRequest.state)).all()
    if not counts:
        return []
    departments = {d.id: d for d in db.session.scalars(
        sa.select(Department).where(Department.id.in_({c[0] for c in counts})))}
    rows: dict[int, Row] = {}
    for department_id, state, count in counts:
        row = rows.setdefault(department_id, Row(departments[department_id]))
        row.made += count
        if state.name in COLUMNS:
            setattr(row, state.name, getattr(row, state.name) + count)
        else:
            row.other[state] = count
    return sorted(rows.values(), key=lambda r: (-r.made, r.department.name))


def totals(rows: list[Row]) -> list[int]:
    return [sum(r.values()[i] for r in rows) for i in range(len(COLUMNS))]


def chart_svg(rows: list[Row], labels: dict[str, str], title: str) -> bytes:
    """A grouped bar chart of the outcomes per department (shown with <img>)."""
    import pygal

    from app.charts import phone_chart

    chart = phone_chart(pygal.Bar, ("#1f5f8b", "#2e7d32", "#6a1b9a", "#c62828"), disable_xml_declaration=True,
                        title=title, print_values=False, show_y_guides=True, x_label_rotation=30)
    chart.x_labels = [r.department.name for r in rows]
    for column in COLUMNS[1:]:
        chart.add(labels[column], [getattr(r, column) for r in rows])
    svg = chart.render()
    return svg.encode() if isinstance(svg, str) else svg
