"""The practitioner's area: states, filters, the question/answer/countersign loop, re-consent,
who sees what, and an event for every view, download and export."""

import datetime
import io
import json

import pytest
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from consent import services
from consent.models import ConsentEvent, ConsentInvitation, ConsentRecord, EventKind
from consent.selectors import ConsentState
from consent.tokens import token_hash
from education.services import procedure_publish
from tests import factories
from tests.conftest import login_verified
from tests.consent.conftest import REQUEST_META, complete_draft

pytestmark = pytest.mark.django_db


def sign_new(invite, django_capture_on_commit_callbacks, questions="Will it hurt?", **overrides):
    invitation, _token = invite(**overrides)
    draft = complete_draft(invitation)
    if not questions:
        services.draft_save_questions(draft=draft, text="")
    with django_capture_on_commit_callbacks(execute=True):
        record, _ = services.record_sign(
            invitation=invitation,
            typed_name=invitation.patient_name,
            drawn_signature="",
            request_meta=REQUEST_META,
        )
    return record


def record_url(record, name="practice:record"):
    return reverse(name, kwargs={"code": record.code})


def states_on_dashboard(client):
    response = client.get(reverse("practice:dashboard"))
    assert response.status_code == 200
    return response


# Access --------------------------------------------------------------------------------------


def test_anonymous_visitors_are_sent_to_sign_in(client, signed_record):
    response = client.get(reverse("practice:dashboard"))
    assert response.status_code == 302
    assert reverse("practice:dashboard") in response["Location"]
    record, _ = signed_record
    assert client.get(record_url(record)).status_code == 302


def test_password_alone_without_the_second_factor_is_not_enough(client, practitioner_user):
    client.force_login(practitioner_user)
    assert client.get(reverse("practice:dashboard")).status_code == 302


def test_a_patient_session_sees_nothing_of_the_practice_area(client, signed_record):
    from tests.consent.test_journey import open_link

    record, token = signed_record
    open_link(client, token)
    assert client.get(reverse("practice:dashboard")).status_code == 302
    assert client.get(record_url(record)).status_code == 302


def test_staff_without_a_role_are_refused(client, clinic):
    user = factories.UserFactory(is_staff=True)
    login_verified(client, user)
    assert client.get(reverse("practice:dashboard")).status_code == 403


def test_practitioner_sees_only_their_own_patients(
    as_practitioner, clinic, invite, django_capture_on_commit_callbacks
):
    mine = sign_new(invite, django_capture_on_commit_callbacks)
    other_practitioner = factories.PractitionerFactory()
    for kind in (
        "board_certification",
        "medical_licence",
        "procedure_training",
        "aseptic_technique",
    ):
        factories.CredentialFactory(practitioner=other_practitioner, kind=kind)
    theirs = sign_new(
        invite,
        django_capture_on_commit_callbacks,
        practitioner=other_practitioner,
        patient_name="Other Patient",
    )
    html = states_on_dashboard(as_practitioner).text
    assert mine.code in html
    assert theirs.code not in html
    assert "Other Patient" not in html


def test_another_practitioners_record_answers_404_and_leaves_an_event(
    client, clinic, invite, django_capture_on_commit_callbacks
):
    record = sign_new(invite, django_capture_on_commit_callbacks)
    stranger = factories.PractitionerFactory().user
    login_verified(client, stranger)

    assert client.get(record_url(record)).status_code == 404
    for name in ("practice:record_pdf", "practice:record_fhir"):
        assert client.post(record_url(record, name)).status_code == 404
    assert client.post(record_url(record, "practice:answer"), {"answer": "x"}).status_code == 404
    refused = ConsentEvent.objects.filter(record=record, kind=EventKind.ACCESS_REFUSED)
    assert refused.count() == 4
    assert refused.first().actor == stranger


def test_clinic_admin_sees_every_practitioners_records_and_can_filter(
    as_admin, clinic, invite, django_capture_on_commit_callbacks
):
    mine = sign_new(invite, django_capture_on_commit_callbacks)
    other = factories.PractitionerFactory(display_name="Dr. Other Person")
    for kind in (
        "board_certification",
        "medical_licence",
        "procedure_training",
        "aseptic_technique",
    ):
        factories.CredentialFactory(practitioner=other, kind=kind)
    theirs = sign_new(
        invite, django_capture_on_commit_callbacks, practitioner=other, patient_name="Pat Other"
    )
    html = states_on_dashboard(as_admin).text
    assert mine.code in html and theirs.code in html
    filtered = as_admin.get(reverse("practice:dashboard"), {"practitioner": other.pk}).text
    assert theirs.code in filtered
    assert mine.code not in filtered


# States and filters -----------------------------------------------------------------------


def _state_of(client, code_or_name, state):
    html = client.get(reverse("practice:dashboard"), {"state": state}).text
    return code_or_name in html


def test_each_state_is_derived_and_filterable(
    as_admin, clinic, invite, django_capture_on_commit_callbacks
):
    invite(patient_name="Ivy Invited")
    opened, _ = invite(patient_name="Owen Opened")
    services.draft_start(invitation=opened)
    expired, _ = invite(patient_name="Eve Expired")
    type(expired).objects.filter(pk=expired.pk).update(
        expires_at=timezone.now() - datetime.timedelta(days=1)
    )
    # Written past the services: the stored state learns the new expiry as a service tells it.
    services.consent_status_refresh(invitation_ids=[expired.pk])
    closed, _ = invite(patient_name="Carl Closed")
    services.invitation_withdraw(invitation=closed)
    awaiting_answers = sign_new(invite, django_capture_on_commit_callbacks)
    awaiting_countersign = sign_new(invite, django_capture_on_commit_callbacks, questions="")
    ready = sign_new(invite, django_capture_on_commit_callbacks, questions="")
    services.record_countersign(
        record=ready,
        practitioner_user=clinic["practitioner"].user,
        typed_name="Dr. Maya Chen, MD",
        request_meta=REQUEST_META,
    )
    withdrawn = sign_new(invite, django_capture_on_commit_callbacks)
    services.record_withdraw(record=withdrawn, reason="", request_meta=REQUEST_META)

    expectations = {
        ConsentState.INVITED: "Ivy Invited",
        ConsentState.IN_PROGRESS: "Owen Opened",
        ConsentState.EXPIRED: "Eve Expired",
        ConsentState.CLOSED: "Carl Closed",
        ConsentState.AWAITING_ANSWERS: awaiting_answers.code,
        ConsentState.AWAITING_COUNTERSIGNATURE: awaiting_countersign.code,
        ConsentState.READY: ready.code,
        ConsentState.WITHDRAWN: withdrawn.code,
    }
    for state, marker in expectations.items():
        assert _state_of(as_admin, marker, state), state
    assert not _state_of(as_admin, ready.code, ConsentState.AWAITING_ANSWERS)

    # A later material change makes every signed, not withdrawn record stale.
    factories.SideEffectFactory(procedure=clinic["procedure"], name="Newly found effect")
    procedure_publish(procedure=clinic["procedure"], published_by=clinic["admin"])
    assert _state_of(as_admin, ready.code, ConsentState.STALE)
    assert _state_of(as_admin, withdrawn.code, ConsentState.WITHDRAWN)


def test_a_non_material_change_does_not_make_records_stale(
    as_admin, clinic, invite, django_capture_on_commit_callbacks
):
    record = sign_new(invite, django_capture_on_commit_callbacks)
    procedure = clinic["procedure"]
    procedure.summary = "Reworded summary only."
    procedure.save()
    procedure_publish(procedure=procedure, published_by=clinic["admin"])
    assert not _state_of(as_admin, record.code, ConsentState.STALE)


def test_dashboard_counts_each_state(as_admin, invite, django_capture_on_commit_callbacks):
    invite(patient_name="A")
    invite(patient_name="B")
    sign_new(invite, django_capture_on_commit_callbacks)
    html = states_on_dashboard(as_admin).text
    assert 'Invited <span class="count">2</span>' in html
    assert 'Awaiting answers to questions <span class="count">1</span>' in html


def test_dashboard_searches_by_patient_name(as_admin, invite):
    invite(patient_name="Harriet Vane")
    invite(patient_name="Peter Wimsey")
    html = as_admin.get(reverse("practice:dashboard"), {"q": "harriet"}).text
    assert "Harriet Vane" in html
    assert "Peter Wimsey" not in html


def test_dashboard_sorts_by_patient_name(as_admin, invite):
    invite(patient_name="Zed Last")
    invite(patient_name="Abe First")
    html = as_admin.get(reverse("practice:dashboard"), {"sort": "patient"}).text
    assert html.index("Abe First") < html.index("Zed Last")
    newest = as_admin.get(reverse("practice:dashboard")).text
    assert newest.index("Abe First") < newest.index("Zed Last")  # created last, shown first


def test_dashboard_paginates(as_admin, invite):
    for n in range(30):
        invite(patient_name=f"Patient {n:02d}")
    first = as_admin.get(reverse("practice:dashboard")).text
    assert "Page 1 of 2" in first
    second = as_admin.get(reverse("practice:dashboard"), {"page": 2}).text
    assert "Patient 00" in second
    assert "Patient 00" not in first


def test_dashboard_rejects_a_bad_filter_with_a_message_not_an_error(as_admin, invite):
    response = as_admin.get(reverse("practice:dashboard"), {"practitioner": "abc", "q": "x" * 500})
    assert response.status_code == 200


def _bulk_signed(count, clinic, start=0):
    """`count` signed records written in bulk: the dashboard reads rows, not PDFs."""
    import hashlib

    from consent.models import ConsentInvitation

    def digest(text):
        return hashlib.sha256(text.encode()).hexdigest()

    now = timezone.now()
    invitations = ConsentInvitation.objects.bulk_create(
        ConsentInvitation(
            patient_name=f"Bulk Patient {start + n:04d}",
            patient_email=f"bulk{start + n}@example.com",
            patient_date_of_birth=datetime.date(1980, 1, 1),
            procedure=clinic["procedure"],
            practitioner=clinic["practitioner"],
            location=clinic["location"],
            formulation=clinic["formulation"],
            expires_at=now + datetime.timedelta(days=1),
            token_hash=digest(f"token{start + n}"),
            created_by=clinic["admin"],
        )
        for n in range(count)
    )
    ConsentRecord.objects.bulk_create(
        ConsentRecord(
            code=f"CR-BULK-{start + n:04d}",
            invitation=invitation,
            version=clinic["version"],
            version_hash=clinic["version"].content_hash,
            payload={"questions": "Why?" if n % 2 else ""},
            content_sha256=digest(f"content{start + n}"),
            signed_at=now,
            pdf="bulk.pdf",
            pdf_sha256=digest(f"pdf{start + n}"),
            previous_hash=digest(f"previous{start + n}"),
            record_hash=digest(f"record{start + n}"),
        )
        for n, invitation in enumerate(invitations)
    )
    # Rows written directly, as the benchmark's loader does: their stored state is filled too.
    services.consent_status_refresh(invitation_ids=[invitation.pk for invitation in invitations])


def test_dashboard_query_count_is_the_same_with_5_and_500_records(
    as_admin, clinic, django_assert_max_num_queries
):
    _bulk_signed(5, clinic)
    as_admin.get(reverse("practice:dashboard"))
    with django_assert_max_num_queries(13) as few:
        assert "5 consents" in as_admin.get(reverse("practice:dashboard")).text
    _bulk_signed(495, clinic, start=5)
    with django_assert_max_num_queries(13) as many:
        html = as_admin.get(reverse("practice:dashboard")).text
    assert "500 consents" in html
    assert "Page 1 of 20" in html
    assert len(few.captured_queries) == len(many.captured_queries)


def test_record_page_names_each_side_effects_site_and_frequency_in_words(
    as_practitioner, signed_record
):
    record, _ = signed_record
    page = as_practitioner.get(record_url(record)).text
    table = page.split('id="se-heading"', 1)[1].split("</table>", 1)[0]

    for row in record.payload["acknowledgements"]["side_effects"]:
        assert f"<td>{row['frequency']}</td>" not in table
        assert f"<td>{row['site']}</td>" not in table
    assert "Local: where the injections are given" in table
    assert "Very rare" in table or "Rare" in table or "Common" in table


# The question, answer and countersign loop ------------------------------------------------


def test_countersigning_is_refused_until_questions_are_answered(
    as_practitioner, clinic, signed_record, mailoutbox, django_capture_on_commit_callbacks
):
    record, _ = signed_record
    page = as_practitioner.get(record_url(record)).text
    assert "Will it hurt?" in page
    assert "questions first; then you can countersign" in page

    early = as_practitioner.post(
        record_url(record, "practice:countersign"), {"typed_name": "Maya Chen", "discussed": "on"}
    )
    assert early.status_code == 400
    assert not record.events.filter(kind=EventKind.COUNTERSIGNED).exists()

    with django_capture_on_commit_callbacks(execute=True):
        answered = as_practitioner.post(
            record_url(record, "practice:answer"), {"answer": "A little, like a pinch."}
        )
    assert answered.status_code == 302
    assert "answered your question" in mailoutbox[-1].subject
    assert "pinch" not in mailoutbox[-1].body  # the answer is behind the link, not in the e-mail

    done = as_practitioner.post(
        record_url(record, "practice:countersign"), {"typed_name": "Maya Chen", "discussed": "on"}
    )
    assert done.status_code == 302
    assert "Ready for treatment" in as_practitioner.get(record_url(record)).text


def test_the_patient_sees_the_answer_behind_the_new_link(
    as_practitioner, signed_record, mailoutbox, django_capture_on_commit_callbacks
):
    import re

    from django.test import Client

    from tests.consent.test_journey import open_link

    record, _ = signed_record
    with django_capture_on_commit_callbacks(execute=True):
        as_practitioner.post(record_url(record, "practice:answer"), {"answer": "Like a pinch."})
    token = re.search(r"/consent/i/([\w-]+)/", mailoutbox[-1].body).group(1)
    patient = Client()
    assert open_link(patient, token)["Location"] == reverse("consent:record")
    assert "Like a pinch." in patient.get(reverse("consent:record")).text


def test_only_the_records_practitioner_can_answer_or_countersign(as_admin, signed_record):
    record, _ = signed_record
    response = as_admin.post(record_url(record, "practice:answer"), {"answer": "Hello"})
    assert response.status_code == 400
    assert not record.events.filter(kind=EventKind.QUESTION_ANSWERED).exists()


def test_countersigning_needs_the_discussion_ticked(
    as_practitioner, invite, django_capture_on_commit_callbacks
):
    record = sign_new(invite, django_capture_on_commit_callbacks, questions="")
    response = as_practitioner.post(
        record_url(record, "practice:countersign"), {"typed_name": "Maya Chen"}
    )
    assert response.status_code == 400
    assert not record.events.filter(kind=EventKind.COUNTERSIGNED).exists()


def test_a_countersignature_in_someone_elses_name_is_refused_with_a_form_error(
    as_practitioner, invite, django_capture_on_commit_callbacks
):
    record = sign_new(invite, django_capture_on_commit_callbacks, questions="")
    response = as_practitioner.post(
        record_url(record, "practice:countersign"), {"typed_name": "Dr. Who", "discussed": "on"}
    )
    assert response.status_code == 400
    assert "Type your own name" in response.text
    assert not record.events.filter(kind=EventKind.COUNTERSIGNED).exists()


def test_a_countersignature_may_be_the_display_name_in_any_case_and_spacing(
    as_practitioner, invite, django_capture_on_commit_callbacks
):
    record = sign_new(invite, django_capture_on_commit_callbacks, questions="")
    response = as_practitioner.post(
        record_url(record, "practice:countersign"),
        {"typed_name": "  dr. maya   chen, md ", "discussed": "on"},
    )
    assert response.status_code == 302
    assert record.events.filter(kind=EventKind.COUNTERSIGNED).exists()


def test_the_countersignature_event_names_the_signed_in_account(
    as_practitioner, practitioner_user, invite, django_capture_on_commit_callbacks
):
    record = sign_new(invite, django_capture_on_commit_callbacks, questions="")
    as_practitioner.post(
        record_url(record, "practice:countersign"), {"typed_name": "Maya Chen", "discussed": "on"}
    )
    event = record.events.get(kind=EventKind.COUNTERSIGNED)
    assert event.actor == practitioner_user
    assert event.data["account"] == practitioner_user.get_username()


def test_the_history_pdf_prints_the_countersigners_account(
    as_practitioner, practitioner_user, invite, django_capture_on_commit_callbacks
):
    record = sign_new(invite, django_capture_on_commit_callbacks, questions="")
    as_practitioner.post(
        record_url(record, "practice:countersign"), {"typed_name": "Maya Chen", "discussed": "on"}
    )
    pdf = as_practitioner.post(record_url(record, "practice:record_pdf"))
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.content)).pages)
    assert f"Signed in as: {practitioner_user.get_username()}" in " ".join(text.split())


# Stale records and re-consent -------------------------------------------------------------


def test_stale_record_says_what_changed_and_re_consent_invites_again(
    as_admin, clinic, signed_record, mailoutbox, django_capture_on_commit_callbacks
):
    record, _ = signed_record
    factories.SideEffectFactory(procedure=clinic["procedure"], name="Newly found effect")
    clinic["procedure"].checklist_items.update(check_text="Reworded check")
    procedure_publish(procedure=clinic["procedure"], published_by=clinic["admin"])

    page = as_admin.get(record_url(record)).text
    assert "Stale" in page
    assert "Side effect added: Newly found effect" in page
    assert "Practitioner check reworded: Reworded check" in page

    with django_capture_on_commit_callbacks(execute=True):
        response = as_admin.post(record_url(record, "practice:reconsent"))
    assert response.status_code == 302
    new = type(record.invitation).objects.exclude(pk=record.invitation_id).get()
    assert (new.patient_name, new.practitioner, new.location) == (
        record.invitation.patient_name,
        record.invitation.practitioner,
        record.invitation.location,
    )
    assert mailoutbox[-1].to == [record.invitation.patient_email]
    assert record.events.filter(kind=EventKind.RECONSENT_REQUESTED).exists()
    draft = services.draft_start(invitation=new)
    assert draft.version.number == 2


def test_re_consent_is_refused_for_a_record_that_is_not_stale(as_admin, signed_record):
    record, _ = signed_record
    as_admin.post(record_url(record, "practice:reconsent"))
    assert type(record.invitation).objects.count() == 1


def test_the_practitioner_revokes_the_patients_link_and_a_new_one_is_emailed(
    as_practitioner, signed_record, mailoutbox, django_capture_on_commit_callbacks
):
    record, old_token = signed_record
    assert "Revoke the link and send a new one" in as_practitioner.get(record_url(record)).text
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = as_practitioner.post(record_url(record, "practice:link_renew"))
    assert response["Location"] == record_url(record)
    record.invitation.refresh_from_db()
    assert record.invitation.record_token_hash != token_hash(old_token)
    assert mailoutbox[-1].to == [record.invitation.patient_email]
    assert record.events.filter(kind=EventKind.LINK_RENEWED).count() == 1


def test_another_practitioner_cannot_revoke_the_patients_link(
    client, signed_record, django_capture_on_commit_callbacks
):
    record, old_token = signed_record
    login_verified(client, factories.PractitionerFactory().user)
    assert client.post(record_url(record, "practice:link_renew")).status_code == 404
    record.invitation.refresh_from_db()
    assert record.invitation.record_token_hash == token_hash(old_token)
    assert not record.events.filter(kind=EventKind.LINK_RENEWED).exists()


# Events and exports -----------------------------------------------------------------------


def test_viewing_a_record_leaves_an_event_with_who_and_where(as_practitioner, signed_record):
    record, _ = signed_record
    as_practitioner.get(record_url(record), REMOTE_ADDR="198.51.100.4")
    event = record.events.get(kind=EventKind.VIEWED)
    assert event.actor == record.invitation.practitioner.user
    assert event.ip_address == "198.51.100.4"
    page = as_practitioner.get(record_url(record)).text
    assert "Viewed" in page and "Signed" in page


def test_pdf_download_has_the_patients_copy_and_the_history(as_practitioner, signed_record):
    record, _ = signed_record
    response = as_practitioner.post(record_url(record, "practice:record_pdf"))
    assert response.status_code == 200
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    assert record.code in text
    assert record.events.filter(kind=EventKind.DOWNLOADED).exists()


def test_fhir_export_is_a_consent_resource_and_leaves_an_event(as_practitioner, signed_record):
    record, _ = signed_record
    response = as_practitioner.post(record_url(record, "practice:record_fhir"))
    assert response.status_code == 200
    resource = json.loads(response.content)
    assert resource["resourceType"] == "Consent"
    event = record.events.get(kind=EventKind.EXPORTED)
    assert event.data == {"format": "fhir"}


def test_csv_export_streams_the_filtered_list_and_logs_each_record(
    as_admin, invite, django_capture_on_commit_callbacks
):
    first = sign_new(invite, django_capture_on_commit_callbacks)
    second = sign_new(invite, django_capture_on_commit_callbacks, questions="")
    invite(patient_name="Not Signed")
    response = as_admin.post(
        f"{reverse('practice:export_csv')}?state={ConsentState.AWAITING_ANSWERS}"
    )
    assert response.streaming
    body = b"".join(response.streaming_content).decode()
    assert first.code in body
    assert second.code not in body
    assert "Not Signed" not in body
    assert ConsentEvent.objects.filter(kind=EventKind.EXPORTED, record=first).count() == 1
    assert not ConsentEvent.objects.filter(kind=EventKind.EXPORTED, record=second).exists()


# Invitations from the dashboard -----------------------------------------------------------


def test_practitioner_invites_a_patient_from_the_dashboard(
    as_practitioner, clinic, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = as_practitioner.post(
            reverse("practice:invitation_new"),
            {
                "patient_name": "New Patient",
                "patient_email": "new@example.com",
                "patient_date_of_birth": "1990-02-03",
                "procedure": clinic["procedure"].pk,
                "practitioner": clinic["practitioner"].pk,
                "location": clinic["location"].pk,
                "formulation": clinic["formulation"].pk,
                "language": "en",
                "expires_at": (timezone.now() + datetime.timedelta(days=7)).strftime(
                    "%Y-%m-%d %H:%M"
                ),
                "minimum_decision_hours": 0,
            },
        )
    assert response.status_code == 302, response.content[:2000]
    assert mailoutbox[-1].to == ["new@example.com"]


def test_the_dashboard_invitation_can_require_an_emailed_code(
    as_practitioner, clinic, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = as_practitioner.post(
            reverse("practice:invitation_new"),
            {
                "patient_name": "New Patient",
                "patient_email": "new@example.com",
                "patient_date_of_birth": "1990-02-03",
                "procedure": clinic["procedure"].pk,
                "practitioner": clinic["practitioner"].pk,
                "location": clinic["location"].pk,
                "formulation": clinic["formulation"].pk,
                "language": "en",
                "expires_at": (timezone.now() + datetime.timedelta(days=7)).strftime(
                    "%Y-%m-%d %H:%M"
                ),
                "minimum_decision_hours": 0,
                "requires_email_code": "on",
            },
        )
    assert response.status_code == 302, response.content[:2000]
    assert ConsentInvitation.objects.get(patient_email="new@example.com").requires_email_code


def test_resend_from_the_dashboard_replaces_the_link(
    as_practitioner, invitation_and_token, mailoutbox, django_capture_on_commit_callbacks
):
    invitation, _ = invitation_and_token
    before = invitation.token_hash
    with django_capture_on_commit_callbacks(execute=True):
        as_practitioner.post(reverse("practice:invitation_resend", kwargs={"pk": invitation.pk}))
    invitation.refresh_from_db()
    assert invitation.token_hash != before
    assert len(mailoutbox) == 2


def test_a_tampered_stored_pdf_is_not_handed_out(as_practitioner, signed_record):
    from django.core.files.storage import default_storage

    record, _ = signed_record
    with default_storage.open(record.stored_pdf.file.name, "rb") as handle:
        data = bytearray(handle.read())
    data[200] ^= 0x01
    with open(default_storage.path(record.stored_pdf.file.name), "wb") as handle:
        handle.write(bytes(data))
    response = as_practitioner.post(record_url(record, "practice:record_pdf"))
    assert response.status_code == 409
    assert "failed its check" in response.text
    assert not record.events.filter(kind=EventKind.DOWNLOADED).exists()
    assert ConsentRecord.objects.count() == 1


def test_record_page_names_a_question_missed_first_time_by_its_wording(
    as_practitioner, invite, django_capture_on_commit_callbacks
):
    invitation, _token = invite()
    draft = services.draft_start(invitation=invitation)
    question = draft.version.content["comprehension"][0]
    wrong = next(i for i, _ in enumerate(question["choices"]) if i != question["correct_choice"])
    services.draft_answer_comprehension(draft=draft, choices={question["id"]: wrong})
    complete_draft(invitation)
    with django_capture_on_commit_callbacks(execute=True):
        record, _ = services.record_sign(
            invitation=invitation,
            typed_name=invitation.patient_name,
            drawn_signature="",
            request_meta=REQUEST_META,
        )

    response = as_practitioner.get(record_url(record))

    summary = response.context["comprehension"]
    assert [row.question for row in summary.missed_first] == [question["question"]]
    assert question["question"] in response.text
