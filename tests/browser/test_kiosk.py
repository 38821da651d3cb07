"""Consent on a clinic tablet in a real browser: a practitioner starts it from the dashboard, the
patient gives their date of birth, and the session times out (a short KIOSK_IDLE_SECONDS) to the
neutral page, from which the back button shows nothing of the journey; with JavaScript (warning,
countdown) and without (the server's expiry alone). And axe-core on the kiosk's pages."""

import re

import pytest
from playwright.sync_api import expect

from tests.consent.conftest import complete_draft

from .actions import horizontal_overflow, submit
from .conftest import PHONE
from .patient import DATE_OF_BIRTH, PATIENT_NAME, invite_patient
from .staff import sign_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

NEUTRAL = "Please hand the device back to the clinic"


def start_on_this_device(page) -> None:
    """The practitioner signs in and presses "Start on this device" for the invited patient."""
    page.goto("/practice/")
    sign_in(page, lambda name: None, "practitioner")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    submit(page, f"Start on this device for {PATIENT_NAME}")
    expect(page.get_by_role("heading", level=1)).to_have_text("Before your Mesotherapy")


def give_date_of_birth(page) -> None:
    page.get_by_label("Your date of birth").fill(DATE_OF_BIRTH.isoformat())
    submit(page, "Continue")
    expect(page.get_by_role("heading", level=1)).to_have_text("Signing electronically")


def expect_nothing_of_the_journey(page) -> None:
    expect(page.get_by_role("heading", level=1)).to_have_text(NEUTRAL)
    text = page.locator("body").inner_text()
    assert PATIENT_NAME not in text
    assert "Mesotherapy" not in text
    assert not page.get_by_label("Your date of birth").count()


def test_kiosk_session_times_out_and_shows_nothing_after_the_back_button(
    new_page, demo, mailoutbox, settings
):
    settings.KIOSK_IDLE_SECONDS = 8
    settings.KIOSK_WARNING_SECONDS = 4
    invite_patient(demo, mailoutbox)
    page = new_page()
    start_on_this_device(page)
    expect(page.get_by_role("link", name="Practice")).to_have_count(0)
    give_date_of_birth(page)
    page.get_by_label("I agree to receive information and sign electronically.").check()
    submit(page, "Start")
    expect(page.get_by_text("About the procedure").first).to_be_visible()

    warning = page.get_by_role("alertdialog", name="Are you still there?")
    expect(warning).to_be_visible(timeout=10_000)
    expect(warning).to_contain_text(re.compile(r"close in \d seconds"))
    still_here = page.get_by_role("button", name="I am still here")
    expect(still_here).to_be_focused()  # by keyboard: Enter answers the warning
    page.keyboard.press("Enter")
    expect(warning).to_be_hidden()
    expect(page.get_by_text("About the procedure").first).to_be_visible()

    page.wait_for_url("**/consent/kiosk/ended/?why=idle", timeout=15_000)
    expect_nothing_of_the_journey(page)
    for _ in range(3):
        page.go_back()
        expect_nothing_of_the_journey(page)
    assert not page.console_errors


def test_without_javascript_the_server_ends_the_idle_kiosk_and_back_shows_nothing(
    new_page, demo, mailoutbox, settings
):
    settings.KIOSK_WARNING_SECONDS = 1
    invite_patient(demo, mailoutbox)
    page = new_page(java_script_enabled=False)
    start_on_this_device(page)
    give_date_of_birth(page)
    settings.KIOSK_IDLE_SECONDS = 3
    page.wait_for_timeout(3_500)  # the patient walks away; no script counts down
    page.get_by_label("I agree to receive information and sign electronically.").check()
    submit(page, "Start")
    assert page.url.endswith("/consent/kiosk/ended/?why=idle")
    expect_nothing_of_the_journey(page)
    page.go_back()  # the "Signing electronically" page, asked for again (no-store)
    expect_nothing_of_the_journey(page)
    page.go_back()  # the date-of-birth page
    expect_nothing_of_the_journey(page)


def test_kiosk_pages_have_no_serious_accessibility_problems(new_page, demo, axe, mailoutbox):
    invited = invite_patient(demo, mailoutbox)
    page = new_page(bypass_csp=True, viewport=PHONE)
    serious = []

    def check(name: str) -> None:
        serious.extend(axe(page, f"kiosk: {name}"))
        if horizontal_overflow(page) > 0:
            serious.append(f"kiosk: {name}: scrolls sideways on a 375-px screen")

    start_on_this_device(page)
    check("date of birth")
    submit(page, "Continue")
    check("date of birth missing")
    give_date_of_birth(page)
    check("signing electronically")
    response = page.goto("/practice/")
    assert response.status == 403
    check("page refused")
    page.get_by_role("link", name="Back to the consent").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Signing electronically")

    complete_draft(invited.invitation)
    page.goto("/consent/step/sign/")
    page.evaluate("document.getElementById('kiosk-warning').hidden = false")
    check("sign step, with the inactivity warning")
    page.evaluate("document.getElementById('kiosk-warning').hidden = true")
    page.get_by_label("Type your full name").fill(PATIENT_NAME)
    page.get_by_label("I have read what signing means, and I agree to this procedure.").check()
    submit(page, "Sign consent")
    expect(page.get_by_role("heading", level=1)).to_have_text("Your consent is recorded")
    expect(page.get_by_role("link", name="Download your copy (PDF)")).to_have_count(0)
    check("receipt")
    with page.expect_navigation():
        page.get_by_role("button", name="Finish and hand the device back").last.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(NEUTRAL)
    check("hand the device back")

    assert not serious, "serious or critical accessibility problems:\n" + "\n".join(serious)
