"""The wizard's forms for the signers besides the patient: the minor's assent, the interpreter's
attestation, and the signing form as a parent, guardian or representative (with a witness who
signs on the same device). The rules are the services' (`consent.services.signing`); these
forms repeat them only to say what is wrong in words for the person in front of the device."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .forms import NAME_MISMATCH, SignatureForm
from .signature import typed_name_matches
from .signers import SignerPlan, agree_label, is_representative, names_the_patient


class AssentForm(forms.Form):
    """The minor's own name and their assent."""

    typed_name = forms.CharField(
        label=_("Type your own full name"),
        max_length=160,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
        error_messages={"required": _("Type your name.")},
    )
    assent = forms.BooleanField(
        label=_("I know about this treatment, and I agree to have it."),
        error_messages={
            "required": _(
                "Tick the box if you agree. If you do not agree, tell your parent or your "
                "practitioner."
            )
        },
    )

    def __init__(self, *args, patient_name: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.patient_name = patient_name

    def clean_typed_name(self):
        typed = self.cleaned_data["typed_name"]
        if not typed_name_matches(typed, self.patient_name):
            raise forms.ValidationError(
                _("Type your own name, as the clinic has it: %(name)s."),
                code="name_mismatch",
                params={"name": self.patient_name},
            )
        return " ".join(typed.split())


class InterpreterForm(forms.Form):
    """The interpreter's name, language, optional registration and attestation."""

    name = forms.CharField(
        label=_("Interpreter's full name"),
        max_length=160,
        error_messages={"required": _("Type the interpreter's full name.")},
    )
    language = forms.CharField(
        label=_("Language interpreted into"),
        max_length=80,
        error_messages={"required": _("Type the language the material was interpreted into.")},
    )
    registration = forms.CharField(
        label=_("ID or registration number (optional)"), max_length=80, required=False
    )
    attested = forms.BooleanField(
        error_messages={"required": _("The interpreter ticks the box to attest.")},
    )

    def __init__(self, *args, statement: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["attested"].label = statement

    def clean_name(self):
        return " ".join(self.cleaned_data["name"].split())


class SignerSignatureForm(SignatureForm):
    """The signature, worded for whoever signs; for someone signing for the patient, a check
    that they typed their own name; and, where a witness is required, a witness present who
    signs on this device (left empty, a staff member witnesses from the practice area)."""

    confirm_own_name = forms.BooleanField(
        label=_("This is my own name, which is the same as the patient's."),
        required=False,
    )
    witness_name = forms.CharField(
        label=_("Witness's full name"),
        max_length=160,
        required=False,
        help_text=_("Someone present who is not clinic staff. Leave empty for a staff witness."),
    )
    witness_typed_signature = forms.CharField(
        label=_("Witness: type your full name again to sign"), max_length=160, required=False
    )
    witness_attested = forms.BooleanField(required=False)

    def __init__(self, *args, plan: SignerPlan, witness_statement: str = "", **kwargs):
        super().__init__(*args, patient_name=plan.signer_name, **kwargs)
        self.plan = plan
        self.fields["agree"].label = agree_label(plan)
        if plan.for_someone_else:
            self.fields["typed_name"].label = _("Type your own full name (not the patient's)")
            self.fields["typed_name"].error_messages["required"] = _(
                "Type your own full name to sign."
            )
        else:
            del self.fields["confirm_own_name"]
        if plan.witness_required:
            self.fields["witness_attested"].label = witness_statement
        else:
            for name in ("witness_name", "witness_typed_signature", "witness_attested"):
                del self.fields[name]

    def clean_typed_name(self):
        typed = " ".join(self.cleaned_data["typed_name"].split())
        if names_the_patient(typed, self.plan):
            return typed  # `clean` asks them to confirm or correct it
        return super().clean_typed_name()

    def clean(self):
        cleaned_data = super().clean()
        typed = cleaned_data.get("typed_name")
        if typed and names_the_patient(typed, self.plan):
            if not cleaned_data.get("confirm_own_name"):
                self.add_error(
                    "typed_name",
                    forms.ValidationError(
                        _(
                            "You typed the patient's name. Sign with your own name, or, if "
                            "your name is the same as the patient's, tick the box below to "
                            "confirm it."
                        ),
                        code="patient_name",
                    ),
                )
            elif not typed_name_matches(typed, self.plan.signer_name):
                self.add_error(
                    "typed_name", forms.ValidationError(NAME_MISMATCH, code="name_mismatch")
                )
        if self.plan.witness_required:
            self._clean_witness(cleaned_data)
        return cleaned_data

    def _clean_witness(self, cleaned_data):
        name = " ".join(cleaned_data.get("witness_name", "").split())
        signature = cleaned_data.get("witness_typed_signature", "")
        if not name:
            if signature or cleaned_data.get("witness_attested"):
                self.add_error(
                    "witness_name",
                    forms.ValidationError(_("Type the witness's full name."), code="required"),
                )
            return
        cleaned_data["witness_name"] = name
        if is_representative(name, self.plan) or typed_name_matches(name, self.plan.signer_name):
            self.add_error(
                "witness_name",
                forms.ValidationError(
                    _("The person signing cannot also be the witness."),
                    code="witness_is_signer",
                ),
            )
        if not typed_name_matches(signature, name):
            self.add_error(
                "witness_typed_signature",
                forms.ValidationError(
                    _("The witness types the same name again to sign."),
                    code="witness_name_mismatch",
                ),
            )
        if not cleaned_data.get("witness_attested"):
            self.add_error(
                "witness_attested",
                forms.ValidationError(
                    _("The witness ticks the box to confirm what they saw."), code="required"
                ),
            )

    def witness(self) -> dict | None:
        """The witness who signed on this device, or None (a staff witness comes later)."""
        name = self.cleaned_data.get("witness_name", "")
        return {"name": name} if name else None
