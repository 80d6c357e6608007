"""Photo uploads: an image whose header claims too many pixels is refused
before anything is decoded, and a JPEG's comment does not survive re-encoding."""
from __future__ import annotations

import io

import pytest
import sqlalchemy as sa
from PIL import Image, ImageFile

from app.consultation import photos as photo_files
from app.consultation.models import Photo, Topic
from app.domain import DomainError
from app.extensions import db
from tests.conftest import text

TOO_MANY_PIXELS = "每张照片最多 4000 万像素"


def huge_png(side: int = 8900) -> bytes:
    """A PNG whose header says side × side: one bit a pixel, all zero, so the
    file is tiny (about 10 KB for 8900²) while decoding it to RGB takes ~240 MB."""
    out = io.BytesIO()
    Image.new("1", (side, side)).save(out, format="PNG", optimize=True)
    return out.getvalue()


@pytest.fixture
def no_decoding(monkeypatch):
    """Fail loudly if any pixel data is decoded."""
    decoded = []

    def load(self):
        decoded.append(self.size)
        raise AssertionError(f"decoded an image of {self.size}")

    monkeypatch.setattr(ImageFile.ImageFile, "load", load)
    return decoded


def test_the_huge_png_is_cheap_to_send_and_past_pillows_warning_only():
    raw = huge_png()
    assert len(raw) < photo_files.MAX_BYTES
    # between 1x and 2x Pillow only warns: it would have decoded this
    assert Image.MAX_IMAGE_PIXELS < 8900 * 8900 < 2 * Image.MAX_IMAGE_PIXELS


def test_too_many_pixels_are_refused_before_decoding(app, no_decoding):
    with pytest.raises(DomainError) as refused:
        photo_files.process(huge_png())
    assert refused.value.field == "photos" and "40" in str(refused.value.message)
    assert no_decoding == []


def test_pillows_bomb_warning_is_an_error(app, no_decoding, monkeypatch):
    """Even if our own limit were raised, Pillow's warning refuses the image instead of decoding it."""
    monkeypatch.setattr(photo_files, "MAX_PIXELS", 10**10)
    with pytest.raises(DomainError):
        photo_files.process(huge_png())
    assert no_decoding == []


def test_a_huge_photo_upload_answers_422_with_the_reason(client_for, make_user, places, settings, no_decoding):
    settings()
    c = client_for(make_user())
    data = {"title": "楼道堆物清理", "body": "5幢楼道长期堆放杂物，存在消防隐患。", "category_id": "",
            "location": "5幢", "submit": "review",
            "photos": [(io.BytesIO(huge_png()), f"{i}.png") for i in range(3)]}
    response = c.post(f"/c/{places.community.id}/topics/new", data, content_type="multipart/form-data")
    assert response.status_code == 422 and TOO_MANY_PIXELS in text(response)
    assert "楼道堆物清理" in text(response)  # what was typed is kept
    assert db.session.scalar(sa.select(sa.func.count(Topic.id))) == 0
    assert no_decoding == []


def test_a_jpeg_comment_is_dropped(client_for, make_user, places, settings):
    settings()
    image = Image.new("RGB", (120, 90), (30, 90, 160))
    out = io.BytesIO()
    image.save(out, format="JPEG", comment=b"taken at Room 502, Building 5")
    raw = out.getvalue()
    assert b"Room 502" in raw and Image.open(io.BytesIO(raw)).info["comment"]
    c = client_for(make_user())
    data = {"title": "楼道堆物清理", "body": "5幢楼道长期堆放杂物，存在消防隐患。", "category_id": "",
            "location": "5幢", "submit": "review", "photos": [(io.BytesIO(raw), "site.jpg")]}
    response = c.post(f"/c/{places.community.id}/topics/new", data, content_type="multipart/form-data")
    assert response.status_code == 303, text(response)[:2000]
    photo = db.session.scalar(sa.select(Photo))
    assert b"Room 502" not in photo.data
    assert b"\xff\xfe" not in photo.data  # no COM segment at all
    assert "comment" not in Image.open(io.BytesIO(photo.data)).info


def test_ordinary_photos_still_pass(app):
    """A large ordinary JPEG is scaled down (decoded at a reduced scale), a
    transparent PNG keeps its transparency."""
    out = io.BytesIO()
    Image.new("RGB", (4000, 3000), (200, 120, 40)).save(out, format="JPEG")
    data, kind, width, height = photo_files.process(out.getvalue())
    assert kind == "image/jpeg" and (width, height) == (1600, 1200)
    out = io.BytesIO()
    Image.new("RGBA", (50, 50), (0, 0, 0, 0)).save(out, format="PNG")
    data, kind, *_ = photo_files.process(out.getvalue())
    assert Image.open(io.BytesIO(data)).getpixel((0, 0))[3] == 0
