"""XLSX: the fixed layout both ways, every bad row named, nothing imported on any
error, formula-looking text kept as text; `flask lists import/export`."""
from __future__ import annotations

import io

import pytest
import sqlalchemy as sa
from openpyxl import Workbook, load_workbook

from app.extensions import db
from app.lists import services, xlsx
from app.lists.models import ItemKind, ListVersion, VersionState
from app.localtime import today

from .conftest import ITEMS


def _book(rows, header=xlsx.HEADERS) -> bytes:
    book = Workbook()
    ws = book.active
    ws.append(list(header))
    for row in rows:
        ws.append(list(row))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


GOOD = ("依法履职", "居民委员会选举", "组织换届选举", "城市居民委员会组织法 第八条", "", "基层民主", "否", "", "换届、选举")


def _drafts():
    return db.session.scalar(sa.select(sa.func.count()).select_from(ListVersion).where(
        ListVersion.state == VersionState.draft))


def test_export_has_the_fixed_layout_and_round_trips(places, staff, published):
    items = [*ITEMS, dict(kind="assisted", title="=HYPERLINK(\"http://x\")", department="@民政科",
                          materials="-身份证原件\n+户口簿", keywords="+1、-2", category="测试")]
    v1 = published(items)
    data = xlsx.write(v1, services.items_of(v1))
    ws = load_workbook(io.BytesIO(data)).worksheets[0]
    assert tuple(c.value for c in ws[1]) == xlsx.HEADERS
    kinds = {c.value for c in ws["A"][1:]}
    assert kinds == {"依法履职", "协助政府", "不应承担"}
    assert {c.value for c in ws["G"][1:]} == {"是", "否"}
    formula_row = next(r for r in ws.iter_rows(min_row=2) if r[1].value.startswith("="))
    assert all(c.data_type == "s" for c in formula_row if c.value)  # text cells, never formulas
    assert formula_row[1].data_type == "s" and formula_row[4].value == "@民政科"
    # import what was exported: the same items, nothing changed
    draft = services.import_draft(staff, places.subdistrict, data, filename="v1.xlsx")
    d = services.diff(v1, draft)
    assert d.is_empty and d.unchanged == len(items)
    strange = next(i for i in services.items_of(draft) if i.title.startswith("="))
    assert (strange.department, strange.materials, strange.keywords) == ("@民政科", "-身份证原件\n+户口簿", "+1、-2")


def test_import_matches_items_by_name_and_removes_the_missing(places, staff, published):
    v1 = published()
    rows = [("依法履职", "居民委员会选举", "组织换届选举", "城市居民委员会组织法 第八条", "", "基层民主", "否", "",
             "换届、选举，居委会选举"),
            ("协助政府", "退役军人信息采集", "", "", "退役军人事务局", "优抚", "否", "", "退役军人")]
    draft = services.import_draft(staff, places.subdistrict, _book(rows), filename="new.xlsx")
    d = services.diff(v1, draft)
    assert [i.title for i in d.added] == ["退役军人信息采集"]
    assert [c.new.title for c in d.changed] == ["居民委员会选举"]
    assert {f.name for f in d.changed[0].fields} == {"description"}
    assert len(d.removed) == len(ITEMS) - 1 and all("new.xlsx" in r.reason for r in d.removed)
    services.publish(staff, draft, effective_on=today())
    assert len(services.items_of(services.version_in_force(places.subdistrict.id))) == 2


def test_every_bad_row_is_named_and_nothing_is_imported(places, staff, published):
    published()
    rows = [GOOD,
            ("依法", "事项甲", "", "", "", "", "否", "", ""),  # row 3: bad kind
            ("协助政府", "事项乙", "", "", "", "", "对", "", ""),  # row 4: bad 是否
            ("协助政府", "", "说明", "", "", "", "否", "", ""),  # row 5: no name
            (),  # row 6: blank, skipped
            ("不应承担", "居住证明", "", "", "", "证明事项", "是", "", ""),  # row 7: excluded without a department
            ("依法履职", "居民委员会选举", "", "", "", "", "否", "", ""),  # row 8: repeats row 2
            ("协助政府", "=SUM(1,2)", "", "", "", "", "否", "", "")]  # row 9: a real formula cell
    with pytest.raises(xlsx.ImportRefused) as refused:
        services.import_draft(staff, places.subdistrict, _book(rows))
    found = [(p.row, p.column) for p in refused.value.problems]
    assert found == [(3, "清单类别"), (4, "是否盖章证明"), (5, "事项名称"), (7, "责任部门"), (8, "事项名称"),
                     (9, "事项名称")]
    assert "依法" in str(refused.value.problems[0]) and "A（清单类别）" in str(refused.value.problems[0])
    assert "4" in str(refused.value.problems[1]) and "G（是否盖章证明）" in str(refused.value.problems[1])
    db.session.rollback()
    assert _drafts() == 0


@pytest.mark.parametrize("header", [
    xlsx.HEADERS[:-1],  # a column missing
    ("事项名称", "清单类别", *xlsx.HEADERS[2:]),  # wrong order
    (*xlsx.HEADERS, "备注"),  # a column too many
    tuple(h + "x" for h in xlsx.HEADERS),
])
def test_wrong_columns_are_refused(places, staff, header):
    with pytest.raises(xlsx.ImportRefused) as refused:
        services.import_draft(staff, places.subdistrict, _book([GOOD], header=header))
    assert [p.row for p in refused.value.problems] == [1]
    assert "清单类别、事项名称" in str(refused.value.problems[0])


@pytest.mark.parametrize("data", [b"", b"not a spreadsheet", b"PK\x03\x04broken zip"])
def test_not_a_spreadsheet(places, staff, data):
    with pytest.raises(xlsx.ImportRefused) as refused:
        services.import_draft(staff, places.subdistrict, data)
    assert "xlsx" in str(refused.value.problems[0]).lower()


def test_a_file_with_only_a_header(places, staff):
    with pytest.raises(xlsx.ImportRefused):
        services.import_draft(staff, places.subdistrict, _book([]))


def test_long_kind_names_and_either_keyword_separator(places, staff):
    draft = services.import_draft(staff, places.subdistrict, _book([
        ("依法履行职责事项", "调解民间纠纷", "", "", "", "", "否", "", "调解,纠纷，吵架、打架")]))
    item = services.items_of(draft)[0]
    assert item.kind is ItemKind.statutory and item.keywords == "调解、纠纷、吵架、打架"


def test_cli_import_and_export(app, places, staff, published, tmp_path):
    runner = app.test_cli_runner()
    sid = places.subdistrict.id
    empty = runner.invoke(args=["lists", "export", str(sid), str(tmp_path / "none.xlsx")])
    assert empty.exit_code != 0 and not (tmp_path / "none.xlsx").exists()
    v1 = published()
    out = tmp_path / "v1.xlsx"
    result = runner.invoke(args=["lists", "export", str(sid), str(out)])
    assert result.exit_code == 0, result.output
    assert f"{len(ITEMS)} items" in result.output
    rows = list(load_workbook(out).worksheets[0].iter_rows(values_only=True))
    assert rows[0] == xlsx.HEADERS and len(rows) == len(ITEMS) + 1

    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(_book([GOOD, ("依法", "事项甲", "", "", "", "", "否", "", "")]))
    refused = runner.invoke(args=["lists", "import", str(sid), str(bad)])
    assert refused.exit_code != 0 and "3" in refused.output and "A（清单类别）" in refused.output
    assert _drafts() == 0

    result = runner.invoke(args=["lists", "import", str(sid), str(out)])
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    draft = services.open_draft(sid)
    assert draft is not None and draft.based_on_id == v1.id and services.diff(v1, draft).is_empty
    again = runner.invoke(args=["lists", "import", str(sid), str(out)])
    assert again.exit_code != 0 and services.open_draft(sid).id == draft.id
    assert runner.invoke(args=["lists", "import", "99999", str(out)]).exit_code != 0
