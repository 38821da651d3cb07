"""A thousand random one-byte changes to stored records, events, versions and PDF files: the
`verify_consent_records` command reports every one.

Each change goes behind the application's back (raw SQL, with PostgreSQL's immutability trigger
switched off inside the test's transaction, or a write to the PDF file), keeps the value
well-formed for its column (hex stays hex, JSON stays JSON, a time stays a time), runs the
command, and is undone before the next.
"""

import collections
import datetime
import io
import ipaddress
import json
import random
import string
import time

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, transaction

from consent import services
from consent.models import ConsentEvent, ConsentRecord, EventKind
from tests.consent.test_verification import tampering

from .conftest import REQUEST_META, complete_draft

pytestmark = pytest.mark.django_db

CHANGES = 1000
HEX = "0123456789abcdef"
PRINTABLE = "".join(c for c in string.printable if c not in "\\\t\n\r\x0b\x0c")


def verify() -> tuple[bool, str]:
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("verify_consent_records", stdout=out, stderr=err)
    except CommandError:
        return False, err.getvalue()
    return True, out.getvalue()


def change_one_char(rng, value: str, alphabet: str, positions=None) -> str:
    positions = positions if positions is not None else range(len(value))
    position = rng.choice(list(positions))
    replacement = rng.choice([c for c in alphabet if c != value[position]])
    return value[:position] + replacement + value[position + 1 :]


def changed_json(rng, value):
    """The JSON with one ASCII byte of its text changed, still valid JSON, and different."""
    text = json.dumps(value, sort_keys=True, ensure_ascii=False)
    ascii_positions = [i for i, c in enumerate(text) if c.isascii() and c != "\\"]
    for _try in range(1000):
        candidate = change_one_char(rng, text, PRINTABLE, ascii_positions)
        try:
            parsed = json.loads(candidate)
        except ValueError:
            continue
        if parsed != value and "\\u0000" not in candidate:
            return parsed
    raise AssertionError("no valid one-byte change found")


def changed_moment(rng, value: datetime.datetime) -> datetime.datetime:
    text = value.isoformat()
    offset_at = max(text.rfind("+"), text.rfind("-", 19))  # the zone offset stays as it is
    digits = [i for i, c in enumerate(text[:offset_at]) if c.isdigit()]
    for _try in range(1000):
        try:
            moment = datetime.datetime.fromisoformat(
                change_one_char(rng, text, string.digits, digits)
            )
        except ValueError:
            continue
        if moment != value and 1900 < moment.year < 9000:
            return moment
    raise AssertionError("no valid one-byte change found")


def changed_ip(rng, value: str) -> str:
    digits = [i for i, c in enumerate(value) if c.isdigit()]
    for _try in range(1000):
        candidate = change_one_char(rng, value, string.digits, digits)
        try:
            return str(ipaddress.ip_address(candidate))
        except ValueError:
            continue
    raise AssertionError("no valid one-byte change found")


def write(table, column, pk, value, kind):
    placeholder = "%s::jsonb" if kind == "json" and connection.vendor == "postgresql" else "%s"
    if kind == "json":
        value = json.dumps(value)
    elif kind == "moment":
        value = connection.ops.adapt_datetimefield_value(value)
    with tampering(table) as cursor:
        cursor.execute(f"UPDATE {table} SET {column} = {placeholder} WHERE id = %s", [value, pk])  # noqa: S608


RECORD_COLUMNS = {
    "code": ("text", string.ascii_uppercase + string.digits),
    "version_hash": ("text", HEX),
    "payload": ("json", None),
    "content_sha256": ("text", HEX),
    "signed_at": ("moment", None),
    "ip_address": ("ip", None),
    "user_agent": ("text", PRINTABLE),
    "pdf": ("text", string.ascii_letters + string.digits),
    "pdf_sha256": ("text", HEX),
    "previous_hash": ("text", HEX),
    "record_hash": ("text", HEX),
}
# The record's PDF copy, written once by a worker after signing (issue 15).
RECORD_PDF_COLUMNS = {
    "file": ("text", string.ascii_letters + string.digits),
    "sha256": ("text", HEX),
}
EVENT_COLUMNS = {
    "occurred_at": ("moment", None),
    "actor_label": ("text", PRINTABLE),
    "ip_address": ("ip", None),
    "user_agent": ("text", PRINTABLE),
    "data": ("json", None),
    "previous_hash": ("text", HEX),
    "event_hash": ("text", HEX),
}


def stored(row, column):
    value = getattr(row, type(row)._meta.get_field(column).attname)
    return value.name if hasattr(value, "name") else value  # a FieldFile: its stored name


def tamper_row(rng, table, row, columns) -> str:
    column = rng.choice([c for c in columns if stored(row, c)])  # an empty {} has no byte to change
    kind, alphabet = columns[column]
    field = type(row)._meta.get_field(column)
    value = stored(row, column)
    if kind == "text":
        new = change_one_char(rng, value, alphabet)
    elif kind == "json":
        new = changed_json(rng, value)
    elif kind == "moment":
        new = changed_moment(rng, value)
    else:
        new = changed_ip(rng, value)
    write(table, field.column, row.pk, new, kind)
    return f"{table}.{column}"


def tamper_pdf(rng, record) -> tuple[str, bytes]:
    with open(record.stored_pdf.file.path, "rb") as file:
        original = file.read()
    changed = bytearray(original)
    changed[rng.randrange(len(changed))] ^= rng.randint(1, 255)
    with open(record.stored_pdf.file.path, "wb") as file:
        file.write(changed)
    return "pdf file", original


@pytest.fixture
def signed_records(invite, django_capture_on_commit_callbacks):
    """Three records in a chain; their events: viewed, downloaded, answered, withdrawn."""
    records = []
    for index in range(3):
        invitation, _token = invite(patient_email=f"tamper{index}@example.com")
        complete_draft(invitation)
        with django_capture_on_commit_callbacks(execute=True):
            record, _ = services.record_sign(
                invitation=invitation,
                typed_name=invitation.patient_name,
                drawn_signature="",
                request_meta=REQUEST_META,
            )
        records.append(record)
    first, second, third = records
    services.event_append(
        record=first,
        kind=EventKind.VIEWED,
        actor=None,
        actor_label="patient",
        request_meta=REQUEST_META,
    )
    services.event_append(
        record=second,
        kind=EventKind.DOWNLOADED,
        actor=None,
        actor_label="patient",
        request_meta=REQUEST_META,
    )
    services.event_append(
        record=second,
        kind=EventKind.QUESTION_ANSWERED,
        actor=None,
        actor_label="Dr. Maya Chen, MD",
        request_meta=REQUEST_META,
        data={"answer": "It stings a little; numbing cream helps."},
    )
    services.record_withdraw(record=third, reason="I changed my mind.", request_meta=REQUEST_META)
    return [ConsentRecord.objects.get(pk=record.pk) for record in records]


def test_a_thousand_random_one_byte_changes_are_all_found(signed_records):
    rng = random.Random(5_011_2026)
    records = signed_records
    events = list(ConsentEvent.objects.order_by("id"))
    versions = {record.version for record in records}
    assert verify()[0]
    found_by_target = collections.Counter()
    missed = []
    started = time.monotonic()

    for change in range(CHANGES):
        pick = rng.random()
        original_pdf = None
        with transaction.atomic():
            if pick < 0.4:
                record = rng.choice(records)
                what = tamper_row(rng, "consent_consentrecord", record, RECORD_COLUMNS)
            elif pick < 0.75:
                event = rng.choice(events)
                what = tamper_row(rng, "consent_consentevent", event, EVENT_COLUMNS)
            elif pick < 0.8:
                version = rng.choice(sorted(versions, key=lambda v: v.pk))
                write(
                    "education_procedureversion",
                    "content",
                    version.pk,
                    changed_json(rng, version.content),
                    "json",
                )
                what = "education_procedureversion.content"
            elif pick < 0.85:
                record = rng.choice(records)
                what = tamper_row(rng, "consent_recordpdf", record.stored_pdf, RECORD_PDF_COLUMNS)
            else:
                record = rng.choice(records)
                what, original_pdf = tamper_pdf(rng, record)
            intact, _report = verify()
            transaction.set_rollback(True)
        if original_pdf is not None:
            with open(record.stored_pdf.file.path, "wb") as file:
                file.write(original_pdf)
        found_by_target[what] += 0 if intact else 1
        if intact:
            missed.append(f"change {change}: {what}")

    elapsed = time.monotonic() - started
    print(
        f"\ntampering: {CHANGES} one-byte changes, {CHANGES - len(missed)} found, "
        f"{len(missed)} missed, in {elapsed:.1f} s; "
        f"by target: {dict(sorted(found_by_target.items()))}"
    )
    assert not missed, missed[:20]
    assert verify()[0], "the database was not restored after the changes"
    assert sum(found_by_target.values()) == CHANGES
