"""Reminders: not opened after 2 days, started but not finished after 3, 24 hours before the
link expires; each once, at most 3 in all, none in quiet hours or once the consent is closed,
and a link in each reminder that stops them."""

import datetime
import zoneinfo

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from consent import services
from consent.models import ConsentInvitation, ConsentReminder, ReminderKind
from consent.reminders import stop_signature
from consent.selectors import reminders_due
from consent.tasks import invitation_remind

from .conftest import PATIENT_NAME, REQUEST_META, complete_draft

pytestmark = pytest.mark.django_db

CLINIC_ZONE = zoneinfo.ZoneInfo("America/New_York")
DAY = datetime.timedelta(days=1)
HOUR = datetime.timedelta(hours=1)


def clinic_time(hour: int, minute: int = 0) -> datetime.datetime:
    """A moment today on the clinic's clock (the default TIME_ZONE), some years ahead so every
    link made today has expired by then unless a test moves it."""
    day = timezone.localdate() + datetime.timedelta(days=400)
    return datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=CLINIC_ZONE)


NOON = clinic_time(12)


def place(invitation, *, sent, opened=None, expires) -> ConsentInvitation:
    ConsentInvitation.objects.filter(pk=invitation.pk).update(
        created_at=sent, sent_at=sent, first_opened_at=opened, expires_at=expires
    )
    invitation.refresh_from_db()
    return invitation


def run_reminders(capture, now: datetime.datetime) -> list[tuple[int, str]]:
    """What the hourly job does at `now`, with the tasks run at once."""
    due = reminders_due(now=now)
    with capture(execute=True):
        for invitation_id, kind in due:
            invitation_remind.enqueue(invitation_id=invitation_id, kind=kind, now=now.isoformat())
    return due


@pytest.fixture
def remind(django_capture_on_commit_callbacks):
    def run(now=NOON):
        mail.outbox.clear()
        run_reminders(django_capture_on_commit_callbacks, now)
        return list(mail.outbox)

    return run


@pytest.fixture
def invitation(invitation_and_token):
    return invitation_and_token[0]


# Each kind -------------------------------------------------------------------------------


def test_an_unopened_link_is_reminded_two_days_after_it_was_sent(invitation, remind):
    place(invitation, sent=NOON - 2 * DAY, expires=NOON + 10 * DAY)
    [message] = remind()
    assert message.to == ["alex@example.com"]
    assert "You have not opened it yet" in message.body
    assert list(invitation.reminders.values_list("kind", flat=True)) == [ReminderKind.NOT_OPENED]


def test_an_unopened_link_is_not_reminded_before_two_days(invitation, remind):
    place(invitation, sent=NOON - 2 * DAY + HOUR, expires=NOON + 10 * DAY)
    assert remind() == []


def test_a_started_consent_is_reminded_three_days_after_it_was_opened(invitation, remind):
    place(invitation, sent=NOON - 4 * DAY, opened=NOON - 3 * DAY, expires=NOON + 10 * DAY)
    [message] = remind()
    assert "have not finished" in message.body
    assert invitation.reminders.get().kind == ReminderKind.NOT_FINISHED


def test_a_started_consent_is_not_reminded_before_three_days(invitation, remind):
    place(invitation, sent=NOON - 4 * DAY, opened=NOON - 3 * DAY + HOUR, expires=NOON + 10 * DAY)
    assert remind() == []


def test_a_link_is_reminded_a_day_before_it_expires(invitation, remind):
    place(invitation, sent=NOON - HOUR, expires=NOON + 24 * HOUR)
    [message] = remind()
    assert "expires soon" in message.body
    assert invitation.reminders.get().kind == ReminderKind.EXPIRING


def test_a_link_is_not_reminded_of_expiry_more_than_a_day_ahead(invitation, remind):
    place(invitation, sent=NOON - HOUR, expires=NOON + 25 * HOUR)
    assert remind() == []


def test_the_numbers_are_settings(invitation, remind, settings):
    settings.REMINDER_NOT_OPENED_DAYS = 1
    place(invitation, sent=NOON - DAY, expires=NOON + 10 * DAY)
    assert len(remind()) == 1


# Once, and at most three -----------------------------------------------------------------


def test_each_reminder_is_sent_once_however_often_the_job_runs(invitation, remind):
    place(invitation, sent=NOON - 2 * DAY, expires=NOON + 10 * DAY)
    assert len(remind()) == 1
    assert remind() == []
    assert remind(NOON + HOUR) == []


def test_the_same_reminder_task_run_twice_sends_one_email(
    invitation, django_capture_on_commit_callbacks
):
    place(invitation, sent=NOON - 2 * DAY, expires=NOON + 10 * DAY)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(2):
            invitation_remind.call(
                invitation_id=invitation.pk, kind=ReminderKind.NOT_OPENED, now=NOON.isoformat()
            )
    assert len(mail.outbox) == 1


def test_a_link_left_to_expire_gets_three_reminders_in_its_life(invitation, remind):
    place(invitation, sent=NOON - 2 * DAY, expires=NOON + 8 * DAY)
    sent = remind()
    ConsentInvitation.objects.filter(pk=invitation.pk).update(first_opened_at=NOON + HOUR)
    for day in range(1, 8):
        sent += remind(NOON + day * DAY)
    assert len(sent) == 3
    assert set(invitation.reminders.values_list("kind", flat=True)) == set(ReminderKind.values)


def test_no_reminder_goes_beyond_the_cap(invitation, remind, settings):
    settings.REMINDER_MAX_PER_INVITATION = 2
    place(invitation, sent=NOON - 2 * DAY, expires=NOON + 8 * DAY)
    remind()
    ConsentInvitation.objects.filter(pk=invitation.pk).update(first_opened_at=NOON + HOUR)
    remind(NOON + 4 * DAY)
    assert invitation.reminders.count() == 2
    assert remind(NOON + 7 * DAY + HOUR) == []


# Quiet hours -----------------------------------------------------------------------------


@pytest.mark.parametrize("hour,minute", [(20, 0), (23, 30), (3, 0), (7, 59)])
def test_no_reminder_in_the_clinics_quiet_hours(invitation, remind, hour, minute):
    now = clinic_time(hour, minute)
    place(invitation, sent=now - 3 * DAY, expires=now + 10 * DAY)
    assert remind(now) == []
    assert not invitation.reminders.exists()


@pytest.mark.parametrize("hour,minute", [(8, 0), (19, 59)])
def test_reminders_go_out_between_quiet_hours(invitation, remind, hour, minute):
    now = clinic_time(hour, minute)
    place(invitation, sent=now - 3 * DAY, expires=now + 10 * DAY)
    assert len(remind(now)) == 1


def test_quiet_hours_follow_the_clinics_time_zone(invitation, remind, settings):
    settings.TIME_ZONE = "Europe/Madrid"
    now = clinic_time(15)  # 15:00 in New York is 21:00 in Madrid
    place(invitation, sent=now - 3 * DAY, expires=now + 10 * DAY)
    assert remind(now) == []


def test_a_reminder_queued_before_quiet_hours_waits_when_it_runs_in_them(
    invitation, django_capture_on_commit_callbacks
):
    place(invitation, sent=NOON - 3 * DAY, expires=NOON + 10 * DAY)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        invitation_remind.call(
            invitation_id=invitation.pk,
            kind=ReminderKind.NOT_OPENED,
            now=clinic_time(21).isoformat(),
        )
    assert mail.outbox == []
    assert not invitation.reminders.exists()


# Closed consents -------------------------------------------------------------------------


def test_no_reminder_after_signing(signed_record, remind):
    record, _token = signed_record
    place(record.invitation, sent=NOON - 3 * DAY, expires=NOON + 10 * DAY)
    assert remind() == []


def test_no_reminder_after_withdrawal(invitation, remind):
    place(invitation, sent=NOON - 3 * DAY, expires=NOON + 10 * DAY)
    services.invitation_withdraw(invitation=invitation)
    assert remind() == []


def test_no_reminder_after_expiry(invitation, remind):
    place(invitation, sent=NOON - 3 * DAY, expires=NOON - HOUR)
    assert remind() == []


def test_a_reminder_task_for_a_consent_signed_since_it_was_queued_sends_nothing(
    invitation, django_capture_on_commit_callbacks
):
    place(invitation, sent=NOON - 3 * DAY, expires=NOON + 10 * DAY)
    due = reminders_due(now=NOON)
    assert due == [(invitation.pk, ReminderKind.NOT_OPENED)]
    complete_draft(invitation)
    with django_capture_on_commit_callbacks(execute=True):
        services.record_sign(
            invitation=invitation,
            typed_name=PATIENT_NAME,
            drawn_signature="",
            request_meta=REQUEST_META,
        )
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        sent = invitation_remind.call(
            invitation_id=invitation.pk, kind=ReminderKind.NOT_OPENED, now=NOON.isoformat()
        )
    assert sent is False
    assert mail.outbox == []


# The job ---------------------------------------------------------------------------------


def test_finding_due_reminders_takes_the_same_queries_for_many_invitations(
    invite, django_assert_max_num_queries
):
    for _ in range(5):
        place(invite()[0], sent=NOON - 3 * DAY, expires=NOON + 10 * DAY)
    with django_assert_max_num_queries(2):
        assert len(reminders_due(now=NOON)) == 5


def test_the_job_queues_the_due_reminders(invitation, settings, django_capture_on_commit_callbacks):
    settings.CLINIC_QUIET_HOURS_START = settings.CLINIC_QUIET_HOURS_END = 0  # none
    now = timezone.now()
    place(invitation, sent=now - 3 * DAY, expires=now + 10 * DAY)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("send_reminders")
    assert [message.to for message in mail.outbox] == [["alex@example.com"]]


def test_the_job_queues_nothing_in_quiet_hours(invitation, settings):
    hour = timezone.localtime().hour
    settings.CLINIC_QUIET_HOURS_START, settings.CLINIC_QUIET_HOURS_END = hour, (hour + 1) % 24
    now = timezone.now()
    place(invitation, sent=now - 3 * DAY, expires=now + 10 * DAY)
    call_command("send_reminders")
    assert not ConsentReminder.objects.exists()


# The stop link ---------------------------------------------------------------------------


def stop_url(invitation) -> str:
    return f"/consent/reminders/stop/{stop_signature(invitation.pk)}/"


def test_each_reminder_carries_a_stop_link_without_the_patients_link_token(
    invitation_and_token, remind
):
    invitation, token = invitation_and_token
    place(invitation, sent=NOON - 3 * DAY, expires=NOON + 10 * DAY)
    [message] = remind()
    assert stop_url(invitation) in message.body
    assert token not in message.body


def test_opening_the_stop_link_asks_to_confirm_and_stops_nothing(invitation, client):
    response = client.get(stop_url(invitation))
    assert response.status_code == 200
    assert b"Send me no more reminders" in response.content
    invitation.refresh_from_db()
    assert invitation.reminders_stopped_at is None


def test_confirming_stops_reminders(invitation, client, remind):
    response = client.post(stop_url(invitation))
    assert response.status_code == 200
    assert b"We will not send you any more reminders" in response.content
    place(invitation, sent=NOON - 3 * DAY, expires=NOON + 10 * DAY)
    assert remind() == []


def test_confirming_twice_keeps_the_first_stop(invitation, client):
    client.post(stop_url(invitation))
    invitation.refresh_from_db()
    first = invitation.reminders_stopped_at
    response = client.post(stop_url(invitation))
    invitation.refresh_from_db()
    assert response.status_code == 200
    assert invitation.reminders_stopped_at == first


def test_a_stop_link_with_a_forged_signature_is_not_found(invitation, client):
    response = client.post(stop_url(invitation).replace(":", ":x", 1))
    assert response.status_code == 404
    invitation.refresh_from_db()
    assert invitation.reminders_stopped_at is None
