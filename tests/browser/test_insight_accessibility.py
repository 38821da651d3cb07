"""axe-core on the clinic insight page (desktop and phone) and on a record page that shows how
its consent was given, with the quick-read flag; neither may scroll sideways on a phone."""

import datetime

import pytest
from django.utils import timezone

from consent import services
from consent.models import StepEngagement
from tests.consent.conftest import REQUEST_META, complete_draft

from .conftest import PHONE
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
