"""A course of treatment on a 375-px phone screen, axe-core on every page: the health
questionnaire, the side effects with the ones that matter for this patient first, signing, then
the check-in before the next session (sent empty first, then with a side effect)."""

import datetime
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from consent import services
from consent.models import EventKind, TreatmentSession

from .actions import submit
from .conftest import PHONE
from .patient import DATE_OF_BIRTH, PATIENT_NAME, answer_health_questions, invite_patient
from .test_accessibility import Checker

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

CHECKIN_LINK = re.compile(r"https?://\S+/consent/c/[^/\s]+/")


def test_a_course_on_a_phone_from_the_questionnaire_to_the_check_in(
    new_page, demo, axe, mailoutbox
):
    today = timezone.localdate()
    invited = invite_patient(
        demo,
        mailoutbox,
        course_kind="sessions",
        course_sessions=3,
        planned_dates=[today + datetime.timedelta(days=d) for d in (0, 2, 16)],
    )
    page = new_page(viewport=PHONE, is_mobile=True, has_touch=True, bypass_csp=True)
    check = Checker(axe, page)

    page.goto(invited.link)
    page.get_by_label("Your date of birth").fill(DATE_OF_BIRTH.isoformat())
    submit(page, "Continue")
    page.get_by_role("checkbox").check()
    submit(page, "Start")
    page.get_by_role("checkbox").check()
    submit(page, "Save and continue")

    check("health questionnaire")
    answer_health_questions(page, invited.content)
    submit(page, "Save and continue")

    check("side effects, those that matter for you first")
    expect(page.get_by_text("Matters for you").first).to_be_visible()
    for box in page.get_by_role("checkbox").all():
        box.check()
    submit(page, "Save and continue")
    page.get_by_role("checkbox").check()
    submit(page, "Save and continue")
    for box in page.get_by_role("checkbox").all():
        box.check()
    submit(page, "Save and continue")
    for question in invited.content["comprehension"]:
        page.get_by_role("group", name=question["question"]).get_by_label(
            invited.correct_choice(question), exact=True
        ).check()
    submit(page, "Check my answers")
    submit(page, "Save and continue")
    check("sign")
    page.get_by_label("Type your full name").fill(PATIENT_NAME)
    page.get_by_role("checkbox").check()
    submit(page, "Sign consent")
    check("receipt with the course")
    expect(page.get_by_role("heading", name="Course of treatment")).to_be_visible()

    record = invited.invitation.record
    session = TreatmentSession.objects.get(invitation=invited.invitation, number=2)
    assert services.checkin_link_send(session_id=session.pk)
    link = CHECKIN_LINK.search(mailoutbox[-1].body).group(0)

    check.visit(link, "check-in link")
    page.get_by_label("Your date of birth").fill(DATE_OF_BIRTH.isoformat())
    submit(page, "Continue")
    check("check-in")
    submit(page, "Send my check-in")
    expect(page.get_by_role("alert")).to_contain_text("Choose whether to go ahead")
    check("check-in, sent without a decision")
    first_effect = invited.content["side_effects"][0]["name"]
    page.get_by_role("group", name="Side effects since your last session").get_by_label(
        first_effect, exact=True
    ).check()
    page.get_by_label("Yes, I want to go ahead").check()
    submit(page, "Send my check-in")
    check("check-in saved")
    expect(page.get_by_role("heading", level=1)).to_have_text("Thank you for checking in")

    check.assert_clean()
    [event] = record.events.filter(kind=EventKind.CHECKED_IN)
    assert event.data["side_effects"][0]["name"] == first_effect
    assert event.data["go_ahead"] is True
