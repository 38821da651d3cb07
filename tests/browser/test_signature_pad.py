"""The optional drawn signature in a real browser: a finger, a pen, clearing, and none at all.

Touch and pen input go through Chromium's own input pipeline (DevTools `Input.dispatch*`), so the
pad sees the pointer events a phone or a stylus would give it, with their `pointerType`.
"""

import pytest
from playwright.sync_api import expect

from consent.models import ConsentRecord
from tests.consent.conftest import complete_draft

from .actions import submit
from .conftest import PHONE
from .patient import DATE_OF_BIRTH, PATIENT_NAME, invite_patient

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

PNG = "data:image/png;base64,"


def open_sign_step(page, invited):
    """The patient has answered every step already; they open their link and reach the last one."""
    complete_draft(invited.invitation)
    page.goto(invited.link)
    page.get_by_label("Your date of birth").fill(DATE_OF_BIRTH.isoformat())
    submit(page, "Continue")
    if page.get_by_role("heading", name="Signing electronically").is_visible():
        page.get_by_label("I agree to receive information and sign electronically.").check()
        submit(page, "Start")
    page.goto("/consent/step/sign/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Review and sign")
    pad = page.locator("[data-signature-pad] canvas")
    expect(pad).to_be_visible()
    pad.scroll_into_view_if_needed()
    return pad


def stroke_points(pad):
    box = pad.bounding_box()
    left, middle = box["x"] + 20, box["y"] + box["height"] / 2
    return [(left + step * 25, middle + (12 if step % 2 else -12)) for step in range(10)]


def draw_with_finger(page, pad):
    cdp = page.context.new_cdp_session(page)
    points = stroke_points(pad)
    x, y = points[0]
    cdp.send("Input.dispatchTouchEvent", {"type": "touchStart", "touchPoints": [{"x": x, "y": y}]})
    for x, y in points[1:]:
        cdp.send(
            "Input.dispatchTouchEvent", {"type": "touchMove", "touchPoints": [{"x": x, "y": y}]}
        )
    cdp.send("Input.dispatchTouchEvent", {"type": "touchEnd", "touchPoints": []})


def draw_with_pen(page, pad):
    cdp = page.context.new_cdp_session(page)
    points = stroke_points(pad)
    pen = {"pointerType": "pen", "button": "left", "force": 0.8}
    x, y = points[0]
    cdp.send("Input.dispatchMouseEvent", {"type": "mousePressed", "x": x, "y": y, **pen})
    for x, y in points[1:]:
        cdp.send("Input.dispatchMouseEvent", {"type": "mouseMoved", "x": x, "y": y, **pen})
    cdp.send("Input.dispatchMouseEvent", {"type": "mouseReleased", "x": x, "y": y, **pen})


def drawn_value(page) -> str:
    return page.locator("input[name='drawn_signature']").input_value()


def sign(page):
    page.get_by_label("Type your full name").fill(PATIENT_NAME)
    page.get_by_label("I have read what signing means, and I agree to this procedure.").check()
    submit(page, "Sign consent")
    expect(page.get_by_role("heading", level=1)).to_have_text("Your consent is recorded")


def test_a_finger_draws_the_signature_and_it_is_kept_in_the_record(new_page, demo, mailoutbox):
    invited = invite_patient(demo, mailoutbox)
    page = new_page(viewport=PHONE, is_mobile=True, has_touch=True)
    pad = open_sign_step(page, invited)

    draw_with_finger(page, pad)
    assert drawn_value(page).startswith(PNG)
    sign(page)

    record = ConsentRecord.objects.get(invitation=invited.invitation)
    assert record.payload["signature"]["drawn"].startswith(PNG)


def test_a_pen_draws_the_signature(new_page, demo, mailoutbox):
    invited = invite_patient(demo, mailoutbox)
    page = new_page()
    pad = open_sign_step(page, invited)

    draw_with_pen(page, pad)

    assert drawn_value(page).startswith(PNG)


def test_clearing_the_drawing_signs_with_the_typed_name_alone(new_page, demo, mailoutbox):
    invited = invite_patient(demo, mailoutbox)
    page = new_page()
    pad = open_sign_step(page, invited)
    draw_with_pen(page, pad)

    page.get_by_role("button", name="Clear drawing").click()
    assert drawn_value(page) == ""
    sign(page)

    record = ConsentRecord.objects.get(invitation=invited.invitation)
    assert record.payload["signature"]["drawn"] is None
    assert record.payload["signature"]["typed_name"] == PATIENT_NAME
