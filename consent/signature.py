"""The signature: the typed name that must be the invited name, and the drawn image, each
checked in one place for the form, signing and the PDF.

A drawn signature is a PNG image as a `data:image/png;base64,` URL of at most 200 kB, and
nothing else; anything else is refused, never rendered.
"""

import base64
import binascii

MAX_SIGNATURE_BYTES = 200_000
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
SIGNATURE_PREFIX = "data:image/png;base64,"


def decode_drawn_signature(value) -> bytes | None:
    """The PNG bytes of a drawn signature, or None if `value` is not one."""
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


def is_drawn_signature(value) -> bool:
    return decode_drawn_signature(value) is not None


def typed_name_matches(typed_name: str, patient_name: str) -> bool:
    """The typed name must be the invited name, ignoring case and extra spaces."""
    return " ".join(typed_name.split()).casefold() == " ".join(patient_name.split()).casefold()
