"""Real `db_worker` processes (django-tasks-db) make the signed records' PDF copies on
PostgreSQL (issue 15): two workers make each queued copy exactly once, and a worker killed in
the middle of a PDF task leaves nothing half-made once the `ensure_record_pdfs` sweep and a worker
have run. The records are signed in the test (their tasks are not run); the workers share the
PostgreSQL test database, as workers on several machines share one database."""

import signal
import time
from pathlib import Path

import pytest
from django_tasks_db.models import DBTaskResult

from consent import services
from consent.models import RecordPdf
from consent.services import signing
from consent.storage import record_stored_pdf
from tests.mailing.test_worker import manage, worker, worker_environment  # noqa: F401

from .conftest import PATIENT_NAME, REQUEST_META, complete_draft

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.postgres,
]

RECORDS = 12
PDF_TASK = "consent.tasks.record_pdf_render"


@pytest.fixture
def environment(worker_environment, settings):  # noqa: F811
    """The workers' environment, with the test's media folder for the PDF files."""
    return {**worker_environment, "MEDIA_ROOT": str(settings.MEDIA_ROOT)}


@pytest.fixture
def sign_unrendered(invite, monkeypatch):
    """Sign records without queueing their PDF tasks (this test queues them for the workers:
    in a transactional test, on-commit work would run here at once); returns their ids."""
    monkeypatch.setattr(signing, "record_pdf_request", lambda record: None)

    def sign(count: int) -> list[int]:
        ids = []
        for n in range(count):
            invitation, _token = invite(patient_email=f"worker{n}@example.com")
            complete_draft(invitation)
            record, _ = services.record_sign(
                invitation=invitation,
                typed_name=PATIENT_NAME,
                drawn_signature="",
                request_meta=REQUEST_META,
            )
            ids.append(record.pk)
        return ids

    return sign


def enqueue(environment, ids: list[int], copies: int = 1) -> None:
    manage(
        environment,
        "shell",
        "-c",
        "from consent.tasks import record_pdf_render\n"
        f"for record_id in {ids!r}:\n"
        f"    for copy in range({copies}):\n"
        "        record_pdf_render.enqueue(record_id=record_id, attempt=1)\n",
    )


def pdf_files(media_root) -> list[Path]:
    return sorted(Path(media_root).rglob("*.pdf"))


def test_two_workers_make_each_queued_pdf_exactly_once(environment, sign_unrendered, settings):
    ids = sign_unrendered(RECORDS)
    # Each record queued twice: as a sweep racing the original task would.
    enqueue(environment, ids, copies=2)
    assert RecordPdf.objects.count() == 0, "queued, not made, until a worker runs"

    workers = [worker(environment) for _ in range(2)]
    for process in workers:
        output, _ = process.communicate(timeout=300)
        assert process.returncode == 0, output

    assert sorted(RecordPdf.objects.values_list("record_id", flat=True)) == sorted(ids)
    assert len(pdf_files(settings.MEDIA_ROOT)) == RECORDS
    for stored in RecordPdf.objects.select_related("record"):
        assert record_stored_pdf(stored.record).startswith(b"%PDF")
    statuses = list(
        DBTaskResult.objects.filter(task_path=PDF_TASK).values_list("status", flat=True)
    )
    assert statuses == ["SUCCESSFUL"] * (2 * RECORDS)


def _wait_until_running(deadline: float) -> bool:
    while time.monotonic() < deadline:
        if DBTaskResult.objects.filter(task_path=PDF_TASK, status="RUNNING").exists():
            return True
        time.sleep(0.005)
    return False


def test_a_worker_killed_mid_task_leaves_one_pdf_after_the_sweep_and_a_worker(
    environment, sign_unrendered, settings
):
    (record_id,) = sign_unrendered(1)
    enqueue(environment, [record_id])
    killed = worker(environment)
    assert _wait_until_running(time.monotonic() + 120), "the worker never started the task"
    killed.send_signal(signal.SIGKILL)
    killed.communicate(timeout=60)

    assert RecordPdf.objects.filter(record_id=record_id).count() == 0
    assert DBTaskResult.objects.get(task_path=PDF_TASK).status == "RUNNING", (
        "django-tasks-db leaves a killed worker's task RUNNING: only the sweep recovers it"
    )

    environment["RECORD_PDF_SWEEP_MINUTES"] = "0"
    assert "1 record(s)" in manage(environment, "ensure_record_pdfs")
    again = worker(environment)
    output, _ = again.communicate(timeout=300)
    assert again.returncode == 0, output

    stored = RecordPdf.objects.get(record_id=record_id)
    assert pdf_files(settings.MEDIA_ROOT) == [Path(stored.file.path)]
    assert record_stored_pdf(stored.record).startswith(b"%PDF")
