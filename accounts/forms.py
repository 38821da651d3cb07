"""Forms for staff sign-in: the password step and the one-time code steps."""

import math

from crispy_forms.helper import FormHelper
from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.signals import user_login_failed
from django.core.validators import MaxLengthValidator
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from . import selectors, services


def fields_only_helper() -> FormHelper:
    """Crispy renders a sign-in form's fields; the page keeps everything around them.

    The page template owns the <form> element, its CSRF token, the error summary and the button,
    because the set-up page puts the code field inside its numbered steps. Each field is drawn by
    `accounts/_field.html`: label, hint, error and input, the hint and error with the ids Django's
    widgets name in `aria-describedby`.
    """
    helper = FormHelper()
    helper.form_tag = False
    helper.disable_csrf = True
    # The error summary at the top of the page already lists the errors that belong to no field
    # (a wrong password); crispy's own alert would say them twice.
    helper.form_show_errors = False
    helper.field_template = "accounts/_field.html"
    return helper


class StaffAuthenticationForm(AuthenticationForm):
    """Username and password; only practitioners, clinic admins and superusers get through.

    Anyone else gets the same "not right" message as a wrong password, so the page does not tell
    an outsider which usernames exist or belong to staff.
    """

    def __init__(self, request=None, *args, **kwargs):
        super().__init__(request, *args, **kwargs)
        self.helper = fields_only_helper()
        # AuthenticationForm sets max_length without its validator: a longer username reached
        # authenticate(), and django-axes' 255-character column refused it with a 500.
        username = self.fields["username"]
        username.validators.append(MaxLengthValidator(username.max_length))
        self.fields["username"].widget.attrs.update(
            {"autocapitalize": "none", "spellcheck": "false"}
        )

    def confirm_login_allowed(self, user):
        if not selectors.user_may_sign_in_as_staff(user):
            user_login_failed.send(
                sender=__name__,
                credentials={"username": user.get_username()},
                request=self.request,
            )
            raise self.get_invalid_login_error()


class CodeForm(forms.Form):
    """One code; `clean` checks it, so a valid form means the code was right.

    A wrong code is reported to django-axes as a failed sign-in for the user, so wrong codes and
    wrong passwords share one lockout count.
    """

    code = forms.CharField(
        label=_("Code"),
        max_length=32,
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "autocapitalize": "none",
                "spellcheck": "false",
            }
        ),
    )
    error_messages = {
        "wrong_code": _("That code is not right. Check the code in your app and try again."),
        "throttled": _(
            "Too many wrong codes in a row. Wait %(seconds)d seconds, then try the newest code."
        ),
    }

    def __init__(self, *args, user, request, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = fields_only_helper()
        self.user = user
        self.request = request
        self.device = None

    def verify(self, code: str):
        """The device that accepts `code`, or None; may raise services.CodeThrottled."""
        raise NotImplementedError

    def clean_code(self):
        code = self.cleaned_data["code"]
        try:
            self.device = self.verify(code)
        except services.CodeThrottled as throttled:
            seconds = math.ceil((throttled.retry_at - timezone.now()).total_seconds())
            raise forms.ValidationError(
                self.error_messages["throttled"],
                code="throttled",
                params={"seconds": max(seconds, 1)},
            ) from None
        if self.device is None:
            user_login_failed.send(
                sender=__name__,
                credentials={"username": self.user.get_username()},
                request=self.request,
            )
            raise forms.ValidationError(self.error_messages["wrong_code"], code="wrong_code")
        return code


class SecondFactorForm(CodeForm):
    """The 6-digit code from the authenticator app, or one of the user's backup codes."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["code"].help_text = _(
            "The 6-digit code from your authenticator app, or one of your backup codes."
        )

    def verify(self, code: str):
        return services.second_factor_verify(user=self.user, code=code)


class EnrolmentForm(CodeForm):
    """The first code from a newly set-up authenticator app, which confirms it."""

    def __init__(self, *args, device, **kwargs):
        super().__init__(*args, **kwargs)
        self.enrolling = device
        self.fields["code"].help_text = _("The 6-digit code your app shows now.")
        self.fields["code"].widget.attrs["inputmode"] = "numeric"

    def verify(self, code: str):
        if services.authenticator_enrolment_confirm(device=self.enrolling, code=code):
            return self.enrolling
        return None
