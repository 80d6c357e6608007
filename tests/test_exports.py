"""Spreadsheet downloads: formula-like text stays text, numbers stay numbers."""
from __future__ import annotations

import csv
import io
from datetime import date
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from app.exports import Sheet, Table, csv_cell, to_csv, to_xlsx

DANGEROUS = ["=1+1", "+1", "-2+3", "@SUM(A1)", "\t=1", "\r=1"]


@pytest.mark.parametrize("value", DANGEROUS)
def test_csv_prefixes_formula_like_text(value):
    assert csv_cell(value) == "'" + value


def test_csv_keeps_numbers_and_plain_text():
    assert csv_cell(-30) == -30 and csv_cell("助老") == "助老" and csv_cell(None) == ""


def _sheet():
    return Sheet(title="测试: 表/格", preamble=[["合计", 90]],
                 tables=[Table("明细", ["日期", "说明", "分钟", "小时"],
                               [[date(2026, 1, 2), value, -30, Decimal("-0.50")] for value in DANGEROUS]),
                         Table("", ["a"], [])])


def test_xlsx_stores_formula_like_text_as_text():
    data = to_xlsx(_sheet())
    book = load_workbook(io.BytesIO(data))
    ws = book.active
    assert ws.title == "测试  表 格"  # characters a sheet title may not hold are replaced
    texts = [row[1] for row in ws.iter_rows(min_row=6, max_row=5 + len(DANGEROUS))]
    # XML keeps no bare carriage return: "\r=1" comes back as "\n=1", still text
    assert [c.value for c in texts] == [v.replace("\r", "\n") for v in DANGEROUS]
    assert all(c.data_type == "s" for c in texts)
    numbers = [c.value for row in ws.iter_rows() for c in row if isinstance(c.value, (int, float)) and c.column == 3]
    assert numbers == [-30] * len(DANGEROUS)


def test_csv_has_every_section_in_order():
    rows = list(csv.reader(io.StringIO(to_csv(_sheet()).decode("utf-8-sig"))))
    assert rows[0] == ["测试: 表/格"] and rows[1] == ["合计", "90"] and rows[2] == [] and rows[3] == ["明细"]
    assert rows[4] == ["日期", "说明", "分钟", "小时"] and rows[5][0] == "2026-01-02" and rows[5][1] == "'=1+1"
    assert rows[-1] == ["a"]


def test_xlsx_takes_rows_from_a_generator_and_is_sent_from_a_file(app):
    """Rows are taken from the generator as the write-only workbook is written
    (the first ones read ahead to size the columns); the response is sent
    from a temporary file in pieces, not built in memory."""
    from app.exports import WIDTH_SAMPLE, download

    taken = []

    def rows():
        for n in range(WIDTH_SAMPLE * 3):
            taken.append(n)
            yield [n, "很长的说明文字" if n == 0 else "x"]

    with app.test_request_context():
        response = download(Sheet(title="流水", tables=[Table("", ["序号", "说明"], rows())]), "流水", "xlsx")
        assert response.direct_passthrough  # a file wrapper: sent from the temporary file in pieces
        data = b"".join(response.response)
        response.close()
    assert len(taken) == WIDTH_SAMPLE * 3
    ws = load_workbook(io.BytesIO(data)).active
    assert ws.max_row == 3 + WIDTH_SAMPLE * 3  # title, blank, header, rows
    assert ws.cell(row=4, column=2).value == "很长的说明文字" and ws.cell(row=3, column=1).font.b
    assert ws.column_dimensions["B"].width == 16  # sized from the rows read ahead (7 wide characters + 2)
