"""People's photos: judged by their content (never by name or declared type), re-encoded, resized.

Pillow opens and verifies the bytes; only JPEG, PNG and WebP are taken; an image of more pixels than
``MAX_PIXELS`` (a decompression bomb: a few KB that unpack to gigabytes) is refused before it is decoded; the
picture is then drawn again into a new file (no EXIF, GPS or comments survive), at most ``MAX_SIDE`` px a side.
"""

import io
import warnings
from dataclasses import dataclass

from PIL import Image, ImageOps, UnidentifiedImageError

from foros.core.errors import DomainError

#: Largest upload accepted (bytes).
MAX_BYTES = 5 * 1024 * 1024
#: Largest side of the stored photo (px).
MAX_SIDE = 800
#: More pixels than this is refused unread (a 6000 × 4000 camera photo is 24 million).
MAX_PIXELS = 40_000_000
ALLOWED_FORMATS = {"JPEG", "PNG", "WEBP"}
#: What is stored: JPEG for photos, PNG/WebP stay themselves (transparency).
_OUTPUT = {"JPEG": ("JPEG", "image/jpeg"), "PNG": ("PNG", "image/png"), "WEBP": ("WEBP", "image/webp")}


@dataclass(frozen=True)
class Photo:
    """A photo ready to store."""

    data: bytes
    content_type: str


def _refuse(message: str):
    raise DomainError("invalid_photo", message, fields={"photo": [message]})


def process_photo(data: bytes) -> Photo:
    """Validate an uploaded photo by content and return it re-encoded and resized, without metadata."""
    if not data:
        _refuse("Elija un archivo de imagen.")
    if len(data) > MAX_BYTES:
        _refuse(f"La foto pesa más de {MAX_BYTES // (1024 * 1024)} MB; envíe una más ligera.")
    try:
        with warnings.catch_warnings():
            # Pillow warns (DecompressionBombWarning) between MAX_IMAGE_PIXELS and twice it; both are refused.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as probe:
                fmt = probe.format
                width, height = probe.size
                if fmt not in ALLOWED_FORMATS:
                    _refuse("La foto debe ser JPEG, PNG o WebP.")
                if width * height > MAX_PIXELS:
                    _refuse("La imagen tiene demasiados píxeles para ser una foto; envíe una más pequeña.")
                probe.verify()
            with Image.open(io.BytesIO(data)) as image:
                image.load()
                image = ImageOps.exif_transpose(image)  # keep the orientation the camera meant, then drop EXIF
                image.thumbnail((MAX_SIDE, MAX_SIDE))
                out_format, content_type = _OUTPUT[fmt]
                if out_format == "JPEG" and image.mode not in ("RGB", "L"):
                    image = image.convert("RGB")
                clean = Image.new(image.mode, image.size)
                clean.paste(image)
                buffer = io.BytesIO()
                clean.save(buffer, format=out_format, **({"quality": 85} if out_format != "PNG" else {}))
    except DomainError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        _refuse("La imagen tiene demasiados píxeles para ser una foto; envíe una más pequeña.")
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        _refuse("El archivo no es una imagen válida (JPEG, PNG o WebP).")
    return Photo(buffer.getvalue(), content_type)
