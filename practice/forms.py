"""Forms for the practitioner's area, laid out by django-crispy-forms' Bootstrap 5 pack.

Each form carries a `helper` that renders only its fields: the page's own `<form>` element
keeps the method, action, CSRF token and buttons; on the invitation and record pages the error
summary (`consent/_error_summary.html`) lists every error once, with links to the fields.
"""

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Layout
from django import forms
from django.utils.translation import gettext_lazy as _

from consent.admin_forms import InvitationAddForm
from consent.models import ScreeningDecision
from consent.selectors import SORTS
from consent.signers import WITNESS_STATEMENT
from consent.state import ConsentState


def fields_helper(*field_names: str, wrapper_class: str = "") -> FormHelper:
    """A crispy helper that lays out `field_names`, in order, and nothing around them."""
    helper = FormHelper()
    helper.form_tag = False
    helper.disable_csrf = True
    # Crispy's own template would repeat form-wide errors that the error summary shows.
    helper.template = "practice/_form_fields.html"
    helper.wrapper_class = wrapper_class
    helper.layout = Layout(*field_names)
    return helper


class DashboardFilterForm(forms.Form):
    """The dashboard's search and filters; the state comes from the state links above it."""

    q = forms.CharField(label=_("Patient name"), max_length=100, required=False)
    state = forms.ChoiceField(
        label=_("State"), choices=[("", _("All states")), *ConsentState.choices], required=False
    )
    practitioner = forms.ModelChoiceField(
        label=_("Practitioner"), queryset=None, required=False, empty_label=_("All practitioners")
    )
    sort = forms.ChoiceField(
        label=_("Sort by"),
        choices=[
            ("newest", _("Newest first")),
            ("oldest", _("Oldest first")),
            ("patient", _("Patient name")),
        ],
        required=False,
    )

    def __init__(self, *args, practitioners=None, **kwargs):
        super().__init__(*args, **kwargs)
        if practitioners is None:
            del self.fields["practitioner"]
        else:
            self.fields["practitioner"].queryset = practitioners
        # The state is chosen by the links above the form, so it is not a field shown here.
        shown = [name for name in self.fields if name != "state"]
        self.helper = fields_helper(*shown, wrapper_class="practice-filter__field")

    def clean_sort(self):
        return self.cleaned_data["sort"] if self.cleaned_data["sort"] in SORTS else "newest"


class AnswerForm(forms.Form):
    """The practitioner's answer to the questions the patient asked."""

    answer = forms.CharField(
        label=_("Your answer to the patient"),
        max_length=8000,
        widget=forms.Textarea(attrs={"rows": 6}),
        error_messages={"required": _("Write an answer.")},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = fields_helper("answer")


class ScreeningReviewForm(forms.Form):
    """The practitioner's decision on a patient's health answers, with a note."""

    decision = forms.ChoiceField(
        label=_("Your decision"),
        choices=ScreeningDecision.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose a decision.")},
    )
    note = forms.CharField(
        label=_("Note"),
        help_text=_("Kept with the consent. The patient's e-mail does not include it."),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": _("Write a note about your decision.")},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = fields_helper("decision", "note")


class CountersignForm(forms.Form):
    """The practitioner's countersignature: their typed name and that they discussed it."""

    typed_name = forms.CharField(
        label=_("Type your name"),
        max_length=160,
        error_messages={"required": _("Type your name to countersign.")},
    )
    discussed = forms.BooleanField(
        label=_("I have discussed this consent with the patient."),
        error_messages={"required": _("Tick the box to confirm the discussion.")},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = fields_helper("typed_name", "discussed")


class InvitationForm(InvitationAddForm):
    """The admin's invitation form, as the practice area lays it out."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = fields_helper(*self.fields)


class InvitationEmailForm(forms.Form):
    """Staff correct the patient's e-mail address after a bounce; the link is sent again."""

    patient_email = forms.EmailField(label=_("Patient's e-mail"), max_length=254)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = fields_helper("patient_email")


class InsightFilterForm(forms.Form):
    """The insight page's period, procedure and (for clinic admins) practitioner."""

    MAX_DAYS = 3660

    start = forms.DateField(
        label=_("From"), widget=forms.DateInput(attrs={"type": "date"}), required=False
    )
    end = forms.DateField(
        label=_("To"), widget=forms.DateInput(attrs={"type": "date"}), required=False
    )
    procedure = forms.ModelChoiceField(
        label=_("Procedure"), queryset=None, required=False, empty_label=_("All procedures")
    )
    practitioner = forms.ModelChoiceField(
        label=_("Practitioner"), queryset=None, required=False, empty_label=_("All practitioners")
    )

    def __init__(self, *args, procedures, practitioners=None, default_start, default_end, **kwargs):
        super().__init__(*args, **kwargs)
        self.default_start, self.default_end = default_start, default_end
        self.fields["start"].widget.attrs["placeholder"] = default_start.isoformat()
        self.fields["end"].widget.attrs["placeholder"] = default_end.isoformat()
        self.fields["procedure"].queryset = procedures
        if practitioners is None:
            del self.fields["practitioner"]
        else:
            self.fields["practitioner"].queryset = practitioners
        self.helper = fields_helper(*self.fields, wrapper_class="practice-filter__field")

    def clean(self):
        data = super().clean()
        start = data.get("start") or self.default_start
        end = data.get("end") or self.default_end
        if "start" in self.errors or "end" in self.errors:
            return data
        if start > end:
            raise forms.ValidationError(
                _("The period must start on or before the day it ends."), code="period_reversed"
            )
        if (end - start).days > self.MAX_DAYS:
            raise forms.ValidationError(
                _("Choose a period of at most ten years."), code="period_too_long"
            )
        data["start"], data["end"] = start, end
        return data


class WitnessForm(forms.Form):
    """A staff member records that they witnessed the signing, in the clinic."""

    witnessed = forms.BooleanField(
        label=WITNESS_STATEMENT,
        error_messages={"required": _("Tick the box to confirm what you witnessed.")},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = fields_helper("witnessed")
