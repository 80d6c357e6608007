"""The statement's service records are bounded on the page (the period's total
still counts them all) and complete in the downloads, which stream the CSV."""
from __future__ import annotations

import csv
import io
from datetime import date, timedelta

from app.extensions import db
from app.timebank import ledger, statements
from tests.conftest import text


def test_service_records_beyond_a_page_are_counted_and_downloaded(client_for, make_user):
    worker, checker = make_user("social_worker"), make_user("social_worker")
    volunteer = make_user(display_name="张阿姨")
    n = statements.PAGE + 5
    for i in range(n):
        ledger.credit_service(volunteer, 30, description=f"服务{i:03d}号", served_on=date(2026, 1, 1) + timedelta(days=i),
                              recorded_by=worker, verified_by=checker, idempotency_key=f"s{i}")
    db.session.commit()
    client = client_for(volunteer)
    url = "/my/timebank/statement?period_from=2026-01-01&period_to=2026-12-31"
    page = text(client.get(url))
    assert page.count("号</td>") == statements.PAGE and "服务000号" in page and f"服务{n - 1:03d}号" not in page
    st = statements.statement(volunteer, date(2026, 1, 1), date(2026, 12, 31), ledger_zone())
    assert st.service_minutes == 30 * n and st.more_services
    response = client.get(url.replace("statement", "statement.csv"))
    assert response.status_code == 200 and "Content-Length" not in response.headers  # sent as written
    assert "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.get_data().decode("utf-8-sig"))))
    assert sum(1 for r in rows if len(r) > 1 and r[1].startswith("服务") and r[1].endswith("号")) == n


def test_service_records_page_on_with_a_next_link(client_for, make_user):
    """Records come a page at a time in date order, ties on a date by record;
    the next page starts after the last one shown, and a record id that is not
    the holder's starts from the first page."""
    import re

    worker, checker = make_user("social_worker"), make_user("social_worker")
    volunteer, other = make_user(), make_user()
    n = statements.PAGE + 7
    for i in range(n):  # three records a day, written out of date order
        day = date(2026, 1, 1) + timedelta(days=(n - i) // 3)
        ledger.credit_service(volunteer, 10, description=f"服务{i:03d}号", served_on=day, recorded_by=worker,
                              verified_by=checker, idempotency_key=f"p{i}")
    foreign = ledger.credit_service(other, 10, description="别人的", served_on=date(2026, 2, 1), recorded_by=worker,
                                    verified_by=checker, idempotency_key="other")
    db.session.commit()
    client = client_for(volunteer)
    url = "/my/timebank/statement?period_from=2026-01-01&period_to=2026-12-31"
    first = text(client.get(url))
    shown = re.findall(r"服务\d{3}号", first.split('id="services-title"')[1])  # the movements name them too
    assert len(shown) == statements.PAGE
    link = re.search(r'href="([^"]*services_after=\d+[^"]*)"', first).group(1).replace("&amp;", "&")
    assert link.endswith("#services-title")
    second = text(client.get(link))
    rest = re.findall(r"服务\d{3}号", second.split('id="services-title"')[1])
    assert len(rest) == 7 and not set(rest) & set(shown) and '#services-title"' not in second  # the last page
    everything = statements.statement(volunteer, date(2026, 1, 1), date(2026, 12, 31), ledger_zone(), limit=None)
    assert shown + rest == [r.description for r in everything.services]  # date order, then record order
    st = statements.statement(volunteer, date(2026, 1, 1), date(2026, 12, 31), ledger_zone(),
                              services_after=everything.services[-3].id)
    assert st.service_minutes == 10 * n and st.more_services and len(st.services) == 2
    stranger = statements.statement(volunteer, date(2026, 1, 1), date(2026, 12, 31), ledger_zone(),
                                    services_after=foreign.id)
    assert [r.id for r in stranger.services] == [r.id for r in everything.services[:statements.PAGE]]


def test_a_short_period_lists_every_record_without_a_note(client_for, make_user):
    worker, checker = make_user("social_worker"), make_user("social_worker")
    volunteer = make_user()
    ledger.credit_service(volunteer, 60, description="助老", served_on=date(2026, 3, 1), recorded_by=worker,
                          verified_by=checker, idempotency_key="one")
    db.session.commit()
    st = statements.statement(volunteer, date(2026, 1, 1), date(2026, 12, 31), ledger_zone())
    assert [r.description for r in st.services] == ["助老"] and st.service_minutes == 60 and not st.more_services


def ledger_zone():
    from zoneinfo import ZoneInfo

    return ZoneInfo("Asia/Shanghai")
