"""An export appends one event per record in bulk, and every record's chain stays valid."""

import threading

import pytest
from django.db import IntegrityError, connections

from consent import services
from consent.models import ConsentEvent, EventKind
from consent.services import pdfs
from consent.verification import verify_all

from .conftest import REQUEST_META, complete_draft

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def quick_pdfs(monkeypatch):
    monkeypatch.setattr(pdfs, "_render_pdf", lambda fields: b"%PDF-1.7 " + fields["code"].encode())


@pytest.fixture
def records(invite, django_capture_on_commit_callbacks):
    made = []
    for n in range(5):
        invitation, _token = invite(patient_email=f"p{n}@example.com")
        complete_draft(invitation)
        with django_capture_on_commit_callbacks(execute=True):
            record, _ = services.record_sign(
                invitation=invitation,
                typed_name=invitation.patient_name,
                drawn_signature="",
                request_meta=REQUEST_META,
            )
        made.append(record)
    return made


def bulk_export(records, admin):
    return services.event_append_each(
        records=records,
        kind=EventKind.EXPORTED,
        actor=admin,
        actor_label="Clinic Admin",
        request_meta=REQUEST_META,
        data={"format": "csv"},
    )


def test_bulk_events_chain_to_each_records_last_event(records, clinic):
    services.event_append(
        record=records[2],
        kind=EventKind.VIEWED,
        actor=None,
        actor_label="patient",
        request_meta=REQUEST_META,
    )
    bulk_export(records, clinic["admin"])
    bulk_export(records[:3], clinic["admin"])

    assert list(verify_all()) == []
    exported = ConsentEvent.objects.filter(kind=EventKind.EXPORTED)
    assert exported.count() == 8
    assert {event.actor_id for event in exported} == {clinic["admin"].pk}
    assert records[2].events.count() == 4  # signed, viewed, exported twice


def test_a_bulk_append_that_loses_a_race_is_read_and_written_again(records, clinic, monkeypatch):
    """An event appended between the bulk append's read and its insert breaks the unique
    (record, previous hash) pair; the batch is read again and lands on top of it."""
    real_bulk_create = ConsentEvent.objects.bulk_create
    tries = []

    def bulk_create(events, *args, **kwargs):
        tries.append(len(events))
        if len(tries) == 1:
            raise IntegrityError("duplicate key value violates consent_event_chain_is_linear")
        return real_bulk_create(events, *args, **kwargs)

    monkeypatch.setattr(ConsentEvent.objects, "bulk_create", bulk_create)
    bulk_export(records, clinic["admin"])
    assert tries == [5, 5]
    assert list(verify_all()) == []


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_simultaneous_exports_and_single_events_keep_every_chain_valid(records, clinic):
    barrier = threading.Barrier(4)
    failures = []

    def export():
        try:
            barrier.wait(timeout=30)
            for _ in range(3):
                bulk_export(records, clinic["admin"])
        except Exception as error:  # every failure is a finding
            failures.append(error)
        finally:
            connections.close_all()

    def view():
        try:
            barrier.wait(timeout=30)
            for _ in range(5):
                services.event_append(
                    record=records[0],
                    kind=EventKind.VIEWED,
                    actor=None,
                    actor_label="patient",
                    request_meta=REQUEST_META,
                )
        except Exception as error:  # every failure is a finding
            failures.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=t) for t in (export, export, view, view)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert failures == []
    assert ConsentEvent.objects.filter(kind=EventKind.EXPORTED).count() == 2 * 3 * 5
    assert ConsentEvent.objects.filter(kind=EventKind.VIEWED).count() == 2 * 5
    assert list(verify_all()) == []
