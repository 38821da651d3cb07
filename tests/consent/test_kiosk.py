"""Consent on a clinic tablet (kiosk mode): what a kiosk session may open, the date of birth it
still asks, its idle time, the neutral page it ends on, and the PDF e-mailed rather than
downloaded. The session is started as staff start it, from /practice/."""

import re
import time

import pytest
from django.core import mail
from django.urls import reverse

from consent import kiosk
from consent.models import ConsentRecord, EventKind
from consent.storage import record_stored_pdf
from tests.conftest import login_verified

from .conftest import DATE_OF_BIRTH, PATIENT_NAME
from .test_journey import sign, step_url, walk_to_sign

pytestmark = pytest.mark.django_db

KIOSK_URL = reverse("consent:kiosk")
ENDED_URL = reverse("consent:kiosk_ended")


def start_kiosk(client, invitation, user):
    """Sign `user` in and press "Start on this device" for `invitation`, as on the dashboard."""
    login_verified(client, user)
    response = client.post(reverse("practice:invitation_kiosk", kwargs={"pk": invitation.pk}))
    assert response.status_code == 302
    assert response.url == KIOSK_URL
    return client


@pytest.fixture
def kiosk_client(client, invitation_and_token, clinic):
    invitation, _token = invitation_and_token
    return start_kiosk(client, invitation, clinic["admin"])


@pytest.fixture
def kiosk_patient(kiosk_client, invitation_and_token):
    """A kiosk session in which the patient gave their date of birth."""
    response = kiosk_client.post(KIOSK_URL, {"date_of_birth": DATE_OF_BIRTH.isoformat()})
    assert response.status_code == 302
    assert response.url == reverse("consent:esign")
    return kiosk_client


def idle_for(monkeypatch, seconds):
    now = time.time()
    monkeypatch.setattr(kiosk.time, "time", lambda: now + seconds)


# The date of birth ---------------------------------------------------------------------------


def test_kiosk_asks_for_the_date_of_birth_before_anything_else(kiosk_client):
    response = kiosk_client.get(KIOSK_URL)
    assert response.status_code == 200
    assert 'name="date_of_birth"' in response.text


def test_journey_pages_before_the_date_of_birth_lead_back_to_the_kiosk_check(kiosk_client):
    response = kiosk_client.get(step_url("about"), follow=True)
    assert response.redirect_chain[-1][0] == KIOSK_URL
    assert 'name="date_of_birth"' in response.text


def test_wrong_date_of_birth_on_the_kiosk_counts_like_on_the_link(
    kiosk_client, invitation_and_token
):
    invitation, _token = invitation_and_token
    response = kiosk_client.post(KIOSK_URL, {"date_of_birth": "1999-01-01"})
    assert response.status_code == 400
    assert "4 tries left" in response.text
    invitation.refresh_from_db()
    assert invitation.failed_attempts == 1


def test_right_date_of_birth_opens_the_patients_journey(kiosk_patient):
    response = kiosk_patient.get(reverse("consent:esign"))
    assert response.status_code == 200
    assert "sign electronically" in response.text


def test_kiosk_asks_for_the_emailed_code_when_the_invitation_requires_it(
    client, invite, clinic, django_capture_on_commit_callbacks
):
    invitation, _token = invite(requires_email_code=True)
    start_kiosk(client, invitation, clinic["admin"])
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(KIOSK_URL, {"date_of_birth": DATE_OF_BIRTH.isoformat()})
    assert response.url == reverse("consent:email_code")
    [message] = mail.outbox
    code = re.search(r"\b(\d{6})\b", message.body).group(1)
    assert client.get(reverse("consent:esign")).url != reverse("consent:esign")
    response = client.post(reverse("consent:email_code"), {"code": code})
    assert response.url == reverse("consent:esign")


# Nowhere else ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "/practice/",
        "/admin/",
        "/accounts/login/",
        "/",
        "/procedures/",
        "/consent/verify/",
        "/consent/record/copy.pdf",
        "/consent/record/withdraw/",
    ],
)
def test_kiosk_session_refuses_every_page_outside_the_journey(kiosk_patient, path):
    response = kiosk_patient.get(path)
    assert response.status_code == 403
    assert "This device is in use for a consent" in response.text


def test_kiosk_pages_show_no_navigation_away(kiosk_patient):
    html = kiosk_patient.get(reverse("consent:esign")).text
    assert 'href="/"' not in html
    assert reverse("education:procedure_library") not in html
    assert reverse("accounts:login") not in html
    assert "Finish and hand the device back" in html


def test_kiosk_pages_are_never_stored_by_the_browser(kiosk_patient):
    for path in (reverse("consent:esign"), "/practice/", KIOSK_URL):
        assert "no-store" in kiosk_patient.get(path)["Cache-Control"]


def test_kiosk_pages_carry_the_countdown_settings(kiosk_patient, settings):
    settings.KIOSK_IDLE_SECONDS = 120
    settings.KIOSK_WARNING_SECONDS = 45
    html = kiosk_patient.get(reverse("consent:esign")).text
    assert 'data-kiosk-idle="120"' in html
    assert 'data-kiosk-warning="45"' in html


def test_kiosk_page_queries_are_few(kiosk_client, django_assert_max_num_queries):
    with django_assert_max_num_queries(8):
        assert kiosk_client.get(KIOSK_URL).status_code == 200
    with django_assert_max_num_queries(4):
        assert kiosk_client.get("/practice/").status_code == 403


# The end -------------------------------------------------------------------------------------


def test_idle_kiosk_session_ends_on_the_server_with_the_neutral_page(
    kiosk_patient, monkeypatch, settings
):
    settings.KIOSK_IDLE_SECONDS = 180
    idle_for(monkeypatch, 181)
    response = kiosk_patient.get(step_url("about"), follow=True)
    assert response.redirect_chain[0][0] == f"{ENDED_URL}?why=idle"
    assert "hand the device back" in response.text
    assert PATIENT_NAME not in response.text
    assert kiosk.KIOSK_KEY not in kiosk_patient.session


def test_kiosk_cookie_outlives_the_idle_time_so_the_server_can_say_hand_back(
    kiosk_patient, settings
):
    kiosk_patient.get(reverse("consent:esign"))  # `patient_required` sets its 30 minutes
    assert kiosk_patient.session.get_expiry_age() >= settings.SESSION_COOKIE_AGE
    assert kiosk_patient.session.get_expiry_age() > settings.KIOSK_IDLE_SECONDS


def test_activity_within_the_idle_time_keeps_the_kiosk_session(
    kiosk_patient, monkeypatch, settings
):
    settings.KIOSK_IDLE_SECONDS = 180
    idle_for(monkeypatch, 170)
    assert kiosk_patient.get(reverse("consent:esign")).status_code == 200


def test_still_here_answers_no_content_in_a_kiosk_session(kiosk_patient):
    assert kiosk_patient.post(reverse("consent:kiosk_still_here")).status_code == 204


def test_still_here_without_a_kiosk_session_leads_to_the_neutral_page(client):
    response = client.post(reverse("consent:kiosk_still_here"))
    assert response.url == f"{ENDED_URL}?why=idle"


def test_journey_pages_after_the_end_show_only_the_neutral_page(kiosk_patient):
    kiosk_patient.get(reverse("consent:esign"))
    kiosk_patient.post(reverse("consent:kiosk_finish"))
    for path in (reverse("consent:esign"), step_url("about"), KIOSK_URL):
        response = kiosk_patient.get(path, follow=True)
        assert response.redirect_chain[-1][0].startswith(ENDED_URL)
        assert PATIENT_NAME not in response.text
        assert "no-store" in response["Cache-Control"]


def test_finish_flushes_the_session_on_the_server(kiosk_patient):
    old_key = kiosk_patient.session.session_key
    response = kiosk_patient.post(reverse("consent:kiosk_finish"))
    assert response.url == f"{ENDED_URL}?why=done"
    assert kiosk_patient.session.session_key != old_key
    from django.contrib.sessions.models import Session

    assert not Session.objects.filter(session_key=old_key).exists()


def test_neutral_page_without_a_kiosk_session_shows_no_patient_data(client):
    response = client.get(ENDED_URL)
    assert response.status_code == 200
    assert "hand the device back" in response.text


def test_resending_the_link_ends_the_kiosk_session(kiosk_client, invitation_and_token):
    from consent import services

    invitation, _token = invitation_and_token
    services.invitation_resend(invitation=invitation)
    response = kiosk_client.get(KIOSK_URL)
    assert response.url == f"{ENDED_URL}?why=done"
    assert kiosk.KIOSK_KEY not in kiosk_client.session


# Signing on the device ---------------------------------------------------------------------------


@pytest.fixture
def signed_on_kiosk(kiosk_patient, invitation_and_token, django_capture_on_commit_callbacks):
    invitation, _token = invitation_and_token
    walk_to_sign(kiosk_patient, invitation)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert sign(kiosk_patient).status_code == 302
        receipt = kiosk_patient.get(reverse("consent:record"))
    return receipt, ConsentRecord.objects.get(invitation=invitation)


def test_kiosk_receipt_offers_no_download(signed_on_kiosk):
    receipt, record = signed_on_kiosk
    assert receipt.status_code == 200
    assert record.code in receipt.text
    assert reverse("consent:record_pdf") not in receipt.text
    assert reverse("consent:access_request") not in receipt.text
    assert "e-mailed to you" in receipt.text


def test_pdf_is_emailed_to_the_patient_after_signing_on_the_kiosk(signed_on_kiosk):
    _receipt, record = signed_on_kiosk
    [message] = [m for m in mail.outbox if m.attachments]
    assert message.to == [record.invitation.patient_email]
    [(name, content, mimetype)] = message.attachments
    assert name == f"consent-{record.code}.pdf"
    assert mimetype == "application/pdf"
    assert content == record_stored_pdf(record)


def test_pdf_download_is_refused_on_the_kiosk(signed_on_kiosk, client):
    _receipt, record = signed_on_kiosk
    response = client.get(reverse("consent:record_pdf"))
    assert response.status_code == 403
    assert not record.events.filter(kind=EventKind.DOWNLOADED).exists()


def test_reopening_the_kiosk_receipt_emails_the_pdf_once(
    signed_on_kiosk, client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        client.get(reverse("consent:record"))
    assert len([m for m in mail.outbox if m.attachments]) == 1


def test_signing_on_a_personal_device_emails_no_pdf(
    client, invitation_and_token, django_capture_on_commit_callbacks
):
    from .test_journey import open_link

    invitation, token = invitation_and_token
    open_link(client, token)
    walk_to_sign(client, invitation)
    with django_capture_on_commit_callbacks(execute=True):
        sign(client)
        client.get(reverse("consent:record"))
    assert not [m for m in mail.outbox if m.attachments]


def test_a_failed_pdf_email_is_tried_again_and_sent_once(
    kiosk_patient, invitation_and_token, django_capture_on_commit_callbacks, monkeypatch
):
    from consent import emails

    invitation, _token = invitation_and_token
    walk_to_sign(kiosk_patient, invitation)
    real_send = emails.send_record_pdf
    calls = []

    def fails_once(record, pdf):
        calls.append(record.pk)
        if len(calls) == 1:
            raise OSError("mail server away")
        return real_send(record, pdf)

    monkeypatch.setattr(emails, "send_record_pdf", fails_once)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        sign(kiosk_patient)
        kiosk_patient.get(reverse("consent:record"))
    assert len(calls) == 2
    assert len([m for m in mail.outbox if m.attachments]) == 1
