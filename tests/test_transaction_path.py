"""One transaction path: a writing request commits once when it succeeds and
leaves nothing behind when it fails; a POST-only URL reloaded as GET lands on
its page; scoped loaders' NotFound/Forbidden answer 404/403."""
from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint

from app.domain import DomainError, Forbidden, NotFound
from app.extensions import db
from app.places.models import Grid
from app.web import act, see_other


def _routes(app, places):
    community_id = places.community.id  # read here: the test's own session must not wake inside a request
    bp = Blueprint("tx_test", __name__)

    @bp.post("/tx-test/ok")
    def ok():
        db.session.add(Grid(community_id=community_id, name="提交的网格"))
        return see_other("/")

    @bp.post("/tx-test/refused")
    def refused():
        def action():
            db.session.add(Grid(community_id=community_id, name="半途的网格"))
            db.session.flush()
            raise DomainError("不行")
        return act(action, "好", "/")

    @bp.post("/tx-test/made/<int:refuse>")
    def made(refuse: int):
        def action():
            if refuse:
                raise DomainError("不行")
            grid = Grid(community_id=community_id, name="新的网格")
            db.session.add(grid)
            db.session.flush()
            return grid
        return act(action, "好", "/back", done=lambda grid: f"/made/{grid.id}")

    @bp.post("/tx-test/error-status")
    def error_status():
        db.session.add(Grid(community_id=community_id, name="422的网格"))
        return "bad", 422

    @bp.get("/tx-test/missing")
    def missing():
        raise NotFound()

    @bp.get("/tx-test/forbidden")
    def forbidden():
        raise Forbidden()

    app.register_blueprint(bp)


def _names():
    return set(db.session.scalars(sa.select(Grid.name)))


def test_success_commits_and_failure_leaves_nothing(app, places, client):
    _routes(app, places)
    app.config["WTF_CSRF_ENABLED"] = False
    assert client.post("/tx-test/ok", csrf=False).status_code == 303
    assert client.post("/tx-test/refused", csrf=False).status_code == 303
    assert client.post("/tx-test/error-status", csrf=False).status_code == 422
    db.session.expire_all()
    names = _names()
    assert "提交的网格" in names and "半途的网格" not in names and "422的网格" not in names


def test_scoped_loader_answers_are_404_and_403(app, places, client):
    _routes(app, places)
    assert client.get("/tx-test/missing").status_code == 404
    assert client.get("/tx-test/forbidden").status_code == 403


def test_a_post_only_url_reloaded_as_get_lands_on_its_page(client, places):
    response = client.get("/topics/1/rating")
    assert response.status_code == 303 and response.headers["Location"].endswith("/topics/1")
    response = client.get(f"/c/{places.community.id}/timebank/settings")
    assert response.status_code == 303 and response.headers["Location"].endswith(f"/c/{places.community.id}/timebank")


def test_act_goes_to_what_the_action_made_and_back_when_refused(app, places, client):
    _routes(app, places)
    app.config["WTF_CSRF_ENABLED"] = False
    made = client.post("/tx-test/made/0", csrf=False)
    grid_id = db.session.scalar(sa.select(Grid.id).where(Grid.name == "新的网格"))
    assert made.status_code == 303 and made.headers["Location"] == f"/made/{grid_id}"
    refused = client.post("/tx-test/made/1", csrf=False)
    assert refused.status_code == 303 and refused.headers["Location"] == "/back"
