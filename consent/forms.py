"""Forms for the patient's pages. Each wizard step is one named form; which step uses which
form, and how it is built, is declared in `consent.steps`, so no form knows about the steps.

Step forms are built from the bound procedure version, so a field exists only for what the
patient was shown; anything else in the POST is ignored, and a missing tick is an error.

These forms are rendered by hand-written templates (`templates/consent/step_*.html` and their
partials), not crispy-forms, unlike the staff pages: the patient's pages group acknowledgements
in fieldsets with legends, fold each item's detail in its own `<details>`, put read-aloud
buttons beside the text they read, and link an error summary to each field. Crispy layouts give
none of that without the same amount of custom templates, and the accessibility tests pin it.
"""

import datetime
import re

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .signature import SignatureRefused, drawn_signature_clean, typed_name_matches
from .tokens import RECORD_CODE_ALPHABET

NAME_MISMATCH = _(
    "This does not match the name the clinic has for you. Type it as on the invitation e-mail."
)


class DateOfBirthForm(forms.Form):
    date_of_birth = forms.DateField(
        label=_("Your date of birth"),
        help_text=_("For example 31/03/1980. We use it only to check that this link is yours."),
        input_formats=["%Y-%m-%d", "%d/%m/%Y", "%m/%d/%Y", "%d.%m.%Y", "%d-%m-%Y"],
        widget=forms.DateInput(attrs={"type": "date", "autocomplete": "bday"}),
        error_messages={
            "required": _("Enter your date of birth."),
            "invalid": _("Enter a real date, for example 31/03/1980."),
        },
    )

    def clean_date_of_birth(self):
        value = self.cleaned_data["date_of_birth"]
        if value > timezone.localdate() or value < datetime.date(1900, 1, 1):
            raise forms.ValidationError(_("Enter a real date of birth."), code="out_of_range")
        return value


class EmailCodeForm(forms.Form):
    code = forms.CharField(
        label=_("The 6-digit code from your e-mail"),
        help_text=_("We have just e-mailed it to you. It works for 10 minutes."),
        max_length=12,
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "autocomplete": "one-time-code", "size": 8}
        ),
        error_messages={"required": _("Enter the code from your e-mail.")},
    )

    def clean_code(self):
        value = "".join(self.cleaned_data["code"].split())
        if not (len(value) == 6 and value.isascii() and value.isdigit()):
            raise forms.ValidationError(
                _("Enter the 6 digits from your e-mail, for example 042917."), code="format"
            )
        return value


class AgreementForm(forms.Form):
    """A single unticked box the patient must tick themselves."""

    def __init__(self, *args, label, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agree"] = forms.BooleanField(
            label=label,
            required=True,
            error_messages={"required": _("Tick the box to continue.")},
        )


class EachItemForm(forms.Form):
    """One required tick per item (side effect or checklist item): never "select all"."""

    def __init__(self, *args, items, label, saved, **kwargs):
        super().__init__(*args, **kwargs)
        self.items = items
        for item in items:
            name = f"item_{item['id']}"
            self.fields[name] = forms.BooleanField(
                label=label % {"name": item["label"]},
                required=True,
                initial=str(item["id"]) in saved,
                error_messages={
                    "required": _("Tick to confirm “%(name)s”.") % {"name": item["label"]}
                },
            )
            item["field_name"] = name

    def bound_items(self):
        return [(item, self[item["field_name"]]) for item in self.items]

    def confirmed_ids(self) -> set[int]:
        return {item["id"] for item in self.items if self.cleaned_data.get(item["field_name"])}


class ComprehensionForm(forms.Form):
    def __init__(self, *args, questions, **kwargs):
        super().__init__(*args, **kwargs)
        self.questions = questions
        for question in questions:
            self.fields[f"question_{question['id']}"] = forms.TypedChoiceField(
                label=question["question"],
                choices=[(n, text) for n, text in enumerate(question["choices"], start=1)],
                coerce=int,
                widget=forms.RadioSelect,
                error_messages={"required": _("Choose an answer.")},
            )

    def bound_questions(self):
        return [(question, self[f"question_{question['id']}"]) for question in self.questions]

    def choices_by_question(self) -> dict[int, int]:
        return {q["id"]: self.cleaned_data[f"question_{q['id']}"] for q in self.questions}


class QuestionsForm(forms.Form):
    questions = forms.CharField(
        label=_("Your questions for your practitioner (optional)"),
        help_text=_("Your practitioner answers them before your treatment."),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 6}),
    )


class ScreeningForm(forms.Form):
    """The clinic's health questions, one field each, built from the bound version's snapshot.

    Choice answers are kept as option ids; a date as ISO text; short text as written.
    """

    def __init__(self, *args, questions, saved, **kwargs):
        super().__init__(*args, **kwargs)
        self.questions = questions
        for question in questions:
            name = f"question_{question['id']}"
            self.fields[name] = self._field(question)
            if str(question["id"]) in saved:
                self.initial[name] = saved[str(question["id"])]

    @staticmethod
    def _field(question: dict) -> forms.Field:
        common = {
            "label": question["question"],
            "help_text": question["hint"],
            "required": question["required"],
            "error_messages": {"required": _("Answer this question.")},
        }
        choices = [(option["id"], option["label"]) for option in question["options"]]
        kind = question["answer_type"]
        if kind == "several_choices":
            return forms.TypedMultipleChoiceField(
                choices=choices, coerce=int, widget=forms.CheckboxSelectMultiple, **common
            )
        if kind in ("yes_no", "one_choice"):
            return forms.TypedChoiceField(
                choices=choices, coerce=int, widget=forms.RadioSelect, empty_value=None, **common
            )
        if kind == "date":
            return forms.DateField(
                widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"), **common
            )
        return forms.CharField(max_length=500, **common)

    def bound_questions(self):
        return [(question, self[f"question_{question['id']}"]) for question in self.questions]

    def answers(self) -> dict[str, object]:
        """The answers as the draft keeps them, by question id."""
        answers = {}
        for question in self.questions:
            value = self.cleaned_data.get(f"question_{question['id']}")
            if isinstance(value, datetime.date):
                value = value.isoformat()
            answers[str(question["id"])] = value if value not in ("", []) else None
        return answers


class SignatureForm(forms.Form):
    typed_name = forms.CharField(
        label=_("Type your full name"),
        max_length=160,
        help_text=_("As the clinic has it. Upper or lower case does not matter."),
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
        error_messages={"required": _("Type your full name to sign.")},
    )
    agree = forms.BooleanField(
        label=_("I have read what signing means, and I agree to this procedure."),
        required=True,
        error_messages={"required": _("Tick the box to show that you agree.")},
    )
    drawn_signature = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, patient_name: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.patient_name = patient_name

    def clean_typed_name(self):
        typed = self.cleaned_data["typed_name"]
        if not typed_name_matches(typed, self.patient_name):
            raise forms.ValidationError(
                NAME_MISMATCH,
                code="name_mismatch",
            )
        return " ".join(typed.split())

    def clean_drawn_signature(self):
        value = self.cleaned_data["drawn_signature"].strip()
        if not value:
            return value
        try:
            return drawn_signature_clean(value)
        except SignatureRefused as refused:
            raise forms.ValidationError(refused.message, code=refused.code) from None


class WithdrawForm(forms.Form):
    reason = forms.CharField(
        label=_("Would you like to tell us why? (optional)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    confirm = forms.BooleanField(
        label=_("I want to withdraw my consent to this procedure."),
        required=True,
        error_messages={"required": _("Tick the box to confirm that you want to withdraw.")},
    )


# Public verification ------------------------------------------------------------------------

RECORD_CODE_MAX_LENGTH = 20
RECORD_CODE_PATTERN = re.compile(
    rf"^CR-[{RECORD_CODE_ALPHABET}]{{4}}-[{RECORD_CODE_ALPHABET}]{{4}}$"
)


class RecordCodeForm(forms.Form):
    """A record code as printed on the PDF, in any case and with stray spaces."""

    code = forms.CharField(
        label=_("Record code"),
        max_length=RECORD_CODE_MAX_LENGTH,
        help_text=_("It is printed at the top of every consent record, e.g. CR-7K3D-9QXA."),
        error_messages={"required": _("Enter the record code printed on the consent record.")},
    )

    def clean_code(self) -> str:
        code = self.cleaned_data["code"].strip().upper()
        if not RECORD_CODE_PATTERN.match(code):
            raise ValidationError(
                _("That is not a record code. Record codes look like CR-7K3D-9QXA."),
                code="invalid_format",
            )
        return code


class CheckInForm(ScreeningForm):
    """A check-in before a later session of a course: the same health questions, prefilled with
    the last answers; side effects since the last session (the signed version's list, plus free
    text); and whether to go ahead, or stop the course (a withdrawal for the remaining sessions).
    """

    GO_AHEAD = "go_ahead"
    STOP = "stop"

    def __init__(self, *args, questions, saved, side_effects, **kwargs):
        super().__init__(*args, questions=questions, saved=saved, **kwargs)
        self.fields["side_effects"] = forms.TypedMultipleChoiceField(
            label=_("Side effects since your last session"),
            help_text=_("Tick any you have had. Leave all unticked if you have had none."),
            choices=[(row["id"], row["name"]) for row in side_effects],
            coerce=int,
            required=False,
            widget=forms.CheckboxSelectMultiple,
            error_messages={"invalid_choice": _("Choose side effects from the list.")},
        )
        self.fields["side_effect_note"] = forms.CharField(
            label=_("Anything else you noticed (optional)"),
            help_text=_("In your own words, for example when it started and how long it lasted."),
            max_length=2000,
            required=False,
            widget=forms.Textarea(attrs={"rows": 3}),
        )
        self.fields["decision"] = forms.ChoiceField(
            label=_("Do you want to go ahead with your next session?"),
            choices=[
                (self.GO_AHEAD, _("Yes, I want to go ahead")),
                (self.STOP, _("No, stop my course: I withdraw my consent for the sessions left")),
            ],
            widget=forms.RadioSelect,
            error_messages={"required": _("Choose whether to go ahead.")},
        )
        self.fields["stop_reason"] = forms.CharField(
            label=_("If you are stopping, you can tell us why (optional)"),
            max_length=2000,
            required=False,
            widget=forms.Textarea(attrs={"rows": 2}),
        )

    @property
    def go_ahead(self) -> bool:
        return self.cleaned_data["decision"] == self.GO_AHEAD


# Photo consent, after signing ---------------------------------------------------------------


class PhotoConsentForm(forms.Form):
    """The photo consent's own signature: the uses, each ticked on its own (none by default),
    and the patient's typed name. `services.photo_consent_sign` checks them again."""

    medical_record = forms.BooleanField(
        label=_("Photos for my medical record, seen only by the people caring for me"),
        required=False,
    )
    teaching = forms.BooleanField(
        label=_("Photos for teaching other clinicians, without my name"),
        required=False,
    )
    marketing = forms.BooleanField(
        label=_("Photos for the clinic's marketing, such as its website or leaflets"),
        required=False,
    )
    typed_name = forms.CharField(
        label=_("Type your full name to sign"),
        max_length=160,
        help_text=_("As the clinic has it. Upper or lower case does not matter."),
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
        error_messages={"required": _("Type your full name to sign.")},
    )

    SCOPE_FIELDS = ("medical_record", "teaching", "marketing")

    def clean(self):
        cleaned = super().clean()
        if not any(cleaned.get(name) for name in self.SCOPE_FIELDS):
            raise ValidationError(_("Tick at least one use, or leave this page."), code="required")
        return cleaned

    def scopes(self) -> list[str]:
        return [name for name in self.SCOPE_FIELDS if self.cleaned_data.get(name)]


class PhotoWithdrawForm(forms.Form):
    scope = forms.ChoiceField(
        choices=[(name, name) for name in PhotoConsentForm.SCOPE_FIELDS],
        error_messages={"invalid_choice": _("Choose from the uses listed.")},
    )
