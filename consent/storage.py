"""The signed record's stored PDF copy: read it back and check it against its SHA-256.

The copy is the patient's receipt, written once at signing with its SHA-256 kept on the
record. Anyone who hands the file out (the patient's own download, the practitioner's area)
reads it through `record_stored_pdf`, so a changed or missing file is refused, not served.
"""

import hmac

from django.core.files.storage import default_storage

from .models import ConsentRecord
from .records import sha256


class StoredPdfInvalid(Exception):
    """The stored PDF copy of a record is missing, or is not the one that was signed."""


def record_stored_pdf(record: ConsentRecord) -> bytes:
    """The bytes of the record's stored PDF copy, after checking them against `pdf_sha256`.

    Raises StoredPdfInvalid if the file is missing or its SHA-256 is not the one recorded at
    signing.
    """
    try:
        with default_storage.open(record.pdf.name, "rb") as stored:
            data = stored.read()
    except FileNotFoundError as missing:
        raise StoredPdfInvalid(
            f"The stored PDF copy of record {record.code} ({record.pdf.name}) is missing."
        ) from missing
    if not hmac.compare_digest(sha256(data), record.pdf_sha256):
        raise StoredPdfInvalid(
            f"The stored PDF copy of record {record.code} ({record.pdf.name}) does not match the "
            f"SHA-256 recorded at signing: it has been changed or replaced."
        )
    return data
