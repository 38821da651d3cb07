"""axe-core on every patient page, every wizard step with and without errors, and the staff pages.

Any violation axe rates "serious" or "critical" fails the test; lesser ones are listed at the end
of the run, with the number of pages and rules checked. axe runs in contexts that bypass the
Content-Security-Policy (it is injected as an inline script); the journeys run under the real one.
"""

import datetime

import pytest
from django.conf import settings
from django.utils import timezone
from playwright.sync_api import expect

from consent import demo as consent_demo
from consent import services
from consent.models import ConsentInvitation
from consent.reminders import stop_signature
from education.demo_es import SLUG as SPANISH_SLUG
from tests.consent.conftest import complete_draft

from .actions import horizontal_overflow, submit
from .conftest import DESKTOP, PHONE
from .patient import DATE_OF_BIRTH, PATIENT_NAME, answer_health_questions, invite_patient
from .staff import sign_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


class Checker:
    """Runs axe on each page it is shown and keeps the serious findings for one assertion."""

    def __init__(self, axe, page):
        self.axe = axe
        self.page = page
        self.serious = []

    def __call__(self, name: str) -> None:
        self.serious += self.axe(self.page, name)
        if self.page.viewport_size == PHONE and horizontal_overflow(self.page) > 0:
            self.serious.append(f"{name}: scrolls sideways on a 375-px screen (WCAG 1.4.10)")

    def visit(self, path: str, name: str, status: int = 200) -> None:
        response = self.page.goto(path)
        assert response.status == status, f"{path} answered {response.status}"
        self(name)

    def assert_clean(self) -> None:
        assert not self.serious, "serious or critical accessibility problems:\n" + "\n".join(
            self.serious
        )


def test_public_pages_have_no_serious_accessibility_problems(new_page, demo, axe, mailoutbox):
    invited = invite_patient(demo, mailoutbox)
    services.invitation_withdraw(invitation=invited.invitation)
    journey = ConsentInvitation.objects.get(patient_email=consent_demo.JOURNEY_PATIENT.email)
    for _attempt in range(ConsentInvitation.MAX_DATE_OF_BIRTH_ATTEMPTS):
        services.invitation_check_birth_date(
            invitation=journey, date_of_birth=datetime.date(1900, 1, 1)
        )
    page = new_page(bypass_csp=True)
    check = Checker(axe, page)

    check.visit("/", "home")
    check.visit("/procedures/", "library")
    check.visit("/procedures/?q=no+such+treatment", "library, nothing found")
    check.visit("/procedures/mesotherapy/", "procedure page")
    page.get_by_text("More about", exact=False).first.click()  # a <details> opened in place
    check("procedure page, details open")
    check.visit("/procedures/mesotherapy/versions/1/", "procedure version page")
    check.visit("/consent/verify/", "verify")
    check.visit("/consent/verify/?code=nonsense", "verify, not a code")
    check.visit(f"/consent/verify/?code={demo.record.code}", "verify, intact record")
    check.visit("/consent/session-ended/", "session ended")
    check.visit("/consent/i/no-such-link/", "link invalid", status=404)
    check.visit(f"/consent/i/{consent_demo.SIGNED_PATIENT.token}/", "link used", status=410)
    check.visit(invited.link, "link withdrawn by the clinic", status=410)
    check.visit(f"/consent/i/{consent_demo.JOURNEY_PATIENT.token}/", "link locked", status=403)
    check.visit("/no-such-page/", "404", status=404)
    page.set_viewport_size(PHONE)
    check.visit("/", "home, phone")
    check.visit("/procedures/mesotherapy/", "procedure page, phone")
    page.set_viewport_size(DESKTOP)
    with page.expect_navigation():
        page.get_by_role("navigation", name="Language").get_by_role("link", name="Español").click()
    check("home, in Spanish")
    check.visit(f"/procedures/{SPANISH_SLUG}/", "procedure page, in Spanish")

    check.assert_clean()


def test_the_emailed_code_and_stop_reminders_pages_have_no_serious_problems(
    new_page, demo, axe, mailoutbox
):
    invited = invite_patient(demo, mailoutbox, requires_email_code=True)
    page = new_page(bypass_csp=True)
    check = Checker(axe, page)
    page.goto(invited.link)
    page.get_by_label("Your date of birth").fill(DATE_OF_BIRTH.isoformat())
    submit(page, "Continue")
    check("e-mailed code")
    submit(page, "Continue")
    expect(page.get_by_role("alert")).to_be_visible()
    check("e-mailed code, sent empty")
    page.get_by_label("The 6-digit code from your e-mail").fill("12")
    submit(page, "Continue")
    check("e-mailed code, not six digits")
    submit(page, "E-mail me a new code")
    check("e-mailed code, asked again too soon")
    page.set_viewport_size(PHONE)
    check("e-mailed code, phone")
    stop = f"/consent/reminders/stop/{stop_signature(invited.invitation.pk)}/"
    check.visit(stop, "stop reminders, phone")
    page.set_viewport_size(DESKTOP)
    check.visit(stop, "stop reminders")
    submit(page, "Send me no more reminders")
    check("reminders stopped")

    check.assert_clean()


def test_every_consent_step_with_and_without_errors_has_no_serious_problems(
    new_page, demo, axe, mailoutbox
):
    invited = invite_patient(demo, mailoutbox)
    page = new_page(bypass_csp=True)
    check = Checker(axe, page)

    def both_states(name: str, button: str = "Save and continue") -> None:
        """The step as it opens, then sent empty: its error summary and marked fields."""
        check(name)
        submit(page, button)
        expect(page.get_by_role("alert")).to_be_visible()
        check(f"{name}, sent empty")

    check.visit(invited.link, "invitation link")
    submit(page, "Continue")
    check("invitation link, sent empty")
    page.get_by_label("Your date of birth").fill("1990-01-01")
    submit(page, "Continue")
    expect(page.get_by_role("alert")).to_contain_text("does not match")
    check("invitation link, wrong date of birth")
    page.get_by_label("Your date of birth").fill(DATE_OF_BIRTH.isoformat())
    submit(page, "Continue")

    both_states("signing electronically", "Start")
    page.get_by_role("checkbox").check()
    submit(page, "Start")

    both_states("step 1 about")
    page.get_by_role("checkbox").check()
    submit(page, "Save and continue")

    both_states("step 2 health")
    answer_health_questions(page, invited.content)
    submit(page, "Save and continue")

    both_states("step 3 side effects")
    for box in page.get_by_role("checkbox").all():
        box.check()
    submit(page, "Save and continue")

    both_states("step 4 injected")
    page.get_by_role("checkbox").check()
    submit(page, "Save and continue")

    both_states("step 5 practitioner")
    for box in page.get_by_role("checkbox").all():
        box.check()
    submit(page, "Save and continue")

    both_states("step 6 understanding", "Check my answers")
    for question in invited.content["comprehension"]:
        page.get_by_role("group", name=question["question"]).get_by_label(
            invited.wrong_choice(question), exact=True
        ).check()
    submit(page, "Check my answers")
    check("step 6 understanding, answers wrong")
    for question in invited.content["comprehension"]:
        page.get_by_role("group", name=question["question"]).get_by_label(
            invited.correct_choice(question), exact=True
        ).check()
    submit(page, "Check my answers")

    check("step 7 questions")  # optional, and the field stops at its length: no error state
    submit(page, "Save and continue")

    both_states("step 8 sign", "Sign consent")
    page.get_by_label("Type your full name").fill(PATIENT_NAME)
    page.get_by_role("checkbox").check()
    submit(page, "Sign consent")

    check("receipt")
    with page.expect_navigation():
        page.get_by_role("link", name="Withdraw my consent").click()
    both_states("withdraw", "Withdraw my consent")
    page.get_by_role("checkbox").check()
    submit(page, "Withdraw my consent")
    check("receipt, withdrawn")

    check.assert_clean()


def test_practitioner_pages_have_no_serious_problems(new_page, demo, axe):
    page = new_page(bypass_csp=True)
    check = Checker(axe, page)

    page.goto("/practice/")
    check("sign in")
    page.get_by_label("Username").fill("practitioner")
    page.get_by_label("Password").fill("not the password")
    submit(page, "Continue")
    check("sign in, wrong password")

    def axe_each_step(name: str) -> None:
        """Each page of the sign-in, then (for the code steps) with a wrong code."""
        if name == "sign in":
            return  # checked above, with and without its error
        check(name)
        page.get_by_label("Code").fill("000000")
        submit(page, "Sign in" if name == "enter your code" else "Confirm and sign in")
        check(f"{name}, wrong code")
        if name == "set up authenticator app":
            page.wait_for_timeout(1_100)  # django-otp refuses codes for 1 s after a wrong one

    sign_in(page, axe_each_step, "practitioner")

    check("dashboard")
    # The demo's signed record awaits an answer (other demo records are mid-course, etc.).
    patient = demo.record.invitation.patient_name
    with page.expect_navigation():
        page.get_by_role("link", name=f"Open record for {patient}").first.click()
    check("record")
    submit(page, "Send the answer")
    check("record, answer missing")
    with page.expect_navigation():
        page.get_by_role("link", name="Back to consents").click()
    with page.expect_navigation():
        page.get_by_role("link", name="Invite a patient").click()
    check("invitation form")
    submit(page, "Send the invitation")
    check("invitation form, sent empty")
    page.set_viewport_size(PHONE)
    check.visit("/practice/", "dashboard, phone")
    check.visit(f"/practice/records/{demo.record.code}/", "record, phone")

    check.assert_clean()


def test_the_consent_steps_in_spanish_have_no_serious_problems(new_page, demo, axe):
    """The demo's Spanish invitation, step by step, then signed: each page in Spanish, axe-clean."""
    patient = consent_demo.SPANISH_PATIENT
    invitation = ConsentInvitation.objects.get(patient_email=patient.email)
    page = new_page(bypass_csp=True)
    check = Checker(axe, page)
    send = page.locator("main form button[type=submit]").last

    def sent():
        with page.expect_navigation():
            send.click()

    check.visit(f"/consent/i/{patient.token}/", "Spanish: invitation link")
    page.locator("input[name=date_of_birth]").fill(patient.date_of_birth.isoformat())
    sent()
    check("Spanish: signing electronically")
    page.get_by_role("checkbox").check()
    sent()
    complete_draft(invitation)
    steps = ("about", "health", "side-effects", "injected", "practitioner", "understanding")
    for step in (*steps, "questions"):
        check.visit(f"/consent/step/{step}/", f"Spanish: step {step}")
        expect(page.locator("html")).to_have_attribute("lang", "es")
    check.visit("/consent/step/sign/", "Spanish: step sign")
    page.get_by_role("textbox", name="Escriba su nombre completo").fill(patient.name)
    page.get_by_role("checkbox").last.check()
    sent()
    expect(page.get_by_role("heading", level=1)).to_have_text("Su consentimiento está registrado")
    check("Spanish: receipt")
    check.assert_clean()


def test_the_verify_page_of_a_purged_record_has_no_serious_problems(new_page, demo, axe):
    later = timezone.now() + datetime.timedelta(days=settings.RECORD_RETENTION_DAYS + 1)
    services.record_purge(record=demo.record, confirmed_by=demo.admin, now=later)
    page = new_page(bypass_csp=True)
    check = Checker(axe, page)

    check.visit(f"/consent/verify/?code={demo.record.code}", "verify, purged record")
    expect(page.get_by_role("heading", name="Purged under the retention policy")).to_be_visible()
    page.set_viewport_size(PHONE)
    check.visit(f"/consent/verify/?code={demo.record.code}", "verify, purged record, phone")

    check.assert_clean()
