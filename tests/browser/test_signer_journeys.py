"""Who signs, in a real browser (issue 14): a mother consents for her 12-year-old son on a phone,
the boy gives his own assent on the same device, and the practitioner, signed in to the practice
area, records that they witnessed it. axe-core checks every new page along the way."""

import pytest
from playwright.sync_api import expect

from consent.demo_signers import GUARDIAN_NAME, GUARDIAN_PATIENT
from consent.models import ConsentRecord, EventKind

from .actions import horizontal_overflow, submit
from .conftest import PHONE
from .patient import answer_health_questions
from .staff import sign_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

STEP_COUNT = 10  # the patient's nine, and the minor's own agreement
MINOR = GUARDIAN_PATIENT.name


def expect_step(page, number, title):
    expect(page.get_by_role("heading", level=1)).to_have_text(title)
    expect(page.get_by_text(f"Step {number} of {STEP_COUNT}", exact=True)).to_be_visible()
    expect(page.locator("#who-is-signing")).to_contain_text(
        f"You are reading and signing for the patient, {MINOR}, as their parent or guardian"
    )
    assert horizontal_overflow(page) <= 0, f"{page.url} scrolls sideways on a 375-px screen"


def check(axe, page, name, found):
    found += axe(page, name)


def test_guardian_signs_for_a_minor_who_assents_and_a_staff_member_witnesses(
    new_page, demo, screenshots, axe
):
    content = demo.version.content
    serious = []
    page = new_page(viewport=PHONE, bypass_csp=True)
    shot = screenshots(page, "guardian")

    page.goto(f"/consent/i/{GUARDIAN_PATIENT.token}/")
    page.get_by_label("The patient's date of birth").fill(
        GUARDIAN_PATIENT.date_of_birth.isoformat()
    )
    submit(page, "Continue")

    expect(page.get_by_role("heading", level=1)).to_have_text("Signing electronically")
    expect(page.locator("#who-is-signing")).to_contain_text(GUARDIAN_NAME)
    check(axe, page, "guardian esign", serious)
    shot("signing electronically")
    page.get_by_label("I agree to receive information and sign electronically.").check()
    submit(page, "Start")

    expect_step(page, 1, "About the procedure")
    check(axe, page, "guardian about", serious)
    shot("step 1 about")
    page.get_by_label(f"I have read about the procedure for the patient, {MINOR}").check()
    submit(page, "Save and continue")

    expect_step(page, 2, "The patient's health")
    answer_health_questions(page, content)
    submit(page, "Save and continue")

    expect_step(page, 3, "Side effects")
    expect(page.get_by_text(f"may happen to the patient, {MINOR}.").first).to_be_visible()
    check(axe, page, "guardian side effects", serious)
    shot("step 3 side effects")
    for box in page.get_by_role("checkbox").all():
        box.check()
    submit(page, "Save and continue")

    expect_step(page, 4, "What will be injected")
    page.get_by_role("checkbox").check()
    submit(page, "Save and continue")

    expect_step(page, 5, "The practitioner")
    for box in page.get_by_role("checkbox").all():
        box.check()
    submit(page, "Save and continue")

    expect_step(page, 6, "Check your understanding")
    for question in content["comprehension"]:
        right = question["choices"][question["correct_choice"] - 1]
        page.get_by_role("group", name=question["question"]).get_by_label(right, exact=True).check()
    submit(page, "Check my answers")

    expect_step(page, 7, "Questions for the practitioner")
    submit(page, "Save and continue")

    expect_step(page, 8, "The patient's own agreement")
    expect(page.get_by_text("Your practitioner will discuss this with you.")).to_be_visible()
    check(axe, page, "assent", serious)
    shot("step 8 assent")
    page.get_by_label("Type your own full name").fill(MINOR)
    page.get_by_label("I know about this treatment, and I agree to have it.").check()
    submit(page, "Save and continue")

    expect_step(page, 9, "Review and sign")
    expect(page.get_by_text(f"as the parent or guardian of the patient, {MINOR}")).to_be_visible()
    check(axe, page, "guardian sign", serious)
    shot("step 9 sign")
    page.get_by_label("Type your own full name (not the patient's)").fill(MINOR)
    page.get_by_label(
        f"I have read what signing means, and I agree, for the patient, {MINOR}"
    ).check()
    submit(page, "Sign consent")
    expect(page.get_by_role("alert")).to_contain_text("You typed the patient's name.")
    check(axe, page, "guardian typed the patient's name", serious)
    shot("step 9 sign patient's name")
    page.get_by_label("Type your own full name (not the patient's)").fill(GUARDIAN_NAME)
    page.get_by_label(
        f"I have read what signing means, and I agree, for the patient, {MINOR}"
    ).check()
    submit(page, "Sign consent")
    expect(page.get_by_role("heading", level=1)).to_have_text("Your consent is recorded")
    shot("receipt")
    record = ConsentRecord.objects.get(invitation__patient_name=MINOR)
    assert [row["role"] for row in record.payload["signers"]] == ["guardian", "minor_assent"]

    staff = new_page(bypass_csp=True)
    staff_shot = screenshots(staff, "guardian-witness")
    staff.goto("/practice/")
    sign_in(staff, staff_shot, "practitioner")
    expect(staff.get_by_role("cell", name="Waiting for witness")).to_be_visible()
    staff_shot("dashboard waiting for witness")
    with staff.expect_navigation():
        staff.get_by_role("link", name=f"Open record for {MINOR}").click()
    expect(staff.get_by_text(f"Parent or guardian: {GUARDIAN_NAME}")).to_be_visible()
    check(axe, staff, "record waiting for witness", serious)
    staff_shot("record waiting for witness")
    staff.get_by_label("I saw the person named above sign this consent").check()
    submit(staff, "Record that I witnessed it")
    expect(staff.get_by_text("Witness recorded. The consent is complete.")).to_be_visible()
    staff_shot("record witnessed")

    assert record.events.filter(kind=EventKind.WITNESSED).count() == 1
    assert serious == []
    assert page.console_errors == [] and staff.console_errors == []


def test_interpreter_step_and_witness_on_the_device_pass_axe_on_a_phone(
    new_page, demo, mailoutbox, screenshots, axe
):
    from tests.consent.conftest import complete_draft

    from .patient import DATE_OF_BIRTH, PATIENT_NAME, invite_patient

    invited = invite_patient(demo, mailoutbox, interpreter_required=True, witness_required=True)
    complete_draft(invited.invitation)
    serious = []
    page = new_page(viewport=PHONE, bypass_csp=True)
    shot = screenshots(page, "interpreter-witness")
    page.goto(invited.link)
    page.get_by_label("Your date of birth").fill(DATE_OF_BIRTH.isoformat())
    submit(page, "Continue")
    page.goto("/consent/step/interpreter/")

    expect(page.get_by_role("heading", level=1)).to_have_text("The interpreter")
    submit(page, "Save and continue")
    expect(page.get_by_role("alert")).to_contain_text("Type the interpreter's full name.")
    check(axe, page, "interpreter with errors", serious)
    shot("interpreter errors")
    page.get_by_label("Interpreter's full name").fill("Ana López")
    page.get_by_label("Language interpreted into").fill("Spanish")
    page.get_by_label("I interpreted all of this information").check()
    submit(page, "Save and continue")

    expect(page.get_by_role("heading", level=1)).to_have_text("Review and sign")
    expect(page.get_by_text("Ana López interpreted into Spanish.")).to_be_visible()
    check(axe, page, "sign with interpreter and witness", serious)
    shot("sign with witness")
    page.get_by_label("Type your full name", exact=True).fill(PATIENT_NAME)
    page.get_by_label("I have read what signing means, and I agree to this procedure.").check()
    page.get_by_label("Witness's full name").fill("Kim Lee")
    page.get_by_label("Witness: type your full name again to sign").fill("Kim Lee")
    page.get_by_label("I saw the person named above sign this consent").check()
    submit(page, "Sign consent")
    expect(page.get_by_role("heading", level=1)).to_have_text("Your consent is recorded")

    record = ConsentRecord.objects.get(invitation=invited.invitation)
    assert [row["role"] for row in record.payload["signers"]] == [
        "patient",
        "interpreter",
        "witness",
    ]
    assert serious == []
    assert page.console_errors == []
