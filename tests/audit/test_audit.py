"""Reading the audit log: scoped, as sentences, filtered, exported."""
from __future__ import annotations

import ast
import io
import pathlib
from datetime import datetime, timezone

import sqlalchemy as sa

from app.audit.models import AuditEntry
from app.audit.sentences import SENTENCES
from app.audit.services import record
from app.extensions import db
from tests.conftest import text


def _english(client):
    client.post("/prefs/locale", {"locale": "en"})
    return client


def test_admin_sees_all_entries_and_staff_only_their_subdistrict(client_for, make_user, places):
    record(None, "test.inside", object_type="thing", object_id=1, community_id=places.community.id)
    record(None, "test.outside", object_type="thing", object_id=2, community_id=places.other.id)
    db.session.commit()
    admin = text(client_for(make_user("admin")).get("/audit"))
    assert "test: inside" in admin and "test: outside" in admin
    staff = text(client_for(make_user("subdistrict_staff")).get("/audit"))
    assert "test: inside" in staff and "test: outside" not in staff


def _recorded_actions() -> set[str]:
    """Every action name written by a `record(...)` call in app/, and the ledger's."""
    from app.timebank.models import TxnKind

    actions = {f"timebank.{kind.name}" for kind in TxnKind}
    for path in pathlib.Path("app").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "record" and len(node.args) > 1:
                for part in ast.walk(node.args[1]):
                    if isinstance(part, ast.Constant) and isinstance(part.value, str) and "." in part.value:
                        actions.add(part.value)
    return actions


def test_every_recorded_action_has_a_sentence():
    actions = _recorded_actions()
    assert len(actions) > 60
    assert sorted(actions - set(SENTENCES)) == []


def test_a_transition_reads_as_a_sentence_with_a_link_in_the_readers_language(client_for, make_user, places):
    actor = make_user("social_worker", display_name="王社工")
    record(actor, "consultation.transition", object_type="topic", object_id=7, community_id=places.community.id,
           **{"from": "draft", "to": "published", "note": "", "proxy": None})
    record(actor, "timebank.service", object_type="txn", object_id=3, community_id=places.community.id,
           legs=[[1, -60], [2, 60]], confirmed_by=None)
    db.session.commit()
    body = text(_english(client_for(make_user("subdistrict_staff"))).get("/audit"))
    assert '王社工 moved <a href="/topics/7">topic #7</a> from “Draft” to “Open for support”.' in body
    assert "王社工 credited 60 minutes of service (transaction #3)." in body
    assert "legs" not in body and "from=" not in body


def test_an_unknown_action_reads_as_a_generic_sentence(client_for, make_user, places):
    record(None, "gardens.plant_tree", object_type="tree", object_id=4, community_id=places.community.id,
           kind=object())
    db.session.commit()
    body = text(_english(client_for(make_user("admin"))).get("/audit"))
    assert "The system: gardens: plant tree on tree #4 (kind " in body
    assert "object at 0x" not in body


def test_a_proxy_passed_to_record_is_stored_as_its_object(app, make_user):
    from flask_login import current_user, login_user

    user = make_user()
    with app.test_request_context():
        login_user(user)
        entry = record(current_user, "accounts.change_password", current_user, by=current_user)
    assert (entry.object_type, entry.object_id, entry.actor_id) == ("user", user.id, user.id)
    assert "localproxy" not in str(entry.detail).lower() and "LocalProxy" not in str(entry.detail)


def test_filters_by_community_person_domain_and_local_dates(client_for, make_user, places):
    alice = make_user("social_worker", display_name="李阿姨")
    record(alice, "places.thing", object_type="x", object_id=1, community_id=places.community.id, name="甲")
    record(None, "accounts.thing", object_type="x", object_id=2, community_id=places.sibling.id, name="乙")
    late = record(None, "meetings.thing", object_type="x", object_id=3, community_id=places.community.id, name="丙")
    late.at = datetime(2026, 5, 1, 15, 30, tzinfo=timezone.utc)  # 23:30 on 1 May in Beijing
    db.session.commit()
    c = client_for(make_user("subdistrict_staff"))
    by_community = text(c.get(f"/audit?community={places.community.id}"))
    assert "乙" not in by_community and "丙" in by_community
    assert "甲" in text(c.get("/audit?person=李阿")) and "乙" not in text(c.get("/audit?person=李阿"))
    assert "乙" in text(c.get("/audit?domain=accounts")) and "甲" not in text(c.get("/audit?domain=accounts"))
    may_first = text(c.get("/audit?since=2026-05-01&until=2026-05-01"))
    assert "丙" in may_first and "甲" not in may_first
    assert "丙" not in text(c.get("/audit?since=2026-05-02&until=2026-05-02"))
    assert c.get(f"/audit?community={places.other.id}").status_code == 404


def test_export_csv_and_xlsx_of_the_filtered_entries(client_for, make_user, places):
    from openpyxl import load_workbook

    record(None, "places.update_grid", object_type="grid", object_id=1, community_id=places.community.id,
           name="=HYPERLINK(\"http://x\")")
    record(None, "accounts.other", object_type="x", object_id=2, community_id=places.community.id)
    db.session.commit()
    c = client_for(make_user("admin"))
    csv_body = c.get("/audit.csv?domain=places").get_data().decode("utf-8-sig")
    assert "changed the grid" in csv_body or "更改了网格" in csv_body or "网格" in csv_body
    assert "accounts" not in csv_body and '=HYPERLINK' in csv_body
    assert "\n=" not in csv_body and ",=" not in csv_body
    book = load_workbook(io.BytesIO(c.get("/audit.xlsx?domain=places").get_data()))
    cells = [cell for row in book.active.iter_rows() for cell in row if isinstance(cell.value, str)]
    formula_like = [cell for cell in cells if "HYPERLINK" in cell.value]
    assert formula_like and all(cell.data_type == "s" for cell in formula_like)


def test_entries_record_the_client_address(client_for, make_user):
    worker = make_user("social_worker")
    resident = make_user(verified=False)
    client_for(worker).post(f"/verification/{resident.id}/verify", environ_base={"REMOTE_ADDR": "10.1.2.3"})
    entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "accounts.verify_residence"))
    assert entry.ip == "10.1.2.3"
