"""The signature: the typed name that must be the invited name, and the drawn image, each
checked in one place for the form, signing and the PDF.

A drawn signature is a PNG image as a `data:image/png;base64,` URL of at most 200 kB and at
most 2000 x 1000 pixels, and nothing else; anything else is refused, never rendered. The size
in pixels is read from the PNG header before anything is decoded: a few kilobytes of PNG can
describe a 9400 x 9400 image that takes seconds and hundreds of megabytes to decode. What is
signed and stored is never the browser's file but a PNG the portal encoded again from the
decoded pixels (`drawn_signature_clean`), so no chunk, comment or metadata the browser added
reaches the record or its PDF.
"""

import base64
import binascii
import io
import struct

from django.utils.translation import gettext_lazy as _

MAX_SIGNATURE_BYTES = 200_000
# The pad's canvas is 600 x 180; the limit leaves room for a pad drawn at three times the
# resolution on a high-density screen (1800 x 540), and caps decoding at 8 MB of RGBA.
MAX_SIGNATURE_WIDTH = 2000
MAX_SIGNATURE_HEIGHT = 1000
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
SIGNATURE_PREFIX = "data:image/png;base64,"

UNREADABLE = _("The drawn signature could not be read.")
TOO_LARGE = _(
    "The drawn signature is too large. Clear it and draw it again, or sign with your typed "
    "name alone."
)


class SignatureRefused(ValueError):
    """A drawn signature that cannot be signed: `code` says why, `message` tells the patient."""

    def __init__(self, code: str, message):
        super().__init__(code)
        self.code = code
        self.message = message


def png_dimensions(data: bytes) -> tuple[int, int] | None:
    """(width, height) from a PNG's IHDR header, without decoding; None if there is none."""
    # The IHDR chunk must come first: length 13, type, width, height (big-endian).
    if len(data) < 24 or not data.startswith(PNG_MAGIC) or data[12:16] != b"IHDR":
        return None
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def _within_limit(size: tuple[int, int]) -> bool:
    width, height = size
    return 0 < width <= MAX_SIGNATURE_WIDTH and 0 < height <= MAX_SIGNATURE_HEIGHT


def _png_bytes(value) -> bytes | None:
    if not isinstance(value, str) or not value.startswith(SIGNATURE_PREFIX):
        return None
    encoded = value.removeprefix(SIGNATURE_PREFIX)
    if len(encoded) > MAX_SIGNATURE_BYTES * 4 // 3 + 4:
        return None
    try:
        data = base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError):
        return None
    return data if data.startswith(PNG_MAGIC) else None


def decode_drawn_signature(value) -> bytes | None:
    """The PNG bytes of a drawn signature, or None if `value` is not one (or is too large)."""
    data = _png_bytes(value)
    if data is None:
        return None
    size = png_dimensions(data)
    return data if size is not None and _within_limit(size) else None


def is_drawn_signature(value) -> bool:
    return decode_drawn_signature(value) is not None


def _reencoded(data: bytes, size: tuple[int, int]) -> bytes:
    """The image's first frame as a fresh RGBA PNG: no chunk of the original survives."""
    from PIL import Image, UnidentifiedImageError

    try:
        # Nothing over the limit gets here, and Pillow's own header must agree with ours, so
        # Pillow never decodes more than MAX_SIGNATURE_WIDTH x MAX_SIGNATURE_HEIGHT pixels
        # (its process-wide MAX_IMAGE_PIXELS is left as it is).
        with Image.open(io.BytesIO(data), formats=["PNG"]) as image:
            # Every chunk whole and its checksum right, before decoding: WeasyPrint sets
            # Pillow's LOAD_TRUNCATED_IMAGES for the whole process, which would otherwise
            # decode a cut-off file as a part-black image.
            image.verify()
        with Image.open(io.BytesIO(data), formats=["PNG"]) as image:
            if image.size != size:
                raise SignatureRefused("signature_unreadable", UNREADABLE)
            pixels = image.convert("RGBA")
    except (OSError, SyntaxError, ValueError, UnidentifiedImageError, Image.DecompressionBombError):
        raise SignatureRefused("signature_unreadable", UNREADABLE) from None
    clean = Image.frombytes("RGBA", size, pixels.tobytes())
    out = io.BytesIO()
    clean.save(out, format="PNG", optimize=True)
    return out.getvalue()


def drawn_signature_clean(value: str) -> str:
    """The drawn signature as it is signed and stored: the same pixels, encoded again by us.

    Raises SignatureRefused ("signature_unreadable" or "signature_too_large") for anything that
    is not a PNG data URL within MAX_SIGNATURE_BYTES and the pixel limit; the limit is checked
    in the header before any pixel is decoded.
    """
    data = _png_bytes(value)
    if data is None:
        raise SignatureRefused("signature_unreadable", UNREADABLE)
    size = png_dimensions(data)
    if size is None:
        raise SignatureRefused("signature_unreadable", UNREADABLE)
    if not _within_limit(size):
        raise SignatureRefused("signature_too_large", TOO_LARGE)
    png = _reencoded(data, size)
    if len(png) > MAX_SIGNATURE_BYTES:
        raise SignatureRefused("signature_too_large", TOO_LARGE)
    return SIGNATURE_PREFIX + base64.b64encode(png).decode()


def typed_name_matches(typed_name: str, patient_name: str) -> bool:
    """The typed name must be the invited name, ignoring case and extra spaces."""
    return " ".join(typed_name.split()).casefold() == " ".join(patient_name.split()).casefold()
