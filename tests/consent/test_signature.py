"""The drawn signature's pixel limit (issue 17, finding 7): the PNG header is read before any
decoding, an image over the limit is refused with a message, and what is stored is a PNG the
portal re-encoded itself."""

import base64
import io
import struct
import time
import zlib

import pytest
from PIL import Image

from consent import signature
from consent.models import ConsentRecord

from .test_journey import open_link, sign, walk_to_sign


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def huge_png(width=9400, height=9400) -> bytes:
    """A few kilobytes of PNG that would decode to width x height grey pixels."""
    rows = zlib.compress(b"\x00" * ((width + 1) * height), 9)
    return (
        signature.PNG_MAGIC
        + _chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0))
        + _chunk(b"IDAT", rows)
        + _chunk(b"IEND", b"")
    )


def drawn_png(width=600, height=180, *, text: bytes = b"") -> bytes:
    """A signature as the pad draws it (600x180 RGBA), optionally with a tEXt chunk."""
    image = Image.new("RGBA", (width, height))
    for x in range(20, width - 20):
        image.putpixel((x, height // 2), (27, 42, 54, 255))
    out = io.BytesIO()
    image.save(out, format="PNG")
    png = out.getvalue()
    if text:
        iend = png.rindex(b"IEND") - 4
        png = png[:iend] + _chunk(b"tEXt", b"Comment\x00" + text) + png[iend:]
    return png


def data_url(png: bytes) -> str:
    return signature.SIGNATURE_PREFIX + base64.b64encode(png).decode()


def test_png_dimensions_are_read_from_the_header_without_decoding():
    assert signature.png_dimensions(huge_png()) == (9400, 9400)


def test_small_bytes_huge_pixels_png_is_refused_quickly():
    value = data_url(huge_png())
    assert len(value) < 200_000
    started = time.monotonic()
    with pytest.raises(signature.SignatureRefused) as refused:
        signature.drawn_signature_clean(value)
    assert refused.value.code == "signature_too_large"
    assert time.monotonic() - started < 0.5


def test_an_image_just_over_the_pixel_limit_is_refused():
    png = huge_png(signature.MAX_SIGNATURE_WIDTH + 1, 10)
    with pytest.raises(signature.SignatureRefused):
        signature.drawn_signature_clean(data_url(png))


def test_an_oversized_signature_is_not_a_drawn_signature_for_the_pdf():
    assert signature.decode_drawn_signature(data_url(huge_png())) is None


def test_the_clean_signature_is_a_png_the_portal_encoded_with_the_same_pixels():
    original = drawn_png(text=b"tracking-id-1234")
    cleaned = signature.drawn_signature_clean(data_url(original))
    png = signature.decode_drawn_signature(cleaned)
    assert png is not None and png != original
    assert b"tracking-id-1234" not in png and b"tEXt" not in png
    with Image.open(io.BytesIO(original)) as before, Image.open(io.BytesIO(png)) as after:
        assert after.size == (600, 180)
        assert after.convert("RGBA").tobytes() == before.convert("RGBA").tobytes()


def test_a_cut_off_png_is_unreadable_even_where_pillow_loads_truncated_images(monkeypatch):
    from PIL import ImageFile

    # WeasyPrint switches this on for the whole process when it is imported.
    monkeypatch.setattr(ImageFile, "LOAD_TRUNCATED_IMAGES", True)
    broken = drawn_png()[:-40]
    with pytest.raises(signature.SignatureRefused) as refused:
        signature.drawn_signature_clean(data_url(broken))
    assert refused.value.code == "signature_unreadable"


def test_cleaning_leaves_the_process_wide_pillow_limit_alone():
    before = Image.MAX_IMAGE_PIXELS
    signature.drawn_signature_clean(data_url(drawn_png()))
    assert before == Image.MAX_IMAGE_PIXELS


def test_signing_page_refuses_a_huge_pixel_signature_with_a_message(client, invitation_and_token):
    invitation, token = invitation_and_token
    open_link(client, token)
    walk_to_sign(client, invitation)
    response = sign(client, drawn_signature=data_url(huge_png()))
    assert response.status_code == 400
    assert "drawn signature is too large" in response.text
    assert not ConsentRecord.objects.exists()


def test_a_normal_drawn_signature_still_signs_and_is_stored_re_encoded(
    client, invitation_and_token
):
    invitation, token = invitation_and_token
    open_link(client, token)
    walk_to_sign(client, invitation)
    original = drawn_png(text=b"from-the-browser")
    assert sign(client, drawn_signature=data_url(original)).status_code == 302
    stored = ConsentRecord.objects.get().payload["signature"]["drawn"]
    assert stored == signature.drawn_signature_clean(data_url(original))
    assert b"from-the-browser" not in signature.decode_drawn_signature(stored)


def test_the_signing_service_refuses_a_huge_pixel_signature_the_form_never_saw(
    invitation_and_token,
):
    from consent import services
    from tests.consent.conftest import REQUEST_META, complete_draft

    from .test_journey import PATIENT_NAME

    invitation, _token = invitation_and_token
    complete_draft(invitation)
    with pytest.raises(services.ConsentRefused) as refused:
        services.record_sign(
            invitation=invitation,
            typed_name=PATIENT_NAME,
            drawn_signature=data_url(huge_png()),
            request_meta=REQUEST_META,
        )
    assert [r.code for r in refused.value.refusals] == ["signature_too_large"]
    assert not ConsentRecord.objects.exists()
