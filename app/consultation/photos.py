"""Photo uploads: the type is read from the content (not the name), the size
the header claims is checked before a single pixel is decoded, and the image
is re-encoded (which drops EXIF, GPS, XMP, comments and every other metadata)
and scaled to at most 1600 px on its long side."""
from __future__ import annotations

import io
import secrets
import warnings

from flask_babel import lazy_gettext as _l
from PIL import Image, ImageOps, UnidentifiedImageError

from app.domain import DomainError

MAX_BYTES = 5 * 1024 * 1024
MAX_SIDE = 1600
MAX_PHOTOS = 3
MAX_PIXELS = 40_000_000  # 40 megapixels: ~120 MB once decoded to RGB
ALLOWED = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}
KEPT_INFO = ("transparency", "icc_profile")  # needed to show the picture right; nothing about who took it
# Pillow raises only above twice its limit and merely warns between 1x and 2x
# (then decodes: three 8900 x 8900 PNGs took 600 MB); the warning is an error here.
Image.MAX_IMAGE_PIXELS = MAX_PIXELS
warnings.filterwarnings("error", category=Image.DecompressionBombWarning)


def _refuse_type():
    return DomainError(_l("Photos must be JPEG, PNG or WebP images."), field="photos")


def process(raw: bytes) -> tuple[bytes, str, int, int]:
    """(re-encoded bytes, content type, width, height) or a DomainError."""
    if len(raw) > MAX_BYTES:
        raise DomainError(_l("Each photo may be at most 5 MB."), field="photos")
    try:
        with Image.open(io.BytesIO(raw)) as probe:  # reads the header only
            kind, (width, height) = probe.format, probe.size
            if width * height > MAX_PIXELS:
                raise _too_many_pixels()
            probe.verify()
        if kind not in ALLOWED:
            raise _refuse_type()
        with Image.open(io.BytesIO(raw)) as image:
            if kind == "JPEG":
                image.draft("RGB", (MAX_SIDE, MAX_SIDE))  # decode at 1/2, 1/4 or 1/8 scale when that suffices
            image = ImageOps.exif_transpose(image)
            image.thumbnail((MAX_SIDE, MAX_SIDE))
            image.info = {key: image.info[key] for key in KEPT_INFO if key in image.info}
            out = io.BytesIO()
            if kind == "PNG":
                image.save(out, format="PNG", optimize=True)
            else:
                if image.mode not in ("RGB", "L"):
                    image = image.convert("RGB")
                kind = "JPEG" if kind == "JPEG" else "WEBP"
                image.save(out, format=kind, quality=82)
            return out.getvalue(), ALLOWED[kind], image.width, image.height
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise _too_many_pixels() from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise _refuse_type() from None


def _too_many_pixels() -> DomainError:
    return DomainError(_l("Each photo may have at most 40 megapixels. Please make it smaller and try again."),
                       field="photos")


def new_token() -> str:
    return secrets.token_urlsafe(18)


def response_for(photo):
    """The response that serves a stored photo (a topic's, a fulfilment's): its
    own content type, shown inline, kept a day by the person's browser only
    (photos are served by token to whoever may see them, never by a shared cache)."""
    from flask import make_response

    response = make_response(photo.data)
    response.headers["Content-Type"] = photo.content_type
    response.headers["Content-Disposition"] = "inline"
    response.headers["Cache-Control"] = "private, max-age=86400"
    return response
