"""Responses are compressed by the app itself; /healthz answers for the load balancer."""
from __future__ import annotations

import gzip

import brotli


def test_pages_are_compressed_when_the_browser_asks(client):
    plain = client.get("/")
    squeezed = client.get("/", headers={"Accept-Encoding": "gzip"})
    assert squeezed.headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(squeezed.data) == plain.data
    assert len(squeezed.data) < len(plain.data) / 2
    assert "Accept-Encoding" in squeezed.headers["Vary"]


def test_brotli_is_preferred_and_static_assets_are_compressed(client):
    css = client.get("/static/css/app.css", headers={"Accept-Encoding": "gzip, br"})
    assert css.headers["Content-Encoding"] == "br"
    body = brotli.decompress(css.data)
    css.close()
    raw = client.get("/static/css/app.css")
    assert body == raw.data
    raw.close()


def test_no_compression_without_the_header(client):
    response = client.get("/")
    assert "Content-Encoding" not in response.headers


def test_health_check_answers_with_the_database(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json == {"status": "ok", "database": "ok"}
    assert response.headers["Cache-Control"] == "no-store"


def test_health_check_says_when_the_database_is_gone(app, client, monkeypatch):
    from app.extensions import db

    def broken(*args, **kwargs):
        raise RuntimeError("database down")

    monkeypatch.setattr(db.session, "execute", broken)
    response = client.get("/healthz")
    assert response.status_code == 503 and response.json["status"] == "unavailable"
