"""QR codes as images the Content-Security-Policy allows: an SVG in a data: URL, drawn here."""

import base64
import io

import segno


def qr_code_data_uri(text: str) -> str:
    """A `data:image/svg+xml;base64,...` URL of a QR code for `text`, black on white.

    The SVG uses presentation attributes only (no `style`), and lives in an <img>, so it needs
    no inline style or script on the page.
    """
    code = segno.make(text, error="m", micro=False)
    buffer = io.BytesIO()
    code.save(buffer, kind="svg", scale=4, border=4, dark="#000", light="#fff", xmldecl=False)
    return "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")
