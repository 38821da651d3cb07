"""How every export writes a moment: in UTC, ISO 8601, to the second, with a `Z`.

The CSV and the FHIR resource both say when things happened; one rule keeps a spreadsheet
and a chart entry for the same record agreeing to the second, whatever zone the clinic is in.
"""

import datetime


def utc_moment(moment: datetime.datetime | None) -> str:
    """`moment` as e.g. "2026-06-01T12:00:00Z"; an empty string when there is none."""
    if moment is None:
        return ""
    return moment.astimezone(datetime.UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
