"""What staff sign-in keeps in the session: a sign-in half done, and when a session must end.

Between the password and the code the user is *not* signed in: the session only remembers who
passed the password step, for a few minutes. Signed-in sessions carry the time of sign-in and of
the last request, and end after `STAFF_SESSION_IDLE_TIMEOUT` without a request or
`STAFF_SESSION_MAX_AGE` in all.
"""

import time

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.contrib.sessions.backends.base import SessionBase
from django.utils.crypto import constant_time_compare

from . import selectors

PENDING_KEY = "staff_sign_in"
SIGNED_IN_AT_KEY = "staff_signed_in_at"
LAST_SEEN_AT_KEY = "staff_last_seen_at"

IDLE = "idle"
TOO_LONG = "too_long"


# Password given, code not yet -------------------------------------------------------------------


def pending_start(session: SessionBase, *, user: AbstractBaseUser, backend: str) -> None:
    """Remember that `user` gave the right password; a new session id, so none can be planted."""
    session.cycle_key()
    session[PENDING_KEY] = {
        "user_id": user._meta.pk.value_to_string(user),
        "backend": backend,
        "auth_hash": user.get_session_auth_hash(),
        "started_at": time.time(),
    }


def pending_user(session: SessionBase) -> AbstractBaseUser | None:
    """The user who passed the password step in this session, while that is still valid.

    It stops being valid after `STAFF_SIGN_IN_STEP_TIMEOUT`, when the password changes, or when
    the user may no longer sign in as staff.
    """
    state = session.get(PENDING_KEY)
    if not state:
        return None
    age = time.time() - state["started_at"]
    user = None
    if age <= settings.STAFF_SIGN_IN_STEP_TIMEOUT.total_seconds():
        user = get_user_model()._default_manager.filter(pk=state["user_id"]).first()
    if (
        user is None
        or not constant_time_compare(state["auth_hash"], user.get_session_auth_hash())
        or not selectors.user_may_sign_in_as_staff(user)
    ):
        pending_clear(session)
        return None
    user.backend = state["backend"]
    return user


def pending_clear(session: SessionBase) -> None:
    session.pop(PENDING_KEY, None)


# Signed in --------------------------------------------------------------------------------------


def limits_start(session: SessionBase) -> None:
    now = time.time()
    session[SIGNED_IN_AT_KEY] = now
    session[LAST_SEEN_AT_KEY] = now


def limits_check(session: SessionBase) -> str | None:
    """IDLE or TOO_LONG when the signed-in session must end now; else note this request.

    A session without the times (signed in some other way, e.g. by a test's `force_login`)
    starts counting now.
    """
    now = time.time()
    signed_in_at = session.get(SIGNED_IN_AT_KEY)
    last_seen_at = session.get(LAST_SEEN_AT_KEY)
    if signed_in_at is None or last_seen_at is None:
        limits_start(session)
        return None
    if now - signed_in_at > settings.STAFF_SESSION_MAX_AGE.total_seconds():
        return TOO_LONG
    if now - last_seen_at > settings.STAFF_SESSION_IDLE_TIMEOUT.total_seconds():
        return IDLE
    session[LAST_SEEN_AT_KEY] = now
    return None
