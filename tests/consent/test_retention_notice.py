"""The scheduled notice: clinic admins hear once a day how many records and invitations are due
for purge, with a link to admin's list, and nothing about any patient."""

import pytest
from django.core import mail
from django.core.management import call_command

from consent.models import ConsentInvitation
from consent.tasks import retention_due_notify

from .test_retention import LATER, record, short_retention  # noqa: F401

pytestmark = pytest.mark.django_db


@pytest.fixture
def due(settings, record):  # noqa: F811
    """Retention has ended for the signed record."""
    settings.RECORD_RETENTION_DAYS = 0
    settings.UNSIGNED_RETENTION_DAYS = 0
    mail.outbox.clear()
    return record


def test_the_notice_tells_each_clinic_admin_how_many_are_due_with_the_list(due, clinic_admin):
    call_command("notify_retention_due")

    recipients = sorted(message.to[0] for message in mail.outbox)
    body = mail.outbox[0].body
    assert clinic_admin.email in recipients
    assert "1 signed record is due for purge" in body
    assert "/admin/consent/consentrecord/?retention=due" in body


def test_the_notice_counts_unsigned_invitations_due(due, invite, clinic_admin):
    invitation, _token = invite()
    ConsentInvitation.objects.filter(pk=invitation.pk).update(
        expires_at=invitation.created_at - LATER, created_at=invitation.created_at - LATER
    )
    mail.outbox.clear()

    call_command("notify_retention_due")

    assert "1 unsigned invitation is due for purge" in mail.outbox[0].body
    assert "/admin/consent/consentinvitation/?retention=due" in mail.outbox[0].body


def test_the_notice_names_no_patient(due, clinic_admin):
    call_command("notify_retention_due")

    body = mail.outbox[0].body
    assert "Alex" not in body
    assert "alex@example.com" not in body
    assert due.code not in body


def test_running_the_notice_twice_a_day_sends_each_admin_one_email(due, clinic_admin):
    call_command("notify_retention_due")
    sent = len(mail.outbox)

    call_command("notify_retention_due")

    assert sent >= 1
    assert len(mail.outbox) == sent


def test_nothing_due_sends_nothing(record, clinic_admin):  # noqa: F811
    mail.outbox.clear()

    assert retention_due_notify.call(day="2026-12-01") == (0, 0)
    assert mail.outbox == []
