"""The one QR helper: PNG bytes for a short text, sized for cheap cameras and paper."""

import io

import qrcode
from qrcode.constants import ERROR_CORRECT_Q


def qr_image(text: str, *, box_size: int = 10, border: int = 4):
    """A Pillow image of ``text`` at error correction Q (survives ~25% damage: cracked screens, folds)."""
    qr = qrcode.QRCode(error_correction=ERROR_CORRECT_Q, box_size=box_size, border=border)
    qr.add_data(text)
    qr.make(fit=True)
    return qr.make_image(fill_color="black", back_color="white").get_image()


def qr_png(text: str, *, box_size: int = 10) -> bytes:
    """PNG bytes of the QR for ``text``."""
    buffer = io.BytesIO()
    qr_image(text, box_size=box_size).save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()


def qr_version(text: str) -> int:
    """The QR version (size) that ``text`` needs at error correction Q."""
    qr = qrcode.QRCode(error_correction=ERROR_CORRECT_Q)
    qr.add_data(text)
    qr.make(fit=True)
    return qr.version


def qr_matrix(text: str, *, mask_pattern: int | None = 0) -> list[list[bool]]:
    """The QR's modules (True = dark), without the quiet zone, for drawing as vector shapes (PDFs in bulk).

    A fixed ``mask_pattern`` skips the search for the best of the eight masks (most of the cost of making a
    QR: ~60 ms for a URL); every mask is valid and readers do not care which one was used. ``None`` searches.
    """
    qr = qrcode.QRCode(error_correction=ERROR_CORRECT_Q, border=0, mask_pattern=mask_pattern)
    qr.add_data(text)
    qr.make(fit=True)
    return qr.get_matrix()
