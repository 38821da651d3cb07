import contextlib
import datetime
import io
import json
import random
import string

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.urls import reverse
from django.utils import dateformat, timezone

from consent import services, verification
from consent.models import ConsentRecord, EventKind
from tests.consent.conftest import DATE_OF_BIRTH, PATIENT_NAME, REQUEST_META, complete_draft

pytestmark = pytest.mark.django_db

HEX = "0123456789abcdef"
IMMUTABLE_TABLES = {
    "consent_consentrecord": "consent_consentrecord_immutable",
    "consent_consentevent": "consent_consentevent_immutable",
    "education_procedureversion": "education_procedureversion_immutable",
}


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def sign_another(invite, django_capture_on_commit_callbacks):
    """Sign one more record, on top of the chain; returns the record."""

    def sign():
        invitation, _token = invite()
        complete_draft(invitation)
        with django_capture_on_commit_callbacks(execute=True):
            record, _record_token = services.record_sign(
                invitation=invitation,
                typed_name=PATIENT_NAME,
                drawn_signature="",
                request_meta=REQUEST_META,
            )
        return record

    return sign


@contextlib.contextmanager
def tampering(table):
    """A cursor that may change `table` behind the application's back.

    SQLite has no trigger to stop it; on PostgreSQL the table's immutability trigger is
    switched off for the duration, inside the test's transaction. ALTER TABLE refuses while
    deferred foreign-key checks of this transaction's inserts are pending, so they run first.
    """
    # A table without an immutability trigger (the PDF copy's row) needs no switching off.
    postgres = connection.vendor == "postgresql" and table in IMMUTABLE_TABLES
    with connection.cursor() as cursor:
        if postgres:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute(f"ALTER TABLE {table} DISABLE TRIGGER {IMMUTABLE_TABLES[table]}")
        yield cursor
        if postgres:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute(f"ALTER TABLE {table} ENABLE TRIGGER {IMMUTABLE_TABLES[table]}")
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")


def json_param() -> str:
    return "%s::jsonb" if connection.vendor == "postgresql" else "%s"


def set_column(table, column, pk, value, *, is_json=False):
    with tampering(table) as cursor:
        placeholder = json_param() if is_json else "%s"
        cursor.execute(
            f"UPDATE {table} SET {column} = {placeholder} WHERE id = %s",  # noqa: S608
            [json.dumps(value) if is_json else value, pk],
        )


def run_command() -> tuple[bool, str, str]:
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("verify_consent_records", stdout=out, stderr=err)
    except CommandError as error:
        return False, out.getvalue(), err.getvalue() + str(error)
    return True, out.getvalue(), err.getvalue()


def problems() -> list[tuple[str, str]]:
    return list(verification.verify_all(chunk_size=2))


# The command ------------------------------------------------------------------------------


def test_command_passes_on_an_intact_database(signed_record, sign_another):
    sign_another()

    ok, out, err = run_command()

    assert ok, err
    assert "Checked 2 records and 2 events: all intact." in out
    assert err == ""


def test_command_passes_on_an_empty_database():
    ok, out, _err = run_command()

    assert ok
    assert "Checked 0 records and 0 events: all intact." in out


def test_command_fails_when_one_byte_of_a_stored_pdf_changes(signed_record):
    record, _token = signed_record
    path = record.stored_pdf.file.path
    with open(path, "rb") as file:
        data = bytearray(file.read())
    data[len(data) // 2] ^= 0x01
    with open(path, "wb") as file:
        file.write(data)

    ok, _out, err = run_command()

    assert not ok
    assert (
        f"{record.code}: its PDF file {record.stored_pdf.file.name} has changed since signing"
        in err
    )
    assert "1 problem found" in err


def test_command_fails_when_a_pdf_is_missing(signed_record):
    record, _token = signed_record
    record.stored_pdf.file.storage.delete(record.stored_pdf.file.name)

    ok, _out, err = run_command()

    assert not ok
    assert f"{record.code}: its PDF file {record.stored_pdf.file.name} is missing" in err


def test_command_fails_when_a_payload_is_changed_in_the_database(signed_record):
    record, _token = signed_record
    payload = {**record.payload, "questions": "I have no questions."}
    set_column("consent_consentrecord", "payload", record.pk, payload, is_json=True)

    ok, _out, err = run_command()

    assert not ok
    assert f"{record.code}: its signed content no longer matches its fingerprint" in err


def test_command_fails_when_an_event_is_changed(signed_record):
    record, _token = signed_record
    event = record.events.get()
    set_column("consent_consentevent", "data", event.pk, {"note": "added later"}, is_json=True)

    ok, _out, err = run_command()

    assert not ok
    assert f"{record.code}: event {event.pk} (signed) has changed since it was written" in err


def test_command_fails_when_an_event_is_deleted(signed_record):
    record, _token = signed_record
    for kind in (EventKind.VIEWED, EventKind.DOWNLOADED):
        services.event_append(
            record=record, kind=kind, actor=None, actor_label="patient", request_meta=REQUEST_META
        )
    _signed, viewed, downloaded = record.events.order_by("id")
    with tampering("consent_consentevent") as cursor:
        cursor.execute("DELETE FROM consent_consentevent WHERE id = %s", [viewed.pk])

    ok, _out, err = run_command()

    assert not ok
    assert f"{record.code}: event {downloaded.pk} (downloaded) does not follow the event" in err


def test_command_fails_when_a_records_only_event_is_deleted(signed_record):
    record, _token = signed_record
    with tampering("consent_consentevent") as cursor:
        cursor.execute("DELETE FROM consent_consentevent WHERE record_id = %s", [record.pk])

    ok, _out, err = run_command()

    assert not ok
    assert f"{record.code}: has no events" in err


def test_command_fails_when_the_chain_of_records_is_broken(signed_record, sign_another):
    first, _token = signed_record
    second = sign_another()
    assert second.previous_hash == first.record_hash
    set_column("consent_consentrecord", "previous_hash", second.pk, "f" * 64)

    ok, _out, err = run_command()

    assert not ok
    assert f"{second.code}: does not follow the record before it" in err
    assert f"{second.code}: its record hash does not match" in err
    assert first.code not in err


def test_command_fails_when_a_procedure_version_is_changed(signed_record):
    record, _token = signed_record
    content = {**record.version.content}
    content["procedure"] = {**content["procedure"], "name": "Something else"}
    set_column("education_procedureversion", "content", record.version_id, content, is_json=True)

    ok, _out, err = run_command()

    assert not ok
    assert f"{record.code}: the content of Mesotherapy version 1 has changed" in err


# verify_record and verify_events ----------------------------------------------------------


# Checkpoints: what the chains alone cannot show ---------------------------------------------


def take_checkpoint() -> verification.Checkpoint:
    """A checkpoint covering everything written so far (the lag is for rows still committing)."""
    return verification.checkpoint_take(now=timezone.now() + verification.CHECKPOINT_LAG)


def run_command_since(*checkpoints) -> tuple[bool, str, str]:
    out, err = io.StringIO(), io.StringIO()
    arguments = [f"--since={point}" for point in checkpoints]
    try:
        call_command("verify_consent_records", *arguments, stdout=out, stderr=err)
    except CommandError as error:
        return False, out.getvalue(), err.getvalue() + str(error)
    return True, out.getvalue(), err.getvalue()


def view(record):
    return services.event_append(
        record=record,
        kind=EventKind.VIEWED,
        actor=None,
        actor_label="patient",
        request_meta=REQUEST_META,
    )


def test_deleting_a_records_newest_event_is_found_only_with_a_checkpoint(signed_record):
    record, _token = signed_record
    newest = view(record)
    checkpoint = take_checkpoint()
    with tampering("consent_consentevent") as cursor:
        cursor.execute("DELETE FROM consent_consentevent WHERE id = %s", [newest.pk])

    assert run_command()[0]  # the shorter chain still links up
    ok, _out, err = run_command_since(checkpoint)

    assert not ok
    assert "records or events covered by the checkpoint were removed" in err


def test_deleting_the_newest_record_is_found_only_with_a_checkpoint(signed_record, sign_another):
    newest = sign_another()
    checkpoint = take_checkpoint()
    with tampering("consent_consentevent") as cursor:
        cursor.execute("DELETE FROM consent_consentevent WHERE record_id = %s", [newest.pk])
    with tampering("consent_recordpdf") as cursor:
        cursor.execute("DELETE FROM consent_recordpdf WHERE record_id = %s", [newest.pk])
    with tampering("consent_consentrecord") as cursor:
        cursor.execute("DELETE FROM consent_consentrecord WHERE id = %s", [newest.pk])
    # A careful tamperer also puts the stored state back as what is left derives it (left as
    # it was, the state check names the invitation: tests/consent/test_stored_state.py).
    services.consent_status_refresh(invitation_ids=[newest.invitation_id])

    assert run_command()[0]
    ok, _out, err = run_command_since(checkpoint)

    assert not ok
    assert "1 problem found" in err


def test_records_and_events_added_after_a_checkpoint_keep_it_intact(signed_record, sign_another):
    record, _token = signed_record
    checkpoint = take_checkpoint()
    view(record)
    sign_another()

    ok, out, err = run_command_since(checkpoint)

    assert ok, err
    assert "Checked 2 records and 3 events and 1 checkpoint: all intact." in out


def test_a_checkpoint_leaves_out_rows_written_in_the_last_minute(signed_record):
    assert verification.checkpoint_take().last_record_id == 0
    record, _token = signed_record
    assert take_checkpoint().last_record_id == record.pk


def test_checkpoint_option_prints_a_checkpoint_the_since_option_accepts(signed_record, monkeypatch):
    monkeypatch.setattr(verification, "CHECKPOINT_LAG", datetime.timedelta(0))
    out = io.StringIO()
    call_command("verify_consent_records", "--checkpoint", stdout=out)
    printed = out.getvalue().strip().splitlines()[-1]

    assert verification.Checkpoint.parse(printed) == take_checkpoint()
    assert run_command_since(printed)[0]


@pytest.mark.parametrize(
    "text", ["", "cp1", "cp1-1-1-abc", "cp2-1-1-" + "a" * 64, "cp1-x-1-" + "a" * 64]
)
def test_a_malformed_checkpoint_is_refused_with_its_expected_form(text):
    ok, _out, err = run_command_since(text)

    assert not ok
    assert "Not a checkpoint" in err
    assert "cp1-<record>-<event>-<64 hex characters>" in err


def test_verify_record_and_events_find_nothing_wrong_with_a_fresh_record(signed_record):
    record, _token = signed_record
    record = ConsentRecord.objects.get(pk=record.pk)

    assert verification.verify_record(record) == []
    assert verification.verify_events(record, record.events.all()) == []


def test_verify_events_checks_the_order_by_id(signed_record):
    record, _token = signed_record
    services.event_append(
        record=record, kind=EventKind.VIEWED, actor=None, actor_label="patient", request_meta=None
    )
    events = list(record.events.all())

    assert verification.verify_events(record, reversed(events)) == []
    assert verification.verify_events(record, events[1:])  # the first one left out


def test_verify_all_streams_many_records_in_chunks(signed_record, sign_another):
    for _ in range(3):
        sign_another()

    tally = verification.Tally()
    found = list(verification.verify_all(chunk_size=2, tally=tally))

    assert found == []
    assert (tally.records, tally.events) == (4, 4)


# Every single-byte change is found ---------------------------------------------------------


def _change_one_char(rng: random.Random, value: str, alphabet: str) -> str:
    position = rng.randrange(len(value))
    replacement = rng.choice([c for c in alphabet if c != value[position]])
    return value[:position] + replacement + value[position + 1 :]


def _string_leaves(data, path=()):
    if isinstance(data, dict):
        for key, value in data.items():
            yield from _string_leaves(value, (*path, key))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            yield from _string_leaves(value, (*path, index))
    elif isinstance(data, str) and data:
        yield path


def _replace_leaf(data, path, value):
    data = json.loads(json.dumps(data))
    target = data
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    return data


def _tamper_json(rng, table, column, pk, value):
    path = rng.choice(list(_string_leaves(value)))
    leaf = value
    for key in path:
        leaf = leaf[key]
    changed = _change_one_char(rng, leaf, string.ascii_letters + string.digits)
    set_column(table, column, pk, _replace_leaf(value, path, changed), is_json=True)
    return f"{column}{list(path)}"


def _tamper_text(rng, table, column, pk, value, alphabet=string.ascii_letters + string.digits):
    set_column(table, column, pk, _change_one_char(rng, value, alphabet))
    return column


def _tamper_ip(rng, table, pk, value: str):
    *network, host = value.split(".")
    changed = ".".join([*network, str(rng.choice([n for n in range(1, 255) if str(n) != host]))])
    set_column(table, "ip_address", pk, changed)
    return "ip_address"


def _tamper_moment(rng, table, column, pk, value: datetime.datetime):
    shifted = value + datetime.timedelta(microseconds=rng.choice([-1, 1]) * rng.randint(1, 10**6))
    set_column(table, column, pk, connection.ops.adapt_datetimefield_value(shifted))
    return column


def _tamper_pdf(rng, record):
    path = record.stored_pdf.file.path
    with open(path, "rb") as file:
        original = file.read()
    changed = bytearray(original)
    changed[rng.randrange(len(changed))] ^= rng.randint(1, 255)
    with open(path, "wb") as file:
        file.write(changed)
    return original


def test_a_random_one_character_change_in_any_stored_field_is_found(signed_record, sign_another):
    first, _token = signed_record
    services.record_withdraw(record=first, reason="I changed my mind.", request_meta=REQUEST_META)
    record = ConsentRecord.objects.get(pk=sign_another().pk)  # second in the chain
    first = ConsentRecord.objects.get(pk=first.pk)
    withdrawal = first.events.get(kind=EventKind.WITHDRAWN)
    signing = record.events.get()
    records = "consent_consentrecord"
    events = "consent_consentevent"
    tampers = [
        lambda rng: _tamper_json(rng, records, "payload", record.pk, record.payload),
        lambda rng: _tamper_json(rng, records, "payload", first.pk, first.payload),
        lambda rng: _tamper_text(rng, records, "code", record.pk, record.code, "ABCDEFGHJKLMN"),
        lambda rng: _tamper_text(
            rng, records, "content_sha256", record.pk, record.content_sha256, HEX
        ),
        lambda rng: _tamper_text(
            rng, "consent_recordpdf", "sha256", record.stored_pdf.pk, record.stored_pdf.sha256, HEX
        ),
        lambda rng: _tamper_text(rng, records, "record_hash", first.pk, first.record_hash, HEX),
        lambda rng: _tamper_text(
            rng, records, "previous_hash", record.pk, record.previous_hash, HEX
        ),
        lambda rng: _tamper_text(rng, records, "version_hash", record.pk, record.version_hash, HEX),
        lambda rng: _tamper_text(rng, records, "user_agent", record.pk, record.user_agent),
        lambda rng: _tamper_text(
            rng, "consent_recordpdf", "file", record.stored_pdf.pk, record.stored_pdf.file.name
        ),
        lambda rng: _tamper_ip(rng, records, record.pk, record.ip_address),
        lambda rng: _tamper_moment(rng, records, "signed_at", record.pk, record.signed_at),
        lambda rng: _tamper_json(rng, events, "data", withdrawal.pk, withdrawal.data),
        lambda rng: _tamper_text(rng, events, "actor_label", signing.pk, signing.actor_label),
        lambda rng: _tamper_text(rng, events, "user_agent", withdrawal.pk, withdrawal.user_agent),
        lambda rng: _tamper_text(rng, events, "event_hash", signing.pk, signing.event_hash, HEX),
        lambda rng: _tamper_text(
            rng, events, "previous_hash", withdrawal.pk, withdrawal.previous_hash, HEX
        ),
        lambda rng: _tamper_moment(rng, events, "occurred_at", signing.pk, signing.occurred_at),
        lambda rng: _tamper_json(
            rng, "education_procedureversion", "content", record.version_id, record.version.content
        ),
        "pdf-file",
    ]
    rng = random.Random(20261103)
    assert problems() == []
    tried = 0
    for _round in range(6):
        for tamper in tampers:
            original_pdf = None
            with transaction.atomic():
                if tamper == "pdf-file":
                    original_pdf, what = _tamper_pdf(rng, record), "pdf file"
                else:
                    what = tamper(rng)
                found = problems()
                transaction.set_rollback(True)  # undo the change for the next round
            if original_pdf is not None:
                with open(record.stored_pdf.file.path, "wb") as file:
                    file.write(original_pdf)
            tried += 1
            assert found, f"change to {what} went unnoticed"
    assert problems() == []
    assert tried == 6 * len(tampers) == 120


# The public page -------------------------------------------------------------------------


def test_verify_page_says_intact_with_procedure_version_and_date_only(client, signed_record):
    record, _token = signed_record

    response = client.get(reverse("consent:verify"), {"code": f"  {record.code.lower()} "})

    assert response.status_code == 200
    html = response.text
    assert "The record is intact" in html
    assert "Mesotherapy" in html
    assert "Version 1" in html
    assert dateformat.format(timezone.localdate(record.signed_at), "j F Y") in html
    assert PATIENT_NAME not in html
    assert "Alex" not in html and "Morgan" not in html
    assert "alex@example.com" not in html
    assert DATE_OF_BIRTH.isoformat() not in html
    assert "1985" not in html
    assert 'name="robots" content="noindex"' in html


def test_verify_page_reads_few_queries(client, signed_record, django_assert_num_queries):
    record, _token = signed_record

    # The throttle's count read and written in the shared cache (6: one read; a write is a
    # count of the table, a savepoint, a read, the write, a release); then the record with its
    # version, the previous record, the events.
    with django_assert_num_queries(6 + 3):
        client.get(reverse("consent:verify"), {"code": record.code})


def test_verify_page_says_altered_when_the_pdf_changed(client, signed_record):
    record, _token = signed_record
    with open(record.stored_pdf.file.path, "ab") as file:
        file.write(b"\n% appended")

    html = client.get(reverse("consent:verify"), {"code": record.code}).text

    assert "The record has been altered" in html
    assert "Altered or missing" in html


def test_verify_page_unknown_code_is_a_form_error(client):
    response = client.get(reverse("consent:verify"), {"code": "CR-AAAA-BBBB"})

    assert response.status_code == 200
    assert "No record with this code" in response.text
    assert 'aria-invalid="true"' in response.text


@pytest.mark.parametrize("code", ["hello", "CR-0000-1111", "CR-AAAA-BBBB-CCCC-DDDD-E", "<b>x</b>"])
def test_verify_page_refuses_malformed_codes(client, code):
    response = client.get(reverse("consent:verify"), {"code": code})

    assert response.status_code == 200
    assert "id_code_error" in response.text
    assert "<b>x</b>" not in response.text


def test_verify_page_without_a_code_shows_the_form_only(client):
    response = client.get(reverse("consent:verify"))

    assert response.status_code == 200
    assert 'name="code"' in response.text
    assert "id_code_error" not in response.text


def test_verify_page_refuses_post(client, signed_record):
    record, _token = signed_record

    response = client.post(reverse("consent:verify"), {"code": record.code})

    assert response.status_code == 405
