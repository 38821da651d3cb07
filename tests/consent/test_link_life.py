"""The life of an invitation's link as append-only InvitationEvents: the e-mail sent and its
provider's delivery reports, the link opened, the identity confirmed, each step reached; and the
bounced address corrected by staff."""

import base64
import json

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from consent import services
from consent.models import ConsentInvitation, InvitationEvent, InvitationEventKind
from consent.wizard import STEP_SLUGS
from mailing.models import SentEmail

from .conftest import DATE_OF_BIRTH
from .test_journey import open_link, step_url

pytestmark = pytest.mark.django_db

Kind = InvitationEventKind
WEBHOOK_SECRET = "hook-user:hook-password"


def kinds(invitation) -> list[str]:
    return list(
        InvitationEvent.objects.filter(invitation=invitation)
        .order_by("id")
        .values_list("kind", flat=True)
    )


@pytest.fixture
def postmark(settings):
    settings.EMAIL_PROVIDER = "postmark"
    settings.ANYMAIL = {"POSTMARK_SERVER_TOKEN": "test-token", "WEBHOOK_SECRET": WEBHOOK_SECRET}
    settings.MAILERS = {"default": {"BACKEND": "anymail.backends.test.EmailBackend"}}


def report(client, record_type: str, message_id: str, **fields):
    payload = {
        "RecordType": record_type,
        "MessageID": message_id,
        "Recipient": "alex@example.com",
        "Email": "alex@example.com",
        "Tag": "",
        "Metadata": {},
        **fields,
    }
    return client.post(
        reverse("mailing:tracking_webhook"),
        data=json.dumps(payload),
        content_type="application/json",
        HTTP_AUTHORIZATION="Basic " + base64.b64encode(WEBHOOK_SECRET.encode()).decode(),
    )


def invitation_message_id(invitation) -> str:
    event = InvitationEvent.objects.get(invitation=invitation, kind=Kind.SENT)
    return SentEmail.objects.get(pk=event.data["email"]).provider_message_id


def test_sending_the_invitation_email_is_an_event_naming_the_sent_email(invitation_and_token):
    invitation, _token = invitation_and_token
    event = InvitationEvent.objects.get(invitation=invitation)
    assert event.kind == Kind.SENT
    assert SentEmail.objects.filter(pk=event.data["email"]).exists()


def test_a_verified_delivery_report_is_an_event_on_the_invitation(postmark, invite, client):
    invitation, _token = invite()
    response = report(
        client, "Delivery", invitation_message_id(invitation), DeliveredAt="2026-12-01T10:00:00Z"
    )
    assert response.status_code == 200
    assert kinds(invitation) == [Kind.SENT, Kind.DELIVERED]


def test_a_verified_bounce_is_an_event_on_the_invitation(postmark, invite, client):
    invitation, _token = invite()
    report(
        client,
        "Bounce",
        invitation_message_id(invitation),
        Type="HardBounce",
        TypeCode=1,
        BouncedAt="2026-12-01T10:00:00Z",
        Details="smtp;550 5.1.1 unknown user",
    )
    bounce = InvitationEvent.objects.get(invitation=invitation, kind=Kind.BOUNCED)
    # Ids only: not the address, not the server's words.
    assert "alex@example.com" not in json.dumps(bounce.data)
    assert "unknown user" not in json.dumps(bounce.data)


def test_a_spam_complaint_is_an_event_on_the_invitation(postmark, invite, client):
    invitation, _token = invite()
    report(
        client,
        "SpamComplaint",
        invitation_message_id(invitation),
        Type="SpamComplaint",
        TypeCode=512,
        BouncedAt="2026-12-01T10:00:00Z",
    )
    assert kinds(invitation) == [Kind.SENT, Kind.COMPLAINED]


def test_a_report_with_a_bad_signature_writes_no_event(postmark, invite, client):
    invitation, _token = invite()
    response = client.post(
        reverse("mailing:tracking_webhook"),
        data=json.dumps({"RecordType": "Bounce", "MessageID": invitation_message_id(invitation)}),
        content_type="application/json",
        HTTP_AUTHORIZATION="Basic " + base64.b64encode(b"hook-user:wrong").decode(),
    )
    assert response.status_code == 403
    assert kinds(invitation) == [Kind.SENT]


def test_opening_the_link_is_noted_once_per_email(client, invite):
    invitation, token = invite()
    client.get(reverse("consent:open", kwargs={"token": token}))
    client.get(reverse("consent:open", kwargs={"token": token}))
    assert kinds(invitation) == [Kind.SENT, Kind.OPENED]


def test_the_right_date_of_birth_is_noted_as_identity_confirmed(client, invite):
    invitation, token = invite()
    open_link(client, token)
    assert Kind.IDENTITY_CONFIRMED in kinds(invitation)


def test_a_wrong_date_of_birth_confirms_nothing(client, invite):
    invitation, token = invite()
    open_link(client, token, DATE_OF_BIRTH.replace(year=1990))
    assert Kind.IDENTITY_CONFIRMED not in kinds(invitation)


def test_each_step_reached_is_noted_with_its_number_and_going_back_notes_nothing(client, invite):
    invitation, token = invite()
    open_link(client, token)
    client.post(reverse("consent:esign"), {"agree": "on"})
    client.get(step_url("about"))
    client.post(step_url("about"), {"agree": "on"})
    client.get(step_url("side-effects"))
    client.get(step_url("about"))
    steps = list(
        InvitationEvent.objects.filter(invitation=invitation, kind=Kind.STEP_REACHED)
        .order_by("id")
        .values_list("data", flat=True)
    )
    assert steps == [{"step": 1}, {"step": STEP_SLUGS.index("side-effects") + 1}]


def test_an_invitation_event_is_never_changed(invitation_and_token):
    invitation, _token = invitation_and_token
    event = InvitationEvent.objects.get(invitation=invitation)
    event.kind = Kind.DELIVERED
    with pytest.raises(TypeError):
        event.save()
    with pytest.raises(TypeError):
        InvitationEvent.objects.filter(pk=event.pk).update(kind=Kind.DELIVERED)
    with pytest.raises(TypeError):
        event.delete()


def test_the_database_refuses_an_unknown_event_kind(invitation_and_token):
    invitation, _token = invitation_and_token
    with pytest.raises(IntegrityError), transaction.atomic():
        InvitationEvent.objects.create(invitation=invitation, kind="teleported")


# Correcting the address after a bounce.


def test_correcting_the_address_sends_a_new_link_to_the_new_address(
    invite, clinic, mailoutbox, django_capture_on_commit_callbacks
):
    invitation, old_token = invite()
    with django_capture_on_commit_callbacks(execute=True):
        new_token = services.invitation_email_correct(
            invitation=invitation, patient_email="alex.m@example.org", corrected_by=clinic["admin"]
        )
    invitation.refresh_from_db()
    assert invitation.patient_email == "alex.m@example.org"
    assert mailoutbox[-1].to == ["alex.m@example.org"]
    assert new_token in mailoutbox[-1].body
    assert new_token != old_token


def test_the_correction_is_an_event_naming_who_made_it_and_not_the_addresses(
    invite, clinic, django_capture_on_commit_callbacks
):
    invitation, _token = invite()
    with django_capture_on_commit_callbacks(execute=True):
        services.invitation_email_correct(
            invitation=invitation, patient_email="alex.m@example.org", corrected_by=clinic["admin"]
        )
    correction = InvitationEvent.objects.get(invitation=invitation, kind=Kind.EMAIL_CORRECTED)
    assert correction.data == {"by": clinic["admin"].pk}
    assert kinds(invitation)[-1] == Kind.SENT  # the new link's e-mail, after the correction


def test_a_signed_invitations_address_cannot_be_corrected(signed_record, clinic):
    record, _token = signed_record
    with pytest.raises(ValidationError):
        services.invitation_email_correct(
            invitation=record.invitation,
            patient_email="alex.m@example.org",
            corrected_by=clinic["admin"],
        )
    assert ConsentInvitation.objects.get(pk=record.invitation_id).patient_email == (
        "alex@example.com"
    )


def test_an_invalid_address_is_refused_and_nothing_is_written(invite, clinic):
    invitation, _token = invite()
    with pytest.raises(ValidationError):
        services.invitation_email_correct(
            invitation=invitation, patient_email="not an address", corrected_by=clinic["admin"]
        )
    assert kinds(invitation) == [Kind.SENT]
