"""The engagement pages in a browser: axe-core on the clinic insight page (desktop and phone)
and on a record page that shows how its consent was given, with the quick-read flag (neither may
scroll sideways on a phone); and the "More about" report sent by a real browser."""

import datetime
import time

import pytest
from django.utils import timezone

from consent import services
from consent.models import StepEngagement
from tests.consent.conftest import REQUEST_META, complete_draft

from .actions import submit
from .conftest import PHONE
from .patient import DATE_OF_BIRTH, answer_health_questions, invite_patient
from .staff import sign_in
from .test_accessibility import Checker

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

STEP_SECONDS = {"about": 340, "side-effects": 20, "injected": 70, "practitioner": 95}


def _engaged_record(demo):
    """A consent of the demo practitioner signed after known times on each step."""
    invitation, _token = services.invitation_create(
        created_by=demo.admin,
        patient_name="Robin Insight",
        patient_email="robin.insight@example.com",
        patient_date_of_birth=datetime.date(1979, 3, 4),
        procedure=demo.version.procedure,
        practitioner=demo.practitioner,
        location=demo.location,
        formulation=demo.formulation,
        expires_at=timezone.now() + datetime.timedelta(days=14),
        minimum_decision_hours=0,
    )
    draft = complete_draft(invitation)
    for step, seconds in STEP_SECONDS.items():
        StepEngagement.objects.create(draft=draft, step=step, seconds=seconds, visits=1)
    record, _ = services.record_sign(
        invitation=invitation,
        typed_name=invitation.patient_name,
        drawn_signature="",
        request_meta=REQUEST_META,
    )
    return record


def test_insight_and_record_pages_have_no_serious_problems(new_page, demo, axe):
    record = _engaged_record(demo)
    page = new_page(bypass_csp=True)
    check = Checker(axe, page)
    page.goto("/practice/insight/")
    sign_in(page, lambda name: None, "practitioner")

    check.visit("/practice/insight/", "insight")
    assert page.locator("svg.chart__svg").count() == 2  # funnel and time (nothing missed)
    check.visit("/practice/insight/?start=2026-05-01&end=2026-04-01", "insight, bad period", 400)
    check.visit(f"/practice/records/{record.code}/", "record with engagement")
    assert page.get_by_text("consider going through the side effects together").is_visible()
    page.get_by_text("Time, visits and “More about” per step").click()
    check("record with engagement, details open")

    page.set_viewport_size(PHONE)
    check.visit("/practice/insight/", "insight, phone")
    check.visit(f"/practice/records/{record.code}/", "record with engagement, phone")
    check.assert_clean()


def test_the_browser_reports_the_more_about_sections_opened(new_page, demo, mailoutbox):
    """Where JavaScript runs, opening a side effect's "More about" is reported when the patient
    leaves the page (under the real Content-Security-Policy), and nothing goes to the console."""
    invited = invite_patient(demo, mailoutbox)
    page = new_page()
    page.goto(invited.link)
    page.get_by_label("Your date of birth").fill(DATE_OF_BIRTH.isoformat())
    submit(page, "Continue")
    page.get_by_label("I agree to receive information and sign electronically.").check()
    submit(page, "Start")
    page.get_by_role("checkbox").check()
    submit(page, "Save and continue")
    answer_health_questions(page, invited.content)
    submit(page, "Save and continue")

    page.locator("details[data-more-about] summary").first.click()
    opened = int(page.locator("details[data-more-about]").first.get_attribute("data-more-about"))
    with page.expect_navigation():
        page.get_by_role("link", name="Back").first.click()

    def reported():
        row = StepEngagement.objects.filter(
            draft__invitation=invited.invitation, step="side-effects"
        ).first()
        return row.more_opened if row else None

    for _attempt in range(50):
        if reported() is not None:
            break
        time.sleep(0.1)
    assert reported() == [opened]
    assert page.console_errors == []
