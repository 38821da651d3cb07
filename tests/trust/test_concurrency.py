"""Races on PostgreSQL: fifty patients' browsers signing one invitation at once, and fifty
publishes of one procedure at once."""

import os
import threading
import time

import pytest
from django.core.exceptions import ValidationError
from django.db import connections
from django.test import Client
from django.urls import reverse

from consent.models import ConsentEvent, ConsentRecord, EventKind
from education.models import ProcedureVersion, QuestionAnswer
from education.services import procedure_publish
from tests.consent.conftest import DATE_OF_BIRTH, PATIENT_NAME, invitation_and_token  # noqa: F401

from .conftest import complete_draft

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

RACERS = 50


def race(count, target):
    """Run `target(index)` in `count` threads released together; every outcome is returned."""
    barrier = threading.Barrier(count)
    outcomes = [None] * count

    def run(index):
        try:
            barrier.wait(timeout=60)
            outcomes[index] = target(index)
        except Exception as error:
            outcomes[index] = error
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=180)
    return outcomes


def test_fifty_simultaneous_signing_requests_make_one_record_and_no_error(
    invitation_and_token,  # noqa: F811
    settings,
):
    invitation, token = invitation_and_token
    browsers = []
    for _ in range(RACERS):
        browser = Client()
        opened = browser.post(
            reverse("consent:open", kwargs={"token": token}),
            {"date_of_birth": DATE_OF_BIRTH.isoformat()},
        )
        assert opened.status_code == 302
        browsers.append(browser)
    complete_draft(invitation)
    sign_url = reverse("consent:step", kwargs={"step": "sign"})

    def sign(index):
        response = browsers[index].post(sign_url, {"typed_name": PATIENT_NAME, "agree": "on"})
        return response.status_code, response.get("Location", "")

    started = time.monotonic()
    outcomes = race(RACERS, sign)
    elapsed = time.monotonic() - started

    print(f"\nsigning race: {RACERS} requests in {elapsed:.1f} s: {sorted(set(outcomes))}")
    assert not [o for o in outcomes if not isinstance(o, tuple)], outcomes
    assert {status for status, _location in outcomes} == {302}
    assert {location for _status, location in outcomes} == {reverse("consent:record")}
    record = ConsentRecord.objects.get()
    assert record.invitation_id == invitation.pk
    assert list(ConsentEvent.objects.values_list("kind", flat=True)) == [EventKind.SIGNED]
    stored = [
        name
        for _root, _dirs, files in os.walk(settings.MEDIA_ROOT)
        for name in files
        if name.endswith(".pdf")
    ]
    assert stored == [record.stored_pdf.file.name.rsplit("/", 1)[-1]]


def test_fifty_simultaneous_publishes_number_versions_without_gaps_or_duplicates(published):
    """Each racer adds its own question and answer, then publishes at once. A racer whose change
    was already published by another is refused as "unchanged"; nothing else may go wrong."""
    procedure = published.procedure
    publisher = published.published_by

    def edit_and_publish(index):
        QuestionAnswer.objects.create(
            procedure=procedure,
            question=f"Racer {index}: is this published?",
            answer="Yes.",
            answered_by="Racer",
        )
        try:
            return procedure_publish(procedure=procedure, published_by=publisher).number
        except ValidationError as refused:
            return f"refused: {refused.code}"

    started = time.monotonic()
    outcomes = race(RACERS, edit_and_publish)
    elapsed = time.monotonic() - started

    numbers = sorted(o for o in outcomes if isinstance(o, int))
    others = [o for o in outcomes if not isinstance(o, int)]
    print(
        f"\npublishing race: {RACERS} publishes in {elapsed:.1f} s: {len(numbers)} versions "
        f"(v2–v{max(numbers)}), {len(others)} refused as unchanged"
    )
    assert set(others) <= {"refused: unchanged"}, others
    assert numbers == list(range(2, 2 + len(numbers)))
    stored = list(
        ProcedureVersion.objects.filter(procedure=procedure)
        .order_by("number")
        .values_list("number", flat=True)
    )
    assert stored == list(range(1, 2 + len(numbers)))
    latest = ProcedureVersion.objects.filter(procedure=procedure).order_by("-number").first()
    questions = {row["question"] for row in latest.content["questions"]}
    assert {f"Racer {i}: is this published?" for i in range(RACERS)} <= questions
