"""Photo consent, scoped: its own signature after signing, each use ticked on its own and
withdrawn on its own, as chained events on the record's trail."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.test import Client
from django.urls import reverse

from consent import services
from consent.models import ConsentEvent, EventKind, PhotoScope
from consent.presentation.photo import photo_consent
from consent.verification import verify_events

from .conftest import DATE_OF_BIRTH, PATIENT_NAME, REQUEST_META

pytestmark = pytest.mark.django_db

PHOTOS = reverse("consent:photos")
WITHDRAW = reverse("consent:photo_withdraw")
RECORD = reverse("consent:record")


@pytest.fixture
def patient(signed_record) -> Client:
    """A browser signed in to the patient's record with the record link."""
    _record, record_token = signed_record
    browser = Client()
    response = browser.post(
        reverse("consent:open", kwargs={"token": record_token}),
        {"date_of_birth": DATE_OF_BIRTH.isoformat()},
    )
    assert response.status_code == 302
    return browser


@pytest.fixture
def record(signed_record):
    return signed_record[0]


def sign_photos(record, scopes, name=PATIENT_NAME):
    return services.photo_consent_sign(
        record=record, scopes=scopes, typed_name=name, request_meta=REQUEST_META
    )


def test_the_photo_page_ticks_no_use_by_default(patient):
    html = patient.get(PHOTOS).text
    for name in ("medical_record", "teaching", "marketing"):
        assert f'name="{name}"' in html
    assert " checked" not in html


def test_signing_photo_consent_records_each_use_as_ticked(patient, record):
    response = patient.post(
        PHOTOS, {"medical_record": "on", "marketing": "on", "typed_name": PATIENT_NAME}
    )
    assert response["Location"] == RECORD
    event = ConsentEvent.objects.get(record=record, kind=EventKind.PHOTO_CONSENTED)
    assert event.data["scopes"] == {"medical_record": True, "teaching": False, "marketing": True}
    assert event.data["typed_name"] == PATIENT_NAME


def test_photo_consent_without_any_use_ticked_is_a_form_error(patient, record):
    response = patient.post(PHOTOS, {"typed_name": PATIENT_NAME})
    assert response.status_code == 400
    assert "Tick at least one use" in response.text
    assert not record.events.filter(kind=EventKind.PHOTO_CONSENTED).exists()


def test_photo_consent_needs_the_patients_own_name(patient, record):
    response = patient.post(PHOTOS, {"teaching": "on", "typed_name": "Somebody Else"})
    assert response.status_code == 400
    assert not record.events.filter(kind=EventKind.PHOTO_CONSENTED).exists()


def test_photo_consent_is_chained_on_the_records_trail_and_verifies(record):
    event = sign_photos(record, ["teaching"])
    previous = record.events.exclude(pk=event.pk).order_by("-id").first()
    assert event.previous_hash == previous.event_hash
    assert verify_events(record, record.events.all()) == []


def test_photo_consent_is_given_once(record):
    sign_photos(record, ["teaching"])
    with pytest.raises(ValidationError):
        sign_photos(record, ["marketing"])
    assert record.events.filter(kind=EventKind.PHOTO_CONSENTED).count() == 1


def test_the_database_refuses_a_second_photo_consent_on_a_record(record):
    first = sign_photos(record, ["teaching"])
    with pytest.raises(IntegrityError), transaction.atomic():
        ConsentEvent.objects.bulk_create(
            [
                ConsentEvent(
                    record=record,
                    kind=EventKind.PHOTO_CONSENTED,
                    occurred_at=first.occurred_at,
                    actor_label="patient",
                    data=first.data,
                    previous_hash=first.event_hash,
                    event_hash="a" * 64,
                )
            ]
        )


def test_withdrawing_marketing_leaves_the_other_uses_in_force(patient, record):
    sign_photos(record, ["medical_record", "marketing"])
    response = patient.post(WITHDRAW, {"scope": "marketing"})
    assert response["Location"] == RECORD
    event = record.events.get(kind=EventKind.PHOTO_WITHDRAWN)
    assert event.data == {"scope": "marketing"}
    uses = {use.scope: use for use in photo_consent(list(record.events.all())).uses}
    assert uses["marketing"].withdrawn_at == event.occurred_at
    assert uses["medical_record"].in_force
    assert verify_events(record, record.events.all()) == []


def test_the_record_page_shows_each_use_and_offers_to_withdraw_the_agreed_ones(patient, record):
    sign_photos(record, ["medical_record", "marketing"])
    patient.post(WITHDRAW, {"scope": "marketing"})
    html = patient.get(RECORD).text
    assert "withdrawn on" in html
    assert 'value="medical_record"' in html
    assert 'value="marketing"' not in html  # already withdrawn: no button left
    assert 'value="teaching"' not in html  # never agreed


def test_withdrawing_a_use_twice_is_refused(record):
    sign_photos(record, ["marketing"])
    services.photo_scope_withdraw(record=record, scope="marketing", request_meta=REQUEST_META)
    with pytest.raises(ValidationError):
        services.photo_scope_withdraw(record=record, scope="marketing", request_meta=REQUEST_META)
    assert record.events.filter(kind=EventKind.PHOTO_WITHDRAWN).count() == 1


def test_withdrawing_a_use_never_agreed_is_refused(record):
    sign_photos(record, ["medical_record"])
    with pytest.raises(ValidationError):
        services.photo_scope_withdraw(record=record, scope="teaching", request_meta=REQUEST_META)


@pytest.mark.parametrize("scope", ["", "everything", "<script>"])
def test_an_unknown_use_to_withdraw_answers_400(patient, record, scope):
    sign_photos(record, ["marketing"])
    response = patient.post(WITHDRAW, {"scope": scope})
    assert response.status_code == 400
    assert not record.events.filter(kind=EventKind.PHOTO_WITHDRAWN).exists()


def test_photo_consent_after_the_consent_is_withdrawn_is_refused(record):
    services.record_withdraw(record=record, reason="", request_meta=REQUEST_META)
    with pytest.raises(ValidationError):
        sign_photos(record, ["teaching"])


def test_photo_pages_need_the_patients_session(client, signed_record):
    assert client.get(PHOTOS)["Location"] == reverse("consent:session_ended")
    assert client.post(WITHDRAW, {"scope": "marketing"})["Location"] == reverse(
        "consent:session_ended"
    )


def test_the_photo_page_reads_a_fixed_number_of_queries(patient, django_assert_max_num_queries):
    with django_assert_max_num_queries(8):
        assert patient.get(PHOTOS).status_code == 200


def test_the_record_page_with_photo_consent_reads_a_fixed_number_of_queries(
    patient, record, django_assert_max_num_queries
):
    sign_photos(record, list(PhotoScope.values))
    for scope in PhotoScope.values:
        services.photo_scope_withdraw(record=record, scope=scope, request_meta=REQUEST_META)
    with django_assert_max_num_queries(14):
        assert patient.get(RECORD).status_code == 200


def test_a_purge_erases_the_photo_consent_and_the_trail_still_verifies(
    settings, tmp_path, record, clinic_admin, django_capture_on_commit_callbacks
):
    from .test_retention import purge, run_verify

    settings.RECORD_RETENTION_DAYS = 2
    sign_photos(record, ["teaching", "marketing"])
    for scope in ("teaching", "marketing"):
        services.photo_scope_withdraw(record=record, scope=scope, request_meta=REQUEST_META)
    purge(record, clinic_admin, django_capture_on_commit_callbacks)
    assert photo_consent(list(record.events.all())) is None
    assert PATIENT_NAME not in str(list(record.events.values_list("data", flat=True)))
    ok, _out, err = run_verify()
    assert ok, err
