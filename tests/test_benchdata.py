"""`flask bench-data`: the city-scale generator, run at a tiny scale on both databases."""
from __future__ import annotations

import statistics

import pytest
import sqlalchemy as sa

from app import benchdata
from app.extensions import db

SCALE = 0.002  # 40 residents, 200 topics, 1,000 comments, 4 meetings, 100 activities, 2,000 postings


def count(sql: str) -> int:
    return db.session.execute(sa.text(sql)).scalar()


@pytest.fixture
def generated(app):
    result = benchdata.generate(SCALE, echo=lambda _line: None)
    db.session.remove()
    return result


def test_sizes_are_proportional_to_the_city():
    city = benchdata.sizes(1)
    assert city == {"communities": 20, "residents": 20_000, "topics": 100_000, "comments": 500_000,
                    "meetings": 2_000, "activities": 50_000, "postings": 1_000_000}
    tenth = benchdata.sizes(0.1)
    assert tenth["topics"] == 10_000 and tenth["comments"] == 50_000 and tenth["postings"] == 100_000


def test_counts_match_the_scale(generated):
    n = benchdata.sizes(SCALE)
    assert count("SELECT count(*) FROM community") == n["communities"]
    assert count("SELECT count(*) FROM \"user\" WHERE phone IS NOT NULL") == n["residents"]
    assert count("SELECT count(*) FROM topic") == n["topics"]
    assert count("SELECT count(*) FROM comment") == n["comments"]
    assert count("SELECT count(*) FROM meeting") == n["meetings"]
    assert count("SELECT count(*) FROM activity") == n["activities"]
    assert count("SELECT count(*) FROM posting") == n["postings"]
    # every transaction has its audit entry, as timebank_post writes it
    assert count("SELECT count(*) FROM audit_entry WHERE object_type = 'txn'") == count("SELECT count(*) FROM txn")


def test_comments_are_heavy_tailed_and_counters_are_what_the_services_recount(generated):
    per_topic = [c for (c,) in db.session.execute(sa.text(
        "SELECT count(*) FROM comment GROUP BY topic_id ORDER BY count(*) DESC"))]
    assert per_topic[0] >= 5 * statistics.median(per_topic)
    busiest = db.session.execute(sa.text(
        "SELECT topic_id FROM comment GROUP BY topic_id ORDER BY count(*) DESC LIMIT 1")).scalar()
    assert busiest == generated["busiest_topic"]
    # comment_count counts what readers see: not deleted, hidden or held by keywords
    wrong = count("""SELECT count(*) FROM topic t WHERE t.comment_count <> (SELECT count(*) FROM comment c
                     WHERE c.topic_id = t.id AND c.deleted_at IS NULL AND c.hidden_at IS NULL
                     AND c.held_by_keywords = false)""")
    assert wrong == 0
    assert count("SELECT count(*) FROM topic t WHERE t.support_count <> "
                 "(SELECT count(*) FROM support s WHERE s.topic_id = t.id)") == 0
    assert count("SELECT count(*) FROM comment c WHERE c.report_count <> (SELECT count(*) FROM report r "
                 "WHERE r.target_type = 'comment' AND r.target_id = c.id AND r.resolved_at IS NULL)") == 0
    # published topics stay below the support threshold (reaching it moves them to deliberation)
    assert count(f"SELECT count(*) FROM topic WHERE state = 'published' AND support_count >= "
                 f"{benchdata.SUPPORT_THRESHOLD}") == 0
    # comments only on topics open for them; replies one level deep
    assert count("SELECT count(*) FROM comment c JOIN topic t ON t.id = c.topic_id WHERE t.state NOT IN "
                 "('published', 'deliberating', 'decided', 'in_progress', 'completed')") == 0
    assert count("SELECT count(*) FROM comment c JOIN comment p ON p.id = c.parent_id "
                 "WHERE p.parent_id IS NOT NULL OR p.topic_id <> c.topic_id") == 0


def test_the_ledger_is_balanced_and_a_few_residents_are_heavy(generated):
    from app.timebank import ledger

    result = ledger.verify()
    assert result["problems"] == []
    assert result["postings"] == benchdata.sizes(SCALE)["postings"]
    movements = [c for (c,) in db.session.execute(sa.text(
        "SELECT count(*) FROM posting p JOIN account a ON a.id = p.account_id WHERE a.kind = 'resident' "
        "GROUP BY p.account_id ORDER BY count(*) DESC"))]
    heavy = db.session.execute(sa.text(
        "SELECT count(*) FROM posting p JOIN account a ON a.id = p.account_id JOIN \"user\" u ON u.id = a.user_id "
        "WHERE u.phone = :phone"), {"phone": generated["heavy"][0]}).scalar()
    assert heavy >= 2.5 * statistics.median(movements)  # 60 times at scale 1
    # the issuance account is the only one below zero, and every service credit has its record
    assert count("SELECT count(*) FROM account WHERE balance < 0 AND kind <> 'issuance'") == 0
    assert count("SELECT count(*) FROM txn WHERE kind = 'service'") == count("SELECT count(*) FROM service_record")


def test_logins_work_and_new_rows_get_fresh_ids(generated, client):
    from app.accounts import services
    from app.accounts.models import User

    response = client.post("/login", {"login": "sw01a", "password": benchdata.BENCH_PASSWORD})
    assert response.status_code == 303
    assert client.get("/c/1/moderation").status_code == 200
    # the sequences moved past the ids the generator chose
    user = services.create_user(None, login="newcomer", display_name="新人", password="correct horse battery")
    db.session.commit()
    assert user.id == db.session.scalar(sa.select(sa.func.max(User.id)))


def test_refuses_a_database_that_has_data(generated):
    with pytest.raises(RuntimeError, match="not empty"):
        benchdata.generate(SCALE, echo=lambda _line: None)
