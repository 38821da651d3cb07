"""The lockout check in front of Django's password back-end."""

from axes.backends import AxesStandaloneBackend


class LockoutBackend(AxesStandaloneBackend):
    """Refuses a sign-in from a locked-out username and address; authenticates nobody itself.

    Lockout protects the sign-in page, so only calls that come with a web request are checked;
    `authenticate()` without one (a shell, a management command) is never an attacker's guess,
    and axes' own back-end would raise there instead of answering.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)
