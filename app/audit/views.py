"""The audit log page and its CSV/XLSX download, filtered."""
from __future__ import annotations

from datetime import date

from flask import request
from flask_babel import gettext as _
from flask_login import current_user

from app.audit import bp
from app.audit import reading
from app.exports import Sheet, Table, download
from app.inputs import in_calendar, int_arg
from app.localtime import today
from app.web import permission_required, render



def _date_arg(name: str) -> date | None:
    try:
        day = date.fromisoformat(request.args.get(name, "").strip())
    except ValueError:
        return None
    return day if in_calendar(day) else None


def _filter() -> reading.AuditFilter:
    domain = request.args.get("domain", "").strip()
    return reading.AuditFilter(community_id=int_arg("community"), person=request.args.get("person", "").strip()[:40],
                               domain=domain if domain in reading.DOMAINS else "",
                               since=_date_arg("since"), until=_date_arg("until"))


@bp.get("/audit")
@permission_required("view_audit")
def list_entries():
    f = _filter()
    entries = reading.entries_for(current_user, f, before_id=int_arg("before"))
    return render("audit/list.html", "audit/_rows.html", lines=reading.lines_for(current_user, entries),
                  filter=f, domains=reading.DOMAINS, communities=reading.communities_for_filter(current_user),
                  more=len(entries) == reading.PAGE)


@bp.get("/audit.csv", defaults={"fmt": "csv"}, endpoint="export_entries")
@bp.get("/audit.xlsx", defaults={"fmt": "xlsx"}, endpoint="export_entries")
@permission_required("view_audit")
def export_entries(fmt: str):
    """The filtered entries as a spreadsheet (formula-like text stays text)."""
    rows = reading.export_rows(current_user, _filter())
    header = [_("When"), _("Who"), _("Community"), _("Action"), _("What happened")]
    sheet = Sheet(title=_("Audit log"), tables=[Table(caption="", header=header, rows=rows)])
    return download(sheet, f"{_('audit-log')}_{today():%Y%m%d}", fmt)
