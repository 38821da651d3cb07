"""Exports of signed consent records from the practitioner's area, as plain functions.

- `record_pdf_with_history` (pdf.py): the patient's stored PDF copy, checked against its
  SHA-256, followed by pages listing everything that happened to the record since;
- `records_csv` / `stream_records_csv` (csv.py): a spreadsheet of consents, streamed line by
  line;
- `record_fhir_consent` (fhir.py): an HL7 FHIR R5 Consent resource for filing in an electronic
  health record.

Nothing here writes: the views that call these record the download or export as an event.
Both the PDF and the FHIR export raise `StoredPdfInvalid` (from `consent.storage`, whose rule
it is) when the stored copy is not the one that was signed.
"""

from consent.storage import StoredPdfInvalid

from .csv import CSV_HEADER, csv_cell, records_csv, stream_records_csv
from .fhir import record_fhir_consent
from .pdf import record_pdf_with_history, render_history_pdf

__all__ = [
    "CSV_HEADER",
    "StoredPdfInvalid",
    "csv_cell",
    "record_fhir_consent",
    "record_pdf_with_history",
    "records_csv",
    "render_history_pdf",
    "stream_records_csv",
]
