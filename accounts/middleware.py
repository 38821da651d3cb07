"""Staff sessions end after a while without activity and after a working day in all."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.utils.translation import gettext as _

from . import session


class StaffSessionLimitsMiddleware:
    """Sign a user out, on the server, once their session passed the idle or total time limit.

    Only signed-in sessions are concerned: patients have no account, and their consent session
    keeps its own 30-minute rule (consent/views.py). Goes after the authentication and message
    middleware.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            ended = session.limits_check(request.session)
            if ended is not None:
                logout(request)  # flushes the session on the server
                messages.info(request, self.explanation(ended))
                return redirect_to_login(request.get_full_path(), settings.LOGIN_URL)
        return self.get_response(request)

    @staticmethod
    def explanation(ended: str) -> str:
        if ended == session.TOO_LONG:
            hours = int(settings.STAFF_SESSION_MAX_AGE.total_seconds() // 3600)
            return _(
                "You were signed out because you had been signed in for %(hours)d hours. "
                "Please sign in again."
            ) % {"hours": hours}
        minutes = int(settings.STAFF_SESSION_IDLE_TIMEOUT.total_seconds() // 60)
        return _(
            "You were signed out after %(minutes)d minutes without activity. Please sign in again."
        ) % {"minutes": minutes}
