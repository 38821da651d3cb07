"""Photo consent as staff see it: the dashboard, the record page, the history PDF and the FHIR
export show what was agreed, and that marketing was withdrawn."""

import pytest
from django.urls import reverse
from fhir.resources.consent import Consent

from consent import services
from consent.models import EventKind
from practice import exports
from tests.consent.conftest import PATIENT_NAME, REQUEST_META
from tests.practice.test_exports import fhir_of, text_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def record(signed_record):
    """A signed record whose patient agreed to photos for the medical record and marketing,
    then withdrew marketing."""
    record, _token = signed_record
    services.photo_consent_sign(
        record=record,
        scopes=["medical_record", "marketing"],
        typed_name=PATIENT_NAME,
        request_meta=REQUEST_META,
    )
    services.photo_scope_withdraw(record=record, scope="marketing", request_meta=REQUEST_META)
    return record


def provisions_by_purpose(data) -> dict:
    return {row["purpose"][0]["code"]: row for row in data["provision"]}


def test_the_dashboard_shows_the_uses_agreed_and_marketing_withdrawn(as_practitioner, record):
    response = as_practitioner.get(reverse("practice:dashboard"))
    [row] = response.context["page"].object_list
    assert [(use.label, use.withdrawn) for use in row.photo_uses] == [
        ("Medical record", False),
        ("Marketing", True),
    ]
    assert "Photos:" in response.text
    assert "<s>Marketing</s> <strong>(withdrawn)</strong>" in response.text


def test_the_dashboard_shows_no_photo_line_without_photo_consent(as_practitioner, signed_record):
    response = as_practitioner.get(reverse("practice:dashboard"))
    [row] = response.context["page"].object_list
    assert row.photo_uses == []
    assert "Photos:" not in response.text


def test_the_record_page_shows_each_use_and_the_withdrawal(as_practitioner, record):
    html = as_practitioner.get(reverse("practice:record", args=[record.code])).text
    assert "Photo consent" in html
    assert f"Signed by {PATIENT_NAME}" in html
    assert "<strong>Teaching</strong>: not agreed" in html
    assert "<strong>Medical record</strong>: agreed" in html
    assert "<strong>Marketing</strong>: <strong>withdrawn on" in html


def test_the_record_page_without_photo_consent_says_take_no_photos(as_practitioner, signed_record):
    record, _token = signed_record
    html = as_practitioner.get(reverse("practice:record", args=[record.code])).text
    assert "take no photos for any use" in html


def test_the_history_pdf_names_the_uses_agreed_and_the_use_withdrawn(record):
    history = text_of(exports.render_history_pdf(record, record.events.all()))
    assert str(EventKind.PHOTO_CONSENTED.label) in history
    assert "Photos agreed for: Medical record, Marketing" in history
    assert str(EventKind.PHOTO_WITHDRAWN.label) in history
    assert "Photos no longer agreed for: Marketing" in history


def test_fhir_has_one_provision_per_use_agreed(record):
    purposes = provisions_by_purpose(fhir_of(record))
    assert set(purposes) == {"TREAT", "RECORDMGT", "HMARKT"}  # teaching was not agreed


def test_fhir_ends_the_withdrawn_uses_period_and_keeps_the_others_open(record):
    purposes = provisions_by_purpose(fhir_of(record))
    assert "end" in purposes["HMARKT"]["period"]
    assert "end" not in purposes["RECORDMGT"]["period"]


def test_fhir_with_photo_provisions_is_a_valid_r5_consent(record):
    resource = Consent.model_validate(fhir_of(record))
    assert len(resource.provision) == 3


def test_dashboard_queries_do_not_grow_with_photo_consents(
    as_practitioner, invite, record, django_assert_max_num_queries
):
    from tests.consent.conftest import complete_draft

    as_practitioner.get(reverse("practice:dashboard"))
    with django_assert_max_num_queries(13) as one:
        as_practitioner.get(reverse("practice:dashboard"))
    for _ in range(3):
        invitation, _token = invite()
        complete_draft(invitation)
        more = services.record_sign(
            invitation=invitation,
            typed_name=PATIENT_NAME,
            drawn_signature="",
            request_meta=REQUEST_META,
        )[0]
        services.photo_consent_sign(
            record=more, scopes=["teaching"], typed_name=PATIENT_NAME, request_meta=REQUEST_META
        )
    with django_assert_max_num_queries(13) as four:
        html = as_practitioner.get(reverse("practice:dashboard")).text
    assert html.count("Photos:") == 4
    assert len(one.captured_queries) == len(four.captured_queries)


def test_the_record_page_queries_do_not_grow_with_photo_events(
    as_practitioner, record, django_assert_max_num_queries
):
    url = reverse("practice:record", args=[record.code])
    with django_assert_max_num_queries(18) as before:
        as_practitioner.get(url)
    services.photo_scope_withdraw(record=record, scope="medical_record", request_meta=REQUEST_META)
    with django_assert_max_num_queries(18) as after:
        as_practitioner.get(url)
    assert len(before.captured_queries) == len(after.captured_queries)
