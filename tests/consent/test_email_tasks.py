"""A patient's e-mail is queued as a task when the change that caused it commits; a worker
sends it. Here the queue is django-tasks-db's table, as in production (the suite otherwise runs
tasks at once)."""

import pytest
from django.core import mail
from django_tasks_db.models import DBTaskResult

from consent import emails, services

pytestmark = pytest.mark.django_db


@pytest.fixture
def database_queue(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def run_queued_tasks() -> int:
    """What one worker pass does, in this process: run every queued task once."""
    queued = list(DBTaskResult.objects.ready())
    for row in queued:
        row.task.call(*row.task_result.args, **row.task_result.kwargs)
    return len(queued)


def test_inviting_a_patient_queues_the_email_instead_of_sending_it(database_queue, invite):
    invite()
    assert mail.outbox == []
    assert list(DBTaskResult.objects.values_list("task_path", flat=True)) == [
        "mailing.tasks.email_send"
    ]


def test_the_worker_sends_the_queued_invitation_to_the_patient(database_queue, invite):
    _invitation, token = invite()
    assert run_queued_tasks() == 1
    [message] = mail.outbox
    assert message.to == ["alex@example.com"]
    assert f"/consent/i/{token}/" in message.body


def test_the_same_invitation_email_queued_twice_is_sent_once(database_queue, invite):
    invitation, token = invite()
    emails.send_invitation(invitation, token)
    assert DBTaskResult.objects.count() == 2
    run_queued_tasks()
    assert len(mail.outbox) == 1


def test_a_resent_link_is_a_new_email(
    database_queue, clinic, invite, django_capture_on_commit_callbacks
):
    invitation, _token = invite()
    with django_capture_on_commit_callbacks(execute=True):
        services.invitation_resend(invitation=invitation)
    run_queued_tasks()
    assert len(mail.outbox) == 2
