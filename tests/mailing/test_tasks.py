"""An e-mail is a task; whatever runs it how often, the patient gets the message once."""

import pytest
from django.core import mail
from django.db import IntegrityError, transaction

from mailing.models import SentEmail
from mailing.services import email_enqueue, message_key
from mailing.tasks import email_send

pytestmark = pytest.mark.django_db

MESSAGE = {
    "message_key": "test.message:1",
    "subject": "Your consent is recorded",
    "body": "Hello",
    "to": ["alex@example.com"],
}


def test_running_the_send_task_twice_sends_one_email():
    assert email_send.call(**MESSAGE) is True
    assert email_send.call(**MESSAGE) is False
    assert len(mail.outbox) == 1


def test_two_messages_with_different_keys_are_both_sent():
    email_send.call(**MESSAGE)
    email_send.call(**{**MESSAGE, "message_key": "test.message:2"})
    assert len(mail.outbox) == 2


def test_a_message_the_mail_server_refused_is_sent_when_the_task_runs_again(monkeypatch):
    def refuse(*args, **kwargs):
        raise ConnectionRefusedError

    monkeypatch.setattr("mailing.tasks.EmailMessage.send", refuse)
    with pytest.raises(ConnectionRefusedError):
        email_send.call(**MESSAGE)
    monkeypatch.undo()
    assert email_send.call(**MESSAGE) is True
    assert len(mail.outbox) == 1


def test_the_database_refuses_a_second_row_for_one_message_key():
    SentEmail.objects.create(message_key="test.message:1")
    with pytest.raises(IntegrityError), transaction.atomic():
        SentEmail.objects.create(message_key="test.message:1")


def test_a_message_key_does_not_keep_the_token_it_was_made_from():
    key = message_key("consent/email/invitation.txt", "secret-token")
    assert "secret-token" not in key
    assert key == message_key("consent/email/invitation.txt", "secret-token")


def test_enqueuing_with_the_immediate_backend_sends_the_message():
    email_enqueue(**MESSAGE)
    assert [message.to for message in mail.outbox] == [["alex@example.com"]]
    assert SentEmail.objects.filter(message_key="test.message:1").exists()
