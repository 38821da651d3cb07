"""Clinic admins place and lift legal holds and confirm purges in admin, through the retention
services; refusals are admin messages, never an error page."""

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.auth.models import Permission
from django.urls import reverse
from django.utils import timezone

from consent import selectors
from consent.models import ConsentInvitation, ConsentRecord, EventKind
from tests.conftest import login_verified

from .test_retention import LATER, record, short_retention  # noqa: F401

pytestmark = pytest.mark.django_db


def changelist(model):
    return reverse(f"admin:consent_{model}_changelist")


def act(client, model, action, objects, **extra):
    return client.post(
        changelist(model),
        {"action": action, ACTION_CHECKBOX_NAME: [obj.pk for obj in objects], **extra},
        follow=True,
    )


def messages_of(response):
    return [str(message) for message in response.context["messages"]]


@pytest.fixture
def admin_client(client, clinic_admin):
    return login_verified(client, clinic_admin)


@pytest.fixture
def later(settings):
    """Retention has ended for everything (the clock stays: admin's session would expire)."""
    settings.RECORD_RETENTION_DAYS = 0
    settings.UNSIGNED_RETENTION_DAYS = 0


def test_placing_a_hold_first_asks_for_the_reason(admin_client, record):  # noqa: F811
    response = act(admin_client, "consentrecord", "place_legal_hold", [record])

    assert response.status_code == 200
    assert 'name="reason"' in response.text
    assert not selectors.record_is_on_hold(record)


def test_placing_a_hold_with_a_reason_holds_the_record(admin_client, record):  # noqa: F811
    response = act(
        admin_client,
        "consentrecord",
        "place_legal_hold",
        [record],
        confirm="yes",
        reason="Court order 42",
    )

    assert selectors.record_is_on_hold(record)
    assert record.events.get(kind=EventKind.HOLD_PLACED).data == {"reason": "Court order 42"}
    assert any("placed on legal hold" in message for message in messages_of(response))


def test_lifting_a_hold_with_a_reason_lifts_it(admin_client, record):  # noqa: F811
    act(admin_client, "consentrecord", "place_legal_hold", [record], confirm="yes", reason="x")

    act(admin_client, "consentrecord", "lift_legal_hold", [record], confirm="yes", reason="done")

    assert not selectors.record_is_on_hold(record)
    assert record.events.get(kind=EventKind.HOLD_LIFTED).data == {"reason": "done"}


def test_lifting_a_hold_that_is_not_there_is_a_message_not_an_error(
    admin_client,
    record,  # noqa: F811
):
    response = act(
        admin_client, "consentrecord", "lift_legal_hold", [record], confirm="yes", reason="x"
    )

    assert response.status_code == 200
    assert any("not on legal hold" in message for message in messages_of(response))


def test_the_purge_page_shows_what_will_be_deleted_and_purges_nothing(
    admin_client,
    record,  # noqa: F811
    later,
):
    response = act(admin_client, "consentrecord", "purge_confirm", [record])

    assert response.status_code == 200
    assert f"{record.code} (signed" in response.text
    assert "due for purge" in response.text
    assert "Yes, purge" in response.text
    assert not selectors.record_is_purged(record)


def test_confirming_the_purge_purges_the_record_naming_who_confirmed(
    admin_client,
    record,  # noqa: F811
    clinic_admin,
    later,
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True):
        response = act(admin_client, "consentrecord", "purge_confirm", [record], confirm="yes")

    assert selectors.record_is_purged(record)
    assert record.events.get(kind=EventKind.PURGED).actor == clinic_admin
    assert any("purged under the retention policy" in m for m in messages_of(response))


def test_a_purge_within_retention_is_refused_with_a_message(
    admin_client,
    record,  # noqa: F811
):
    response = act(admin_client, "consentrecord", "purge_confirm", [record], confirm="yes")

    assert response.status_code == 200
    assert any("within its retention period" in m for m in messages_of(response))
    assert not selectors.record_is_purged(record)


def test_a_purge_under_hold_is_refused_with_a_message(
    admin_client,
    record,  # noqa: F811
    later,
):
    act(admin_client, "consentrecord", "place_legal_hold", [record], confirm="yes", reason="x")

    response = act(admin_client, "consentrecord", "purge_confirm", [record], confirm="yes")

    assert any("on legal hold" in m for m in messages_of(response))
    assert not selectors.record_is_purged(record)


def test_the_due_for_purge_filter_lists_only_records_due(
    admin_client,
    record,  # noqa: F811
    later,
):
    due = admin_client.get(changelist("consentrecord"), {"retention": "due"})
    act(admin_client, "consentrecord", "place_legal_hold", [record], confirm="yes", reason="x")
    held = admin_client.get(changelist("consentrecord"), {"retention": "due"})

    assert record.code in due.text
    assert record.code not in held.text


def test_a_practitioner_is_offered_no_retention_action(
    client,
    clinic,
    record,  # noqa: F811
    later,
):
    user = clinic["practitioner"].user
    user.is_staff = True
    user.save()
    user.user_permissions.add(Permission.objects.get(codename="view_consentrecord"))
    login_verified(client, user)

    listed = client.get(changelist("consentrecord"))
    act(client, "consentrecord", "purge_confirm", [record], confirm="yes")

    assert listed.status_code == 200
    assert "purge_confirm" not in listed.text
    assert not selectors.record_is_purged(ConsentRecord.objects.get(pk=record.pk))


def test_a_patient_hold_from_the_invitation_list_holds_the_patient(
    admin_client,
    record,  # noqa: F811
):
    act(
        admin_client,
        "consentinvitation",
        "place_legal_hold",
        [record.invitation],
        confirm="yes",
        reason="Complaint",
    )

    assert ConsentInvitation.objects.get(pk=record.invitation_id).legal_hold_reason == "Complaint"
    assert selectors.record_is_on_hold(record)


def test_a_signed_invitations_purge_is_refused_with_a_message(
    admin_client,
    record,  # noqa: F811
):
    response = act(
        admin_client, "consentinvitation", "purge_confirm", [record.invitation], confirm="yes"
    )

    assert any("purge its record instead" in m for m in messages_of(response))


def test_an_unsigned_invitation_due_is_purged_on_confirmation(admin_client, invite, later):
    invitation, _token = invite()
    ConsentInvitation.objects.filter(pk=invitation.pk).update(
        expires_at=timezone.now() - LATER, created_at=timezone.now() - LATER
    )
    page = act(admin_client, "consentinvitation", "purge_confirm", [invitation])

    act(admin_client, "consentinvitation", "purge_confirm", [invitation], confirm="yes")

    assert "due for purge" in page.text
    assert ConsentInvitation.objects.get(pk=invitation.pk).purged_at is not None
