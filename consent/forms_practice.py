"""Forms for the practitioner's area."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .selectors import SORTS
from .state import ConsentState


class DashboardFilterForm(forms.Form):
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

    def clean_sort(self):
        return self.cleaned_data["sort"] if self.cleaned_data["sort"] in SORTS else "newest"


class AnswerForm(forms.Form):
    answer = forms.CharField(
        label=_("Your answer to the patient"),
        max_length=8000,
        widget=forms.Textarea(attrs={"rows": 6}),
        error_messages={"required": _("Write an answer.")},
    )


class CountersignForm(forms.Form):
    typed_name = forms.CharField(
        label=_("Type your name"),
        max_length=160,
        error_messages={"required": _("Type your name to countersign.")},
    )
    discussed = forms.BooleanField(
        label=_("I have discussed this consent with the patient."),
        error_messages={"required": _("Tick the box to confirm the discussion.")},
    )
