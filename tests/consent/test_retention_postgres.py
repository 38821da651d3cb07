"""On PostgreSQL the triggers let exactly the retention purge through, and refuse changes to a
signed invitation's identity."""

import pytest
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from consent import services
from consent.models import ConsentEvent, ConsentInvitation, ConsentRecord
from consent.records import PURGED_EVENT_DATA
from tests.consent.conftest import REQUEST_META

from .test_retention import LATER, record, short_retention  # noqa: F401

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]


def raw(sql, params):
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params)


def test_the_purge_gets_past_the_trigger(
    record,  # noqa: F811
    clinic_admin,
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True):
        services.record_purge(record=record, confirmed_by=clinic_admin, now=timezone.now() + LATER)

    assert ConsentRecord.objects.get(pk=record.pk).payload["purged"] is True


def test_an_ordinary_update_of_a_record_is_still_refused(record):  # noqa: F811
    with pytest.raises(IntegrityError, match="immutable"):
        raw("UPDATE consent_consentrecord SET user_agent = 'x' WHERE id = %s", [record.pk])


def test_naming_the_record_without_a_purge_event_is_refused(record):  # noqa: F811
    with (
        pytest.raises(IntegrityError, match="immutable"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("SELECT set_config('consent.purging_record', %s, true)", [str(record.pk)])
        cursor.execute(
            "UPDATE consent_consentrecord SET payload = '{\"purged\": true}'::jsonb WHERE id = %s",
            [record.pk],
        )


def test_a_purge_that_changes_a_hash_is_refused(
    record,  # noqa: F811
    clinic_admin,
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True):
        services.record_purge(record=record, confirmed_by=clinic_admin, now=timezone.now() + LATER)

    with (
        pytest.raises(IntegrityError, match="immutable"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("SELECT set_config('consent.purging_record', %s, true)", [str(record.pk)])
        cursor.execute(
            "UPDATE consent_consentrecord SET record_hash = %s WHERE id = %s",
            ["f" * 64, record.pk],
        )


def test_the_purge_setting_does_not_outlive_the_purge(
    record,  # noqa: F811
    clinic_admin,
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True):
        services.record_purge(record=record, confirmed_by=clinic_admin, now=timezone.now() + LATER)

    with pytest.raises(IntegrityError, match="immutable"):
        raw("UPDATE consent_consentrecord SET user_agent = 'x' WHERE id = %s", [record.pk])


def test_a_signed_invitations_identity_cannot_change_in_the_database(record):  # noqa: F811
    with pytest.raises(IntegrityError, match="immutable"):
        raw(
            "UPDATE consent_consentinvitation SET patient_email = 'x@example.com' WHERE id = %s",
            [record.invitation_id],
        )
    with pytest.raises(IntegrityError, match="immutable"):
        raw(
            "UPDATE consent_consentinvitation SET patient_date_of_birth = '1990-01-01' "
            "WHERE id = %s",
            [record.invitation_id],
        )


def test_a_signed_invitations_other_fields_still_change(record):  # noqa: F811
    raw(
        "UPDATE consent_consentinvitation SET session_generation = 7 WHERE id = %s",
        [record.invitation_id],
    )

    assert ConsentInvitation.objects.get(pk=record.invitation_id).session_generation == 7


def test_an_unsigned_invitations_identity_still_changes(invitation_and_token):
    invitation, _token = invitation_and_token
    raw(
        "UPDATE consent_consentinvitation SET patient_email = 'x@example.com' WHERE id = %s",
        [invitation.pk],
    )

    assert ConsentInvitation.objects.get(pk=invitation.pk).patient_email == "x@example.com"


# The purge erases the details of the record's events; the trigger lets only that through ----


def purged_with_withdrawal(
    record,  # noqa: F811
    clinic_admin,
    django_capture_on_commit_callbacks,
):
    services.record_withdraw(record=record, reason="my private reason", request_meta=REQUEST_META)
    with django_capture_on_commit_callbacks(execute=True):
        return services.record_purge(
            record=record, confirmed_by=clinic_admin, now=timezone.now() + LATER
        )


def test_the_purge_erases_event_details_past_the_trigger(
    record,  # noqa: F811
    clinic_admin,
    django_capture_on_commit_callbacks,
):
    purge_event = purged_with_withdrawal(record, clinic_admin, django_capture_on_commit_callbacks)

    erased = ConsentEvent.objects.filter(record=record, pk__lt=purge_event.pk)
    assert erased.count() == 2
    assert all(event.data == PURGED_EVENT_DATA for event in erased)


def test_an_ordinary_update_of_an_event_is_still_refused(record):  # noqa: F811
    with pytest.raises(IntegrityError, match="immutable"):
        raw("UPDATE consent_consentevent SET user_agent = '' WHERE record_id = %s", [record.pk])


def test_erasing_an_events_details_without_a_purge_event_is_refused(record):  # noqa: F811
    with (
        pytest.raises(IntegrityError, match="immutable"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("SELECT set_config('consent.purging_record', %s, true)", [str(record.pk)])
        cursor.execute(
            "UPDATE consent_consentevent SET data = '{\"purged\": true}'::jsonb, "
            "ip_address = NULL, user_agent = '' WHERE record_id = %s",
            [record.pk],
        )


def test_a_purge_of_events_that_changes_an_event_hash_is_refused(
    record,  # noqa: F811
    clinic_admin,
    django_capture_on_commit_callbacks,
):
    purge_event = purged_with_withdrawal(record, clinic_admin, django_capture_on_commit_callbacks)

    with (
        pytest.raises(IntegrityError, match="immutable"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("SELECT set_config('consent.purging_record', %s, true)", [str(record.pk)])
        cursor.execute(
            "UPDATE consent_consentevent SET event_hash = %s WHERE id < %s AND record_id = %s",
            ["f" * 64, purge_event.pk, record.pk],
        )


def test_the_purge_event_itself_cannot_be_erased(
    record,  # noqa: F811
    clinic_admin,
    django_capture_on_commit_callbacks,
):
    purge_event = purged_with_withdrawal(record, clinic_admin, django_capture_on_commit_callbacks)

    with (
        pytest.raises(IntegrityError, match="immutable"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("SELECT set_config('consent.purging_record', %s, true)", [str(record.pk)])
        cursor.execute(
            "UPDATE consent_consentevent SET data = '{\"purged\": true}'::jsonb WHERE id = %s",
            [purge_event.pk],
        )


def test_events_cannot_be_deleted_even_during_a_purge(
    record,  # noqa: F811
    clinic_admin,
    django_capture_on_commit_callbacks,
):
    purged_with_withdrawal(record, clinic_admin, django_capture_on_commit_callbacks)

    with (
        pytest.raises(IntegrityError, match="immutable"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("SELECT set_config('consent.purging_record', %s, true)", [str(record.pk)])
        cursor.execute("DELETE FROM consent_consentevent WHERE record_id = %s", [record.pk])
