"""E-mail through a provider (anymail): the provider's message id is kept, and its verified
delivery reports (tracking webhooks) are matched to the message; a bad signature is refused."""

import base64
import hashlib
import hmac
import json
import logging
import time

import pytest
from django.urls import reverse

from mailing.models import SentEmail
from mailing.providers import PROVIDERS
from mailing.signals import email_status
from mailing.tasks import email_send
from tests.portal.test_settings import production, run_manage, variables_in_env_example

pytestmark = pytest.mark.django_db

WEBHOOK_SECRET = "hook-user:hook-password"
PATIENT_ADDRESS = "alex@example.com"
MESSAGE = {
    "message_key": "test.message:1",
    "subject": "Hello",
    "body": "Body",
    "to": [PATIENT_ADDRESS],
}


@pytest.fixture
def postmark(settings):
    settings.EMAIL_PROVIDER = "postmark"
    settings.ANYMAIL = {"POSTMARK_SERVER_TOKEN": "test-token", "WEBHOOK_SECRET": WEBHOOK_SECRET}
    # anymail's own test back-end: records the message and gives it a provider id.
    settings.MAILERS = {"default": {"BACKEND": "anymail.backends.test.EmailBackend"}}


def basic_auth(credentials: str) -> str:
    return "Basic " + base64.b64encode(credentials.encode()).decode()


def postmark_report(client, payload, credentials=WEBHOOK_SECRET):
    return client.post(
        reverse("mailing:tracking_webhook"),
        data=json.dumps(payload),
        content_type="application/json",
        HTTP_AUTHORIZATION=basic_auth(credentials),
    )


def delivered(message_id: str) -> dict:
    return {
        "RecordType": "Delivery",
        "MessageID": message_id,
        "Recipient": PATIENT_ADDRESS,
        "DeliveredAt": "2026-12-01T10:00:00Z",
        "Details": "Test delivery",
        "Tag": "",
        "Metadata": {},
    }


def bounced(message_id: str) -> dict:
    return {
        "RecordType": "Bounce",
        "Type": "HardBounce",
        "TypeCode": 1,
        "MessageID": message_id,
        "Email": PATIENT_ADDRESS,
        "BouncedAt": "2026-12-01T10:00:00Z",
        "Description": "The address does not exist.",
        "Details": "smtp;550 5.1.1 unknown user",
        "Tag": "",
        "Metadata": {},
    }


def test_a_message_sent_through_the_provider_keeps_the_providers_message_id(postmark):
    assert email_send.call(**MESSAGE, about={"invitation": 7}) is True
    sent = SentEmail.objects.get(message_key="test.message:1")
    assert sent.provider_message_id
    assert sent.about == {"invitation": 7}


def test_a_message_sent_over_smtp_or_the_console_has_no_provider_id(mailoutbox):
    assert email_send.call(**MESSAGE) is True
    assert SentEmail.objects.get().provider_message_id == ""
    assert len(mailoutbox) == 1


def test_a_verified_delivery_report_sets_the_messages_status(postmark, client):
    email_send.call(**MESSAGE)
    sent = SentEmail.objects.get()
    response = postmark_report(client, delivered(sent.provider_message_id))
    assert response.status_code == 200
    sent.refresh_from_db()
    assert sent.status == "delivered"
    assert sent.status_at.isoformat().startswith("2026-12-01T10:00:00")


def test_a_verified_bounce_is_signalled_with_what_the_message_was_about(postmark, client):
    email_send.call(**MESSAGE, about={"invitation": 7})
    sent = SentEmail.objects.get()
    heard = []

    def listen(sender, sent_email, status, occurred_at, **kwargs):
        heard.append((sent_email.about, status))

    email_status.connect(listen)
    try:
        postmark_report(client, bounced(sent.provider_message_id))
    finally:
        email_status.disconnect(listen)
    assert heard == [({"invitation": 7}, "bounced")]


def test_a_report_with_wrong_credentials_is_refused_with_403(postmark, client):
    email_send.call(**MESSAGE)
    sent = SentEmail.objects.get()
    response = postmark_report(client, bounced(sent.provider_message_id), "hook-user:guess")
    assert response.status_code == 403
    sent.refresh_from_db()
    assert sent.status == ""


def test_a_report_without_credentials_is_refused_with_403(postmark, client):
    response = client.post(
        reverse("mailing:tracking_webhook"),
        data=json.dumps(bounced("x")),
        content_type="application/json",
    )
    assert response.status_code == 403


def test_a_refused_report_is_logged_without_its_body(postmark, client, caplog):
    with caplog.at_level(logging.INFO):
        postmark_report(client, bounced("some-message-id"), "hook-user:guess")
    refused = [record for record in caplog.records if record.name == "mailing.views"]
    assert refused, "the refusal is logged"
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert PATIENT_ADDRESS not in logged
    assert "unknown user" not in logged


def test_a_report_about_an_unknown_message_is_accepted_and_ignored(postmark, client):
    email_send.call(**MESSAGE)
    response = postmark_report(client, bounced("not-one-of-ours"))
    assert response.status_code == 200
    assert SentEmail.objects.get().status == ""


def test_without_a_provider_the_webhook_is_not_there(client, settings):
    settings.EMAIL_PROVIDER = ""
    response = client.post(
        reverse("mailing:tracking_webhook"), data="{}", content_type="application/json"
    )
    assert response.status_code == 404


# Mailgun signs each report (HMAC-SHA256 of timestamp and token with the signing key).

MAILGUN_KEY = "mailgun-signing-key"


@pytest.fixture
def mailgun(settings):
    settings.EMAIL_PROVIDER = "mailgun"
    settings.ANYMAIL = {"MAILGUN_API_KEY": "key", "MAILGUN_WEBHOOK_SIGNING_KEY": MAILGUN_KEY}


def mailgun_report(client, message_id: str, key: str = MAILGUN_KEY):
    timestamp, token = str(int(time.time())), "a" * 50
    signature = hmac.new(key.encode(), f"{timestamp}{token}".encode(), hashlib.sha256).hexdigest()
    payload = {
        "signature": {"timestamp": timestamp, "token": token, "signature": signature},
        "event-data": {
            "event": "delivered",
            "timestamp": float(timestamp),
            "id": "event-1",
            "recipient": PATIENT_ADDRESS,
            "message": {"headers": {"message-id": message_id}},
        },
    }
    return client.post(
        reverse("mailing:tracking_webhook"),
        data=json.dumps(payload),
        content_type="application/json",
    )


def test_a_mailgun_report_signed_with_the_signing_key_is_matched(mailgun, client):
    SentEmail.objects.create(message_key="k", provider_message_id="<20261201.1@mg.example>")
    response = mailgun_report(client, "20261201.1@mg.example")
    assert response.status_code == 200
    assert SentEmail.objects.get().status == "delivered"


def test_a_mailgun_report_signed_with_another_key_is_refused_with_403(mailgun, client):
    SentEmail.objects.create(message_key="k", provider_message_id="<20261201.1@mg.example>")
    response = mailgun_report(client, "20261201.1@mg.example", key="not-the-key")
    assert response.status_code == 403
    assert SentEmail.objects.get().status == ""


# Configuration from the environment.


def test_env_example_lists_every_providers_variables():
    names = {name for _module, _prefix, names in PROVIDERS.values() for name in names}
    assert names | {"EMAIL_PROVIDER", "ANYMAIL_WEBHOOK_SECRET"} <= variables_in_env_example()


def test_an_unknown_provider_stops_the_server_from_starting():
    result = run_manage("check", EMAIL_PROVIDER="carrier-pigeon")
    assert result.returncode != 0
    assert "EMAIL_PROVIDER must be one of" in result.stderr


def test_production_with_a_provider_needs_the_webhook_secret():
    result = run_manage("check", **production(EMAIL_PROVIDER="postmark"))
    assert result.returncode != 0
    assert "ANYMAIL_WEBHOOK_SECRET" in result.stderr


def test_the_provider_chosen_by_the_environment_sends_the_mail():
    result = run_manage(
        "shell",
        "-c",
        "from django.conf import settings; "
        "print(settings.MAILERS['default']['BACKEND']); print(sorted(settings.ANYMAIL))",
        EMAIL_PROVIDER="postmark",
        POSTMARK_SERVER_TOKEN="token",
        ANYMAIL_WEBHOOK_SECRET=WEBHOOK_SECRET,
    )
    assert result.returncode == 0, result.stderr
    assert "anymail.backends.postmark.EmailBackend" in result.stdout
    assert "['POSTMARK_SERVER_TOKEN', 'WEBHOOK_SECRET']" in result.stdout
