"""Who may see the patient's pages: the patient session and the invitation's language.

Anyone holding a valid link who then gives the invited patient's date of birth gets a patient
session bound to one invitation, which ends after 30 idle minutes; every page after the link
reads the invitation from that session, never from the URL.

A session also ends when the clinic resends, withdraws or renews the link, or five wrong dates
of birth lock it: each raises the invitation's `session_generation`, and a session that began
under an earlier one is over at its next request. No table of sessions is searched for them.
"""

import time
from functools import wraps

from django.http import HttpRequest
from django.shortcuts import redirect
from django.utils import translation
from django.views.decorators.cache import never_cache

from ..models import ConsentInvitation

SESSION_KEY = "consent_patient"
IDLE_SECONDS = 30 * 60


def start_patient_session(request: HttpRequest, invitation: ConsentInvitation) -> None:
    """Bind this browser's session to the invitation, once the date of birth matched."""
    request.session.cycle_key()  # a new session id once identity is shown: no fixation
    request.session[SESSION_KEY] = {
        "invitation_id": invitation.pk,
        "generation": invitation.session_generation,
        "seen": time.time(),
    }
    request.session.set_expiry(IDLE_SECONDS)


def in_invitation_language(request: HttpRequest, invitation: ConsentInvitation, respond):
    """Call `respond()` with the invitation's language active: the patient reads and signs in
    the language the clinic invited them in, whatever the browser or the switcher says.

    The header's language switcher is left out of these pages (`request.consent_language`):
    the procedure's information is bound in that language, so a patient who would rather read
    another asks the clinic for a new invitation, as the help box says.
    """
    request.consent_language = invitation.language
    with translation.override(invitation.language):
        response = respond()
    response.headers["Content-Language"] = invitation.language
    return response


CODE_STEP_KEY = "consent_code_step"


def start_code_step(request: HttpRequest, invitation: ConsentInvitation) -> None:
    """The date of birth matched on an invitation that also requires an e-mailed code: remember
    that (no patient session yet, so no page of the journey opens) until the code is typed."""
    request.session.cycle_key()
    request.session.pop(SESSION_KEY, None)
    request.session[CODE_STEP_KEY] = {
        "invitation_id": invitation.pk,
        "generation": invitation.session_generation,
        "seen": time.time(),
    }
    request.session.set_expiry(IDLE_SECONDS)


def code_step_invitation(request: HttpRequest) -> ConsentInvitation | None:
    """The invitation whose date of birth this browser gave, waiting for its code; None when
    there is none, it waited more than 30 minutes, or the link was since resent or locked."""
    state = request.session.get(CODE_STEP_KEY)
    if not state or time.time() - state.get("seen", 0) > IDLE_SECONDS:
        return None
    invitation = ConsentInvitation.objects.filter(pk=state.get("invitation_id")).first()
    if invitation is None or state.get("generation") != invitation.session_generation:
        request.session.pop(CODE_STEP_KEY, None)
        return None
    return invitation


def end_code_step(request: HttpRequest) -> None:
    request.session.pop(CODE_STEP_KEY, None)


def patient_required(view):
    """Only the patient who answered the date-of-birth check, within 30 idle minutes, and
    since the link was last resent, withdrawn, locked or renewed.

    The view is called as `view(request, invitation, *args, **kwargs)`, in the invitation's
    language, and its response is never cached.
    """

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        state = request.session.get(SESSION_KEY)
        if not state:
            return redirect("consent:session_ended")
        if time.time() - state.get("seen", 0) > IDLE_SECONDS:
            request.session.flush()
            return redirect("consent:session_ended")
        invitation = (
            ConsentInvitation.objects.select_related(
                "practitioner", "location", "formulation", "procedure"
            )
            .filter(pk=state.get("invitation_id"))
            .first()
        )
        if invitation is None or state.get("generation") != invitation.session_generation:
            request.session.flush()
            return redirect("consent:session_ended")
        request.session[SESSION_KEY] = {**state, "seen": time.time()}
        request.session.set_expiry(IDLE_SECONDS)
        return in_invitation_language(
            request, invitation, lambda: view(request, invitation, *args, **kwargs)
        )

    return never_cache(wrapper)
