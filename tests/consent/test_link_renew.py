"""Staff revoke a signed record's patient link and e-mail a new one (`record_link_renew`)."""

import re

import pytest
from django.urls import reverse

from consent import services, verification
from consent.models import EventKind
from consent.tokens import token_hash

from .conftest import DATE_OF_BIRTH, REQUEST_META

pytestmark = pytest.mark.django_db

LINK = re.compile(r"/consent/i/([A-Za-z0-9_-]+)/")


def renew(record, user, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return services.record_link_renew(record=record, renewed_by=user, request_meta=REQUEST_META)


def test_renewing_a_records_link_stops_the_old_link(
    client, signed_record, clinic, django_capture_on_commit_callbacks
):
    record, old_token = signed_record
    renew(record, clinic["admin"], django_capture_on_commit_callbacks)
    response = client.get(reverse("consent:open", kwargs={"token": old_token}))
    assert response.status_code == 404


def test_renewing_a_records_link_emails_a_new_link_that_opens_the_record(
    client, signed_record, clinic, mailoutbox, django_capture_on_commit_callbacks
):
    record, _old_token = signed_record
    mailoutbox.clear()
    renew(record, clinic["admin"], django_capture_on_commit_callbacks)
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == [record.invitation.patient_email]
    new_token = LINK.search(mailoutbox[0].body).group(1)
    record.invitation.refresh_from_db()
    assert record.invitation.record_token_hash == token_hash(new_token)
    response = client.post(
        reverse("consent:open", kwargs={"token": new_token}),
        {"date_of_birth": DATE_OF_BIRTH.isoformat()},
    )
    assert response["Location"] == reverse("consent:record")


def test_renewing_a_records_link_appends_a_chained_event_naming_who_renewed_it(
    signed_record, clinic, django_capture_on_commit_callbacks
):
    record, _token = signed_record
    event = renew(record, clinic["admin"], django_capture_on_commit_callbacks)
    assert event.kind == EventKind.LINK_RENEWED
    assert event.actor == clinic["admin"]
    assert event.ip_address == REQUEST_META.ip_address
    assert verification.verify_events(record, record.events.order_by("id")) == []


def test_a_failed_renewal_keeps_the_old_link_and_sends_nothing(
    signed_record, clinic, mailoutbox, monkeypatch
):
    record, old_token = signed_record
    mailoutbox.clear()

    def broken(**kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr("consent.services.records.event_append", broken)
    with pytest.raises(RuntimeError):
        services.record_link_renew(
            record=record, renewed_by=clinic["admin"], request_meta=REQUEST_META
        )
    record.invitation.refresh_from_db()
    assert record.invitation.record_token_hash == token_hash(old_token)
    assert mailoutbox == []
