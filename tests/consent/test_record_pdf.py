"""The signed record's PDF copy is made by a task after signing (issue 15), with the immediate
backend where only the effect matters; tests/consent/test_record_pdf_workers.py runs real
workers."""

import datetime
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from consent import services, verification
from consent.models import ConsentRecord, RecordPdf, RecordPdfFailure
from consent.records import record_chain_digest, sha256
from consent.services import pdfs
from consent.storage import PdfStatus, record_pdf_status, record_stored_pdf
from consent.tasks import record_pdf_render

from .conftest import PATIENT_NAME, REQUEST_META, complete_draft
from .test_journey import open_link

pytestmark = pytest.mark.django_db


def pdf_files(media_root) -> list[Path]:
    return sorted(Path(media_root).rglob("*.pdf"))


@pytest.fixture
def unrendered(invitation_and_token, django_capture_on_commit_callbacks):
    """A record just signed whose PDF task has not run: (record, record_token)."""
    invitation, _token = invitation_and_token
    complete_draft(invitation)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        record, record_token = services.record_sign(
            invitation=invitation,
            typed_name=PATIENT_NAME,
            drawn_signature="",
            request_meta=REQUEST_META,
        )
    assert callbacks, "signing queues its PDF and e-mail on commit"
    return record, record_token


@pytest.fixture
def render_fails(monkeypatch):
    calls = []

    def fail(fields):
        calls.append(fields["code"])
        raise RuntimeError("WeasyPrint fell over")

    monkeypatch.setattr(pdfs, "_render_pdf", fail)
    return calls


def test_signing_writes_the_record_without_rendering_its_pdf(unrendered, settings):
    record, _ = unrendered
    assert ConsentRecord.objects.filter(pk=record.pk).exists()
    assert not RecordPdf.objects.filter(record=record).exists()
    assert pdf_files(settings.MEDIA_ROOT) == []


def test_the_record_hash_covers_no_pdf(unrendered):
    record = ConsentRecord.objects.get(pk=unrendered[0].pk)
    assert (record.pdf.name, record.pdf_sha256) == ("", "")
    assert record.record_hash == record_chain_digest(record)


def test_the_pdf_task_queued_at_signing_stores_one_checked_copy(signed_record, settings):
    record = ConsentRecord.objects.get(pk=signed_record[0].pk)
    data = record_stored_pdf(record)
    assert data.startswith(b"%PDF")
    assert sha256(data) == record.stored_pdf.sha256
    assert pdf_files(settings.MEDIA_ROOT) == [Path(record.stored_pdf.file.path)]


def test_running_the_pdf_task_twice_makes_one_pdf_and_one_file(unrendered, settings):
    record, _ = unrendered
    first = record_pdf_render.call(record_id=record.pk)
    second = record_pdf_render.call(record_id=record.pk)
    assert first == second
    assert RecordPdf.objects.filter(record=record).count() == 1
    assert len(pdf_files(settings.MEDIA_ROOT)) == 1


def test_a_file_left_by_a_killed_worker_is_replaced_not_left_beside_the_copy(unrendered, settings):
    record, _ = unrendered
    default_storage.save(pdfs.record_pdf_file_name(record), ContentFile(b"half a PDF"))
    record_pdf_render.call(record_id=record.pk)
    stored = ConsentRecord.objects.get(pk=record.pk).stored_pdf
    assert pdf_files(settings.MEDIA_ROOT) == [Path(stored.file.path)]
    assert record_stored_pdf(stored.record).startswith(b"%PDF")


def test_a_failed_render_is_retried_up_to_the_attempts_then_marked_failed(
    unrendered, render_fails, settings
):
    settings.RECORD_PDF_ATTEMPTS = 3
    record, _ = unrendered
    record_pdf_render.enqueue(record_id=record.pk)
    assert len(render_fails) == 3
    failures = list(RecordPdfFailure.objects.filter(record=record).order_by("id"))
    assert [(f.attempt, f.final) for f in failures] == [(1, False), (2, False), (3, True)]
    assert record_pdf_status(record) == PdfStatus.FAILED
    assert pdf_files(settings.MEDIA_ROOT) == []


def test_a_render_that_fails_once_succeeds_on_its_retry(unrendered, monkeypatch):
    record, _ = unrendered
    real = pdfs._render_pdf
    calls = []

    def flaky(fields):
        calls.append(1)
        if len(calls) == 1:
            raise RuntimeError("out of memory")
        return real(fields)

    monkeypatch.setattr(pdfs, "_render_pdf", flaky)
    record_pdf_render.enqueue(record_id=record.pk)
    assert len(calls) == 2
    assert record_pdf_status(record) == PdfStatus.READY


def test_a_record_waiting_for_its_pdf_is_preparing(unrendered):
    assert record_pdf_status(unrendered[0]) == PdfStatus.PREPARING


def test_receipt_says_the_copy_is_being_prepared_with_a_refresh_link(client, unrendered):
    _record, record_token = unrendered
    open_link(client, record_token)
    html = client.get(reverse("consent:record")).text
    assert "Your copy (PDF) is being prepared" in html
    assert f'href="{reverse("consent:record")}"' in html
    assert "Download your copy (PDF)" not in html


def test_receipt_offers_the_download_once_the_copy_is_ready(client, unrendered):
    record, record_token = unrendered
    record_pdf_render.call(record_id=record.pk)
    open_link(client, record_token)
    html = client.get(reverse("consent:record")).text
    assert "Download your copy (PDF)" in html
    assert "being prepared" not in html


def test_patient_download_before_the_copy_is_ready_says_so_instead_of_failing(client, unrendered):
    _record, record_token = unrendered
    open_link(client, record_token)
    response = client.get(reverse("consent:record_pdf"))
    assert response.status_code == 409
    assert "Your copy is being prepared" in response.text


def test_access_request_zip_before_the_copy_is_ready_leaves_the_pdf_out(client, unrendered):
    import io
    import json
    import zipfile

    _record, record_token = unrendered
    open_link(client, record_token)
    response = client.post(reverse("consent:access_request"))
    assert response.status_code == 200
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    manifest = json.loads(archive.read("manifest.json"))
    (entry,) = manifest["records"]
    assert (entry["pdf_included"], entry["pdf_sha256"]) == (False, "")
    assert not [name for name in archive.namelist() if name.endswith(".pdf")]


def test_a_record_without_its_pdf_yet_is_not_altered(unrendered):
    assert list(verification.verify_all()) == []
    check = verification.check_code(unrendered[0].code)
    assert check.intact
    assert not check.pdf_ready


def test_verify_page_says_the_copy_is_being_prepared(client, unrendered):
    response = client.get(reverse("consent:verify"), {"code": unrendered[0].code})
    assert "Being prepared" in response.text
    assert "Altered or missing" not in response.text


def test_sweep_queues_again_a_record_without_a_pdf_for_longer_than_the_limit(unrendered, settings):
    settings.RECORD_PDF_SWEEP_MINUTES = 10
    record, _ = unrendered
    assert list(pdfs.records_pdf_overdue()) == []
    later = timezone.now() + datetime.timedelta(minutes=11)
    assert list(pdfs.records_pdf_overdue(now=later)) == [record]
    settings.RECORD_PDF_SWEEP_MINUTES = 0
    call_command("ensure_record_pdfs", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert record_pdf_status(record) == PdfStatus.READY


def test_sweep_leaves_a_record_whose_last_run_failed_for_staff(unrendered, render_fails, settings):
    settings.RECORD_PDF_ATTEMPTS = 1
    settings.RECORD_PDF_SWEEP_MINUTES = 0
    record, _ = unrendered
    record_pdf_render.enqueue(record_id=record.pk)
    assert list(pdfs.records_pdf_overdue()) == []


def test_the_migration_gives_each_record_signed_before_it_its_pdf_row(invite, settings):
    """A record signed before issue 15 names its PDF in its own columns (inside its hash):
    0011 gives it a `RecordPdf` with the same file and SHA-256, once, and it verifies."""
    from importlib import import_module

    from django.apps import apps

    from consent.models import GENESIS_HASH
    from consent.records import content_digest, record_digest

    invitation, _token = invite()
    version = invitation.procedure.versions.order_by("-number").first()
    data = b"%PDF-1.7 signed before the PDF moved to a worker"
    name = default_storage.save("consent-records/2025/01/CR-LEGACY.pdf", ContentFile(data))
    signed_at = timezone.now()
    content = content_digest(
        code="CR-LEGACY",
        version_hash=version.content_hash,
        payload={},
        signed_at=signed_at,
        ip_address=None,
        user_agent="",
    )
    record = ConsentRecord.objects.create(
        code="CR-LEGACY",
        invitation=invitation,
        version=version,
        version_hash=version.content_hash,
        payload={},
        content_sha256=content,
        signed_at=signed_at,
        pdf=name,
        pdf_sha256=sha256(data),
        previous_hash=GENESIS_HASH,
        record_hash=record_digest(
            content_sha256=content,
            pdf_name=name,
            pdf_sha256=sha256(data),
            previous_hash=GENESIS_HASH,
        ),
    )
    migration = import_module("consent.migrations.0016_record_pdf")

    migration.records_pdf_copy(apps, None)
    migration.records_pdf_copy(apps, None)

    stored = RecordPdf.objects.get(record=record)
    assert (stored.file.name, stored.sha256) == (name, sha256(data))
    assert RecordPdf.objects.count() == 1
    record = ConsentRecord.objects.get(pk=record.pk)
    assert record_stored_pdf(record) == data
    assert record_chain_digest(record) == record.record_hash


def test_a_record_purged_before_its_pdf_was_made_is_neither_swept_nor_rendered(
    unrendered, clinic_admin, settings, django_capture_on_commit_callbacks
):
    settings.RECORD_RETENTION_DAYS = 2
    settings.RECORD_PDF_SWEEP_MINUTES = 0
    record, _ = unrendered
    with django_capture_on_commit_callbacks(execute=True):
        services.record_purge(
            record=record,
            confirmed_by=clinic_admin,
            now=timezone.now() + datetime.timedelta(days=3),
        )
    assert list(pdfs.records_pdf_overdue()) == []
    record_pdf_render.enqueue(record_id=record.pk)
    assert not RecordPdf.objects.filter(record=record).exists()
    assert pdf_files(settings.MEDIA_ROOT) == []
