"""One endpoint, two outputs: a fragment for plain htmx requests, the page otherwise."""
from __future__ import annotations

import re

import pytest

from tests.conftest import text

CASES = [
    ("/notifications", 'id="notification-list"'),
    ("/audit", "<tr"),
    ("/admin/users", "<tr"),
]


@pytest.mark.parametrize("path,marker", CASES)
def test_fragment_page_and_boosted(client_for, make_user, path, marker):
    c = client_for(make_user("admin"))
    fragment = c.get(path, headers={"HX-Request": "true"})
    assert fragment.status_code == 200
    assert "<html" not in text(fragment) and marker in text(fragment)
    assert "HX-Request" in fragment.headers["Vary"]
    page = c.get(path)
    assert "<html" in text(page) and marker in text(page) and "HX-Request" in page.headers["Vary"]
    boosted = c.get(path, headers={"HX-Request": "true", "HX-Boosted": "true"})
    assert "<html" in text(boosted) and "HX-Request" in boosted.headers["Vary"]
    restore = c.get(path, headers={"HX-Request": "true", "HX-History-Restore-Request": "true"})
    assert "<html" in text(restore)


def test_htmx_config_meta_is_safe(client):
    body = text(client.get("/"))
    for setting in ["selfRequestsOnly&#34;:true", "allowEval&#34;:false", "allowScriptTags&#34;:false",
                    "includeIndicatorStyles&#34;:false", "historyRestoreAsHxRequest&#34;:false"]:
        assert setting in body
    assert re.search(r'src="/static/vendor/htmx-2.0.11.min.js\?v=[0-9a-f]{10}" defer', body)


def test_no_inline_script_or_handlers_in_any_template():
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent / "templates"
    for path in root.rglob("*.html"):
        source = path.read_text()
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", source), path
        assert not re.search(r"\son[a-z]+=", source), path
        assert "hx-on" not in source, path
        assert "javascript:" not in source, path
