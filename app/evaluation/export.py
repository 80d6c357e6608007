"""The round's results as one spreadsheet: every party's final, grade and rank,
each submitted sheet's scores and total (marked when trimmed), so every number
can be redone by hand."""
from __future__ import annotations

from flask_babel import gettext as _

from app.evaluation.models import DIRECTION_LABELS, GRADE_LABELS
from app.evaluation.scoring import four_places
from app.exports import Sheet, Table


def workbook(round_, computed) -> Sheet:
    tables = []
    for direction, res in computed.items():
        names = [c.name for c in res.criteria]
        tables.append(Table(
            caption=str(DIRECTION_LABELS[direction]),
            header=[_("Rank"), _("Evaluated"), _("Final score"), _("Grade"), _("Sheets"), _("Sheets part"),
                    _("Survey part"), _("Survey responses"), *names],
            rows=[[r.rank, r.party.name, r.result.final if r.result else None,
                   str(GRADE_LABELS[r.result.grade]) if r.result else _("No submitted sheet"),
                   len(r.sheets), r.result and four_places(r.result.sheets_part),
                   r.result and r.result.survey_counted and four_places(r.result.survey_part) or None,
                   r.result.response_count if r.result else 0,
                   *[r.averages.get(c.id) for c in res.criteria]] for r in res.rows]))
        tables.append(Table(
            caption=_("Sheets: %(direction)s", direction=DIRECTION_LABELS[direction]),
            header=[_("Evaluated"), _("Evaluator"), *[f"{c.name} ({c.weight})" for c in res.criteria],
                    _("Total"), _("Trimmed")],
            rows=[[r.party.name, line.sheet.evaluator.display_name,
                   *[next((s.value for s in line.sheet.scores if s.criterion_id == c.id), None) for c in res.criteria],
                   line.total, _("yes") if line.trimmed else ""]
                  for r in res.rows for line in r.sheets]))
    preamble = [[_("Period"), f"{round_.period_start} – {round_.period_end}"],
                [_("Grades"), _("Excellent ≥ %(e)s, good ≥ %(g)s, pass ≥ %(p)s", e=round_.excellent_from,
                                g=round_.good_from, p=round_.pass_from)],
                [_("Survey weight"), round_.survey_weight if round_.survey_enabled else 0]]
    return Sheet(title=round_.title, tables=tables, preamble=preamble)
