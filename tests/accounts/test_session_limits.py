"""Staff sessions end when idle or too long, and on signing out."""

import datetime
import time

import pytest
from django.contrib.sessions.models import Session

from accounts import session as staff_session
from tests.accounts.steps import (
    ADMIN_URL,
    LOGIN_URL,
    LOGOUT_URL,
    signed_in_user_id,
)

pytestmark = pytest.mark.django_db


# Session limits --------------------------------------------------------------------------------


def shift_session_times(client, *, signed_in_ago=None, last_seen_ago=None):
    session = client.session
    now = time.time()
    if signed_in_ago is not None:
        session[staff_session.SIGNED_IN_AT_KEY] = now - signed_in_ago.total_seconds()
    if last_seen_ago is not None:
        session[staff_session.LAST_SEEN_AT_KEY] = now - last_seen_ago.total_seconds()
    session.save()


def test_sign_in_records_when_the_session_started(signed_in):
    session = signed_in.session
    assert time.time() - session[staff_session.SIGNED_IN_AT_KEY] < 60
    assert time.time() - session[staff_session.LAST_SEEN_AT_KEY] < 60


def test_29_idle_minutes_keep_you_signed_in(signed_in):
    shift_session_times(signed_in, last_seen_ago=datetime.timedelta(minutes=29))
    assert signed_in.get(ADMIN_URL).status_code == 200


def test_31_idle_minutes_sign_you_out(signed_in):
    shift_session_times(signed_in, last_seen_ago=datetime.timedelta(minutes=31))
    response = signed_in.get(ADMIN_URL)
    assert response.status_code == 302
    assert response["Location"] == f"{LOGIN_URL}?next=/admin/"
    assert signed_in_user_id(signed_in) is None


def test_being_signed_out_for_idleness_says_why(signed_in):
    shift_session_times(signed_in, last_seen_ago=datetime.timedelta(minutes=31))
    response = signed_in.get(ADMIN_URL, follow=True)
    assert "signed out after 30 minutes without activity" in response.text


def test_activity_moves_the_idle_limit(signed_in):
    shift_session_times(signed_in, last_seen_ago=datetime.timedelta(minutes=20))
    signed_in.get(ADMIN_URL)
    assert time.time() - signed_in.session[staff_session.LAST_SEEN_AT_KEY] < 60


def test_twelve_hours_sign_you_out_even_when_active(signed_in):
    shift_session_times(
        signed_in,
        signed_in_ago=datetime.timedelta(hours=12, minutes=1),
        last_seen_ago=datetime.timedelta(minutes=1),
    )
    response = signed_in.get(ADMIN_URL, follow=True)
    assert signed_in_user_id(signed_in) is None
    assert "signed in for 12 hours" in response.text


def test_session_cookie_does_not_outlive_twelve_hours(settings):
    assert settings.SESSION_COOKIE_AGE == 12 * 60 * 60


def test_session_limits_leave_anonymous_visitors_alone(client):
    session = client.session
    session[staff_session.LAST_SEEN_AT_KEY] = 0
    session[staff_session.SIGNED_IN_AT_KEY] = 0
    session.save()
    assert client.get("/").status_code == 200


# Signing out -----------------------------------------------------------------------------------


def test_sign_out_refuses_get(signed_in):
    assert signed_in.get(LOGOUT_URL).status_code == 405
    assert signed_in_user_id(signed_in) is not None


def test_sign_out_ends_the_session_on_the_server(signed_in):
    old_key = signed_in.session.session_key
    response = signed_in.post(LOGOUT_URL)
    assert response.status_code == 302
    assert not Session.objects.filter(session_key=old_key).exists()
    assert signed_in.get(ADMIN_URL).status_code == 302
