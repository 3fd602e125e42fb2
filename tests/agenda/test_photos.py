"""Photos are judged by content: a non-image with an image name, an oversized file and a decompression bomb are
refused in Spanish; a good one is re-encoded without EXIF and resized."""

import io

import pytest
from PIL import Image

from foros.agenda import photos
from foros.core.errors import DomainError


def _image(fmt="JPEG", size=(1600, 1200), exif=False) -> bytes:
    image = Image.new("RGB", size, (200, 30, 30))
    buffer = io.BytesIO()
    kwargs = {}
    if exif:
        data = Image.Exif()
        data[0x010F] = "CamaraEspia"  # Make
        data[0x8825] = {2: (19.0, 26.0, 0.0)}  # GPS
        kwargs["exif"] = data.tobytes()
    image.save(buffer, format=fmt, **kwargs)
    return buffer.getvalue()


def _refused(data: bytes) -> str:
    with pytest.raises(DomainError) as err:
        photos.process_photo(data)
    assert err.value.code == "invalid_photo"
    return err.value.fields["photo"][0]


def test_a_text_file_named_jpg_is_refused():
    assert "no es una imagen válida" in _refused(b"Esto no es una foto, aunque se llame foto.jpg\n" * 20)


def test_a_gif_is_refused_by_format():
    assert "JPEG, PNG o WebP" in _refused(_image("GIF", (20, 20)))


def test_an_oversized_file_is_refused():
    assert "5 MB" in _refused(b"\xff\xd8" + b"0" * photos.MAX_BYTES)


def test_a_decompression_bomb_is_refused_unread():
    # A tiny PNG that declares 20,000 × 20,000 pixels (400 million).
    buffer = io.BytesIO()
    Image.new("1", (20_000, 20_000)).save(buffer, format="PNG")  # 1-bit: ~50 MB in memory, a few KB on disk
    bomb = buffer.getvalue()
    assert len(bomb) < photos.MAX_BYTES
    assert "demasiados píxeles" in _refused(bomb)


def test_exif_stripped_resized_and_re_encoded():
    original = _image(exif=True)
    assert b"CamaraEspia" in original
    photo = photos.process_photo(original)
    assert photo.content_type == "image/jpeg"
    assert b"CamaraEspia" not in photo.data
    with Image.open(io.BytesIO(photo.data)) as image:
        assert max(image.size) == photos.MAX_SIDE
        assert not image.getexif()


def test_png_and_webp_are_kept_in_their_format():
    assert photos.process_photo(_image("PNG", (100, 80))).content_type == "image/png"
    assert photos.process_photo(_image("WEBP", (100, 80))).content_type == "image/webp"
