import pytest
from django.urls import reverse

from mailing.services import email_enqueue
from tests.conftest import login_verified

pytestmark = pytest.mark.django_db


def test_the_task_queue_in_admin_does_not_show_what_an_e_mail_task_carries(
    client, admin_user, settings
):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    from django_tasks_db.models import DBTaskResult

    email_enqueue(
        message_key="test:secret-link",
        subject="Your consent link",
        body="Open https://clinic.example/consent/i/secret-token-123/",
        to=["patient@example.com"],
    )
    task = DBTaskResult.objects.get()
    response = login_verified(client, admin_user).get(
        reverse("admin:django_tasks_database_dbtaskresult_change", args=[task.pk])
    )
    assert response.status_code == 200
    assert b"secret-token-123" not in response.content
    assert b"patient@example.com" not in response.content
