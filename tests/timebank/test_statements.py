"""The time-bank statement (对账单): opening balance, movements with the balance
after each, closing balance, service of the period; as a page, XLSX and CSV."""
from __future__ import annotations

import csv
import io
from datetime import date, datetime, timezone
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook

from app.domain import DomainError
from app.extensions import db
from app.timebank import ledger, statements
from app.timebank.models import Txn, TxnKind
from tests.conftest import text


@pytest.fixture(autouse=True)
def _a_year_in_one_record(request):
    """These tests credit a year's service in one record; the day's ceiling has tests of its own."""
    if "app" in request.fixturenames:
        request.getfixturevalue("app").config["TIMEBANK_DAY_CEILING_HOURS"] = 24 * 366


SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def staff(make_user):
    return make_user("social_worker", display_name="李社工"), make_user("social_worker", display_name="黄社工")


def _at(monkeypatch, when: datetime) -> None:
    """Post the next transactions at `when` (UTC): transactions cannot be backdated once written."""
    monkeypatch.setattr(ledger, "utcnow", lambda: when)


def _history(monkeypatch, make_user, staff):
    """张阿姨: 3 h of service in 2025, 2 h on 1 Jan 2026 at 00:30 Shanghai time (still 2025 in UTC),
    gives 1 h to a neighbour in March 2026, and a reversal of the 2025 service in April 2026."""
    zhang, neighbour = make_user(display_name="张阿姨"), make_user(display_name="王大伯")
    _at(monkeypatch, datetime(2025, 6, 1, 2, 0, tzinfo=timezone.utc))
    first = ledger.credit_service(zhang, 180, description="助老陪伴", served_on=date(2025, 6, 1),
                                  recorded_by=staff[0], verified_by=staff[1], idempotency_key="s1")
    _at(monkeypatch, datetime(2025, 12, 31, 16, 30, tzinfo=timezone.utc))
    ledger.credit_service(zhang, 120, description="=HYPERLINK(\"http://x\")", served_on=date(2026, 1, 1),
                          recorded_by=staff[0], verified_by=staff[1], idempotency_key="s2")
    _at(monkeypatch, datetime(2026, 3, 8, 1, 0, tzinfo=timezone.utc))
    ledger.transfer(zhang, neighbour, 60, idempotency_key="gift", memo="给王大伯")
    _at(monkeypatch, datetime(2026, 4, 2, 1, 0, tzinfo=timezone.utc))
    ledger.reverse(db.session.get(Txn, first.txn_id), reason="重复记录", initiated_by=staff[0],
                   confirmed_by=staff[1], idempotency_key="rev")
    db.session.commit()
    return zhang


def test_statement_balances_from_opening_to_closing(monkeypatch, make_user, staff):
    zhang = _history(monkeypatch, make_user, staff)
    st = statements.statement(zhang, date(2026, 1, 1), date(2026, 12, 31), SHANGHAI)
    assert st.opening == 180  # only the June 2025 credit came before 1 Jan 2026 in Shanghai
    assert [(line.kind, line.amount, line.balance) for line in st.lines] == [
        (TxnKind.service, 120, 300), (TxnKind.transfer, -60, 240), (TxnKind.reversal, -180, 60)]
    assert (st.credits, st.debits, st.closing) == (120, 240, 60)
    assert st.closing == ledger.account_of(zhang).balance
    # the service record of the period: the 1 Jan service and the correction of the 2025 one (dated 2025)
    assert [r.minutes for r in st.services] == [120] and st.service_minutes == 120


def test_statement_days_are_local_days(monkeypatch, make_user, staff):
    zhang = _history(monkeypatch, make_user, staff)
    st = statements.statement(zhang, date(2025, 1, 1), date(2025, 12, 31), SHANGHAI)
    assert [line.amount for line in st.lines] == [180]  # 16:30 UTC on 31 Dec is 1 Jan in Shanghai
    assert st.opening == 0 and st.closing == 180
    utc = statements.statement(zhang, date(2025, 1, 1), date(2025, 12, 31), ZoneInfo("UTC"))
    assert [line.amount for line in utc.lines] == [180, 120]


def test_statement_period_is_checked(make_user):
    zhang = make_user()
    with pytest.raises(DomainError):
        statements.statement(zhang, date(2026, 2, 1), date(2026, 1, 1), SHANGHAI)
    with pytest.raises(DomainError):
        statements.statement(zhang, date(2010, 1, 1), date(2026, 1, 1), SHANGHAI)
    st = statements.statement(zhang, date(2026, 1, 1), date(2026, 1, 31), SHANGHAI)
    assert not st.has_account and st.lines == [] and st.closing == 0


def test_statement_page_shows_running_balance(monkeypatch, client_for, make_user, staff):
    zhang = _history(monkeypatch, make_user, staff)
    page = text(client_for(zhang).get("/my/timebank/statement?period_from=2026-01-01&period_to=2026-12-31"))
    assert "期初余额" in page and "3 小时" in page  # opening 180 minutes
    assert "转赠：给王大伯" in page and "−1 小时" in page and "冲正：重复记录" in page
    assert "期末余额" in page and "<strong>1 小时</strong>" in page
    assert "statement.xlsx?period_from=2026-01-01&amp;period_to=2026-12-31" in page
    # the default period is this year up to today
    assert "period_from" in text(client_for(zhang).get("/my/timebank/statement"))


def test_statement_page_in_english(monkeypatch, client_for, make_user, staff):
    client = client_for(_history(monkeypatch, make_user, staff))
    assert client.post("/prefs/locale", {"locale": "en"}).status_code == 303
    page = text(client.get("/my/timebank/statement?period_from=2026-01-01&period_to=2026-12-31"))
    assert "Opening balance" in page and "Transfer: 给王大伯" in page and "Reversal: 重复记录" in page
    assert "：" not in page.split("<main", 1)[1].split("</table>", 1)[0]


def test_statement_page_refuses_a_bad_period_and_keeps_it(client_for, make_user):
    client = client_for(make_user())
    response = client.get("/my/timebank/statement?period_from=2026-03-01&period_to=2026-01-01")
    assert response.status_code == 422
    page = text(response)
    assert "起始日期不能晚于结束日期" in page and 'value="2026-03-01"' in page
    response = client.get("/my/timebank/statement?period_from=notadate&period_to=2026-01-01")
    assert response.status_code == 422 and 'value="notadate"' in text(response)
    assert client.get("/my/timebank/statement.xlsx?period_from=2026-03-01&period_to=2026-01-01").status_code == 422


def test_xlsx_download_holds_the_statement_with_formulas_as_text(monkeypatch, client_for, make_user, staff):
    zhang = _history(monkeypatch, make_user, staff)
    response = client_for(zhang).get("/my/timebank/statement.xlsx?period_from=2026-01-01&period_to=2026-12-31")
    assert response.status_code == 200
    assert response.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert "20260101-20261231.xlsx" in response.headers["Content-Disposition"]
    assert "no-store" in response.headers["Cache-Control"]
    ws = load_workbook(io.BytesIO(response.get_data())).active
    rows = [[c.value for c in row] for row in ws.iter_rows()]
    assert rows[0] == ["时间银行对账单"] + [None] * (len(rows[0]) - 1)
    assert ["持有人", "张阿姨"] == rows[1][:2]
    summary = {r[0]: r[1] for r in rows if r[0] and r[1] is not None}
    assert (summary["期初余额（分钟）"], summary["期末余额（分钟）"]) == (180, 60)
    header = rows.index(next(r for r in rows if r[0] == "时间"))
    movements = [r for r in rows[header + 1:header + 4]]
    assert [(r[2], r[4], r[6]) for r in movements] == [("志愿服务", 120, 300), ("转赠", -60, 240), ("冲正", -180, 60)]
    cell = next(c for row in ws.iter_rows() for c in row if c.value == '=HYPERLINK("http://x")')
    assert cell.data_type == "s"  # text, never run as a formula
    assert "<f>" not in _sheet_xml(response.get_data())


def _sheet_xml(data: bytes) -> str:
    import zipfile

    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return z.read("xl/worksheets/sheet1.xml").decode()


def test_csv_download_is_excel_friendly_and_formula_safe(monkeypatch, client_for, make_user, staff):
    zhang = _history(monkeypatch, make_user, staff)
    response = client_for(zhang).get("/my/timebank/statement.csv?period_from=2026-01-01&period_to=2026-12-31")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    body = response.get_data()
    assert body.startswith("\ufeff".encode())  # BOM: Excel reads UTF-8
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert ["期末余额（分钟）", "60"] in rows
    assert any(r[:1] == ["时间"] for r in rows)
    assert any("'=HYPERLINK(\"http://x\")" in r for r in rows)
    assert not any(cell.startswith("=") for r in rows for cell in r)


def test_statement_is_only_ones_own(monkeypatch, client, client_for, make_user, staff):
    zhang = _history(monkeypatch, make_user, staff)
    other = client_for(make_user(display_name="路人"))
    page = text(other.get("/my/timebank/statement?period_from=2026-01-01&period_to=2026-12-31"))
    assert "张阿姨" not in page and "给王大伯" not in page
    assert client.get("/my/timebank/statement.csv").status_code == 302  # to the login page
    assert zhang.display_name == "张阿姨"


def test_social_worker_prints_a_residents_statement(monkeypatch, client_for, make_user, staff, places):
    """For a resident without a phone: the social worker of the community picks them and prints or downloads."""
    zhang = _history(monkeypatch, make_user, staff)
    client = client_for(staff[0])
    url = f"/c/{places.community.id}/timebank/statement"
    blank = text(client.get(url))
    assert "张阿姨" not in blank and "期初余额" not in blank  # no list of every resident
    offered = client.get(url + "?user_id_q=张&period_from=2026-01-01&period_to=2026-12-31")
    assert offered.status_code == 422 and f'name="user_id" value="{zhang.id}"' in text(offered)
    assert "期初余额" not in text(offered)
    by_name = client.get(url + "?user_id_q=张阿姨&period_from=2026-01-01&period_to=2026-12-31")
    assert by_name.status_code == 422 and f'value="{zhang.id}" checked' in text(by_name)  # one tap to confirm
    assert "张阿姨：2026-01-01 至 2026-12-31" not in text(by_name)
    query = f"?user_id={zhang.id}&period_from=2026-01-01&period_to=2026-12-31"
    page = text(client.get(url + query))
    assert "张阿姨：2026-01-01 至 2026-12-31" in page and "冲正：重复记录" in page
    assert f"statement.csv?user_id={zhang.id}&amp;period_from=2026-01-01" in page
    rows = list(csv.reader(io.StringIO(client.get(url.replace("statement", "statement.csv") + query)
                                       .get_data(as_text=True).lstrip("\ufeff"))))
    assert ["持有人", "张阿姨"] in rows and ["期末余额（分钟）", "60"] in rows
    assert client.get(url + "?period_from=2026-01-01&period_to=2026-12-31").status_code == 422  # no one chosen


def test_only_the_communitys_social_workers_print_its_residents_statements(monkeypatch, client_for, make_user,
                                                                            staff, places):
    zhang = _history(monkeypatch, make_user, staff)
    query = f"?user_id={zhang.id}&period_from=2026-01-01&period_to=2026-12-31"
    other = client_for(make_user("social_worker", scope=places.other))
    assert other.get(f"/c/{places.community.id}/timebank/statement.csv{query}").status_code == 404
    assert client_for(make_user()).get(f"/c/{places.community.id}/timebank/statement{query}").status_code == 403
    # the right social worker, the wrong community's resident: not in the list
    outsider = make_user(community=places.other)
    own = client_for(staff[0])
    response = own.get(f"/c/{places.community.id}/timebank/statement?user_id={outsider.id}")
    assert response.status_code == 404


def test_volunteer_hours_report_counts_the_service_record(monkeypatch, client_for, make_user, staff, places):
    """Per volunteer for a period: service in the period (corrections included), count, all-time total, stars."""
    zhang = _history(monkeypatch, make_user, staff)  # 180 on 2025-06-01 (reversed, dated 2025), 120 on 2026-01-01
    li = make_user(display_name="李叔")
    ledger.credit_service(li, 100 * 60, description="全年助老", served_on=date(2026, 5, 1), recorded_by=staff[0],
                          verified_by=staff[1], idempotency_key="li")
    db.session.commit()
    rows = statements.volunteer_hours(places.community.id, date(2026, 1, 1), date(2026, 12, 31))
    assert [(r.volunteer.display_name, r.minutes, r.services, r.total) for r in rows] == [
        ("李叔", 6000, 1, 6000), ("张阿姨", 120, 1, 120)]
    rows_2025 = statements.volunteer_hours(places.community.id, date(2025, 1, 1), date(2025, 12, 31))
    assert [(r.minutes, r.services) for r in rows_2025] == [(0, 1)]  # the service and its correction
    with pytest.raises(DomainError):
        statements.volunteer_hours(places.community.id, date(2026, 2, 1), date(2026, 1, 1))

    client = client_for(staff[0])
    url = f"/c/{places.community.id}/timebank/volunteers"
    page = text(client.get(url + "?period_from=2026-01-01&period_to=2026-12-31"))
    assert "2 名志愿者" in page and "李叔" in page and "★☆☆☆☆" in page and zhang.display_name in page
    assert "1 次" in page
    workbook = load_workbook(io.BytesIO(client.get(url.replace("volunteers", "volunteers.xlsx")
                                                   + "?period_from=2026-01-01&period_to=2026-12-31").get_data()))
    rows = [[c.value for c in row] for row in workbook.active.iter_rows()]
    assert ["李叔", 6000] == next(r for r in rows if r[0] == "李叔")[:2]
    assert next(r for r in rows if r[0] == "李叔")[5] == 1  # one star at 100 hours
    assert client.get(url + "?period_from=2026-03-01&period_to=2026-01-01").status_code == 422
    outsider = client_for(make_user("social_worker", scope=places.other))
    assert outsider.get(url).status_code == 404
    assert client_for(make_user()).get(url + ".csv").status_code == 403
