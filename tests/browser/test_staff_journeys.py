"""Staff journeys in a real browser: a practitioner answers and countersigns; a clinic admin
edits, previews and publishes a procedure while an older signed record keeps what it showed."""

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from consent import demo as consent_demo
from consent.models import EventKind

from .actions import submit
from .staff import sign_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

ANSWER = "Most people need three to five sessions, a few weeks apart. We will plan it together."


def test_practitioner_signs_in_answers_the_question_and_countersigns(
    new_page, demo, mailoutbox, screenshots
):
    record = demo.record
    patient = consent_demo.SIGNED_PATIENT.name
    page = new_page()
    shot = screenshots(page, "practitioner")

    page.goto("/practice/")
    sign_in(page, shot, "practitioner")

    expect(page.get_by_role("heading", level=1)).to_have_text("Consents")
    expect(page.get_by_role("cell", name="Awaiting answers to questions")).to_be_visible()
    shot("dashboard")
    with page.expect_navigation():
        page.get_by_role("link", name=f"Open record for {patient}").click()

    expect(page.get_by_role("heading", level=1)).to_contain_text(patient)
    expect(page.get_by_text(consent_demo.SIGNED_PATIENT_QUESTION)).to_be_visible()
    shot("record")
    submit(page, "Send the answer")  # nothing written: an error
    expect(page.get_by_role("alert")).to_contain_text("Write an answer.")
    shot("record answer missing")
    page.get_by_label("Your answer to the patient").fill(ANSWER)
    submit(page, "Send the answer")

    expect(
        page.get_by_text("Your answer is saved and the patient has been e-mailed.")
    ).to_be_visible()
    expect(page.get_by_text(ANSWER)).to_be_visible()
    shot("record answered")
    page.get_by_label("Type your name").fill("Maya Chen")
    page.get_by_label("I have discussed this consent with the patient.").check()
    submit(page, "Countersign")

    expect(page.get_by_text("Countersigned. The consent is ready for treatment.")).to_be_visible()
    expect(page.get_by_text("Countersigned by Maya Chen on")).to_be_visible()
    expect(page.get_by_text("Ready for treatment", exact=True)).to_be_visible()
    shot("record countersigned")
    with page.expect_navigation():
        page.get_by_role("link", name="Back to consents").click()
    expect(page.get_by_role("cell", name="Ready for treatment")).to_be_visible()
    shot("dashboard ready")

    kinds = list(record.events.values_list("kind", flat=True))
    assert EventKind.QUESTION_ANSWERED in kinds
    assert EventKind.COUNTERSIGNED in kinds
    assert [message.to for message in mailoutbox if "has answered" in message.body] == [
        [consent_demo.SIGNED_PATIENT.email]
    ]
    assert page.console_errors == []


def test_clinic_admin_publishes_a_new_version_and_the_older_record_keeps_the_old(
    new_page, demo, screenshots
):
    # An admin who has an authenticator app already; today they use a backup code instead.
    TOTPDevice.objects.create(user=demo.admin, name="Authenticator app", confirmed=True)
    old_summary = demo.version.summary
    old_effect = demo.version.content["side_effects"][0]["name"]
    new_summary = "Mesotherapy is many small injections into the middle layer of the skin."
    new_effect = f"{old_effect} and tenderness"
    page = new_page()
    shot = screenshots(page, "admin")

    page.goto("/admin/education/procedure/")
    sign_in(page, shot, "admin")
    expect(page.get_by_role("heading", name="Select procedure to change")).to_be_visible()
    shot("procedures in admin")
    with page.expect_navigation():
        page.get_by_role("link", name="Mesotherapy", exact=True).click()

    shot("procedure in admin")
    page.get_by_role("textbox", name="Summary").fill(new_summary)
    page.locator("summary", has_text="Side effects").first.click()  # the folded inline
    first_effect = page.locator("#id_side_effects-0-name")
    expect(first_effect).to_have_value(old_effect)
    first_effect.fill(new_effect)
    submit(page, "Save and continue editing")
    expect(page.locator(".messagelist")).to_contain_text("was changed successfully")

    with page.context.expect_page() as preview_info:
        page.get_by_role("link", name="Preview patient page").click()
    preview = preview_info.value
    preview.wait_for_load_state()
    expect(preview.get_by_role("note")).to_contain_text("Preview.")
    expect(preview.get_by_text(new_summary)).to_be_visible()
    expect(preview.get_by_text(new_effect).first).to_be_visible()
    shot("preview", page=preview)
    preview.close()

    with page.expect_navigation():
        page.get_by_role("link", name="Publish…").click()
    expect(page.get_by_text("Will be published as version 2.")).to_be_visible()
    expect(
        page.get_by_text("Material change: earlier consents may need to be redone.")
    ).to_be_visible()
    shot("publish confirmation")
    # The demo's words for how often and how serious that its sources do not state.
    confirmations = page.get_by_role("group", name="Words no cited source states")
    for box in confirmations.get_by_role("checkbox").all():
        box.check()
    page.get_by_role("textbox").fill("Clearer summary; tenderness named with bruising.")
    with page.expect_navigation():
        page.get_by_role("button", name="Yes, publish it").click()
    expect(page.locator(".messagelist")).to_contain_text("Published Mesotherapy version 2.")
    shot("published")

    page.goto("/procedures/mesotherapy/")
    expect(page.get_by_text(new_summary)).to_be_visible()
    expect(page.get_by_role("heading", name=new_effect)).to_be_visible()
    expect(page.locator(".procedure__meta")).to_contain_text("2")
    shot("patient page version 2")

    page.goto(demo.record.version.get_absolute_url())
    expect(page.get_by_text("You are reading version 1, kept for the record.")).to_be_visible()
    expect(page.get_by_text(old_summary)).to_be_visible()
    expect(page.get_by_role("heading", name=old_effect, exact=True)).to_be_visible()
    expect(page.get_by_role("heading", name=new_effect)).to_have_count(0)
    shot("patient page version 1")

    page.goto(f"/practice/records/{demo.record.code}/")
    expect(page.get_by_text("Mesotherapy, version 1")).to_be_visible()
    expect(page.get_by_role("heading", name="Stale: signed on version 1")).to_be_visible()
    acknowledged = page.get_by_role("region", name="Side effects acknowledged")
    expect(acknowledged.get_by_role("cell", name=old_effect, exact=True)).to_be_visible()
    expect(acknowledged.get_by_role("cell", name=new_effect)).to_have_count(0)
    shot("older record")
    with page.expect_navigation():
        page.get_by_role("link", name="The information as the patient read it (version 1)").click()
    expect(page.get_by_text(old_summary)).to_be_visible()
    assert page.url.endswith("/procedures/mesotherapy/versions/1/")
    assert page.console_errors == []
