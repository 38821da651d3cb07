"""Generated bad input for forms and POST endpoints, and the checks every answer must pass.

`form_inputs(fields)` makes a form submission from the fields a form has: each field may be
missing, plausible, or any of wrong types, huge strings, odd Unicode, NUL bytes, several values
at once; unknown fields are added. `bodies(fields)` sometimes sends a body that is not a form at
all. `Examined` runs one submission inside a savepoint, checks that the answer is not a server
error and that every row it wrote is valid and whole, then rolls it back.
"""

import datetime
import os
from collections.abc import Callable
from http.cookies import SimpleCookie
from urllib.parse import urlencode

from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import connection, models, transaction
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from consent.models import ConsentDraft, ConsentEvent, ConsentRecord, EventKind
from consent.verification import verify_record

EXAMPLES = int(os.environ.get("TRUST_FUZZ_EXAMPLES", "500"))
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
# Admin pages drawn through HTTP: drawing a page of errors is most of the cost of a request.
DRAWN = settings(FUZZ, max_examples=min(EXAMPLES, 50))
WATCHED_APPS = ("consent", "education", "auth", "axes", "otp_static", "otp_totp", "admin")
VALIDATED_APPS = ("consent", "education", "auth", "otp_static", "otp_totp")

UNICODE = st.characters(exclude_categories=("Cs",))  # lone surrogates cannot be sent as UTF-8
TEXT = st.text(alphabet=UNICODE, max_size=40)
HUGE = st.builds(
    lambda unit, times: unit * times,
    st.text(alphabet=UNICODE, min_size=1, max_size=3),
    st.integers(min_value=2_000, max_value=20_000),
)
NUMBERS = st.one_of(
    st.integers(min_value=-(10**20), max_value=10**20).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
)
DATES = st.one_of(
    st.dates().map(datetime.date.isoformat),
    st.dates().map(lambda day: day.strftime("%d/%m/%Y")),
    st.datetimes().map(lambda moment: moment.strftime("%Y-%m-%d %H:%M:%S")),
)
NASTY = st.sampled_from(
    [
        "",
        " ",
        "\x00",
        "a\x00b",
        "on",
        "off",
        "true",
        "false",
        "None",
        "null",
        "0",
        "-1",
        "1e309",
        "NaN",
        "[]",
        "{}",
        "\u202egnp.exe",
        "\ufeff",
        "𝕿𝖊𝖘𝖙",
        "🙂" * 50,
        "A" * 161,
        "x" * 4001,
        "\r\n\r\n",
        "<script>alert(1)</script>",
        "' OR 1=1 --",
        "%00",
        "../../etc/passwd",
        "2024-02-30",
        "0000-00-00",
        "9999-12-31",
        "31/12/1899",
        "data:image/png;base64,iVBORw0KGgo=",
        "data:image/png;base64,!!!",
        "data:image/svg+xml;base64,PHN2Zy8+",
    ]
)
VALUE = st.one_of(TEXT, HUGE, NUMBERS, DATES, NASTY)
FIELD_NAME = st.one_of(
    st.text(alphabet=UNICODE, min_size=1, max_size=20),
    st.sampled_from(["item_999999", "item_-1", "item_0", "question_999999", "question_abc", "id"]),
)


def field_value(plausible):
    return st.one_of(
        plausible, VALUE, st.lists(st.one_of(plausible, VALUE), min_size=2, max_size=3)
    )


def form_inputs(fields: dict) -> st.SearchStrategy[dict]:
    """A submission of a form with `fields` (name → strategy of plausible values)."""
    known = st.fixed_dictionaries(
        {}, optional={name: field_value(plausible) for name, plausible in fields.items()}
    )
    extra = st.dictionaries(FIELD_NAME, VALUE, max_size=3)
    return st.builds(lambda a, b: {**b, **a}, known, extra)


RAW_BODIES = st.tuples(
    st.sampled_from(
        [
            "application/json",
            "text/plain",
            "multipart/form-data; boundary=broken",
            "multipart/form-data",
            "application/x-www-form-urlencoded",
            "application/x-www-form-urlencoded; charset=utf-16",
            "application/x-www-form-urlencoded; charset=no-such-charset",
        ]
    ),
    st.one_of(st.binary(max_size=200), TEXT.map(str.encode)),
)


def bodies(fields: dict) -> st.SearchStrategy:
    """Mostly form submissions (multipart or urlencoded); one in ten a body of another kind."""
    form = st.tuples(st.sampled_from(["multipart", "urlencoded"]), form_inputs(fields))
    return st.integers(min_value=0, max_value=9).flatmap(
        lambda pick: RAW_BODIES.map(lambda raw: ("raw", raw)) if pick == 0 else form
    )


def send(client, method: str, url: str, body):
    kind, data = body
    if method == "GET":
        if kind == "raw":
            return client.get(url)
        return client.get(url, data)
    if kind == "multipart":
        return client.post(url, data)
    if kind == "urlencoded":
        return client.post(
            url, urlencode(data, doseq=True), content_type="application/x-www-form-urlencoded"
        )
    content_type, raw = data
    return client.generic("POST", url, raw, content_type=content_type)


# Checking one answer ---------------------------------------------------------------------


def watched_models():
    return [
        model
        for model in apps.get_models()
        if model._meta.app_label in WATCHED_APPS
        and model._meta.pk.get_internal_type() in ("AutoField", "BigAutoField")
    ]


class Examined:
    """Runs submissions in savepoints and checks what each one left behind."""

    def __init__(self):
        self.models = watched_models()
        quote = connection.ops.quote_name
        columns = ", ".join(
            f"(SELECT COALESCE(MAX({quote(model._meta.pk.column)}), 0) "  # noqa: S608
            f"FROM {quote(model._meta.db_table)})"
            for model in self.models
        )
        self.sql = f"SELECT {columns}"
        self.tried = 0
        self.rows_checked = 0

    def high_water(self) -> list[int]:
        with connection.cursor() as cursor:
            cursor.execute(self.sql)
            return list(cursor.fetchone())

    def run(self, request: Callable, *, check: Callable | None = None, client=None):
        """`request()` sends it; `check(response, new_rows)` adds the endpoint's own rules.

        The database goes back to how it was, and so do `client`'s cookies: a session whose
        row was rolled back must not be carried into the next submission.
        """
        cookies = {key: morsel.value for key, morsel in client.cookies.items()} if client else {}
        try:
            return self._run(request, check)
        finally:
            if client is not None:
                client.cookies = SimpleCookie()
                for key, value in cookies.items():
                    client.cookies[key] = value

    def _run(self, request, check):
        with transaction.atomic():
            before = self.high_water()
            response = request()
            if getattr(response, "streaming", False):
                b"".join(response.streaming_content)
            assert response.status_code < 500, response.status_code
            after = self.high_water()
            new_rows = {}
            for model, low, high in zip(self.models, before, after, strict=True):
                if high > low:
                    new_rows[model] = list(model._default_manager.filter(pk__gt=low))
            self.check_rows(new_rows)
            if check is not None:
                check(response, new_rows)
            transaction.set_rollback(True)
        self.tried += 1
        return response

    def check_rows(self, new_rows):
        for model, rows in new_rows.items():
            if model._meta.app_label not in VALIDATED_APPS:
                continue  # third-party rows (axes' attempts, admin's log) follow their own rules
            for row in rows:
                full_clean(row)
                self.rows_checked += 1
        records = new_rows.get(ConsentRecord, [])
        events = new_rows.get(ConsentEvent, [])
        for record in records:  # a record is whole: its signed event is there (the PDF is a task)
            assert [e.kind for e in record.events.all()] == [EventKind.SIGNED]
            assert verify_record(record) == []
        for event in events:
            assert event.record_id is not None


def full_clean(row):
    """`row.full_clean()`, except that an empty JSON value equal to its field's default counts
    as valid: ConsentEvent.data defaults to {} without blank=True (reported, not changed)."""
    try:
        row.full_clean()
    except ValidationError as error:
        if not hasattr(error, "error_dict"):
            raise
        remaining = {
            name: messages
            for name, messages in error.message_dict.items()
            if not _empty_default(row, name)
        }
        if remaining:
            raise ValidationError(remaining) from error


def _empty_default(row, name) -> bool:
    try:
        field = row._meta.get_field(name)
    except Exception:
        return False
    return (
        isinstance(field, models.JSONField)
        and field.has_default()
        and getattr(row, field.attname) == field.get_default()
        and getattr(row, field.attname) in ({}, [])
    )


def draft_is_sound(draft: ConsentDraft):
    """The saved answers name only what the bound version shows."""
    from consent.services.signing import _incomplete_refusals
    from consent.signers import signer_plan

    draft.refresh_from_db()
    full_clean(draft)
    refusals = _incomplete_refusals(draft, signer_plan(draft.invitation))
    assert "tampered" not in {refusal.code for refusal in refusals}
