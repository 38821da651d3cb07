"""Helpers for a course of treatment: an invitation for a course, signed, and its check-in links
taken from the e-mails they are sent in."""

import datetime
import re

from django.core import mail
from django.urls import reverse
from django.utils import timezone

from consent import services
from consent.models import TreatmentSession

from .conftest import DATE_OF_BIRTH, REQUEST_META, complete_draft


def planned(*days: int) -> list[datetime.date]:
    today = timezone.localdate()
    return [today + datetime.timedelta(days=day) for day in days]


def sign_course(invite, capture, *, sessions=3, days=(0, 7, 14), **overrides):
    """A signed consent to a course of `sessions` sessions planned `days` from today."""
    invitation, _token = invite(
        course_kind="sessions", course_sessions=sessions, planned_dates=planned(*days), **overrides
    )
    complete_draft(invitation)
    with capture(execute=True):
        record, _ = services.record_sign(
            invitation=invitation,
            typed_name=invitation.patient_name,
            drawn_signature="",
            request_meta=REQUEST_META,
        )
    return record


def checkin_token(record, number: int, capture) -> str:
    """E-mail the check-in link of session `number` and return its token, read from the e-mail."""
    session = TreatmentSession.objects.get(invitation=record.invitation, number=number)
    sent_before = len(mail.outbox)
    with capture(execute=True):
        assert services.checkin_link_send(session_id=session.pk)
    body = mail.outbox[sent_before].body
    return re.search(r"/consent/c/([^/\s]+)/", body).group(1)


def open_checkin(client, token, date_of_birth=DATE_OF_BIRTH):
    return client.post(
        reverse("consent:checkin_open", kwargs={"token": token}),
        {"date_of_birth": date_of_birth.isoformat()},
    )


CHECKIN_URL = "/consent/check-in/"
