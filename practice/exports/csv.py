"""A spreadsheet of consents, produced line by line so a large export never sits in memory."""

import csv
from collections.abc import Iterable, Iterator

from django.http import StreamingHttpResponse
from django.utils.http import content_disposition_header

from .moments import utc_moment

CSV_HEADER = (
    "record code",
    "patient name",
    "procedure",
    "version",
    "practitioner",
    "location",
    "status",
    "signed at (UTC)",
    "invited at (UTC)",
    "withdrawn at (UTC)",
)
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


class _Echo:
    """A file-like object whose `write` hands back the line instead of keeping it."""

    def write(self, value: str) -> str:
        return value


def csv_cell(value) -> str:
    """Text for one cell; text a spreadsheet would run as a formula gets a leading apostrophe."""
    text = "" if value is None else str(value)
    if text.startswith(FORMULA_TRIGGERS):
        return "'" + text
    return text


def _csv_row(invitation) -> list[str]:
    # Reading attributes only: the caller's select_related has loaded everything, and a
    # missing reverse one-to-one (no record yet) raises an AttributeError subclass.
    record = getattr(invitation, "record", None)
    status = getattr(invitation, "status", None)
    if status is None:
        status = getattr(invitation, "state", "")
    withdrawn_at = getattr(invitation, "consent_withdrawn_at", None) or invitation.withdrawn_at
    return [
        csv_cell(value)
        for value in (
            record.code if record else "",
            invitation.patient_name,
            invitation.procedure.name,
            record.version.number if record else "",
            invitation.practitioner.display_name,
            invitation.location.name,
            status,
            utc_moment(record.signed_at) if record else "",
            utc_moment(invitation.created_at),
            utc_moment(withdrawn_at),
        )
    ]


def records_csv(rows: Iterable) -> Iterator[str]:
    """CSV lines, header first, one per consent invitation, produced only as they are read.

    Each row is a ConsentInvitation (or anything with the same attributes): `record` (or
    None), `procedure`, `practitioner`, `location`, `patient_name`, `created_at`,
    `withdrawn_at` and an annotated `status` string (`state`, as `selectors.with_state` names
    it, is read when there is no `status`). "Withdrawn at" is the consent's withdrawal when the
    row carries an annotated `consent_withdrawn_at`, else the clinic's withdrawal of the
    invitation. Nothing here queries: pass a queryset with
    `select_related("record__version", "practitioner", "procedure", "location")` and
    `.iterator(chunk_size=...)` so that no more than one chunk is ever in memory.
    """
    writer = csv.writer(_Echo(), quoting=csv.QUOTE_ALL)
    yield writer.writerow(CSV_HEADER)
    for row in rows:
        yield writer.writerow(_csv_row(row))


def stream_records_csv(rows: Iterable, filename: str) -> StreamingHttpResponse:
    """A download of `records_csv(rows)` that streams, so a large export never sits in memory."""
    return StreamingHttpResponse(
        records_csv(rows),
        content_type="text/csv; charset=utf-8",
        headers={
            "Content-Disposition": content_disposition_header(as_attachment=True, filename=filename)
        },
    )
