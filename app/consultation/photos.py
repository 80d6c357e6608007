"""Photo uploads: the type is read from the content (not the name), the image
is re-encoded (which drops EXIF, GPS and every other metadata) and scaled to
at most 1600 px on its long side."""
from __future__ import annotations

import io
import secrets

from flask_babel import lazy_gettext as _l
from PIL import Image, ImageOps, UnidentifiedImageError

from app.domain import DomainError

MAX_BYTES = 5 * 1024 * 1024
MAX_SIDE = 1600
MAX_PHOTOS = 3
ALLOWED = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}
Image.MAX_IMAGE_PIXELS = 40_000_000  # refuse decompression bombs


def process(raw: bytes) -> tuple[bytes, str, int, int]:
    """(re-encoded bytes, content type, width, height) or a DomainError."""
    if len(raw) > MAX_BYTES:
        raise DomainError(_l("Each photo may be at most 5 MB."), field="photos")
    try:
        with Image.open(io.BytesIO(raw)) as probe:
            kind = probe.format
            probe.verify()
        if kind not in ALLOWED:
            raise DomainError(_l("Photos must be JPEG, PNG or WebP images."), field="photos")
        with Image.open(io.BytesIO(raw)) as image:
            image = ImageOps.exif_transpose(image)
            image.thumbnail((MAX_SIDE, MAX_SIDE))
            out = io.BytesIO()
            if kind == "PNG":
                image.save(out, format="PNG", optimize=True)
            else:
                if image.mode not in ("RGB", "L"):
                    image = image.convert("RGB")
                kind = "JPEG" if kind == "JPEG" else "WEBP"
                image.save(out, format=kind, quality=82)
            return out.getvalue(), ALLOWED[kind], image.width, image.height
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise DomainError(_l("Photos must be JPEG, PNG or WebP images."), field="photos") from None


def new_token() -> str:
    return secrets.token_urlsafe(18)
