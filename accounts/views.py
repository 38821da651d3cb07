"""Staff sign-in pages: password, then a one-time code (or, the first time, setting up the app).

The user is signed in, and the session verified in django-otp's sense, only after the second
step; until then the session holds nothing but a short-lived note of who gave the password
(`session.pending_*`). Wrong passwords and wrong codes both count towards django-axes' lockout.
"""

from base64 import b32encode
from urllib.parse import urlencode

from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import get_credentials, get_failure_limit
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.auth import login as auth_login
from django.contrib.auth import logout
from django.contrib.auth.views import LoginView, redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render, resolve_url
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST
from django.views.generic import FormView
from django_otp import login as otp_login
from django_otp.plugins.otp_static.models import StaticDevice

from . import selectors, services, session
from .forms import EnrolmentForm, SecondFactorForm, StaffAuthenticationForm
from .qr import qr_code_data_uri


def _safe_next(request: HttpRequest) -> str:
    """The `next` address from the query or the form, if it stays on this site; else ""."""
    next_url = request.POST.get("next", request.GET.get("next", ""))
    if url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return next_url
    return ""


def _step_url(name: str, next_url: str) -> str:
    url = reverse(name)
    return f"{url}?{urlencode({'next': next_url})}" if next_url else url


def _second_step_url(user, next_url: str) -> str:
    """The code step for a user with a second factor; setting up an app for one without."""
    if selectors.user_has_second_factor(user):
        return _step_url("accounts:two_factor", next_url)
    return _step_url("accounts:setup", next_url)


def locked_out(request: HttpRequest, original_response=None, credentials=None) -> HttpResponse:
    """The lockout page (django-axes' AXES_LOCKOUT_CALLABLE): 403, and what to do now."""
    session.pending_clear(request.session)
    context = {
        "failure_limit": get_failure_limit(request, credentials),
        "cooloff_minutes": int(settings.AXES_COOLOFF_TIME.total_seconds() // 60),
    }
    return render(request, "accounts/locked_out.html", context, status=403)


def _is_locked_out(request: HttpRequest, user) -> bool:
    return not AxesProxyHandler.is_allowed(request, get_credentials(user.get_username()))


def _sign_in(request: HttpRequest, user, device) -> None:
    """Sign `user` in with the session verified by `device`, and start the session clock."""
    auth_login(request, user, backend=user.backend)  # a new session id; axes resets failures
    otp_login(request, device)
    session.pending_clear(request.session)
    session.limits_start(request.session)


@method_decorator(never_cache, name="dispatch")
class StaffLoginView(LoginView):
    """Step 1, anyone: username and password of a practitioner or clinic admin."""

    form_class = StaffAuthenticationForm
    template_name = "accounts/login.html"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and request.user.is_verified():
            return HttpResponseRedirect(self.get_success_url())
        if request.method == "GET":
            user = session.pending_user(request.session)
            if user is not None:
                return redirect(_second_step_url(user, self.get_redirect_url()))
        return super().dispatch(request, *args, **kwargs)

    def form_valid(self, form):
        user = form.get_user()
        session.pending_start(self.request.session, user=user, backend=user.backend)
        return HttpResponseRedirect(_second_step_url(user, self.get_redirect_url()))


class _SecondStepView(FormView):
    """Shared by the code and the set-up steps: who is signing in, and lockout."""

    def pending_dispatch(self, request):
        """None to go on with `self.user` set; otherwise the response that ends the step."""
        self.next_url = _safe_next(request)
        self.user = session.pending_user(request.session)
        if self.user is None:
            messages.info(request, _("Please sign in again."))
            return redirect(_step_url("accounts:login", self.next_url))
        if _is_locked_out(request, self.user):
            return locked_out(request, credentials=get_credentials(self.user.get_username()))
        return None

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.user, "request": self.request}

    def get_context_data(self, **kwargs):
        return super().get_context_data(next=self.next_url, **kwargs)

    def form_invalid(self, form):
        if getattr(self.request, "axes_locked_out", False):
            session.pending_clear(self.request.session)  # axes' middleware shows the lockout page
        return super().form_invalid(form)

    def next_or_default(self) -> str:
        return self.next_url or resolve_url(settings.LOGIN_REDIRECT_URL)


@method_decorator(never_cache, name="dispatch")
class SecondFactorView(_SecondStepView):
    """Step 2, after the password: the code from the authenticator app, or a backup code."""

    form_class = SecondFactorForm
    template_name = "accounts/two_factor.html"

    def dispatch(self, request, *args, **kwargs):
        ended = self.pending_dispatch(request)
        if ended is not None:
            return ended
        if not selectors.user_has_second_factor(self.user):
            return redirect(_step_url("accounts:setup", self.next_url))
        return super().dispatch(request, *args, **kwargs)

    def form_valid(self, form):
        _sign_in(self.request, self.user, form.device)
        if isinstance(form.device, StaticDevice):
            left = form.device.token_set.count()
            messages.warning(
                self.request,
                _("You used a backup code. You have %(count)d left.") % {"count": left},
            )
            if not selectors.user_has_authenticator(self.user):
                return redirect(_step_url("accounts:setup", self.next_url))
        return redirect(self.next_or_default())


@method_decorator(never_cache, name="dispatch")
class EnrolmentView(_SecondStepView):
    """Set up an authenticator app: its QR code and secret, then its first code.

    Open to someone who just gave their password and has no second factor yet (this completes
    their sign-in), and to a signed-in, verified user adding an app (e.g. after a backup code).
    """

    form_class = EnrolmentForm
    template_name = "accounts/setup.html"

    def dispatch(self, request, *args, **kwargs):
        self.signed_in = request.user.is_authenticated and request.user.is_verified()
        if self.signed_in:
            self.next_url = _safe_next(request)
            self.user = request.user
        else:
            ended = self.pending_dispatch(request)
            if ended is not None:
                return ended
            if selectors.user_has_second_factor(self.user):
                # Someone who has a second factor proves it before adding another.
                return redirect(_step_url("accounts:two_factor", self.next_url))
        self.device = services.authenticator_enrolment_start(user=self.user)
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "device": self.device}

    def get_context_data(self, **kwargs):
        secret = b32encode(self.device.bin_key).decode("ascii")
        return super().get_context_data(
            qr_code=qr_code_data_uri(self.device.config_url),
            secret=" ".join(secret[i : i + 4] for i in range(0, len(secret), 4)),
            signed_in=self.signed_in,
            **kwargs,
        )

    def form_valid(self, form):
        if self.signed_in:
            otp_login(self.request, form.device)
        else:
            _sign_in(self.request, self.user, form.device)
        messages.success(self.request, _("Your authenticator app is set up."))
        return redirect(self.next_or_default())


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def backup_codes(request: HttpRequest) -> HttpResponse:
    """Staff signed in with their second factor: make their own new backup codes.

    GET explains and offers the button; POST makes ten codes on the server, replaces every
    earlier one, and shows them on this one response only (never stored in the session, never
    shown again, not cached). Nobody makes codes for someone else: a clinic admin resets a lost
    second factor in admin and the person enrols again.
    """
    user = request.user
    if not (user.is_authenticated and user.is_verified()):
        return redirect_to_login(request.get_full_path(), settings.LOGIN_URL)
    if not selectors.user_may_sign_in_as_staff(user):
        raise PermissionDenied
    codes = services.backup_codes_generate(user=user) if request.method == "POST" else None
    return render(request, "accounts/backup_codes.html", {"codes": codes})


@require_POST
def sign_out(request: HttpRequest) -> HttpResponse:
    """Anyone, POST only: end the session on the server (also abandons a half-done sign-in)."""
    logout(request)
    messages.success(request, _("You have signed out."))
    return redirect("accounts:login")


def admin_login(request: HttpRequest, extra_context=None) -> HttpResponse:
    """Admin's own login page, replaced: there is one place to sign in, /accounts/login/.

    A verified user whom admin still refuses (a practitioner) gets 403 rather than a loop back
    to the sign-in page.
    """
    next_url = _safe_next(request) or reverse("admin:index")
    if request.user.is_authenticated and request.user.is_verified():
        if admin.site.has_permission(request):
            return redirect(next_url)
        raise PermissionDenied
    return redirect_to_login(next_url, settings.LOGIN_URL)
