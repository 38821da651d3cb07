"""Photo consent in a browser on a 375-px phone: the page (empty, with errors, signed), the
record page with a use withdrawn, by keyboard-reachable buttons; axe-core finds nothing serious
or critical on any of them."""

import re

import pytest
from playwright.sync_api import expect

from consent import services
from consent.models import EventKind
from tests.consent.conftest import REQUEST_META, complete_draft

from .actions import submit
from .conftest import PHONE
from .patient import DATE_OF_BIRTH, PATIENT_NAME, invite_patient
from .test_accessibility import Checker

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_photo_consent_on_a_phone_has_no_serious_accessibility_problems(
    new_page, demo, axe, mailoutbox
):
    invited = invite_patient(demo, mailoutbox)
    complete_draft(invited.invitation)
    record, record_token = services.record_sign(
        invitation=invited.invitation,
        typed_name=PATIENT_NAME,
        drawn_signature="",
        request_meta=REQUEST_META,
    )
    page = new_page(viewport=PHONE, is_mobile=True, has_touch=True, bypass_csp=True)
    check = Checker(axe, page)
    page.goto(f"/consent/i/{record_token}/")
    page.get_by_label("Your date of birth").fill(DATE_OF_BIRTH.isoformat())
    submit(page, "Continue")
    check("record page, no photo consent yet")

    page.get_by_role("link", name="Decide about photos").click()
    check("photo consent page")
    for name in ("medical record", "teaching", "marketing"):
        expect(page.get_by_role("checkbox", name=name, exact=False)).not_to_be_checked()
    submit(page, "Sign my photo consent")
    expect(page.get_by_role("alert")).to_contain_text("Tick at least one use")
    check("photo consent page, sent empty")

    page.get_by_role("checkbox", name="medical record", exact=False).check()
    page.get_by_role("checkbox", name="marketing", exact=False).check()
    page.get_by_label("Type your full name to sign").fill(PATIENT_NAME)
    submit(page, "Sign my photo consent")
    assert page.url.endswith("/consent/record/"), page.locator("main").inner_text()
    check("record page, photo consent signed")

    with page.expect_navigation():
        page.get_by_role("button", name=re.compile(r"Withdraw this use\W*Marketing")).click()
    expect(page.get_by_text("withdrawn on", exact=False)).to_be_visible()
    check("record page, marketing withdrawn")

    assert record.events.filter(kind=EventKind.PHOTO_WITHDRAWN, data__scope="marketing").exists()
    check.assert_clean()
