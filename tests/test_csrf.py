"""Every state-changing route refuses a request without a CSRF token."""
from __future__ import annotations

import re

import pytest

from tests.conftest import Client, text
from tests.test_matrix import World, _login

MUTATING = {"POST", "PUT", "PATCH", "DELETE"}


def mutating_routes(app):
    return sorted((method, rule.rule) for rule in app.url_map.iter_rules()
                  for method in rule.methods & MUTATING)


def test_every_mutating_route_needs_the_token(app, places, make_user):
    world = World(places, make_user)
    admin = _login(app, world.personas["M"])
    anonymous = Client(app.test_client())
    routes = mutating_routes(app)
    assert len(routes) > 20
    for method, rule in routes:
        for client in (admin, anonymous):
            response = client.open(world.url(rule), method=method, data={"name": "x"})
            assert response.status_code == 400, (method, rule, response.status_code)
            assert "表单已过期或来源无效" in text(response)
        bad = admin.open(world.url(rule), method=method, data={"csrf_token": "forged"})
        assert bad.status_code == 400, (method, rule)


def test_token_in_header_is_accepted_as_htmx_sends_it(app, make_user):
    user = make_user()
    client = Client(app.test_client())
    client.login(user)
    page = text(client.get("/notifications"))
    token = re.search(r'X-CSRFToken": "([^"]+)"', page).group(1)
    response = client.open("/notifications/read-all", method="POST", headers={"X-CSRFToken": token,
                                                                              "HX-Request": "true"})
    assert response.status_code == 200


@pytest.mark.parametrize("path", ["/login", "/register"])
def test_pages_carry_the_token_in_forms_and_hx_headers(client, places, path):
    body = text(client.get(path))
    assert 'hx-headers=\'{"X-CSRFToken": "' in body
    assert 'name="csrf_token"' in body
