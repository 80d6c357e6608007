"""A version of the lists as a spreadsheet, and a spreadsheet as a new draft.

The layout is fixed, header in row 1, one item a row:

    清单类别 | 事项名称 | 事项说明 | 法律依据 | 责任部门 | 类别 | 是否盖章证明 | 办理所需材料 | 关键词

清单类别 is 依法履职, 协助政府 or 不应承担; 是否盖章证明 is 是 or 否; keywords are
separated by 、 or a comma. An import with any bad row imports nothing and names
every bad row as the spreadsheet numbers it (the header is row 1), its column
and why. Text that starts with = + - @ stays text both ways: it is written as a
text cell, and a cell that really holds a formula is refused (its value would
be whatever the spreadsheet last computed, or an injection).
"""
from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from app.domain import DomainError
from app.exports import is_formula_like
from app.lists.models import ItemKind, ListVersion

HEADERS = ("清单类别", "事项名称", "事项说明", "法律依据", "责任部门", "类别", "是否盖章证明", "办理所需材料", "关键词")
FIELDS = ("kind", "title", "description", "legal_basis", "department", "category", "is_certificate", "materials",
          "keywords")
KIND_WORDS = {ItemKind.statutory: "依法履职", ItemKind.assisted: "协助政府", ItemKind.excluded: "不应承担"}
# the long names published lists use are understood too
KIND_READ = {**{w: k for k, w in KIND_WORDS.items()}, "依法履行职责事项": ItemKind.statutory,
             "协助政府工作事项": ItemKind.assisted, "不应由社区承担的事项": ItemKind.excluded}
YES, NO = "是", "否"
MAX_ROWS = 2000
WIDTHS = (12, 30, 40, 36, 18, 12, 12, 30, 30)


@dataclass
class Problem:
    row: int  # as the spreadsheet shows it; the header is row 1
    column: str  # the header's name, or "" for the whole row/file
    message: str

    @property
    def letter(self) -> str:
        return get_column_letter(HEADERS.index(self.column) + 1) if self.column in HEADERS else ""

    def __str__(self) -> str:
        where = str(_l("row %(row)d", row=self.row)) if self.row else ""
        if self.column:
            where += f" {self.letter}（{self.column}）"
        return f"{where.strip()}: {self.message}" if where.strip() else str(self.message)


class ImportRefused(DomainError):
    """The file was not imported; `problems` names every bad row."""

    def __init__(self, problems: list[Problem]):
        super().__init__(_l("Nothing was imported: %(n)d problems in the file.", n=len(problems)), field="file")
        self.problems = problems


def write(version: ListVersion, items) -> bytes:
    """The version's items in the fixed layout; formula-looking text as text cells."""
    book = Workbook()
    ws = book.active
    ws.title = f"清单第{version.number}版" if version.number else "清单草稿"
    ws.append(list(HEADERS))
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for item in items:
        values = [KIND_WORDS[item.kind], item.title, item.description, item.legal_basis, item.department,
                  item.category, YES if item.is_certificate else NO, item.materials, item.keywords]
        ws.append(values)
        for cell, value in zip(ws[ws.max_row], values, strict=True):
            if is_formula_like(value):
                cell.value, cell.data_type = value, "s"  # text, never a formula
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    for n, width in enumerate(WIDTHS, start=1):
        ws.column_dimensions[get_column_letter(n)].width = width
    ws.freeze_panes = "A2"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _text(cell) -> str:
    value = cell.value
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def read(data: bytes) -> list[dict]:
    """The rows of an uploaded file as item values (each with its `row`), or
    ImportRefused naming every problem. Nothing is written here."""
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError, TypeError):
        raise ImportRefused([Problem(0, "", str(_l("This is not an Excel (.xlsx) file.")))]) from None
    try:
        return _rows(book.worksheets[0])
    finally:
        book.close()


def _rows(ws) -> list[dict]:
    problems: list[Problem] = []
    lines = ws.iter_rows()
    header = next(lines, ())
    names = [_text(c) for c in header]
    while names and not names[-1]:
        names.pop()
    if tuple(names) != HEADERS:
        expected = "、".join(HEADERS)
        raise ImportRefused([Problem(1, "", str(_l("The first row must be exactly these columns, in this order: "
                                                   "%(columns)s.", columns=expected)))])
    rows: list[dict] = []
    for number, cells in enumerate(lines, start=2):
        cells = list(cells)[:len(HEADERS) + 20]
        if all(c.value is None or _text(c) == "" for c in cells):
            continue
        if len(rows) >= MAX_ROWS:
            problems.append(Problem(number, "", str(_l("At most %(n)d items in one file.", n=MAX_ROWS))))
            break
        extra = [c for c in cells[len(HEADERS):] if _text(c)]
        if extra:
            problems.append(Problem(number, "", str(_l("Something is written right of the last column (%(cell)s).",
                                                       cell=extra[0].coordinate))))
        values: dict = {"row": number}
        cells += [None] * (len(HEADERS) - len(cells))
        for header, name, cell in zip(HEADERS, FIELDS, cells[:len(HEADERS)], strict=True):
            if cell is not None and cell.data_type == "f":
                problems.append(Problem(number, header, str(_l("This cell holds a formula; type the text itself."))))
                values[name] = ""
                continue
            values[name] = _text(cell) if cell is not None else ""
        kind = KIND_READ.get(values["kind"])
        if kind is None:
            problems.append(Problem(number, "清单类别", str(_l("Write 依法履职, 协助政府 or 不应承担 (found “%(found)s”).",
                                                         found=values["kind"][:20]))))
        values["kind"] = kind
        if values["is_certificate"] not in (YES, NO):
            problems.append(Problem(number, "是否盖章证明", str(_l("Write 是 or 否 (found “%(found)s”).",
                                                           found=values["is_certificate"][:20]))))
        values["is_certificate"] = values["is_certificate"] == YES
        rows.append(values)
    if not rows and not problems:
        problems.append(Problem(2, "", str(_l("The file has no items."))))
    problems += _check(rows, {(p.row, p.column) for p in problems})
    if problems:
        raise ImportRefused(sorted(problems, key=lambda p: (p.row, HEADERS.index(p.column) if p.column in HEADERS
                                                            else -1)))
    return rows


def _check(rows: list[dict], reported: set[tuple[int, str]]) -> list[Problem]:
    """The item rules (app.lists.services.clean_item), per row, plus names that
    repeat; a cell already reported (a formula, a bad list name) is not reported twice."""
    from app.lists.services import clean_item, normalise

    problems, seen = [], {}
    for values in rows:
        if (values["row"], "清单类别") not in reported:
            try:
                clean_item(values)
            except DomainError as e:
                column = HEADERS[FIELDS.index(e.field)] if e.field in FIELDS else ""
                if (values["row"], column) not in reported:
                    problems.append(Problem(values["row"], column, str(e.message)))
        key = normalise(values["title"], fillers=False)
        if key and key in seen:
            problems.append(Problem(values["row"], "事项名称", str(_l("The same item as row %(row)d.",
                                                                   row=seen[key]))))
        seen.setdefault(key, values["row"])
    return problems
