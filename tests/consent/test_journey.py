"""The patient's whole journey through the test client, and each refusal on the way."""

import datetime
import io
import re

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from consent.models import ConsentDraft, ConsentEvent, ConsentRecord, EventKind
from consent.presentation import section_for_question
from consent.records import record_chain_digest, record_content_digest, sha256
from consent.services import signing
from consent.signature import drawn_signature_clean
from consent.tokens import token_hash
from consent.wizard import STEP_SLUGS
from education.services import procedure_publish
from tests import factories

from .conftest import DATE_OF_BIRTH, PATIENT_NAME

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def open_link(client, token, date_of_birth=DATE_OF_BIRTH):
    return client.post(
        reverse("consent:open", kwargs={"token": token}),
        {"date_of_birth": date_of_birth.isoformat()},
    )


def step_url(slug):
    return reverse("consent:step", kwargs={"step": slug})


def tick_all(prefix_ids):
    return {f"item_{i}": "on" for i in prefix_ids}


def walk_to_sign(client, invitation):
    """Answer every step through the pages, as a patient would."""
    content = ConsentDraft.objects.get(invitation=invitation).version.content
    assert client.post(reverse("consent:esign"), {"agree": "on"}).status_code == 302
    assert client.post(step_url("about"), {"agree": "on"}).status_code == 302
    ids = [row["id"] for row in content["side_effects"]]
    assert client.post(step_url("side-effects"), tick_all(ids)).status_code == 302
    assert client.post(step_url("injected"), {"agree": "on"}).status_code == 302
    ids = [row["id"] for row in content["checklist"]]
    assert client.post(step_url("practitioner"), tick_all(ids)).status_code == 302
    answers = {f"question_{q['id']}": q["correct_choice"] for q in content["comprehension"]}
    assert client.post(step_url("understanding"), answers).status_code == 302
    assert client.post(step_url("questions"), {"questions": "Does it hurt?"}).status_code == 302
    return content


def sign(client, name=PATIENT_NAME, **extra):
    return client.post(step_url("sign"), {"typed_name": name, "agree": "on", **extra})


def test_invitation_email_carries_a_link_whose_token_is_stored_only_as_a_hash(
    invitation_and_token, mailoutbox
):
    invitation, token = invitation_and_token
    assert len(mailoutbox) == 1
    body = mailoutbox[0].body
    assert f"/consent/i/{token}/" in body
    assert invitation.token_hash == token_hash(token)
    assert token not in invitation.token_hash
    assert "1985" not in body  # no date of birth in the e-mail


def test_link_page_says_who_sent_it_and_why(client, invitation_and_token):
    _invitation, token = invitation_and_token
    html = client.get(reverse("consent:open", kwargs={"token": token})).text
    assert "Dr. Maya Chen, MD at Riverside Skin Clinic" in html
    assert "never ask for a password" in html


def test_unknown_link_answers_404_with_an_explanation(client, invitation_and_token):
    response = client.get(reverse("consent:open", kwargs={"token": "not-a-real-token"}))
    assert response.status_code == 404
    assert "This link is not valid" in response.text


def test_whole_journey_writes_one_record_with_its_hash_events_and_pdf(
    client, invitation_and_token, mailoutbox, django_capture_on_commit_callbacks
):
    invitation, token = invitation_and_token
    assert open_link(client, token).status_code == 302
    content = walk_to_sign(client, invitation)

    with django_capture_on_commit_callbacks(execute=True):
        response = sign(client, name="  alex   MORGAN ")
    assert response.status_code == 302
    assert response["Location"] == reverse("consent:record")

    record = ConsentRecord.objects.get()
    assert record.invitation == invitation
    assert record.version_hash == record.version.content_hash
    assert record.content_sha256 == record_content_digest(record)
    assert record.record_hash == record_chain_digest(record)
    assert record.payload["signature"]["typed_name"] == "alex MORGAN"
    assert record.payload["questions"] == "Does it hurt?"
    acknowledged = [row["name"] for row in record.payload["acknowledgements"]["side_effects"]]
    assert acknowledged == [row["name"] for row in content["side_effects"]]
    assert all(row["acknowledged_at"] for row in record.payload["acknowledgements"]["side_effects"])
    assert [event.kind for event in record.events.all()] == [EventKind.SIGNED]

    pdf_bytes = record.stored_pdf.file.read()
    assert sha256(pdf_bytes) == record.stored_pdf.sha256
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf_bytes)).pages)
    flat = " ".join(text.split())
    assert PATIENT_NAME in flat
    assert "Mesotherapy" in flat
    assert record.code in flat
    for row in content["side_effects"]:
        assert row["name"] in flat

    recorded = mailoutbox[-1]
    assert "recorded" in recorded.subject
    assert record.code in recorded.body
    assert "Bruising" not in recorded.body  # no health details beyond the procedure's name


def test_receipt_page_shows_the_code_and_offers_the_pdf(
    client, invitation_and_token, django_capture_on_commit_callbacks
):
    invitation, token = invitation_and_token
    open_link(client, token)
    walk_to_sign(client, invitation)
    with django_capture_on_commit_callbacks(execute=True):  # the PDF task, on commit
        sign(client)
    record = ConsentRecord.objects.get()

    html = client.get(reverse("consent:record")).text
    assert record.code in html
    assert "Download your copy (PDF)" in html

    pdf = client.get(reverse("consent:record_pdf"))
    assert pdf.status_code == 200
    assert pdf["Content-Type"] == "application/pdf"
    assert b"".join(pdf.streaming_content).startswith(b"%PDF")
    kinds = list(record.events.values_list("kind", flat=True))
    assert kinds == [EventKind.SIGNED, EventKind.VIEWED, EventKind.DOWNLOADED]


def test_signing_twice_gives_one_record(client, invitation_and_token):
    invitation, token = invitation_and_token
    open_link(client, token)
    walk_to_sign(client, invitation)
    sign(client)
    second = sign(client)
    assert second.status_code == 302
    assert ConsentRecord.objects.count() == 1


def test_invitation_link_dies_on_signing_and_the_record_link_opens_the_record(
    client, invitation_and_token, mailoutbox, django_capture_on_commit_callbacks
):
    invitation, token = invitation_and_token
    open_link(client, token)
    walk_to_sign(client, invitation)
    with django_capture_on_commit_callbacks(execute=True):
        sign(client)
    record_token = re.search(r"/consent/i/([\w-]+)/", mailoutbox[-1].body).group(1)
    assert record_token != token

    fresh = client.__class__()
    used = fresh.get(reverse("consent:open", kwargs={"token": token}))
    assert used.status_code == 410
    assert "already recorded" in used.text
    response = open_link(fresh, record_token)
    assert response["Location"] == reverse("consent:record")


def test_wrong_date_of_birth_says_how_many_tries_are_left(client, invitation_and_token):
    _invitation, token = invitation_and_token
    response = open_link(client, token, datetime.date(1990, 1, 1))
    assert response.status_code == 400
    assert "4 tries left" in response.text


def test_five_wrong_dates_of_birth_lock_the_invitation_until_staff_reset(
    client, invitation_and_token
):
    invitation, token = invitation_and_token
    for _ in range(5):
        response = open_link(client, token, datetime.date(1990, 1, 1))
    assert response.status_code == 403
    assert "locked" in response.text
    # Even the right answer is refused now.
    assert open_link(client, token).status_code == 403
    invitation.refresh_from_db()
    assert invitation.locked_at is not None

    from consent.services import invitation_unlock

    invitation_unlock(invitation=invitation)
    assert open_link(client, token).status_code == 302


def test_wizard_pages_need_the_date_of_birth_check(client, invitation_and_token):
    response = client.get(step_url("about"))
    assert response["Location"] == reverse("consent:session_ended")


def test_patient_session_ends_after_thirty_idle_minutes(client, invitation_and_token, monkeypatch):
    _invitation, token = invitation_and_token
    open_link(client, token)
    assert client.get(reverse("consent:esign")).status_code == 200

    import consent.views.access

    later = consent.views.access.time.time() + 31 * 60
    monkeypatch.setattr(consent.views.access.time, "time", lambda: later)
    response = client.get(reverse("consent:esign"))
    assert response["Location"] == reverse("consent:session_ended")


def test_esign_agreement_comes_before_the_steps(client, invitation_and_token):
    _invitation, token = invitation_and_token
    open_link(client, token)
    response = client.get(step_url("about"))
    assert response["Location"] == reverse("consent:esign")
    html = client.get(reverse("consent:esign")).text
    assert "paper" in html
    assert "withdraw" in html


def test_steps_show_step_k_of_n_with_names(client, invitation_and_token):
    _invitation, token = invitation_and_token
    open_link(client, token)
    client.post(reverse("consent:esign"), {"agree": "on"})
    html = client.get(step_url("about")).text
    assert f"Step 1 of {len(STEP_SLUGS)}" in html
    assert "Check your understanding" in html
    assert "minutes left" in html


def test_patient_cannot_skip_ahead(client, invitation_and_token):
    _invitation, token = invitation_and_token
    open_link(client, token)
    client.post(reverse("consent:esign"), {"agree": "on"})
    response = client.get(step_url("sign"))
    assert response["Location"] == step_url("about")


def test_each_side_effect_must_be_ticked_on_its_own(client, invitation_and_token):
    invitation, token = invitation_and_token
    open_link(client, token)
    client.post(reverse("consent:esign"), {"agree": "on"})
    client.post(step_url("about"), {"agree": "on"})
    draft = ConsentDraft.objects.get(invitation=invitation)
    first = draft.version.content["side_effects"][0]["id"]

    response = client.post(step_url("side-effects"), {f"item_{first}": "on"})

    assert response.status_code == 400
    assert "Tick to confirm “Fainting”" in response.text
    draft.refresh_from_db()
    assert list(draft.answers["side_effects"]) == [str(first)]


def test_tampered_step_data_is_ignored_and_the_step_stays_incomplete(client, invitation_and_token):
    invitation, token = invitation_and_token
    open_link(client, token)
    client.post(reverse("consent:esign"), {"agree": "on"})
    client.post(step_url("about"), {"agree": "on"})
    response = client.post(step_url("side-effects"), {"item_999999": "on", "item_abc": "on"})
    assert response.status_code == 400
    draft = ConsentDraft.objects.get(invitation=invitation)
    assert draft.answers["side_effects"] == {}


def test_wrong_comprehension_answer_shows_the_explanation_and_keeps_every_attempt(
    client, invitation_and_token
):
    invitation, token = invitation_and_token
    open_link(client, token)
    client.post(reverse("consent:esign"), {"agree": "on"})
    client.post(step_url("about"), {"agree": "on"})
    draft = ConsentDraft.objects.get(invitation=invitation)
    content = draft.version.content
    client.post(step_url("side-effects"), tick_all(r["id"] for r in content["side_effects"]))
    client.post(step_url("injected"), {"agree": "on"})
    client.post(step_url("practitioner"), tick_all(r["id"] for r in content["checklist"]))
    question = content["comprehension"][0]
    wrong = 1 if question["correct_choice"] != 1 else 2

    response = client.post(step_url("understanding"), {f"question_{question['id']}": wrong})

    assert response.status_code == 200
    assert "Not quite." in response.text
    assert "Read again: What is not known" in response.text
    retry = client.post(
        step_url("understanding"), {f"question_{question['id']}": question["correct_choice"]}
    )
    assert retry["Location"] == step_url("questions")
    draft.refresh_from_db()
    attempts = draft.answers["comprehension"]["attempts"]
    assert [a["correct"] for a in attempts] == [False, True]


def test_wrong_comprehension_answer_says_why_the_chosen_answer_is_wrong(
    client, invitation_and_token
):
    invitation, token = invitation_and_token
    open_link(client, token)
    client.post(reverse("consent:esign"), {"agree": "on"})
    client.post(step_url("about"), {"agree": "on"})
    content = ConsentDraft.objects.get(invitation=invitation).version.content
    client.post(step_url("side-effects"), tick_all(r["id"] for r in content["side_effects"]))
    client.post(step_url("injected"), {"agree": "on"})
    client.post(step_url("practitioner"), tick_all(r["id"] for r in content["checklist"]))
    question = content["comprehension"][0]

    response = client.post(step_url("understanding"), {f"question_{question['id']}": 2})

    assert "You chose “No”." in response.text
    assert "No one has shown that they fade either." in response.text
    assert "No one has shown that the results last." not in response.text


def test_feedback_for_a_version_without_answer_explanations_shows_the_question_one(published):
    question = {
        "question": "Does it last?",
        "choices": ["Yes", "No"],
        "correct_choice": 2,
        "explanation_html": "<p>Nobody knows.</p>",
        "section": "unknowns",
    }
    feedback = section_for_question(question, published, chosen=1)
    assert feedback["chosen_text"] == "Yes"
    assert feedback["chosen_explanation_html"] == ""
    assert feedback["explanation_html"] == "<p>Nobody knows.</p>"


def test_typed_name_must_match_the_invitation(client, invitation_and_token):
    invitation, token = invitation_and_token
    open_link(client, token)
    walk_to_sign(client, invitation)
    response = sign(client, name="Someone Else")
    assert response.status_code == 400
    assert "does not match the name" in response.text
    assert not ConsentRecord.objects.exists()


def test_unticked_agreement_box_refuses_to_sign(client, invitation_and_token):
    invitation, token = invitation_and_token
    open_link(client, token)
    walk_to_sign(client, invitation)
    response = client.post(step_url("sign"), {"typed_name": PATIENT_NAME})
    assert response.status_code == 400
    assert not ConsentRecord.objects.exists()


def test_resuming_from_a_fresh_session_restores_every_answer(client, invitation_and_token):
    invitation, token = invitation_and_token
    open_link(client, token)
    content = walk_to_sign(client, invitation)

    other_device = client.__class__()
    response = open_link(other_device, token)
    assert response.status_code == 302
    esign = other_device.get(reverse("consent:esign"))
    assert "checked" in esign.text
    side_effects = other_device.get(step_url("side-effects")).text
    assert side_effects.count("checked") == len(content["side_effects"])
    assert "Does it hurt?" in other_device.get(step_url("questions")).text
    assert other_device.get(step_url("sign")).status_code == 200


def test_publishing_a_new_version_midway_keeps_the_version_being_signed(
    client, invitation_and_token, clinic
):
    invitation, token = invitation_and_token
    open_link(client, token)
    client.post(reverse("consent:esign"), {"agree": "on"})
    factories.SideEffectFactory(procedure=clinic["procedure"], name="Brand new effect")
    newer = procedure_publish(procedure=clinic["procedure"], published_by=clinic["admin"])
    assert newer.number == 2

    walk_to_sign(client, invitation)
    sign(client)

    record = ConsentRecord.objects.get()
    assert record.version.number == 1
    names = [row["name"] for row in record.payload["acknowledgements"]["side_effects"]]
    assert "Brand new effect" not in names


# Refusals: a clear page, and no record -------------------------------------------------------


def refused(client, token, invitation):
    open_link(client, token)
    return client.get(reverse("consent:esign"))


def test_refuses_when_a_required_credential_is_expired(client, invitation_and_token, clinic):
    invitation, token = invitation_and_token
    clinic["practitioner"].credentials.filter(kind="board_certification").update(
        expires_on=datetime.date(2021, 1, 1)
    )
    response = refused(client, token, invitation)
    assert response.status_code == 403
    assert "does not have a verified, in-date record" in response.text
    assert not ConsentRecord.objects.exists()


def test_refuses_when_a_required_credential_is_unverified(client, invitation_and_token, clinic):
    invitation, token = invitation_and_token
    clinic["practitioner"].credentials.filter(kind="board_certification").update(
        verified_on=None, verified_by=None
    )
    response = refused(client, token, invitation)
    assert response.status_code == 403
    assert "does not have a verified, in-date record" in response.text


def test_refuses_when_the_procedure_is_not_permitted_in_the_jurisdiction(
    client, invitation_and_token
):
    from consent.models import RegulatoryStatus

    invitation, token = invitation_and_token
    RegulatoryStatus.objects.update(status="not_permitted")
    response = refused(client, token, invitation)
    assert response.status_code == 403
    assert "not recorded as permitted in New York" in response.text


def test_refuses_signing_before_the_minimum_time_to_decide(client, invite):
    invitation, token = invite(minimum_decision_hours=24)
    open_link(client, token)
    walk_to_sign(client, invitation)
    page = client.get(step_url("sign"))
    assert "at least 24 hours to decide" in page.text
    response = sign(client)
    assert response.status_code == 403
    assert "at least 24 hours to decide" in response.text
    assert not ConsentRecord.objects.exists()


def test_signing_is_allowed_once_the_minimum_time_has_passed(client, invite):
    invitation, token = invite(minimum_decision_hours=24)
    open_link(client, token)
    walk_to_sign(client, invitation)
    type(invitation).objects.filter(pk=invitation.pk).update(
        first_opened_at=timezone.now() - datetime.timedelta(hours=25)
    )
    assert sign(client).status_code == 302
    assert ConsentRecord.objects.count() == 1


def test_refuses_an_expired_invitation(client, invitation_and_token):
    invitation, token = invitation_and_token
    type(invitation).objects.filter(pk=invitation.pk).update(
        expires_at=timezone.now() - datetime.timedelta(minutes=1)
    )
    response = client.get(reverse("consent:open", kwargs={"token": token}))
    assert response.status_code == 410
    assert "expired" in response.text


def test_refuses_a_withdrawn_invitation_even_mid_way(client, invitation_and_token):
    from consent.services import invitation_withdraw

    invitation, token = invitation_and_token
    open_link(client, token)
    walk_to_sign(client, invitation)
    invitation_withdraw(invitation=invitation)
    # Withdrawing ends the patient's session; the link then says the invitation was withdrawn.
    response = sign(client)
    assert response["Location"] == reverse("consent:session_ended")
    assert not ConsentRecord.objects.exists()
    reopened = client.get(reverse("consent:open", kwargs={"token": token}))
    assert "withdrawn this invitation" in reopened.text


def test_refuses_when_a_step_is_incomplete(client, invitation_and_token):
    invitation, token = invitation_and_token
    open_link(client, token)
    walk_to_sign(client, invitation)
    draft = ConsentDraft.objects.get(invitation=invitation)
    answers = dict(draft.answers)
    answers["side_effects"] = dict(list(answers["side_effects"].items())[:1])
    ConsentDraft.objects.filter(pk=draft.pk).update(answers=answers)

    response = sign(client)

    assert response.status_code in (302, 403)
    assert not ConsentRecord.objects.exists()


def test_refuses_tampered_saved_answers(invitation_and_token):
    from consent import services

    from .conftest import REQUEST_META, complete_draft

    invitation, _token = invitation_and_token
    draft = complete_draft(invitation)
    answers = dict(draft.answers)
    answers["side_effects"] = {**answers["side_effects"], "424242": timezone.now().isoformat()}
    ConsentDraft.objects.filter(pk=draft.pk).update(answers=answers)

    with pytest.raises(services.ConsentRefused) as refusal:
        services.record_sign(
            invitation=invitation,
            typed_name=PATIENT_NAME,
            drawn_signature="",
            request_meta=REQUEST_META,
        )
    assert "tampered" in [r.code for r in refusal.value.refusals]
    assert not ConsentRecord.objects.exists()


# Withdrawal --------------------------------------------------------------------------------


def test_patient_withdraws_consent_after_confirming(client, invitation_and_token):
    invitation, token = invitation_and_token
    open_link(client, token)
    walk_to_sign(client, invitation)
    sign(client)

    unconfirmed = client.post(reverse("consent:withdraw"), {"reason": "Changed my mind"})
    assert unconfirmed.status_code == 400
    assert not ConsentEvent.objects.filter(kind=EventKind.WITHDRAWN).exists()

    response = client.post(
        reverse("consent:withdraw"), {"reason": "Changed my mind", "confirm": "on"}
    )
    assert response["Location"] == reverse("consent:record")
    event = ConsentEvent.objects.get(kind=EventKind.WITHDRAWN)
    assert event.data == {"reason": "Changed my mind"}
    assert "You have withdrawn your consent" in client.get(reverse("consent:record")).text


def test_database_failure_while_signing_shows_try_again_and_keeps_the_draft(
    client, invitation_and_token, monkeypatch
):
    from django.db import OperationalError

    invitation, token = invitation_and_token
    open_link(client, token)
    walk_to_sign(client, invitation)
    before = ConsentDraft.objects.get(invitation=invitation).answers

    def fail(**kwargs):
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(signing, "_record_insert_chained", fail)
    response = sign(client)

    assert response.status_code == 503
    assert "Please try again" in response.text
    assert not ConsentRecord.objects.exists()
    assert not ConsentEvent.objects.exists()
    assert ConsentDraft.objects.get(invitation=invitation).answers == before
    monkeypatch.undo()
    assert sign(client).status_code == 302
    assert ConsentRecord.objects.count() == 1


def _png_data_url():
    import base64
    import zlib

    def chunk(kind, data):
        return (
            len(data).to_bytes(4, "big") + kind + data + zlib.crc32(kind + data).to_bytes(4, "big")
        )

    header = b"\x89PNG\r\n\x1a\n"
    ihdr = chunk(b"IHDR", (1).to_bytes(4, "big") * 2 + bytes([8, 0, 0, 0, 0]))
    idat = chunk(b"IDAT", zlib.compress(b"\x00\x00"))
    png = header + ihdr + idat + chunk(b"IEND", b"")
    return "data:image/png;base64," + base64.b64encode(png).decode()


def test_a_drawn_signature_is_kept_in_the_record(client, invitation_and_token):
    invitation, token = invitation_and_token
    open_link(client, token)
    walk_to_sign(client, invitation)
    drawing = _png_data_url()
    assert sign(client, drawn_signature=drawing).status_code == 302
    # The same pixels, in the PNG the portal encoded again (tests/consent/test_signature.py).
    kept = ConsentRecord.objects.get().payload["signature"]["drawn"]
    assert kept == drawn_signature_clean(drawing)


def test_a_drawn_signature_that_is_not_a_png_is_refused(client, invitation_and_token):
    invitation, token = invitation_and_token
    open_link(client, token)
    walk_to_sign(client, invitation)
    response = sign(client, drawn_signature="data:text/html;base64,PHNjcmlwdD4=")
    assert response.status_code == 400
    assert "drawn signature could not be read" in response.text
    assert not ConsentRecord.objects.exists()


def test_patient_download_refuses_a_stored_copy_that_changed_since_signing(
    client, invitation_and_token, django_capture_on_commit_callbacks
):
    invitation, token = invitation_and_token
    open_link(client, token)
    walk_to_sign(client, invitation)
    with django_capture_on_commit_callbacks(execute=True):  # the PDF task, on commit
        sign(client)
    record = ConsentRecord.objects.get()
    default_storage.delete(record.stored_pdf.file.name)
    default_storage.save(record.stored_pdf.file.name, ContentFile(b"%PDF-1.7 not the signed copy"))

    response = client.get(reverse("consent:record_pdf"))

    assert response.status_code == 409
    assert response["Content-Type"].startswith("text/html")
    assert "did not pass our check" in response.text
    assert EventKind.DOWNLOADED not in record.events.values_list("kind", flat=True)
