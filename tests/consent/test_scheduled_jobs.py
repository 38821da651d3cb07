"""Consent's scheduled jobs: the expired-links notice and the daily record-chain checkpoint.

Each is a management command that queues a task (tests run tasks at once); running a job twice
sends each e-mail once.
"""

import datetime

import pytest
from django.core import mail
from django.core.management import CommandError, call_command
from django.utils import timezone

from consent.models import ConsentInvitation
from consent.tasks import invitations_expired_notify, record_chain_checkpoint
from consent.verification import Checkpoint, checkpoint_problems
from tests import factories

pytestmark = pytest.mark.django_db

YESTERDAY = timezone.localdate() - datetime.timedelta(days=1)


def expire(invitation, on: datetime.date = YESTERDAY) -> None:
    ConsentInvitation.objects.filter(pk=invitation.pk).update(
        expires_at=timezone.make_aware(datetime.datetime.combine(on, datetime.time(12)))
    )


def test_the_expiry_job_tells_each_clinic_admin_how_many_links_expired_unsigned(clinic, invite):
    other_admin = factories.ClinicAdminFactory(username="second-admin")
    for _ in range(2):
        expire(invite()[0])
    mail.outbox.clear()
    call_command("notify_expired_invitations")
    assert sorted(message.to[0] for message in mail.outbox) == sorted(
        [clinic["admin"].email, other_admin.email]
    )
    assert "2 consent links expired" in mail.outbox[0].body
    assert "/admin/consent/consentinvitation/" in mail.outbox[0].body


def test_the_expiry_notice_names_no_patient(clinic, invite):
    expire(invite()[0])
    mail.outbox.clear()
    call_command("notify_expired_invitations")
    [message] = mail.outbox
    assert "Alex Morgan" not in message.body
    assert "alex@example.com" not in message.body
    assert "Mesotherapy" not in message.body


def test_running_the_expiry_job_twice_sends_each_admin_one_email(clinic, invite):
    expire(invite()[0])
    mail.outbox.clear()
    call_command("notify_expired_invitations")
    call_command("notify_expired_invitations")
    assert len(mail.outbox) == 1


def test_links_still_open_signed_or_withdrawn_are_not_counted(clinic, invite, signed_record):
    signed = signed_record[0].invitation
    expire(signed)
    invite()  # still open
    withdrawn = invite()[0]
    ConsentInvitation.objects.filter(pk=withdrawn.pk).update(withdrawn_at=timezone.now())
    expire(withdrawn)
    mail.outbox.clear()
    assert invitations_expired_notify.call(day=YESTERDAY.isoformat()) == 0
    assert mail.outbox == []


def test_a_link_that_expired_on_another_day_is_left_to_that_days_notice(clinic, invite):
    expire(invite()[0], on=YESTERDAY - datetime.timedelta(days=1))
    mail.outbox.clear()
    call_command("notify_expired_invitations")
    assert mail.outbox == []
    call_command("notify_expired_invitations", day=str(YESTERDAY - datetime.timedelta(days=1)))
    assert len(mail.outbox) == 1


def test_the_expiry_job_refuses_a_day_that_is_not_a_date(db):
    with pytest.raises(CommandError, match="--day must be a date"):
        call_command("notify_expired_invitations", day="yesterday")


def test_the_checkpoint_is_appended_to_the_configured_file(settings, tmp_path, signed_record):
    settings.CHECKPOINT_PATH = str(tmp_path / "kept" / "checkpoints.log")
    record, _token = signed_record
    line = record_chain_checkpoint.call(
        now=(timezone.now() + datetime.timedelta(minutes=2)).isoformat()
    )
    [kept] = (tmp_path / "kept" / "checkpoints.log").read_text().splitlines()
    assert kept == line
    assert "records=1 " in line
    assert f"latest_record_hash={record.record_hash} " in line
    point = Checkpoint.parse(line.rsplit("checkpoint=", 1)[1])
    assert point.last_record_id == record.pk
    assert checkpoint_problems(point) == []


def test_the_same_checkpoint_is_not_written_twice(settings, tmp_path, signed_record):
    settings.CHECKPOINT_PATH = str(tmp_path / "checkpoints.log")
    later = timezone.now() + datetime.timedelta(minutes=2)
    record_chain_checkpoint.call(now=later.isoformat())
    record_chain_checkpoint.call(now=later.isoformat())
    assert len((tmp_path / "checkpoints.log").read_text().splitlines()) == 1


def test_the_checkpoint_is_emailed_once_to_the_configured_address(settings, signed_record):
    settings.CHECKPOINT_EMAIL = "compliance@clinic.example"
    mail.outbox.clear()
    later = timezone.now() + datetime.timedelta(minutes=2)
    line = record_chain_checkpoint.call(now=later.isoformat())
    record_chain_checkpoint.call(now=later.isoformat())
    [message] = mail.outbox
    assert message.to == ["compliance@clinic.example"]
    assert line in message.body
    checkpoint = line.rsplit("checkpoint=", 1)[1]
    assert f"verify_consent_records --since {checkpoint}" in message.body


def test_the_checkpoint_command_queues_the_task(settings, tmp_path, db):
    settings.CHECKPOINT_PATH = str(tmp_path / "checkpoints.log")
    call_command("checkpoint_record_chain")
    assert "records=0 " in (tmp_path / "checkpoints.log").read_text()


def test_the_checkpoint_command_refuses_when_no_place_to_keep_it_is_set(settings, db):
    settings.CHECKPOINT_PATH = settings.CHECKPOINT_EMAIL = ""
    with pytest.raises(CommandError, match="CHECKPOINT_PATH or CHECKPOINT_EMAIL"):
        call_command("checkpoint_record_chain")
