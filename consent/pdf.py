"""The PDF copy of a signed consent record, drawn by WeasyPrint from a Django template.

The PDF is made from the record's frozen payload alone (plus the question texts of the procedure
version it names), so it shows exactly what was signed. WeasyPrint may fetch only our own
stylesheet, through the `portal-static:` scheme, and the patient's drawn signature as a
`data:image/png;base64,` URL; every other address (http, https, file, other data URLs) is
refused and stops the rendering, so no record can make the server reach out to the network or
read its own files.
"""

from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from weasyprint import HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

from .presentation.record import record_context
from .signature import SIGNATURE_PREFIX, decode_drawn_signature

STATIC_SCHEME = "portal-static:"
STYLESHEET = "css/record-pdf.css"
STATIC_TYPES = {".css": "text/css", ".png": "image/png", ".svg": "image/svg+xml"}


class ResourceRefused(ValueError):
    """The PDF asked for something other than our own static files or the drawn signature."""


def _static_file(relative: str) -> Path:
    """Our own static file, found like `{% static %}` would find it; nothing outside it."""
    if not relative or relative.startswith(("/", "\\")) or ".." in Path(relative).parts:
        raise ResourceRefused(f"Not a static file name: {relative!r}")
    found = finders.find(relative)
    if found:
        return Path(found)
    if settings.STATIC_ROOT:
        root = Path(settings.STATIC_ROOT).resolve()
        candidate = (root / relative).resolve()
        if candidate.is_relative_to(root) and candidate.is_file():
            return candidate
    raise ResourceRefused(f"No static file {relative!r}")


class RecordURLFetcher(URLFetcher):
    """Serves `portal-static:<path>` from our static files and PNG signature data URLs only.

    `fail_on_errors` turns every refusal into WeasyPrint's FatalURLFetchingError: a template
    that asks for anything else is a bug, and a silent, half-styled record would hide it.
    """

    def __init__(self):
        super().__init__(allowed_protocols=(), allow_redirects=False, fail_on_errors=True)

    def fetch(self, url, headers=None):
        if url.startswith(STATIC_SCHEME):
            path = _static_file(url.removeprefix(STATIC_SCHEME))
            content_type = STATIC_TYPES.get(path.suffix)
            if content_type is None:
                raise ResourceRefused(f"Unexpected static file type: {url}")
            return URLFetcherResponse(
                url, body=path.read_bytes(), headers={"Content-Type": content_type}
            )
        if url.startswith(SIGNATURE_PREFIX):
            png = decode_drawn_signature(url)
            if png is None:
                raise ResourceRefused("The drawn signature is not a PNG image.")
            return URLFetcherResponse(
                SIGNATURE_PREFIX, body=png, headers={"Content-Type": "image/png"}
            )
        raise ResourceRefused(f"The record PDF may not fetch {url[:80]!r}")


def pdf_context(record_fields: dict) -> dict:
    """The record in words (`presentation.record`), with the PDF's own stylesheet."""
    return {**record_context(record_fields), "stylesheet_url": STATIC_SCHEME + STYLESHEET}


def html_to_pdf(html: str) -> bytes:
    """Render our HTML with the fetcher that reaches nothing but our own static files."""
    return HTML(string=html, url_fetcher=RecordURLFetcher()).write_pdf(pdf_tags=True)


def render_record_pdf(record_fields: dict) -> bytes:
    """The PDF copy of a record from {"code", "payload", "content_sha256", "signed_at"}."""
    html = render_to_string("consent/record_pdf.html", pdf_context(record_fields))
    return html_to_pdf(html)
