"""Forms for the consent app's admin.

They repeat the database's rules only to say what is wrong in the clinic's words; the
constraints stay the guarantee. The invitation form validates and nothing more: creating an
invitation (and e-mailing its link) is `services.invitation_create`'s job.
"""

import datetime
import re

from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from education.models import Procedure

from . import services
from .models import ConsentInvitation, CourseKind, Credential, Formulation, SignerRole
from .services.invitations import check_signers

REPRESENTATIVE_FIELDS = (
    "representative_name",
    "representative_relationship",
    "representative_authority",
)


def default_invitation_expiry() -> datetime.datetime:
    """Two weeks from now, to the minute, as the add form suggests it."""
    return (timezone.now() + ConsentInvitation.DEFAULT_LIFETIME).replace(second=0, microsecond=0)


class CredentialAdminForm(forms.ModelForm):
    """A credential as typed in admin, alone or as a row of the practitioner's page."""

    class Meta:
        model = Credential
        fields = [
            "practitioner",
            "kind",
            "title",
            "procedure",
            "issuing_body",
            "number",
            "jurisdiction",
            "issued_on",
            "expires_on",
            "verified_by",
            "verified_on",
            "evidence_file",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "verified_by" in self.fields:
            self.fields["verified_by"].queryset = get_user_model().objects.filter(is_staff=True)

    def clean(self):
        cleaned_data = super().clean()
        issued_on = cleaned_data.get("issued_on")
        expires_on = cleaned_data.get("expires_on")
        if issued_on and expires_on and expires_on < issued_on:
            self.add_error(
                "expires_on",
                forms.ValidationError(
                    _("The expiry date cannot be before the date of issue (%(issued)s)."),
                    code="expires_before_issue",
                    params={"issued": issued_on.isoformat()},
                ),
            )
        if {"verified_by", "verified_on"} <= set(self.fields):
            verified_by = cleaned_data.get("verified_by")
            verified_on = cleaned_data.get("verified_on")
            if verified_by and not verified_on and "verified_on" not in self.errors:
                self.add_error(
                    "verified_on",
                    forms.ValidationError(
                        _("Give the date it was verified, or clear “verified by”."),
                        code="verification_incomplete",
                    ),
                )
            if verified_on and not verified_by and "verified_by" not in self.errors:
                self.add_error(
                    "verified_by",
                    forms.ValidationError(
                        _("Choose who verified it, or clear the date it was verified."),
                        code="verification_incomplete",
                    ),
                )
        return cleaned_data


class FormulationAdminForm(forms.ModelForm):
    class Meta:
        model = Formulation
        fields = [
            "procedure",
            "name",
            "manufacturer",
            "lot_number",
            "expires_on",
            "regulatory_status",
            "regulatory_note",
        ]
        error_messages = {
            "expires_on": {
                "required": _("Give the expiry date printed on the product."),
                "invalid": _("Enter the expiry date as a date, e.g. 2027-06-30."),
            }
        }


class InvitationAddForm(forms.ModelForm):
    """What the clinic types to invite a patient; never saved, only validated.

    `send` passes the cleaned data to `services.invitation_create`, which writes the
    invitation and e-mails its link; the service's own checks come back as errors on this form.
    """

    class Meta:
        model = ConsentInvitation
        fields = [
            "patient_name",
            "patient_email",
            "patient_date_of_birth",
            "procedure",
            "practitioner",
            "location",
            "formulation",
            "language",
            "expires_at",
            "minimum_decision_hours",
            "requires_email_code",
            "signer_role",
            "representative_name",
            "representative_relationship",
            "representative_authority",
            "representative_document",
            "witness_required",
            "interpreter_required",
            "course_kind",
            "course_sessions",
        ]
        widgets = {
            # The browser's own date picker: a calendar that starts at today suits no birthday.
            "patient_date_of_birth": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }
        help_texts = {
            "patient_date_of_birth": _(
                "The patient confirms it before the link shows anything. It is not in the e-mail."
            ),
            "procedure": _(
                "Only procedures with a published version can be consented to. Choose the "
                "procedure in its original language, even for a patient who reads another."
            ),
            "language": _(
                "The patient gets the e-mail, the consent steps and the procedure's "
                "information in this language; it must have a published version in it."
            ),
            "formulation": _("What will be injected; it must be for the chosen procedure."),
            "expires_at": _("After this the link stops working. Usually two weeks from now."),
            "representative_name": _(
                "For a parent, guardian or representative: the person who signs. They type "
                "this name to sign; the patient's name is refused."
            ),
        }

    planned_dates = forms.CharField(
        label=_("Planned dates"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "For a course: the sessions' dates in order, one a line, e.g. 2027-01-15 or "
            "15/01/2027. The patient is e-mailed a check-in before each later session."
        ),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["procedure"].queryset = Procedure.objects.published().filter(
            translation_of__isnull=True
        )
        formulation = self.fields["formulation"]
        formulation.queryset = Formulation.objects.select_related("procedure")
        formulation.label_from_instance = lambda row: f"{row} · {row.procedure}"
        self.fields["course_kind"].required = False
        if "signer_role" in self.fields:
            self.fields["signer_role"].required = False

    def clean_signer_role(self):
        # Left out (an older client, a script), the patient signs, as the model's default.
        return self.cleaned_data.get("signer_role") or SignerRole.PATIENT

    def clean_patient_date_of_birth(self):
        date_of_birth = self.cleaned_data["patient_date_of_birth"]
        if date_of_birth > timezone.localdate():
            raise forms.ValidationError(
                _("The date of birth cannot be in the future."), code="future"
            )
        return date_of_birth

    def clean_course_kind(self) -> str:
        # Left out (a form that predates courses, or a script), an invitation is one session.
        return self.cleaned_data["course_kind"] or CourseKind.SINGLE

    def clean_planned_dates(self) -> list[datetime.date]:
        dates = []
        for text in re.split(r"[\s,;]+", self.cleaned_data["planned_dates"].strip()):
            if not text:
                continue
            for pattern in ("%Y-%m-%d", "%d/%m/%Y"):
                try:
                    dates.append(datetime.datetime.strptime(text, pattern).date())
                    break
                except ValueError:
                    continue
            else:
                raise forms.ValidationError(
                    _("“%(text)s” is not a date: write dates like 2027-01-15 or 15/01/2027."),
                    code="invalid_date",
                    params={"text": text},
                )
        return dates

    def clean_expires_at(self):
        expires_at = self.cleaned_data["expires_at"]
        if expires_at <= timezone.now():
            raise forms.ValidationError(_("Choose a time in the future."), code="past")
        return expires_at

    def clean(self):
        cleaned_data = super().clean()
        procedure = cleaned_data.get("procedure")
        formulation = cleaned_data.get("formulation")
        if procedure and formulation and formulation.procedure_id != procedure.pk:
            self.add_error(
                "formulation",
                forms.ValidationError(
                    _("This formulation is for %(other)s, not %(procedure)s."),
                    code="formulation_mismatch",
                    params={"other": formulation.procedure, "procedure": procedure},
                ),
            )
        self._clean_signers(cleaned_data)
        return cleaned_data

    def _clean_signers(self, cleaned_data):
        """Who signs, checked by the service's own rules (named, related, with authority)."""
        role = cleaned_data.get("signer_role")
        if role == SignerRole.PATIENT:
            # Whatever was typed for a representative is not kept for the patient alone.
            for name in REPRESENTATIVE_FIELDS:
                cleaned_data[name] = ""
            cleaned_data["representative_document"] = None
            return
        if not role or cleaned_data.get("patient_date_of_birth") is None:
            return
        try:
            check_signers(
                signer_role=role,
                patient_date_of_birth=cleaned_data["patient_date_of_birth"],
                **{name: cleaned_data.get(name, "") for name in REPRESENTATIVE_FIELDS},
            )
        except ValidationError as error:
            self.add_error(None, error)

    def send(self, *, created_by) -> ConsentInvitation | None:
        """Create the invitation and e-mail its link through `services.invitation_create`.

        Returns the invitation; or None, with the service's refusal added to this form, so that
        admin and the practice area show it the same way.
        """
        try:
            invitation, _token = services.invitation_create(
                created_by=created_by, **self.cleaned_data
            )
        except ValidationError as error:
            self.add_error(None, error)
            return None
        return invitation

    def save(self, commit=True):
        raise TypeError("Invitations are created by consent.services.invitation_create.")
