"""Access requests (issue 17): everything held about one patient as one ZIP with a manifest,
for staff who may see that patient and for the patient, for their own consent."""

import datetime
import hashlib
import io
import json
import zipfile

import pytest
from django.core.files.storage import default_storage
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from consent.models import ConsentEvent, EventKind
from tests import factories
from tests.conftest import login_verified
from tests.consent.test_journey import open_link, sign, walk_to_sign

from .test_views import record_url, sign_new

pytestmark = pytest.mark.django_db


def export(client, record):
    response = client.post(record_url(record, "practice:access_request"))
    assert response.status_code == 200, response.status_code
    assert response["Content-Type"] == "application/zip"
    return zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))


def manifest_of(archive) -> dict:
    return json.loads(archive.read("manifest.json"))


def stored_bytes(record) -> bytes:
    with default_storage.open(record.stored_pdf.file.name, "rb") as handle:
        return handle.read()


def other_practitioner():
    practitioner = factories.PractitionerFactory(display_name="Dr. Other")
    for kind in (
        "board_certification",
        "medical_licence",
        "procedure_training",
        "aseptic_technique",
    ):
        factories.CredentialFactory(practitioner=practitioner, kind=kind)
    return practitioner


def test_manifest_lists_every_file_with_its_sha256(
    as_practitioner, invite, django_capture_on_commit_callbacks
):
    record = sign_new(invite, django_capture_on_commit_callbacks)
    archive = export(as_practitioner, record)
    files = manifest_of(archive)["files"]

    assert {entry["path"] for entry in files} == set(archive.namelist()) - {"manifest.json"}
    for entry in files:
        assert hashlib.sha256(archive.read(entry["path"])).hexdigest() == entry["sha256"]
        assert entry["description"]


def test_the_pdf_in_the_zip_is_the_stored_copy_byte_for_byte(
    as_practitioner, invite, django_capture_on_commit_callbacks
):
    record = sign_new(invite, django_capture_on_commit_callbacks)
    archive = export(as_practitioner, record)
    path = f"invitation-{record.invitation_id}/consent-{record.code}.pdf"
    assert archive.read(path) == stored_bytes(record)


def test_manifest_names_the_records_hashes_and_who_exported_when(
    as_practitioner, invite, django_capture_on_commit_callbacks
):
    record = sign_new(invite, django_capture_on_commit_callbacks)
    manifest = manifest_of(export(as_practitioner, record))
    assert manifest["records"] == [
        {
            "code": record.code,
            "content_sha256": record.content_sha256,
            "record_hash": record.record_hash,
            "pdf_sha256": record.stored_pdf.sha256,
            "pdf_included": True,
            "purged_on": None,
        }
    ]
    assert manifest["exported_by"] == "Dr. Maya Chen, MD"
    assert manifest["channel"] == "practice"
    assert datetime.datetime.fromisoformat(manifest["exported_at"])
    assert manifest["patient"]["email"] == "alex@example.com"


def test_every_invitation_of_the_same_patient_is_in_the_zip_signed_or_not(
    as_admin, invite, django_capture_on_commit_callbacks
):
    first = sign_new(invite, django_capture_on_commit_callbacks)
    second = sign_new(invite, django_capture_on_commit_callbacks, patient_email="ALEX@example.com")
    unsigned, _token = invite()
    names = set(export(as_admin, first).namelist())

    assert f"invitation-{second.invitation_id}/consent-{second.code}.pdf" in names
    assert f"invitation-{unsigned.pk}/invitation.json" in names


def test_other_patients_data_is_not_in_the_zip(
    as_admin, invite, django_capture_on_commit_callbacks
):
    record = sign_new(invite, django_capture_on_commit_callbacks)
    other_email = sign_new(
        invite,
        django_capture_on_commit_callbacks,
        patient_name="Sam Other",
        patient_email="sam@example.com",
    )
    same_email_other_birthday = sign_new(
        invite,
        django_capture_on_commit_callbacks,
        patient_date_of_birth=datetime.date(2012, 3, 4),
    )
    archive = export(as_admin, record)
    everything = b"".join(archive.read(name) for name in archive.namelist())

    for stranger in (other_email, same_email_other_birthday):
        assert stranger.code.encode() not in everything
        assert f"invitation-{stranger.invitation_id}/" not in "".join(archive.namelist())
    assert b"sam@example.com" not in everything and b"Sam Other" not in everything


def test_practitioner_cannot_export_another_practitioners_patient(
    client, invite, django_capture_on_commit_callbacks
):
    record = sign_new(invite, django_capture_on_commit_callbacks)
    stranger = factories.PractitionerFactory().user
    login_verified(client, stranger)

    response = client.post(record_url(record, "practice:access_request"))

    assert response.status_code == 404
    assert not ConsentEvent.objects.filter(record=record, kind=EventKind.EXPORTED).exists()
    assert ConsentEvent.objects.filter(record=record, kind=EventKind.ACCESS_REFUSED).exists()


def test_practitioners_zip_leaves_out_the_patients_consents_with_other_practitioners(
    as_practitioner, invite, django_capture_on_commit_callbacks
):
    mine = sign_new(invite, django_capture_on_commit_callbacks)
    theirs = sign_new(invite, django_capture_on_commit_callbacks, practitioner=other_practitioner())
    archive = export(as_practitioner, mine)
    assert [entry["code"] for entry in manifest_of(archive)["records"]] == [mine.code]
    assert theirs.code not in "".join(archive.namelist())
    assert not ConsentEvent.objects.filter(record=theirs, kind=EventKind.EXPORTED).exists()


def test_the_export_is_an_event_on_every_record_in_it_and_inside_the_zip(
    as_admin, clinic, invite, django_capture_on_commit_callbacks
):
    first = sign_new(invite, django_capture_on_commit_callbacks)
    second = sign_new(invite, django_capture_on_commit_callbacks)
    archive = export(as_admin, first)

    for record in (first, second):
        event = ConsentEvent.objects.filter(record=record).order_by("id").last()
        assert event.kind == EventKind.EXPORTED
        assert event.data == {"format": "access-request", "channel": "practice"}
        assert event.actor == clinic["admin"]
        trail = json.loads(
            archive.read(f"invitation-{record.invitation_id}/record-{record.code}-events.json")
        )
        assert trail[-1]["event_hash"] == event.event_hash


def test_a_get_is_refused(as_admin, invite, django_capture_on_commit_callbacks):
    record = sign_new(invite, django_capture_on_commit_callbacks)
    response = as_admin.get(record_url(record, "practice:access_request"))
    assert response.status_code == 405
    assert not ConsentEvent.objects.filter(kind=EventKind.EXPORTED).exists()


def test_the_record_page_offers_the_export_as_a_form(
    as_practitioner, invite, django_capture_on_commit_callbacks
):
    record = sign_new(invite, django_capture_on_commit_callbacks)
    html = as_practitioner.get(record_url(record)).text
    assert f'action="{record_url(record, "practice:access_request")}"' in html
    assert "Export everything we hold about this patient" in html


def _export_queries(client, record) -> int:
    with CaptureQueriesContext(connection) as queries:
        export(client, record)
    return len(queries)


def test_queries_do_not_grow_with_the_patients_records(
    as_admin, invite, django_capture_on_commit_callbacks, django_assert_max_num_queries
):
    first = sign_new(invite, django_capture_on_commit_callbacks)
    with_one = _export_queries(as_admin, first)
    for _ in range(3):
        sign_new(invite, django_capture_on_commit_callbacks)
    with django_assert_max_num_queries(with_one):
        export(as_admin, first)
    assert with_one <= 20


# The patient's own ---------------------------------------------------------------------------


@pytest.fixture
def patient_signed(client, invite, django_capture_on_commit_callbacks):
    """A patient who signed in the browser and is on their receipt; returns the record."""
    invitation, token = invite()
    open_link(client, token)
    walk_to_sign(client, invitation)
    with django_capture_on_commit_callbacks(execute=True):  # the PDF task, on commit
        assert sign(client).status_code == 302
    return invitation.record


def patient_export(client):
    response = client.post(reverse("consent:access_request"))
    assert response.status_code == 200, response.status_code
    return zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))


def test_patient_downloads_only_their_own_consent(
    client, patient_signed, invite, django_capture_on_commit_callbacks
):
    # Same e-mail and date of birth: the session proves this one invitation, nothing more.
    sibling = sign_new(invite, django_capture_on_commit_callbacks)
    archive = patient_export(client)
    manifest = manifest_of(archive)

    assert [entry["code"] for entry in manifest["records"]] == [patient_signed.code]
    assert sibling.code not in "".join(archive.namelist())
    assert archive.read(
        f"invitation-{patient_signed.invitation_id}/consent-{patient_signed.code}.pdf"
    ) == stored_bytes(patient_signed)


def test_patient_export_is_an_event_by_the_patient(client, patient_signed):
    manifest = manifest_of(patient_export(client))
    event = ConsentEvent.objects.filter(record=patient_signed).order_by("id").last()
    assert event.kind == EventKind.EXPORTED
    assert event.actor is None and event.actor_label == "patient"
    assert event.data == {"format": "access-request", "channel": "patient"}
    assert manifest["exported_by"] == "patient"


def test_patient_export_refuses_a_get(client, patient_signed):
    assert client.get(reverse("consent:access_request")).status_code == 405


def test_patient_export_needs_the_patient_session(client, patient_signed):
    client.logout()
    response = client.post(reverse("consent:access_request"))
    assert response.status_code in (302, 403)
    assert not ConsentEvent.objects.filter(kind=EventKind.EXPORTED).exists()


def test_patient_receipt_offers_the_export_as_a_form(client, patient_signed):
    html = client.get(reverse("consent:record")).text
    assert f'action="{reverse("consent:access_request")}"' in html


def test_the_command_writes_the_zip_and_an_event_naming_the_account(
    clinic, invite, django_capture_on_commit_callbacks, tmp_path
):
    from django.core.management import call_command

    record = sign_new(invite, django_capture_on_commit_callbacks)
    output = tmp_path / "request.zip"
    call_command(
        "export_patient_data",
        email="Alex@Example.com",
        date_of_birth=record.invitation.patient_date_of_birth.isoformat(),
        username=clinic["admin"].username,
        output=str(output),
    )

    manifest = manifest_of(zipfile.ZipFile(output))
    assert [entry["code"] for entry in manifest["records"]] == [record.code]
    assert manifest["channel"] == "command"
    event = ConsentEvent.objects.filter(record=record).order_by("id").last()
    assert event.data == {"format": "access-request", "channel": "command"}
    assert event.actor == clinic["admin"]


def test_the_command_refuses_an_account_that_sees_no_such_patient(
    invite, django_capture_on_commit_callbacks, tmp_path
):
    from django.core.management import call_command
    from django.core.management.base import CommandError

    record = sign_new(invite, django_capture_on_commit_callbacks)
    stranger = factories.PractitionerFactory().user
    with pytest.raises(CommandError):
        call_command(
            "export_patient_data",
            email="alex@example.com",
            date_of_birth=record.invitation.patient_date_of_birth.isoformat(),
            username=stranger.username,
            output=str(tmp_path / "request.zip"),
        )
    assert not ConsentEvent.objects.filter(kind=EventKind.EXPORTED).exists()


def test_patient_export_without_the_csrf_token_is_refused(client, patient_signed):
    client.handler.enforce_csrf_checks = True
    response = client.post(reverse("consent:access_request"))
    assert response.status_code == 403
    assert not ConsentEvent.objects.filter(kind=EventKind.EXPORTED).exists()
