"""Consent on a clinic tablet (kiosk mode): a browser session that holds one patient's journey
and nothing else.

Staff start it from /practice/ ("Start on this device"). That ends the staff member's own
session on the device (`django.contrib.auth.logout` flushes it on the server, so its cookie is
worthless afterwards) and puts a kiosk session in its place, bound to one invitation. Every
request of a kiosk session goes through `KioskMiddleware`:

- only the journey's pages open (`KIOSK_PAGES`); /practice/, admin, sign-in and every other
  page answer the 403 "this device is in use for a consent" page;
- after `KIOSK_IDLE_SECONDS` without a request the session is flushed on the server (at the
  next request, which its cookie outlives) and the tablet shows the neutral "hand the device
  back to the clinic" page (a JavaScript countdown warns `KIOSK_WARNING_SECONDS` before and
  opens that page on time, where JavaScript runs);
- every response is `Cache-Control: no-store`, so the back button asks the server again, which
  by then has nothing to show.

A flushed kiosk session leaves only `ENDED_KEY` (the language to say goodbye in), so the journey's
pages opened again send the tablet to the neutral page rather than to the patient's "session
ended" page.
"""

import time

from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpRequest
from django.shortcuts import redirect, render
from django.urls import Resolver404, resolve, reverse
from django.utils import translation
from django.utils.cache import add_never_cache_headers

from .models import ConsentInvitation

KIOSK_KEY = "consent_kiosk"
ENDED_KEY = "consent_kiosk_ended"

# The pages a kiosk session may open (names in the `consent` URL namespace).
KIOSK_PAGES = frozenset(
    {
        "kiosk",
        "kiosk_still_here",
        "kiosk_finish",
        "kiosk_ended",
        "email_code",
        "esign",
        "step",
        "record",
        "session_ended",
    }
)


def kiosk_session_start(request: HttpRequest, invitation: ConsentInvitation) -> None:
    """End this browser's session (the staff member's sign-in with it) and start a kiosk
    session for `invitation`: from here on the device opens only that patient's journey."""
    logout(request)  # flushes the staff session on the server and gives a new session id
    request.session[KIOSK_KEY] = {
        "invitation_id": invitation.pk,
        "generation": invitation.session_generation,
        "language": invitation.language,
        "seen": time.time(),
    }
    request.session.set_expiry(_cookie_seconds())


def _cookie_seconds() -> int:
    """How long the browser keeps the kiosk session's cookie: longer than the idle time, so
    that a request after it still reaches the server, which ends the session and shows the
    neutral page (a dropped cookie would show the patient's "session ended" page instead)."""
    return max(settings.SESSION_COOKIE_AGE, settings.KIOSK_IDLE_SECONDS)


def kiosk_state(request: HttpRequest) -> dict | None:
    """The kiosk session's facts (invitation id, link generation, language), or None."""
    session = getattr(request, "session", None)
    return session.get(KIOSK_KEY) if session is not None else None


def kiosk_end(request: HttpRequest) -> None:
    """Forget everything this device held: a new, empty session that only remembers that a
    kiosk session ended here, and in which language."""
    state = kiosk_state(request) or {}
    request.session.flush()
    request.session[ENDED_KEY] = {"language": state.get("language", "")}


def kiosk_ended_language(request: HttpRequest) -> str | None:
    """The language of the kiosk session that ended on this device, or None if none did."""
    ended = request.session.get(ENDED_KEY)
    if ended is None:
        return None
    return ended.get("language") or settings.LANGUAGE_CODE


def kiosk_ended_url(reason: str) -> str:
    return reverse("consent:kiosk_ended") + f"?why={reason}"


def _page_name(request: HttpRequest) -> str | None:
    try:
        match = resolve(request.path_info)
    except Resolver404:
        return None
    return match.url_name if match.namespace == "consent" else None


class KioskMiddleware:
    """Holds a kiosk session to its patient's journey and its idle time; see the module.

    Goes after the session, authentication and message middleware."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        state = kiosk_state(request)
        if state is None:
            return self.get_response(request)
        page = _page_name(request)
        # What the pages show: the kiosk header's countdown reads its times from here.
        shown = {
            **state,
            "idle_seconds": settings.KIOSK_IDLE_SECONDS,
            "warning_seconds": settings.KIOSK_WARNING_SECONDS,
        }
        if time.time() - state.get("seen", 0) > settings.KIOSK_IDLE_SECONDS:
            kiosk_end(request)
            response = redirect(kiosk_ended_url("idle"))
        elif page not in KIOSK_PAGES:
            with translation.override(state.get("language") or settings.LANGUAGE_CODE):
                request.kiosk = shown
                response = render(request, "consent/kiosk/refused.html", status=403)
        else:
            request.session[KIOSK_KEY] = {**state, "seen": time.time()}
            request.kiosk = shown
            response = self.get_response(request)
            if KIOSK_KEY in request.session:
                # After `patient_required` set its own 30 minutes: the kiosk's rule wins.
                request.session.set_expiry(_cookie_seconds())
        add_never_cache_headers(response)
        return response
