"""Two app servers on one PostgreSQL database, as behind a load balancer.

Two gunicorn processes on two loopback ports serve the test database. A patient's browser walks
the whole consent journey alternating between them (the session lives in the database, so
either server accepts the cookie the other set), then sends ten simultaneous "sign" requests,
five to each server: one record is made, every request ends on the record page, and either
server hands out its PDF (stored through the storage API in a folder both servers share, as
object storage would be).
"""

import os
import secrets
import socket
import subprocess
import sys
import threading
import time
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection

from consent.models import ConsentDraft, ConsentEvent, ConsentRecord, EventKind

from .conftest import DATE_OF_BIRTH, PATIENT_NAME, Browser

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

BASE_DIR = Path(settings.BASE_DIR)
GUNICORN = Path(sys.executable).with_name("gunicorn")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def two_servers(tmp_path, settings):
    """Two gunicorn servers (3 workers each) on the test database; yields their ports."""
    database = connection.settings_dict
    url = (
        f"postgres://{database['USER']}:{database['PASSWORD'] or ''}@"
        f"{database['HOST'] or '127.0.0.1'}:{database['PORT'] or 5432}/{database['NAME']}"
    )
    environment = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_"))},
        "DJANGO_ENV": "development",
        "DEBUG": "false",
        # Every app server signs sessions with the same key: that is what lets them share one.
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1",
        "DATABASE_URL": url,
        "MEDIA_ROOT": str(settings.MEDIA_ROOT),
        "LOG_LEVEL": "WARNING",
    }
    ports = [_free_port(), _free_port()]
    servers = []
    log = (tmp_path / "servers.log").open("w")
    for port in ports:
        servers.append(
            subprocess.Popen(  # noqa: S603
                [str(GUNICORN), "portal.wsgi", "--workers", "3", "--bind", f"127.0.0.1:{port}"],
                cwd=BASE_DIR,
                env=environment,
                stdout=log,
                stderr=log,
            )
        )
    try:
        deadline = time.monotonic() + 30
        for port in ports:
            while True:
                try:
                    status, _, _ = Browser().request(port, "GET", "/healthz")
                    if status == 200:
                        break
                except OSError:
                    pass
                assert time.monotonic() < deadline, (tmp_path / "servers.log").read_text()
                time.sleep(0.2)
        yield ports
    finally:
        for server in servers:
            server.terminate()
        for server in servers:
            server.wait(timeout=30)
        log.close()


def test_a_journey_alternating_between_two_servers_and_a_signing_race_make_one_record(
    two_servers, invitation_and_token, settings
):
    a, b = two_servers
    invitation, token = invitation_and_token
    browser = Browser()

    status, location, _ = browser.request(
        a, "POST", f"/consent/i/{token}/", {"date_of_birth": DATE_OF_BIRTH.isoformat()}
    )
    assert (status, location) == (302, "/consent/agree/")
    assert browser.request(b, "GET", "/consent/agree/")[0] == 200  # B reads A's session
    status, location, _ = browser.request(b, "POST", "/consent/agree/", {"agree": "on"})
    assert (status, location) == (302, "/consent/step/about/")

    content = ConsentDraft.objects.get(invitation=invitation).version.content
    steps = [
        ("about", {"agree": "on"}),
        ("side-effects", {f"item_{row['id']}": "on" for row in content["side_effects"]}),
        ("injected", {"agree": "on"}),
        ("practitioner", {f"item_{row['id']}": "on" for row in content["checklist"]}),
        (
            "understanding",
            {f"question_{row['id']}": row["correct_choice"] for row in content["comprehension"]},
        ),
        ("questions", {"questions": "Will it hurt?"}),
    ]
    servers = [a, b]
    for n, (step, form) in enumerate(steps):
        shows, saves = servers[n % 2], servers[(n + 1) % 2]
        assert browser.request(shows, "GET", f"/consent/step/{step}/")[0] == 200, step
        status, location, body = browser.request(saves, "POST", f"/consent/step/{step}/", form)
        assert status == 302, (step, status, body[:2000])
        assert location.startswith("/consent/step/"), (step, location)
    assert browser.request(a, "GET", "/consent/step/sign/")[0] == 200

    outcomes = []
    barrier = threading.Barrier(10)

    def sign(port):
        barrier.wait(timeout=30)
        outcomes.append(
            browser.request(
                port, "POST", "/consent/step/sign/", {"typed_name": PATIENT_NAME, "agree": "on"}
            )
        )

    racers = [threading.Thread(target=sign, args=(servers[n % 2],)) for n in range(10)]
    for racer in racers:
        racer.start()
    for racer in racers:
        racer.join(timeout=60)

    assert (
        sorted((status, location) for status, location, _ in outcomes)
        == [(302, "/consent/record/")] * 10
    )
    record = ConsentRecord.objects.get(invitation=invitation)
    assert ConsentRecord.objects.count() == 1
    assert list(ConsentEvent.objects.values_list("kind", flat=True)) == [EventKind.SIGNED]

    status, _, page = browser.request(b, "GET", "/consent/record/")
    assert status == 200
    assert record.code in page.decode()
    # The copy is a task: until a worker has run, either server says it is being prepared.
    assert browser.request(a, "GET", "/consent/record/copy.pdf")[0] == 409
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    call_command("db_worker", "--batch", "--no-startup-delay", stdout=StringIO())
    for port in (a, b):
        status, _, pdf = browser.request(port, "GET", "/consent/record/copy.pdf")
        assert status == 200
        assert pdf.startswith(b"%PDF")
