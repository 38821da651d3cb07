"""The e-mailed one-time code: after the date of birth, on invitations that require it.

6 digits, valid 10 minutes, 5 wrong tries lock the link as wrong dates of birth do, a new code
at most once a minute, and only an HMAC of it in the database.
"""

import datetime
import re

import pytest
from django.core import mail

from consent.models import ConsentInvitation
from consent.services.email_codes import email_code_digest

pytestmark = pytest.mark.django_db

CODE_URL = "/consent/code/"


def the_code(message) -> str:
    return re.search(r"\b(\d{6})\b", message.body).group(1)


def wrong(code: str) -> str:
    return f"{(int(code) + 1) % 1_000_000:06d}"


@pytest.fixture
def coded(invite):
    """An invitation that requires the e-mailed code, and its link's token."""
    return invite(requires_email_code=True)


@pytest.fixture
def at_code_page(coded, client, django_capture_on_commit_callbacks):
    """A browser that gave the right date of birth; returns (invitation, code e-mailed)."""
    invitation, token = coded
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/consent/i/{token}/", {"date_of_birth": "1985-04-12"})
    assert response.status_code == 302
    assert response.url == CODE_URL
    [message] = mail.outbox
    return invitation, the_code(message)


def post_code(client, code):
    return client.post(CODE_URL, {"code": code})


def age_code(invitation, minutes: int) -> None:
    ConsentInvitation.objects.filter(pk=invitation.pk).update(
        email_code_sent_at=ConsentInvitation.objects.get(pk=invitation.pk).email_code_sent_at
        - datetime.timedelta(minutes=minutes)
    )


def test_the_date_of_birth_leads_to_a_six_digit_code_emailed_to_the_patient(at_code_page):
    [message] = mail.outbox
    assert message.to == ["alex@example.com"]
    assert re.fullmatch(r"\d{6}", the_code(message))


def test_the_code_page_asks_for_the_code(at_code_page, client):
    response = client.get(CODE_URL)
    assert response.status_code == 200
    assert "The 6-digit code from your e-mail" in response.text


def test_the_right_code_opens_the_consent_journey(at_code_page, client):
    _invitation, code = at_code_page
    response = post_code(client, code)
    assert response.status_code == 302
    assert response.url == "/consent/agree/"
    assert client.get("/consent/agree/").status_code == 200


def test_a_code_with_spaces_is_accepted(at_code_page, client):
    _invitation, code = at_code_page
    assert post_code(client, f"{code[:3]} {code[3:]}").url == "/consent/agree/"


def test_the_wizard_cannot_be_reached_without_the_code(at_code_page, client):
    for url in ("/consent/agree/", "/consent/step/about/"):
        response = client.get(url)
        assert response.status_code == 302
        assert response.url == "/consent/session-ended/"


def test_the_code_page_needs_the_date_of_birth_first(coded, client):
    response = client.get(CODE_URL)
    assert response.status_code == 302
    assert response.url == "/consent/session-ended/"


def test_an_invitation_without_the_option_asks_for_no_code(invitation_and_token, client):
    _invitation, token = invitation_and_token
    mail.outbox.clear()
    response = client.post(f"/consent/i/{token}/", {"date_of_birth": "1985-04-12"})
    assert response.url == "/consent/agree/"
    assert mail.outbox == []


def test_a_wrong_code_counts_and_says_how_many_tries_are_left(at_code_page, client):
    invitation, code = at_code_page
    response = post_code(client, wrong(code))
    assert response.status_code == 400
    assert "4 tries left" in response.text
    invitation.refresh_from_db()
    assert invitation.email_code_failures == 1


def test_something_not_six_digits_is_a_form_error_that_does_not_count(at_code_page, client):
    invitation, _code = at_code_page
    response = post_code(client, "12ab")
    assert response.status_code == 400
    assert "Enter the 6 digits" in response.text
    invitation.refresh_from_db()
    assert invitation.email_code_failures == 0


def test_the_fifth_wrong_code_locks_the_link(at_code_page, client, coded):
    invitation, code = at_code_page
    for _ in range(4):
        assert post_code(client, wrong(code)).status_code == 400
    response = post_code(client, wrong(code))
    assert response.status_code == 403
    assert "entered wrongly five times" in response.text
    invitation.refresh_from_db()
    assert invitation.is_locked
    _invitation, token = coded
    assert client.get(f"/consent/i/{token}/").status_code == 403


def test_the_right_code_after_the_lock_opens_nothing(at_code_page, client):
    _invitation, code = at_code_page
    for _ in range(5):
        post_code(client, wrong(code))
    response = post_code(client, code)
    assert response.status_code == 302
    assert response.url == "/consent/session-ended/"
    assert client.get("/consent/agree/").status_code == 302


def test_an_expired_code_is_refused_without_counting(at_code_page, client):
    invitation, code = at_code_page
    age_code(invitation, 10)
    response = post_code(client, code)
    assert response.status_code == 400
    assert "This code has expired" in response.text
    invitation.refresh_from_db()
    assert invitation.email_code_failures == 0


def test_a_code_works_once(at_code_page, client):
    invitation, code = at_code_page
    post_code(client, code)
    invitation.refresh_from_db()
    assert invitation.email_code_hash == ""


def test_asking_again_within_a_minute_sends_no_new_code(
    at_code_page, client, django_capture_on_commit_callbacks
):
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(CODE_URL, {"resend": "1"}, follow=True)
    assert mail.outbox == []
    assert "We have sent you a code very recently" in response.text


def test_asking_again_after_a_minute_sends_a_new_code_that_replaces_the_old(
    at_code_page, client, django_capture_on_commit_callbacks
):
    invitation, old = at_code_page
    age_code(invitation, 2)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(CODE_URL, {"resend": "1"})
    [message] = mail.outbox
    new = the_code(message)
    if new != old:
        assert post_code(client, old).status_code == 400
    assert post_code(client, new).url == "/consent/agree/"


def test_no_more_than_five_codes_an_hour(at_code_page, client, django_capture_on_commit_callbacks):
    invitation, _code = at_code_page  # the first code
    for _ in range(5):
        age_code(invitation, 2)
        with django_capture_on_commit_callbacks(execute=True):
            client.post(CODE_URL, {"resend": "1"})
    assert len(mail.outbox) == 5


def test_the_code_is_stored_only_as_an_hmac(at_code_page):
    invitation, code = at_code_page
    invitation.refresh_from_db()
    assert code not in invitation.email_code_hash
    assert invitation.email_code_hash == email_code_digest(invitation_id=invitation.pk, code=code)
    assert re.fullmatch(r"[0-9a-f]{64}", invitation.email_code_hash)


def test_unlocking_clears_the_wrong_codes(at_code_page, client):
    from consent import services

    invitation, code = at_code_page
    for _ in range(5):
        post_code(client, wrong(code))
    services.invitation_unlock(invitation=invitation)
    invitation.refresh_from_db()
    assert not invitation.is_locked
    assert invitation.email_code_failures == 0
