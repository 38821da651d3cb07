"""The signed record's stored PDF copy: read it back and check it against its SHA-256.

The copy is the patient's receipt, written once at signing with its SHA-256 kept on the
record. This module is the one place that checks it: whoever hands the file out (the patient's
own download, the practitioner's area, the FHIR export) reads it through `record_stored_pdf`,
so a changed or missing file is refused rather than served, and verification asks
`stored_pdf_problems`, which streams the file instead of holding it in memory.
"""

import hashlib
import hmac

from django.core.exceptions import SuspiciousFileOperation
from django.utils.translation import gettext as _

from .models import ConsentRecord

READ_CHUNK = 1 << 16


class StoredPdfInvalid(Exception):
    """The stored PDF copy of a record is missing, or is not the one that was signed."""


def _matches(record: ConsentRecord, digest: str) -> bool:
    return hmac.compare_digest(digest, record.pdf_sha256)


def pdf_bytes_check(record: ConsentRecord, data: bytes) -> bytes:
    """`data`, if it is the PDF copy signed for `record`; otherwise StoredPdfInvalid."""
    if not _matches(record, hashlib.sha256(data).hexdigest()):
        raise StoredPdfInvalid(
            f"The stored PDF copy of record {record.code} ({record.pdf.name}) does not match the "
            f"SHA-256 recorded at signing: it has been changed or replaced."
        )
    return data


def record_stored_pdf(record: ConsentRecord) -> bytes:
    """The bytes of the record's stored PDF copy, after checking them against `pdf_sha256`.

    Raises StoredPdfInvalid if the file is missing or its SHA-256 is not the one recorded at
    signing.
    """
    try:
        with record.pdf.storage.open(record.pdf.name, "rb") as stored:
            data = stored.read()
    except (OSError, SuspiciousFileOperation) as missing:
        raise StoredPdfInvalid(
            f"The stored PDF copy of record {record.code} ({record.pdf.name}) is missing."
        ) from missing
    return pdf_bytes_check(record, data)


def stored_pdf_problems(record: ConsentRecord) -> list[str]:
    """What is wrong with the stored PDF file, in words for verification; empty if nothing.

    The file must exist and hash to the SHA-256 recorded at signing. It is read in chunks, so
    verifying every record of a clinic does not hold any whole file in memory.
    """
    name = record.pdf.name
    if not name:
        return [_("has no PDF file")]
    digest = hashlib.sha256()
    try:
        with record.pdf.storage.open(name, "rb") as file:
            for chunk in iter(lambda: file.read(READ_CHUNK), b""):
                digest.update(chunk)
    except (OSError, SuspiciousFileOperation):
        return [_("its PDF file %(name)s is missing") % {"name": name}]
    if not _matches(record, digest.hexdigest()):
        return [_("its PDF file %(name)s has changed since signing") % {"name": name}]
    return []


def record_pdf_delete(record: ConsentRecord) -> None:
    """Delete the record's stored PDF file (the retention purge); its name and SHA-256 stay on
    the record, in the record hash. The one place a PDF file is deleted."""
    if record.pdf.name:
        record.pdf.storage.delete(record.pdf.name)
