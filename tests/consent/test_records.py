"""A signed record and its events never change through the ORM."""

import pytest

from consent.models import ConsentEvent, ConsentRecord, RecordImmutable
from consent.services import signing

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def test_saving_a_signed_record_again_raises(signed_record):
    record, _token = signed_record
    record.user_agent = "tampered"
    with pytest.raises(RecordImmutable):
        record.save()
    assert ConsentRecord.objects.get().user_agent == "pytest-browser/1.0"


def test_deleting_a_signed_record_raises(signed_record):
    record, _token = signed_record
    with pytest.raises(RecordImmutable):
        record.delete()
    with pytest.raises(RecordImmutable):
        ConsentRecord.objects.all().delete()
    assert ConsentRecord.objects.count() == 1


def test_queryset_update_and_bulk_update_of_records_raise(signed_record):
    record, _token = signed_record
    with pytest.raises(RecordImmutable):
        ConsentRecord.objects.update(user_agent="tampered")
    record.user_agent = "tampered"
    with pytest.raises(RecordImmutable):
        ConsentRecord.objects.bulk_update([record], ["user_agent"])
    assert ConsentRecord.objects.get().user_agent == "pytest-browser/1.0"


def test_events_cannot_be_changed_or_deleted(signed_record):
    record, _token = signed_record
    event = record.events.get()
    event.actor_label = "someone else"
    with pytest.raises(RecordImmutable):
        event.save()
    with pytest.raises(RecordImmutable):
        ConsentEvent.objects.filter(pk=event.pk).delete()
    with pytest.raises(RecordImmutable):
        ConsentEvent.objects.update(actor_label="x")
    assert ConsentEvent.objects.get().actor_label == "patient"


def test_each_event_chains_to_the_one_before(signed_record):
    from consent import services

    from .conftest import REQUEST_META

    record, _token = signed_record
    viewed = services.event_append(
        record=record, kind="viewed", actor=None, actor_label="patient", request_meta=REQUEST_META
    )
    signed = record.events.get(kind="signed")
    assert signed.previous_hash == record.record_hash
    assert viewed.previous_hash == signed.event_hash


def test_records_chain_to_the_one_before(signed_record, invite, django_capture_on_commit_callbacks):
    from consent import services

    from .conftest import PATIENT_NAME, REQUEST_META, complete_draft

    first, _token = signed_record
    invitation, _ = invite(patient_email="second@example.com")
    complete_draft(invitation)
    with django_capture_on_commit_callbacks(execute=True):
        second, _ = services.record_sign(
            invitation=invitation,
            typed_name=PATIENT_NAME,
            drawn_signature="",
            request_meta=REQUEST_META,
        )
    assert first.previous_hash == "0" * 64
    assert second.previous_hash == first.record_hash


def test_a_failure_while_signing_leaves_no_record_no_event_no_pdf_and_keeps_the_draft(
    invitation_and_token, monkeypatch, tmp_path
):
    from consent import services
    from consent.models import ConsentDraft

    from .conftest import PATIENT_NAME, REQUEST_META, complete_draft

    invitation, _token = invitation_and_token
    draft = complete_draft(invitation)

    def explode(**kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(signing, "event_append", explode)
    with pytest.raises(RuntimeError):
        services.record_sign(
            invitation=invitation,
            typed_name=PATIENT_NAME,
            drawn_signature="",
            request_meta=REQUEST_META,
        )
    assert not ConsentRecord.objects.exists()
    assert not ConsentEvent.objects.exists()
    assert not list(tmp_path.rglob("*.pdf"))
    assert ConsentDraft.objects.get(pk=draft.pk).answers == draft.answers
