"""Downloads as spreadsheets: XLSX (openpyxl) and CSV (standard library).

A cell of user text that starts with = + - @ (or a tab or carriage return)
would be run as a formula by a spreadsheet (CSV/formula injection, OWASP):
in XLSX it is stored as a text cell, in CSV it gets a leading apostrophe.
Numbers stay numbers. CSV is UTF-8 with a BOM so that Excel on a Chinese
Windows opens it without garbling the characters.
"""
from __future__ import annotations

import csv
import io
import itertools
import tempfile
import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import IO, Any, Iterable, Iterator
from urllib.parse import quote as url_quote

from flask import Response, send_file, stream_with_context
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass
class Table:
    caption: str
    header: list[str]
    rows: list[list[Any]]


@dataclass
class Sheet:
    """What a download holds: a title, lines above the tables (who, which
    period, totals) and one or more tables, one after another."""

    title: str
    tables: list[Table]
    preamble: list[list[Any]] = field(default_factory=list)


def is_formula_like(value: Any) -> bool:
    return isinstance(value, str) and value.startswith(FORMULA_START)


def csv_cell(value: Any) -> Any:
    if value is None:
        return ""
    if is_formula_like(value):
        return "'" + value
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    return value


def _lines(sheet: Sheet) -> Iterable[tuple[str, list[Any]]]:
    """Every line of the download in order, tagged: title, preamble, blank, caption, header or row."""
    yield "title", [sheet.title]
    for line in sheet.preamble:
        yield "preamble", line
    for table in sheet.tables:
        yield "blank", []
        if table.caption:
            yield "caption", [table.caption]
        yield "header", table.header
        for line in table.rows:
            yield "row", line


CSV_CHUNK = 64 * 1024


def csv_chunks(sheet: Sheet) -> Iterator[bytes]:
    """The CSV in pieces of about 64 KB, written as the rows come (a table's rows may be a generator)."""
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out, lineterminator="\r\n")
    for _kind, line in _lines(sheet):
        writer.writerow([csv_cell(v) for v in line])
        if out.tell() >= CSV_CHUNK:
            yield out.getvalue().encode("utf-8")
            out.seek(0)
            out.truncate()
    yield out.getvalue().encode("utf-8")


def to_csv(sheet: Sheet) -> bytes:
    return b"".join(csv_chunks(sheet))


WIDTH_SAMPLE = 500  # rows read ahead to size the columns


def write_xlsx(sheet: Sheet, out: IO[bytes]) -> None:
    """The workbook in openpyxl's write-only mode: each row is written out as
    it comes (a table's rows may be a generator), so a download of any length
    holds only the first rows in memory, read ahead to size the columns."""
    book = Workbook(write_only=True)
    ws = book.create_sheet(_sheet_title(sheet.title))
    lines = _lines(sheet)
    ahead = list(itertools.islice(lines, WIDTH_SAMPLE))
    widths: dict[int, int] = {}
    for kind, line in ahead:
        if kind in ("header", "row"):
            for column, value in enumerate(line, start=1):
                widths[column] = max(widths.get(column, 0), _display_width(value))
    for column, width in widths.items():
        ws.column_dimensions[get_column_letter(column)].width = min(max(width + 2, 8), 60)
    for kind, line in itertools.chain(ahead, lines):
        ws.append([_xlsx_cell(ws, kind, value) for value in line])
    book.save(out)


def to_xlsx(sheet: Sheet) -> bytes:
    out = io.BytesIO()
    write_xlsx(sheet, out)
    return out.getvalue()


def _xlsx_cell(ws, kind: str, value: Any) -> WriteOnlyCell:
    cell = WriteOnlyCell(ws, value=_xlsx_value(value))
    _format(cell, value)
    if kind in ("title", "caption", "header"):
        cell.font = Font(bold=True, size=14 if kind == "title" else 11)
    return cell


def _display_width(value: Any) -> int:
    """Columns wide enough for their text; a Chinese character takes two places."""
    text = csv_cell(value) if not isinstance(value, (date, Decimal)) else str(value)
    return sum(2 if ord(c) > 0x2E80 else 1 for c in str(text))


def _format(cell, value: Any) -> None:
    if is_formula_like(value):
        cell.data_type = "s"  # text, never a formula
    elif isinstance(value, datetime):
        cell.number_format = "yyyy-mm-dd hh:mm"
    elif isinstance(value, date):
        cell.number_format = "yyyy-mm-dd"
    elif isinstance(value, Decimal):
        cell.number_format = "0.00"


def _xlsx_value(value: Any) -> Any:
    if isinstance(value, datetime) and value.tzinfo is not None:
        return value.replace(tzinfo=None)  # already in local time; Excel has no time zones
    return value


def _sheet_title(title: str) -> str:
    cleaned = "".join(" " if c in "[]:*?/\\" else c for c in title).strip()
    return (cleaned or "Sheet")[:31]


def download(sheet: Sheet, filename: str, fmt: str) -> Response:
    """`fmt` is "xlsx" or "csv"; `filename` without its extension."""
    if fmt == "xlsx":  # a zip file: written to a temporary file on disk, then sent from it in pieces
        spool = tempfile.TemporaryFile()
        write_xlsx(sheet, spool)
        spool.seek(0)
        response = send_file(spool, mimetype=XLSX_TYPE, as_attachment=True, download_name=f"{filename}.{fmt}",
                             max_age=0)
    else:  # sent as it is written, never held whole; Werkzeug adds "; charset=utf-8" to text types
        response = Response(stream_with_context(csv_chunks(sheet)), mimetype="text/csv")
        response.headers["Content-Disposition"] = f'attachment; filename="{filename}.{fmt}"'
        response.headers["Cache-Control"] = "no-cache"
    ascii_name = ascii_file_name(filename)
    if ascii_name != filename:  # the plain-ASCII name for browsers that ignore filename*
        response.headers["Content-Disposition"] = (
            f'attachment; filename="{ascii_name}.{fmt}"; filename*=UTF-8\'\'{url_quote(f"{filename}.{fmt}", safe="")}')
    return response


def ascii_file_name(name: str) -> str:
    """"时间银行流水_20260101-20261130" -> "linli_20260101-20261130": what is left
    of a name in ASCII, never starting with a bare separator."""
    kept = "".join(c for c in unicodedata.normalize("NFKD", name) if c.isascii() and (c.isalnum() or c in "-_."))
    if not kept or not kept[0].isalnum():
        kept = "linli" + ("" if kept.startswith(("_", "-")) or not kept else "_") + kept
    return kept
