"""The database failing in the middle of signing loses nothing and half-writes nothing: no
record, no event, no PDF file, the draft as it was, and a page that says to try again; trying
again then signs. The disk failing while the PDF is stored (by its task, after signing) leaves
the record complete, no PDF row and no file, and the failure noted for staff."""

import contextlib
import os
import re

import pytest
from django.db import OperationalError, connection

from consent.models import ConsentDraft, ConsentEvent, ConsentRecord, RecordPdf, RecordPdfFailure
from tests.consent.conftest import invitation_and_token  # noqa: F401
from tests.consent.test_journey import open_link, sign, walk_to_sign

pytestmark = pytest.mark.django_db

# Each write of the signing transaction, in the order it happens.
WRITES = {
    "record insert": r'^INSERT INTO "consent_consentrecord"',
    "signed event insert": r'^INSERT INTO "consent_consentevent"',
    "record link update (last write)": r'^UPDATE "consent_consentinvitation" SET "record_token',
}


@contextlib.contextmanager
def database_fails_on(pattern: str):
    """The database connection drops when a statement matching `pattern` is sent."""
    hits = []

    def wrapper(execute, sql, params, many, context):
        if re.search(pattern, sql.strip()):
            hits.append(sql)
            raise OperationalError("server closed the connection unexpectedly")
        return execute(sql, params, many, context)

    with connection.execute_wrapper(wrapper):
        yield hits


def pdf_files(root) -> list[str]:
    return [name for _dir, _dirs, files in os.walk(root) for name in files if name.endswith(".pdf")]


@pytest.fixture
def ready_to_sign(client, invitation_and_token):  # noqa: F811
    invitation, token = invitation_and_token
    open_link(client, token)
    walk_to_sign(client, invitation)
    return invitation


def assert_nothing_written(invitation, draft_before, settings):
    assert not ConsentRecord.objects.exists()
    assert not ConsentEvent.objects.exists()
    assert pdf_files(settings.MEDIA_ROOT) == []
    draft = ConsentDraft.objects.get(invitation=invitation)
    assert (draft.answers, draft.esign_agreed_at) == draft_before
    invitation.refresh_from_db()
    assert invitation.record_token_hash is None


@pytest.mark.parametrize("write", list(WRITES))
def test_database_failure_mid_signing_leaves_nothing_and_keeps_the_draft(
    client, ready_to_sign, settings, write, django_capture_on_commit_callbacks
):
    invitation = ready_to_sign
    draft = ConsentDraft.objects.get(invitation=invitation)
    before = (draft.answers, draft.esign_agreed_at)

    with database_fails_on(WRITES[write]) as hits:
        response = sign(client)

    assert hits, f"the {write} never happened"
    assert response.status_code == 503
    assert "Please try again" in response.text
    assert "Nothing was signed, and all your answers are kept." in response.text
    assert_nothing_written(invitation, before, settings)

    with django_capture_on_commit_callbacks(execute=True):  # the PDF task, on commit
        again = sign(client)

    assert again.status_code == 302
    record = ConsentRecord.objects.get()
    assert record.events.count() == 1
    assert pdf_files(settings.MEDIA_ROOT) == [os.path.basename(record.stored_pdf.file.name)]


def test_disk_failure_while_storing_the_pdf_keeps_the_record_and_leaves_no_half_pdf(
    client, ready_to_sign, settings, monkeypatch, django_capture_on_commit_callbacks
):
    from django.core.files.storage import default_storage

    def disk_full(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(default_storage, "save", disk_full)
    with django_capture_on_commit_callbacks(execute=True):
        response = sign(client)

    assert response.status_code == 302
    record = ConsentRecord.objects.get()
    assert record.events.count() == 1
    assert not RecordPdf.objects.exists()
    assert pdf_files(settings.MEDIA_ROOT) == []
    failures = RecordPdfFailure.objects.filter(record=record)
    assert failures.count() == settings.RECORD_PDF_ATTEMPTS
    assert failures.filter(final=True).count() == 1
