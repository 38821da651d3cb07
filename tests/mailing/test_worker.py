"""A real worker process (`manage.py db_worker`, django-tasks-db) sends queued e-mails once.

The worker runs on the database the suite runs on: a file SQLite database made for the test
(the suite's own SQLite database lives in memory, out of a subprocess's reach), or the
PostgreSQL test database itself. E-mails go to a folder (EMAIL_FILE_PATH), one file per send.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

BASE_DIR = Path(settings.BASE_DIR)
MESSAGES = 6

ENQUEUE = f"""
from accounts.emails import send_second_factor_changed
from django.contrib.auth import get_user_model
from mailing.services import email_enqueue

user = get_user_model().objects.create_user("worker-test", email="staff@example.com")
send_second_factor_changed(user=user, change="An authenticator app was added.", changed_by=None)
for n in range({MESSAGES} - 1):
    # Each message queued twice: two tasks, as a retry or a double click would make.
    for copy in range(2):
        email_enqueue(
            message_key=f"worker-test:{{n}}", subject=f"Message {{n}}", body="Hello",
            to=["alex@example.com"],
        )
"""

REPORT = """
import json
from django_tasks_db.models import DBTaskResult
from mailing.models import SentEmail
print(json.dumps({
    "statuses": sorted(DBTaskResult.objects.values_list("status", flat=True)),
    "sent": SentEmail.objects.count(),
}))
"""


@pytest.fixture
def worker_environment(tmp_path):
    """The environment for `manage.py` subprocesses on a database this test can reach."""
    environment = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_"))},
        "DJANGO_ENV": "development",
        "DEBUG": "false",
        "TASKS_BACKEND": "database",
        "EMAIL_FILE_PATH": str(tmp_path / "mail"),
        "LOG_LEVEL": "WARNING",
    }
    if connection.vendor == "postgresql":
        database = connection.settings_dict
        environment["DATABASE_URL"] = (
            f"postgres://{database['USER']}:{database['PASSWORD'] or ''}@"
            f"{database['HOST'] or '127.0.0.1'}:{database['PORT'] or 5432}/{database['NAME']}"
        )
    else:
        environment["DATABASE_URL"] = f"sqlite:///{tmp_path / 'worker.sqlite3'}"
        manage(environment, "migrate", "--noinput", "-v0")
    return environment


def manage(environment, *arguments) -> str:
    finished = subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", *arguments],
        cwd=BASE_DIR,
        env=environment,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert finished.returncode == 0, finished.stderr
    return finished.stdout


def worker(environment) -> subprocess.Popen:
    return subprocess.Popen(
        [
            sys.executable,
            "manage.py",
            "db_worker",
            "--batch",
            "--no-reload",
            "--no-startup-delay",
            "--interval",
            "0.1",
        ],
        cwd=BASE_DIR,
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def sent_subjects(environment) -> list[str]:
    folder = Path(environment["EMAIL_FILE_PATH"])
    if not folder.exists():
        return []
    return sorted(
        line.removeprefix("Subject: ")
        for file in folder.iterdir()
        for line in file.read_text().splitlines()
        if line.startswith("Subject: ")
    )


def test_two_real_workers_send_each_queued_email_exactly_once(worker_environment):
    manage(worker_environment, "shell", "-c", ENQUEUE)
    assert sent_subjects(worker_environment) == [], "queued, not sent, until a worker runs"

    workers = [worker(worker_environment) for _ in range(2)]
    for process in workers:
        output, _ = process.communicate(timeout=180)
        assert process.returncode == 0, output

    subjects = sent_subjects(worker_environment)
    assert subjects == sorted(
        ["Riverside Skin Clinic: An authenticator app was added."]
        + [f"Message {n}" for n in range(MESSAGES - 1)]
    )
    report = json.loads(manage(worker_environment, "shell", "-c", REPORT).splitlines()[-1])
    assert report == {"statuses": ["SUCCESSFUL"] * (2 * MESSAGES - 1), "sent": MESSAGES}


def test_a_worker_started_again_sends_nothing_more(worker_environment):
    manage(worker_environment, "shell", "-c", ENQUEUE)
    first = worker(worker_environment)
    first.communicate(timeout=180)
    again = worker(worker_environment)
    output, _ = again.communicate(timeout=180)
    assert again.returncode == 0, output
    assert len(sent_subjects(worker_environment)) == MESSAGES
