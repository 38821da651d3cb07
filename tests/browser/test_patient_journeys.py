"""The patient's consent journey in a real browser: on a phone, without JavaScript, by keyboard.

Each journey starts from the link in the invitation e-mail and ends with the PDF copy in hand,
saving a screenshot of every page it passes through to test-artifacts/<journey>/.
"""

import re

import pytest
from playwright.sync_api import expect

from consent.models import ConsentRecord

from .actions import horizontal_overflow, submit
from .conftest import PHONE
from .keyboard import Keyboard
from .patient import (
    DATE_OF_BIRTH,
    PATIENT_NAME,
    QUESTION,
    answer_health_questions,
    invite_patient,
    plain_health_answers,
)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

STEP_COUNT = 9


def expect_step(page, number, title):
    expect(page.get_by_role("heading", level=1)).to_have_text(title)
    expect(page.get_by_text(f"Step {number} of {STEP_COUNT}", exact=True)).to_be_visible()


def expect_error(page, message):
    summary = page.get_by_role("alert")
    expect(summary).to_contain_text("There is a problem")
    expect(summary).to_contain_text(message)


def walk_to_pdf(page, invited, shot, *, phone: bool, javascript: bool):
    """Every page from the e-mail's link to the PDF, by pointer (mouse or touch)."""
    check_layout = (lambda: assert_fits_phone(page)) if phone else (lambda: None)

    page.goto(invited.link)
    expect(page.get_by_role("heading", level=1)).to_have_text("Before your Mesotherapy")
    check_layout()
    shot("invitation link")
    submit(page, "Continue")
    expect_error(page, "Enter your date of birth.")
    shot("date of birth missing")
    page.get_by_label("Your date of birth").fill(DATE_OF_BIRTH.isoformat())
    submit(page, "Continue")

    expect(page.get_by_role("heading", level=1)).to_have_text("Signing electronically")
    check_layout()
    shot("signing electronically")
    page.get_by_label("I agree to receive information and sign electronically.").check()
    submit(page, "Start")

    expect_step(page, 1, "About the procedure")
    check_layout()
    shot("step 1 about")
    page.get_by_role("checkbox").check()
    submit(page, "Save and continue")

    expect_step(page, 2, "Your health")
    check_layout()
    shot("step 2 health")
    answer_health_questions(page, invited.content)
    submit(page, "Save and continue")

    expect_step(page, 3, "Side effects")
    check_layout()
    shot("step 3 side effects")
    boxes = page.get_by_role("checkbox")
    assert boxes.count() == len(invited.content["side_effects"])
    boxes.first.check()
    submit(page, "Save and continue")
    expect_error(page, "Tick to confirm")
    expect(boxes.first).to_be_checked()  # the ticks given are kept
    shot("step 3 side effects missing ticks")
    for box in boxes.all():
        box.check()
    submit(page, "Save and continue")

    expect_step(page, 4, "What will be injected")
    check_layout()
    shot("step 4 injected")
    page.get_by_role("checkbox").check()
    submit(page, "Save and continue")

    expect_step(page, 5, "Your practitioner")
    check_layout()
    shot("step 5 practitioner")
    for box in page.get_by_role("checkbox").all():
        box.check()
    submit(page, "Save and continue")

    expect_step(page, 6, "Check your understanding")
    check_layout()
    shot("step 6 understanding")
    questions = invited.content["comprehension"]
    first, rest = questions[0], questions[1:]
    page.get_by_role("group", name=first["question"]).get_by_label(
        invited.wrong_choice(first), exact=True
    ).check()
    for question in rest:
        page.get_by_role("group", name=question["question"]).get_by_label(
            invited.correct_choice(question), exact=True
        ).check()
    submit(page, "Check my answers")
    expect(page.get_by_text("Not quite.")).to_be_visible()
    expect(page.locator("fieldset")).to_have_count(1)  # only the wrong one is asked again
    check_layout()
    shot("step 6 understanding one wrong")
    page.get_by_label(invited.correct_choice(first), exact=True).check()
    submit(page, "Check my answers")

    expect_step(page, 7, "Questions for your practitioner")
    check_layout()
    shot("step 7 questions")
    page.get_by_label("Your questions for your practitioner (optional)").fill(QUESTION)
    submit(page, "Save and continue")

    expect_step(page, 8, "Review and sign")
    check_layout()
    shot("step 8 sign")
    submit(page, "Sign consent")
    expect_error(page, "Type your full name to sign.")
    shot("step 8 sign missing name")
    page.get_by_label("Type your full name").fill(PATIENT_NAME)
    pad = page.get_by_role("img", name="You may also draw your signature (optional)")
    if javascript:
        draw_signature(page, pad)
    else:
        expect(pad).to_be_hidden()  # without JavaScript the typed name alone signs
    page.get_by_label("I have read what signing means, and I agree to this procedure.").check()
    submit(page, "Sign consent")

    expect(page.get_by_role("heading", level=1)).to_have_text("Your consent is recorded")
    check_layout()
    shot("receipt")
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download your copy (PDF)").click()
    download = download_info.value
    assert re.fullmatch(r"consent-CR-\w{4}-\w{4}\.pdf", download.suggested_filename)
    with open(download.path(), "rb") as pdf:
        assert pdf.read(5) == b"%PDF-"
    return ConsentRecord.objects.get(invitation=invited.invitation)


def draw_signature(page, pad):
    """A finger's scribble across the signature pad (touch arrives as pointer events)."""
    pad.scroll_into_view_if_needed()
    box = pad.bounding_box()
    left, middle = box["x"] + 20, box["y"] + box["height"] / 2
    page.mouse.move(left, middle)
    page.mouse.down()
    for step in range(1, 9):
        page.mouse.move(left + step * 30, middle + (15 if step % 2 else -15), steps=3)
    page.mouse.up()


def assert_fits_phone(page):
    assert horizontal_overflow(page) <= 0, f"{page.url} scrolls sideways on a 375-px screen"


def test_patient_on_a_phone_goes_from_the_email_link_to_the_pdf(
    new_page, demo, mailoutbox, screenshots
):
    invited = invite_patient(demo, mailoutbox)
    page = new_page(viewport=PHONE, is_mobile=True, has_touch=True)
    shot = screenshots(page, "phone")

    record = walk_to_pdf(page, invited, shot, phone=True, javascript=True)

    assert record.payload["signature"]["typed_name"] == PATIENT_NAME
    assert record.payload["signature"]["drawn"].startswith("data:image/png;base64,")
    assert record.payload["questions"] == QUESTION
    assert page.console_errors == []  # nothing refused by the Content-Security-Policy either


def test_patient_without_javascript_goes_from_the_email_link_to_the_pdf(
    new_page, demo, mailoutbox, screenshots
):
    invited = invite_patient(demo, mailoutbox)
    page = new_page(java_script_enabled=False)
    shot = screenshots(page, "no-javascript")

    record = walk_to_pdf(page, invited, shot, phone=False, javascript=False)

    assert record.payload["signature"] == {
        **record.payload["signature"],
        "typed_name": PATIENT_NAME,
        "drawn": None,
    }


def test_patient_by_keyboard_alone_goes_from_the_email_link_to_the_pdf(
    new_page, demo, mailoutbox, screenshots
):
    invited = invite_patient(demo, mailoutbox)
    page = new_page()
    shot = screenshots(page, "keyboard")
    keys = Keyboard(page)
    button = lambda name: page.get_by_role("button", name=name)  # noqa: E731
    save = button("Save and continue")

    page.goto(invited.link)
    keys.arrive()
    shot("invitation link")
    keys.skip_to_main()
    keys.tab_to(button("Continue"))
    keys.follow()  # nothing typed: an error
    shot("date of birth missing")
    keys.press("Tab")  # the summary's link to the field ...
    keys.press("Enter")  # ... takes focus to it
    assert page.get_by_label("Your date of birth").evaluate("el => el === document.activeElement")
    keys.type(DATE_OF_BIRTH.strftime("%m%d%Y"))  # Chromium's date field, month first in en-US
    keys.tab_to(button("Continue"))
    keys.follow()

    expect(page.get_by_role("heading", level=1)).to_have_text("Signing electronically")
    shot("signing electronically")
    keys.skip_to_main()
    keys.tab_to(button("Start"))
    keys.follow()  # not ticked: an error
    shot("signing electronically not ticked")
    keys.press("Tab")
    keys.press("Enter")
    agree = page.get_by_role("checkbox")
    keys.press("Space", agree.element_handle())
    expect(agree).to_be_checked()
    keys.tab_to(button("Start"))
    keys.follow()

    expect_step(page, 1, "About the procedure")
    shot("step 1 about")
    keys.skip_to_main()
    keys.tab_to(page.get_by_role("checkbox"))
    keys.press("Space")
    keys.tab_to(save)
    keys.follow()

    expect_step(page, 2, "Your health")
    shot("step 2 health")
    keys.skip_to_main()
    for question, label in plain_health_answers(invited.content):
        group = page.get_by_role("group", name=question)
        answer = group.get_by_label(label, exact=True)
        if answer.get_attribute("type") == "checkbox":
            keys.tab_to(answer)
            keys.press("Space")
        else:  # a radio group is one Tab stop; the arrow keys choose within it
            keys.tab_to(group.get_by_role("radio").first)
            labels = [box.get_attribute("value") for box in group.get_by_role("radio").all()]
            for _ in range(labels.index(answer.get_attribute("value"))):
                keys.press("ArrowDown")
            keys.press("Space")
        expect(answer).to_be_checked()
    keys.tab_to(save)
    keys.follow()

    expect_step(page, 3, "Side effects")
    shot("step 3 side effects")
    keys.skip_to_main()
    more = page.locator("summary").first
    keys.tab_to(more)
    keys.press("Enter")  # "More about ..." opens in place
    expect(page.locator("details").first).to_have_attribute("open", "")
    boxes = page.get_by_role("checkbox").all()
    for box in boxes[:-1]:  # one left unticked: an error
        keys.tab_to(box)
        keys.press("Space")
    keys.tab_to(save)
    keys.follow()
    shot("step 3 side effects one missing")
    keys.press("Tab")
    keys.press("Enter")
    last = page.get_by_role("checkbox").last
    assert last.evaluate("el => el === document.activeElement")
    keys.press("Space")
    keys.tab_to(save)
    keys.tab_to(last, backwards=True)  # Shift+Tab back: still ticked
    expect(last).to_be_checked()
    keys.tab_to(save)
    keys.follow()

    expect_step(page, 4, "What will be injected")
    shot("step 4 injected")
    keys.skip_to_main()
    keys.tab_to(page.get_by_role("checkbox"))
    keys.press("Space")
    keys.tab_to(save)
    keys.follow()

    expect_step(page, 5, "Your practitioner")
    shot("step 5 practitioner")
    keys.skip_to_main()
    for box in page.get_by_role("checkbox").all():
        keys.tab_to(box)
        keys.press("Space")
    keys.tab_to(save)
    keys.follow()

    expect_step(page, 6, "Check your understanding")
    shot("step 6 understanding")
    keys.skip_to_main()
    keys.tab_to(button("Check my answers"))
    keys.follow()  # nothing chosen: an error for each question
    shot("step 6 understanding unanswered")
    keys.press("Tab")
    keys.press("Enter")  # to the first question
    for question in invited.content["comprehension"]:
        group = page.get_by_role("group", name=question["question"])
        keys.tab_to(group.get_by_role("radio").first)
        keys.press("Space")
        for _ in range(question["correct_choice"] - 1):
            keys.press("ArrowDown")  # moving within a radio group chooses, as it does anywhere
        expect(group.get_by_label(invited.correct_choice(question), exact=True)).to_be_checked()
    keys.tab_to(button("Check my answers"))
    keys.follow()

    expect_step(page, 7, "Questions for your practitioner")
    shot("step 7 questions")
    keys.skip_to_main()
    keys.tab_to(page.get_by_role("textbox"))
    keys.type(QUESTION)
    keys.tab_to(save)
    keys.follow()

    expect_step(page, 8, "Review and sign")
    shot("step 8 sign")
    keys.skip_to_main()
    keys.tab_to(page.get_by_label("Type your full name"))
    keys.type("Alex Morgen")  # a typo: an error
    keys.tab_to(page.get_by_role("checkbox"))
    keys.press("Space")
    keys.tab_to(button("Sign consent"))
    keys.follow()
    shot("step 8 sign name mismatch")
    expect_error(page, "This does not match the name the clinic has for you.")
    keys.press("Tab")
    keys.press("Enter")
    keys.press("ControlOrMeta+A")
    keys.type(PATIENT_NAME)
    keys.tab_to(page.get_by_role("checkbox"))
    if not page.get_by_role("checkbox").is_checked():
        keys.press("Space")
    keys.tab_to(button("Sign consent"))
    keys.follow()

    expect(page.get_by_role("heading", level=1)).to_have_text("Your consent is recorded")
    shot("receipt")
    download_link = page.get_by_role("link", name="Download your copy (PDF)")
    keys.tab_to(download_link)
    with page.expect_download() as download_info:
        keys.press("Enter")
    with open(download_info.value.path(), "rb") as pdf:
        assert pdf.read(5) == b"%PDF-"
    record = ConsentRecord.objects.get(invitation=invited.invitation)
    assert record.payload["signature"]["typed_name"] == PATIENT_NAME
    assert page.console_errors == []
