"""Records over their whole life: the record binds its invitation (finding 5), legal holds,
the retention listing, and the purge that keeps the chain verifying."""

import datetime
import io

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from consent import selectors, services, verification
from consent.models import (
    ConsentDraft,
    ConsentEvent,
    ConsentInvitation,
    ConsentRecord,
    EventKind,
    RecordImmutable,
    RecordPdf,
)
from tests.consent.conftest import DATE_OF_BIRTH, PATIENT_NAME, REQUEST_META, complete_draft
from tests.trust.forms import form_data

pytestmark = pytest.mark.django_db

LATER = datetime.timedelta(days=3)


@pytest.fixture(autouse=True)
def short_retention(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.RECORD_RETENTION_DAYS = 2
    settings.UNSIGNED_RETENTION_DAYS = 1


@pytest.fixture
def sign(invite, django_capture_on_commit_callbacks):
    def make(**overrides):
        invitation, _token = invite(**overrides)
        complete_draft(invitation)
        with django_capture_on_commit_callbacks(execute=True):
            record, _record_token = services.record_sign(
                invitation=invitation,
                typed_name=PATIENT_NAME,
                drawn_signature="",
                request_meta=REQUEST_META,
            )
        return record

    return make


@pytest.fixture
def record(signed_record):
    return signed_record[0]


def raw_update(table, sql_set, params, pk, *, trigger=None):
    """Change a row behind the application's back (switching `trigger` off on PostgreSQL)."""
    postgres = connection.vendor == "postgresql" and trigger
    with connection.cursor() as cursor:
        if postgres:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute(f"ALTER TABLE {table} DISABLE TRIGGER {trigger}")
        cursor.execute(f"UPDATE {table} SET {sql_set} WHERE id = %s", [*params, pk])  # noqa: S608
        if postgres:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute(f"ALTER TABLE {table} ENABLE TRIGGER {trigger}")
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")


def run_verify() -> tuple[bool, str, str]:
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("verify_consent_records", stdout=out, stderr=err)
    except CommandError as error:
        return False, out.getvalue(), err.getvalue() + str(error)
    return True, out.getvalue(), err.getvalue()


def purge(record, admin, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return services.record_purge(record=record, confirmed_by=admin, now=timezone.now() + LATER)


# Finding 5: the record binds its invitation ---------------------------------------------------


def test_a_new_record_binds_its_invitation_and_its_identity(record):
    bound = record.payload["invitation"]

    assert record.payload["schema"] == 3
    assert bound["id"] == record.invitation_id
    assert bound["patient_email"] == "alex@example.com"
    assert bound["practitioner_id"] == record.invitation.practitioner_id


def test_moving_a_record_to_another_patients_invitation_is_reported(record, invite, client):
    other, _token = invite(patient_name="Sam Other", patient_email="sam@example.com")
    raw_update(
        "consent_consentrecord",
        "invitation_id = %s",
        [other.pk],
        record.pk,
        trigger="consent_consentrecord_immutable",
    )

    ok, _out, err = run_verify()
    html = client.get(reverse("consent:verify"), {"code": record.code}).text

    assert not ok
    assert "attached to another invitation than the one it was signed for" in err
    assert "The record has been altered" in html


def test_changing_a_signed_invitations_email_is_reported(record):
    raw_update(
        "consent_consentinvitation",
        "patient_email = %s",
        ["someone@example.com"],
        record.invitation_id,
        trigger="consent_consentinvitation_identity_fixed",
    )

    ok, _out, err = run_verify()

    assert not ok
    assert "invitation's patient or practitioner has changed since signing" in err


def test_records_of_schema_two_still_verify(monkeypatch, sign):
    from consent.services import signing

    original = signing.build_payload

    def schema_two(**kwargs):
        payload = original(**kwargs)
        payload.pop("invitation")
        return {**payload, "schema": 2}

    monkeypatch.setattr(signing, "build_payload", schema_two)
    old = sign()

    ok, out, _err = run_verify()

    assert old.payload["schema"] == 2
    assert ok, out


def test_the_records_base_manager_refuses_updates_and_deletes(record):
    with pytest.raises(RecordImmutable):
        ConsentRecord._base_manager.filter(pk=record.pk).update(user_agent="x")
    with pytest.raises(RecordImmutable):
        ConsentEvent._base_manager.filter(record=record).delete()


def test_a_signed_invitations_identity_cannot_be_edited(record):
    invitation = ConsentInvitation.objects.get(pk=record.invitation_id)
    invitation.patient_email = "someone@example.com"

    with pytest.raises(ValidationError) as refused:
        invitation.full_clean()

    assert "patient_email" in refused.value.message_dict


def test_an_unsigned_invitations_identity_can_be_edited(invitation_and_token):
    invitation, _token = invitation_and_token
    invitation.patient_email = "someone@example.com"

    invitation.full_clean()


def test_the_admin_does_not_change_a_signed_invitations_patient(record, staff_client):
    # A sent invitation's admin page is view-only; the model's clean refuses it besides.
    invitation = ConsentInvitation.objects.get(pk=record.invitation_id)
    url = reverse("admin:consent_consentinvitation_change", args=[invitation.pk])
    data = form_data(staff_client.get(url).text, "consentinvitation_form")
    data["patient_email"] = "someone@example.com"

    staff_client.post(url, data)

    invitation.refresh_from_db()
    assert invitation.patient_email == "alex@example.com"


# Legal hold -----------------------------------------------------------------------------------


def test_placing_and_lifting_a_hold_are_chained_events(record, clinic_admin):
    services.record_hold_place(record=record, user=clinic_admin, reason="Court order 12/2026")
    on_hold = selectors.record_is_on_hold(record)
    services.record_hold_lift(record=record, user=clinic_admin, reason="Case closed")

    kinds = list(record.events.order_by("id").values_list("kind", flat=True))
    assert on_hold
    assert not selectors.record_is_on_hold(record)
    assert kinds == [EventKind.SIGNED, EventKind.HOLD_PLACED, EventKind.HOLD_LIFTED]
    assert record.events.get(kind=EventKind.HOLD_PLACED).data == {"reason": "Court order 12/2026"}
    assert verification.verify_events(record, record.events.all()) == []


def test_lifting_a_hold_that_was_never_placed_is_refused(record, clinic_admin):
    with pytest.raises(services.RetentionRefused, match="not on legal hold"):
        services.record_hold_lift(record=record, user=clinic_admin)


def test_a_hold_needs_a_reason(record, clinic_admin):
    with pytest.raises(services.RetentionRefused, match="reason"):
        services.record_hold_place(record=record, user=clinic_admin, reason="  ")


def test_only_a_clinic_admin_places_a_hold(record, clinic):
    with pytest.raises(services.RetentionRefused, match="clinic admin"):
        services.record_hold_place(
            record=record, user=clinic["practitioner"].user, reason="Court order"
        )


def test_a_patient_hold_covers_every_invitation_and_record_of_the_patient(
    record, invite, clinic_admin
):
    unsigned, _token = invite()
    stranger, _token = invite(patient_email="sam@example.com")

    count = services.patient_hold_place(invitation=unsigned, user=clinic_admin, reason="Claim")

    assert count == 2
    assert selectors.record_is_on_hold(ConsentRecord.objects.get(pk=record.pk))
    assert ConsentInvitation.objects.get(pk=unsigned.pk).legal_hold_reason == "Claim"
    assert ConsentInvitation.objects.get(pk=stranger.pk).legal_hold_reason == ""


# Retention listing ----------------------------------------------------------------------------


def test_a_record_within_retention_is_not_listed(record):
    assert list(selectors.records_due_for_purge()) == []


def test_a_record_past_retention_after_its_last_event_is_listed(record):
    due = selectors.records_due_for_purge(now=timezone.now() + LATER)

    assert list(due) == [record]


def test_a_record_on_hold_is_not_listed(record, clinic_admin):
    services.record_hold_place(record=record, user=clinic_admin, reason="Court order")

    assert list(selectors.records_due_for_purge(now=timezone.now() + LATER)) == []


def test_an_unsigned_invitation_is_listed_after_its_shorter_retention(invite):
    invitation, _token = invite(expires_at=timezone.now() + datetime.timedelta(hours=1))
    now = timezone.now() + datetime.timedelta(days=1, hours=2)

    assert list(selectors.invitations_due_for_purge(now=now)) == [invitation]
    assert list(selectors.records_due_for_purge(now=now)) == []


def test_the_listing_reads_a_fixed_number_of_queries(sign, django_assert_max_num_queries):
    for _ in range(3):
        sign()

    with django_assert_max_num_queries(1):
        assert len(list(selectors.records_due_for_purge(now=timezone.now() + LATER))) == 3


# Purge ----------------------------------------------------------------------------------------


def test_a_purge_within_retention_is_refused(record, clinic_admin):
    with pytest.raises(services.RetentionRefused, match="within its retention period"):
        services.record_purge(record=record, confirmed_by=clinic_admin)

    assert ConsentRecord.objects.get(pk=record.pk).payload["patient"]["name"] == PATIENT_NAME


def test_a_purge_under_a_record_hold_is_refused(record, clinic_admin):
    services.record_hold_place(record=record, user=clinic_admin, reason="Court order")

    with pytest.raises(services.RetentionRefused, match="legal hold"):
        services.record_purge(record=record, confirmed_by=clinic_admin, now=timezone.now() + LATER)


def test_a_purge_under_a_patient_hold_is_refused(record, clinic_admin):
    services.patient_hold_place(invitation=record.invitation, user=clinic_admin, reason="Claim")

    with pytest.raises(services.RetentionRefused, match="legal hold"):
        services.record_purge(record=record, confirmed_by=clinic_admin, now=timezone.now() + LATER)


def test_a_purge_deletes_the_patient_data_and_the_pdf(
    record, clinic_admin, django_capture_on_commit_callbacks
):
    pdf_path = RecordPdf.objects.get(record=record).file.path

    purge(record, clinic_admin, django_capture_on_commit_callbacks)

    purged = ConsentRecord.objects.get(pk=record.pk)
    invitation = ConsentInvitation.objects.get(pk=record.invitation_id)
    assert PATIENT_NAME not in str(purged.payload)
    assert "alex@example.com" not in str(purged.payload)
    assert purged.ip_address is None
    assert (invitation.patient_name, invitation.patient_email) == ("", "")
    assert invitation.patient_date_of_birth is None
    assert not ConsentDraft.objects.filter(invitation=invitation).exists()
    assert not __import__("os").path.exists(pdf_path)


def test_a_purge_keeps_every_digest(record, clinic_admin, django_capture_on_commit_callbacks):
    pdf_before = RecordPdf.objects.values_list("file", "sha256").get(record=record)
    purge(record, clinic_admin, django_capture_on_commit_callbacks)

    purged = ConsentRecord.objects.get(pk=record.pk)
    assert (purged.record_hash, purged.previous_hash, purged.content_sha256) == (
        record.record_hash,
        record.previous_hash,
        record.content_sha256,
    )
    assert RecordPdf.objects.values_list("file", "sha256").get(record=record) == pdf_before


def test_a_purge_is_a_chained_event_naming_who_confirmed_it(
    record, clinic_admin, django_capture_on_commit_callbacks
):
    event = purge(record, clinic_admin, django_capture_on_commit_callbacks)

    assert event.kind == EventKind.PURGED
    assert event.actor == clinic_admin
    assert event.data["confirmed_by"] == event.actor_label
    assert verification.verify_events(record, record.events.all()) == []


def test_a_record_is_purged_only_once(record, clinic_admin, django_capture_on_commit_callbacks):
    purge(record, clinic_admin, django_capture_on_commit_callbacks)

    with pytest.raises(services.RetentionRefused, match="purged already"):
        purge(record, clinic_admin, django_capture_on_commit_callbacks)


def test_the_command_says_purged_never_altered_after_a_purge(
    record, sign, clinic_admin, django_capture_on_commit_callbacks
):
    sign()
    purge(record, clinic_admin, django_capture_on_commit_callbacks)

    ok, out, err = run_verify()

    assert ok, err
    day = timezone.localdate(timezone.now() + LATER).isoformat()
    assert f"{record.code}: purged under the retention policy on {day}" in out


def test_the_verify_page_says_purged_never_altered_after_a_purge(
    record, clinic_admin, client, django_capture_on_commit_callbacks
):
    purge(record, clinic_admin, django_capture_on_commit_callbacks)

    html = client.get(reverse("consent:verify"), {"code": record.code}).text

    assert "Purged under the retention policy on" in html
    assert "altered" not in html.lower()


def test_content_removed_without_a_purge_event_is_reported(record):
    raw_update(
        "consent_consentrecord",
        "payload = " + ("%s::jsonb" if connection.vendor == "postgresql" else "%s"),
        ['{"schema": 3, "purged": true}'],
        record.pk,
        trigger="consent_consentrecord_immutable",
    )

    ok, _out, err = run_verify()

    assert not ok
    assert "removed without a purge event" in err


def test_an_unsigned_invitation_is_purged_with_its_draft(invite, clinic_admin):
    invitation, _token = invite(expires_at=timezone.now() + datetime.timedelta(hours=1))
    services.draft_start(invitation=invitation)

    services.invitation_purge(
        invitation=invitation,
        confirmed_by=clinic_admin,
        now=timezone.now() + datetime.timedelta(days=2),
    )

    invitation.refresh_from_db()
    assert invitation.patient_name == "" and invitation.purged_at is not None
    assert not ConsentDraft.objects.filter(invitation=invitation).exists()


def test_an_unsigned_invitation_within_retention_is_purged_only_on_request(
    invitation_and_token, clinic_admin
):
    invitation, _token = invitation_and_token
    with pytest.raises(services.RetentionRefused, match="within its retention period"):
        services.invitation_purge(invitation=invitation, confirmed_by=clinic_admin)

    services.invitation_purge(invitation=invitation, confirmed_by=clinic_admin, on_request=True)

    invitation.refresh_from_db()
    assert invitation.purged_at is not None


def test_the_purge_command_lists_without_purging_and_purges_on_confirmation(
    record, clinic_admin, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(timezone, "now", lambda: record.signed_at + LATER)
    out = io.StringIO()
    call_command("purge_consent_records", stdout=out)
    listed = out.getvalue()
    still_there = ConsentRecord.objects.get(pk=record.pk).payload.get("patient")

    with django_capture_on_commit_callbacks(execute=True):
        call_command(
            "purge_consent_records", "--confirm", "--by", clinic_admin.username, stdout=out
        )

    assert f"record {record.code}" in listed
    assert still_there
    assert selectors.record_is_purged(record)


def test_the_purge_command_refuses_a_confirmer_who_is_no_clinic_admin(record, clinic, monkeypatch):
    monkeypatch.setattr(timezone, "now", lambda: record.signed_at + LATER)
    user = clinic["practitioner"].user

    with pytest.raises(CommandError, match="clinic admin"):
        call_command("purge_consent_records", "--confirm", "--by", user.username)
    assert not selectors.record_is_purged(record)


def test_after_a_purge_staff_pages_show_nothing_of_the_patient_and_no_error(
    record, clinic_admin, staff_client, django_capture_on_commit_callbacks
):
    purge(record, clinic_admin, django_capture_on_commit_callbacks)

    dashboard = staff_client.get(reverse("practice:dashboard"))
    page = staff_client.get(reverse("practice:record", kwargs={"code": record.code}))

    assert dashboard.status_code == 200
    assert PATIENT_NAME not in dashboard.text
    assert page.status_code == 404


def test_after_a_purge_the_patients_link_shows_nothing_and_no_error(
    signed_record, clinic_admin, client, django_capture_on_commit_callbacks
):
    record, record_token = signed_record
    opened = client.post(
        reverse("consent:open", kwargs={"token": record_token}),
        {"date_of_birth": DATE_OF_BIRTH.isoformat()},
    )
    purge(record, clinic_admin, django_capture_on_commit_callbacks)

    again = client.__class__().post(
        reverse("consent:open", kwargs={"token": record_token}),
        {"date_of_birth": DATE_OF_BIRTH.isoformat()},
    )

    assert opened["Location"] == reverse("consent:record")
    assert client.get(reverse("consent:record")).status_code == 404
    assert again.status_code < 500


def test_a_checkpoint_taken_before_a_purge_still_holds_after_it(
    record, clinic_admin, django_capture_on_commit_callbacks
):
    point = verification.checkpoint_take(now=timezone.now() + verification.CHECKPOINT_LAG)

    purge(record, clinic_admin, django_capture_on_commit_callbacks)

    assert point.last_record_id == record.pk
    assert verification.checkpoint_problems(point) == []


def test_the_hold_command_places_and_lifts_a_records_hold(record, clinic_admin):
    by = ["--by", clinic_admin.username]
    call_command("legal_hold", "--record", record.code, "--reason", "Court order", *by)
    held = selectors.record_is_on_hold(record)
    call_command("legal_hold", "--record", record.code, "--lift", *by)

    assert held
    assert not selectors.record_is_on_hold(record)


def test_the_hold_command_refuses_a_hold_without_a_reason(record, clinic_admin):
    with pytest.raises(CommandError, match="reason"):
        call_command("legal_hold", "--record", record.code, "--by", clinic_admin.username)
