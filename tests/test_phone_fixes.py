"""What a phone user met and the page guard (tests/browser/test_page_guard.py)
reported, pinned where a test without a browser can see it: QR images a
browser can decode, a clean CSV header, a favicon, and the wording."""
from __future__ import annotations

from tests.conftest import text


def test_qr_svg_is_a_standalone_svg_a_browser_decodes_as_an_image(app):
    """Served as its own image, the SVG needs its namespace, or <img> shows nothing."""
    from app.web import qr_svg

    with app.test_request_context():
        response = qr_svg("https://example.org/meetings/1/checkin?code=ABC", "签到二维码")
    body = response.get_data(as_text=True)
    assert body.startswith("<svg") and 'xmlns="http://www.w3.org/2000/svg"' in body.split(">", 1)[0]
    assert "<title>签到二维码</title>" in body
    assert response.headers["Content-Type"] == "image/svg+xml"


def test_csv_download_says_its_charset_once_and_keeps_a_readable_ascii_name(app):
    from app.exports import Sheet, download

    with app.test_request_context():
        response = download(Sheet(title="流水", preamble=[], tables=[]), "时间银行流水_20260101-20261130", "csv")
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    disposition = response.headers["Content-Disposition"]
    fallback = disposition.split("filename=", 1)[1].split(";", 1)[0].strip('"')
    assert fallback[0].isalnum() and fallback.endswith("_20260101-20261130.csv")
    assert "filename*=UTF-8''" in disposition  # the Chinese name for browsers that read it


def test_favicon_is_served(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 200 and response.data
    assert response.mimetype.startswith("image/")
    response.close()
