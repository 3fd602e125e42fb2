"""A drawn signature as it arrives from the signing page: a PNG data URL, judged by content before it is kept.

The page's canvas (``static/js/declarations/sign.js``) posts ``data:image/png;base64,…``; anything else — another
image type, a PNG header on something else, a huge or tiny canvas, a blank drawing — is refused with a field
error, never a 500. The PNG kept is the one Pillow decoded and wrote again (no chunks or metadata smuggled in).
"""

import base64
import binascii
import io
import warnings

from PIL import Image, UnidentifiedImageError

from foros.core.errors import DomainError

PREFIX = "data:image/png;base64,"
#: Largest drawing accepted (bytes of PNG): a 1280×400 canvas of strokes is ~20-80 KB, and a form field stays
#: under MAX_FORM_MEMORY_SIZE (500 KB by default) once base64-encoded.
MAX_BYTES = 256 * 1024
#: Bounds of the canvas (pixels): the page caps its pixel ratio at 2 and its width at 640 CSS px.
MAX_WIDTH, MAX_HEIGHT = 2000, 800
MIN_WIDTH, MIN_HEIGHT = 100, 40
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def _refuse(message: str) -> DomainError:
    return DomainError("invalid_drawing", message, fields={"drawing": [message]})


def decode_drawing(data_url: str) -> bytes:
    """The PNG behind a drawn signature's data URL, re-encoded; ``DomainError('invalid_drawing')`` if it is not
    a real PNG of bounded size and dimensions with some ink on it."""
    text = (data_url or "").strip()
    if not text:
        raise _refuse("Trace su firma en el recuadro.")
    if not text.startswith(PREFIX) or len(text) > len(PREFIX) + (MAX_BYTES * 4) // 3 + 4:
        raise _refuse("La firma trazada no es una imagen válida o es demasiado grande.")
    try:
        raw = base64.b64decode(text[len(PREFIX):], validate=True)
    except (binascii.Error, ValueError):
        raise _refuse("La firma trazada no es una imagen válida.") from None
    if not raw.startswith(PNG_SIGNATURE) or len(raw) > MAX_BYTES:
        raise _refuse("La firma trazada no es una imagen PNG válida.")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(raw)) as probe:
                if probe.format != "PNG":
                    raise _refuse("La firma trazada no es una imagen PNG válida.")
                width, height = probe.size
                if not (MIN_WIDTH <= width <= MAX_WIDTH and MIN_HEIGHT <= height <= MAX_HEIGHT):
                    raise _refuse("El recuadro de la firma tiene un tamaño que no se acepta.")
                probe.verify()
            with Image.open(io.BytesIO(raw)) as image:
                image.load()
                rgba = image.convert("RGBA")
    except DomainError:
        raise
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError,
            Image.DecompressionBombWarning):
        raise _refuse("La firma trazada no es una imagen PNG válida.") from None
    if rgba.getchannel("A").getbbox() is None:
        raise _refuse("El recuadro de la firma está en blanco: trace su firma.")
    out = io.BytesIO()
    rgba.save(out, format="PNG", optimize=True)
    return out.getvalue()
