"""The engagement report on the practitioner's record page and in the PDF: plain readings, and
the quick-read flag with its clinic setting."""

import io

import pytest
from django.test import Client
from django.urls import reverse
from pypdf import PdfReader

from consent import services
from consent.models import ConsentRecord
from consent.presentation.engagement import engagement_summary, format_duration
from tests.consent.conftest import REQUEST_META, complete_draft
from tests.consent.engagement_journey import scripted_journey

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def journey_record(invitation_and_token, clock, django_capture_on_commit_callbacks):
    """A record signed through the scripted journey (side effects read for 2 min 40 s, the one
    question missed, then answered right after going back to its section)."""
    invitation, token = invitation_and_token
    with django_capture_on_commit_callbacks(execute=True):
        scripted_journey(Client(), token, invitation, clock)
    return ConsentRecord.objects.get(invitation=invitation)


def _payload(side_effects_seconds=160, questions=()):
    return {
        "engagement": {
            "idle_cap_seconds": 900,
            "steps": [
                {"step": "about", "seconds": 200, "visits": 1, "more_opened": None},
                {
                    "step": "side-effects",
                    "seconds": side_effects_seconds,
                    "visits": 1,
                    "more_opened": None,
                },
            ],
            "questions": list(questions),
        }
    }


def _question(question_id, *, first_correct, went_back=False, right_at_try=1):
    return {
        "question_id": question_id,
        "section": "side-effects",
        "first_choice": 1,
        "first_correct": first_correct,
        "tries": right_at_try or 2,
        "right_at_try": right_at_try,
        "went_back": went_back,
    }


@pytest.mark.parametrize(
    ("seconds", "words"),
    [(45, "45 s"), (160, "2 min 40 s"), (360, "6 min"), (3900, "1 h 5 min")],
)
def test_durations_read_plainly(seconds, words):
    assert format_duration(seconds) == words


def test_reading_names_the_total_and_the_side_effects():
    summary = engagement_summary(_payload(), {})
    assert summary.reading == "Read for 6 min; side effects 2 min 40 s"


def test_understanding_counts_right_first_time_and_names_the_missed_question():
    questions = [_question(i, first_correct=True) for i in (1, 2, 3, 4)] + [
        _question(5, first_correct=False, went_back=True, right_at_try=2)
    ]
    texts = {5: "What to do if an infection starts"}
    summary = engagement_summary(_payload(questions=questions), texts)
    assert summary.understanding == (
        "Understanding: 4 of 5 right first time; missed “What to do if an infection starts”, "
        "then answered right after going back to re-read it"
    )


def test_side_effects_under_the_threshold_are_flagged_as_read_quickly(settings):
    settings.QUICK_READ_SIDE_EFFECTS_SECONDS = 30
    assert engagement_summary(_payload(side_effects_seconds=29), {}).quick_read is True


def test_side_effects_at_the_threshold_are_not_flagged(settings):
    settings.QUICK_READ_SIDE_EFFECTS_SECONDS = 30
    assert engagement_summary(_payload(side_effects_seconds=30), {}).quick_read is False


def test_a_record_signed_without_the_pages_says_time_was_not_measured():
    summary = engagement_summary({"engagement": {"steps": [], "questions": []}}, {})
    assert summary.reading == "Time on the steps was not measured"


def test_a_record_without_engagement_says_it_is_unknown():
    summary = engagement_summary({"schema": 3}, {})
    assert summary.known is False
    assert summary.quick_read is False


def test_record_page_shows_the_plain_readings(as_practitioner, journey_record):
    html = as_practitioner.get(reverse("practice:record", args=[journey_record.code])).text
    assert "How this consent was given" in html
    assert "side effects 2 min 40 s" in html
    assert "Understanding: 0 of 1 right first time" in html
    assert "after going back to re-read it" in html


def test_record_page_flags_a_quick_read_under_the_clinic_setting(
    as_practitioner, journey_record, settings
):
    settings.QUICK_READ_SIDE_EFFECTS_SECONDS = 200  # the journey read them for 160 s
    html = as_practitioner.get(reverse("practice:record", args=[journey_record.code])).text
    assert "consider going through the side effects together" in html


def test_record_page_does_not_flag_a_read_over_the_setting(as_practitioner, journey_record):
    html = as_practitioner.get(reverse("practice:record", args=[journey_record.code])).text
    assert "consider going through the side effects together" not in html


def test_record_page_of_an_older_record_says_engagement_was_not_recorded(
    as_practitioner, invitation_and_token, monkeypatch
):
    from consent.services import signing

    original = signing.build_payload

    def without_engagement(**kwargs):
        payload = original(**kwargs)
        payload.pop("engagement")
        return payload

    monkeypatch.setattr(signing, "build_payload", without_engagement)
    invitation, _token = invitation_and_token
    complete_draft(invitation)
    record, _ = services.record_sign(
        invitation=invitation,
        typed_name=invitation.patient_name,
        drawn_signature="",
        request_meta=REQUEST_META,
    )
    html = as_practitioner.get(reverse("practice:record", args=[record.code])).text
    assert "signed before the portal measured it" in html


def test_pdf_has_a_how_this_consent_was_given_section(journey_record):
    with journey_record.stored_pdf.file.open("rb") as file:
        pdf = PdfReader(io.BytesIO(file.read()))
    text = " ".join(" ".join(page.extract_text() for page in pdf.pages).split())
    assert "How this consent was given" in text
    assert "side effects 2 min 40 s" in text
