"""Promises only PostgreSQL can keep: triggers refuse changes, and races make one record."""

import itertools
import threading

import pytest
from django.db import IntegrityError, connection, connections, transaction

from consent import services
from consent.models import ConsentEvent, ConsentRecord

from .conftest import PATIENT_NAME, REQUEST_META, complete_draft

pytestmark = pytest.mark.postgres


@pytest.fixture(autouse=True)
def media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def raw(sql, params):
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params)


@pytest.mark.django_db
def test_database_refuses_update_of_a_signed_record(signed_record):
    record, _token = signed_record
    with pytest.raises(IntegrityError, match="immutable"):
        raw("UPDATE consent_consentrecord SET user_agent = 'x' WHERE id = %s", [record.pk])


@pytest.mark.django_db
def test_database_refuses_delete_of_a_signed_record(signed_record):
    record, _token = signed_record
    with pytest.raises(IntegrityError, match="immutable"):
        raw("DELETE FROM consent_consentrecord WHERE id = %s", [record.pk])
    assert ConsentRecord.objects.filter(pk=record.pk).exists()


@pytest.mark.django_db
def test_database_refuses_update_and_delete_of_an_event(signed_record):
    record, _token = signed_record
    event = record.events.get()
    with pytest.raises(IntegrityError, match="immutable"):
        raw("UPDATE consent_consentevent SET actor_label = 'x' WHERE id = %s", [event.pk])
    with pytest.raises(IntegrityError, match="immutable"):
        raw("DELETE FROM consent_consentevent WHERE id = %s", [event.pk])
    assert ConsentEvent.objects.filter(pk=event.pk, actor_label="patient").exists()


def _race(count, target):
    barrier = threading.Barrier(count)
    outcomes = []
    lock = threading.Lock()

    def run(index):
        try:
            barrier.wait()
            result = target(index)
        except Exception as error:  # every outcome is counted, failures included
            result = error
        finally:
            connections.close_all()
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return outcomes


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_twenty_simultaneous_signings_create_exactly_one_record(invitation_and_token):
    invitation, _token = invitation_and_token
    complete_draft(invitation)

    def sign(_index):
        try:
            record, _ = services.record_sign(
                invitation=invitation,
                typed_name=PATIENT_NAME,
                drawn_signature="",
                request_meta=REQUEST_META,
            )
            return ("signed", record.pk)
        except services.AlreadySigned as already:
            return ("already", already.record.pk)

    outcomes = _race(20, sign)

    assert len(outcomes) == 20
    assert not [o for o in outcomes if isinstance(o, Exception)], outcomes
    assert [kind for kind, _pk in outcomes].count("signed") == 1
    assert ConsentRecord.objects.count() == 1
    assert {pk for _kind, pk in outcomes} == {ConsentRecord.objects.get().pk}
    assert ConsentEvent.objects.count() == 1


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_simultaneous_signings_of_different_invitations_keep_one_unbroken_chain(invite):
    invitations = [invite(patient_email=f"p{i}@example.com")[0] for i in range(8)]
    for invitation in invitations:
        complete_draft(invitation)

    def sign(index):
        record, _ = services.record_sign(
            invitation=invitations[index],
            typed_name=PATIENT_NAME,
            drawn_signature="",
            request_meta=REQUEST_META,
        )
        return record.pk

    outcomes = _race(8, sign)

    assert not [o for o in outcomes if isinstance(o, Exception)], outcomes
    records = list(ConsentRecord.objects.order_by("id"))
    assert len(records) == 8
    for before, after in itertools.pairwise(records):
        assert after.previous_hash == before.record_hash
