import re

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .tokens import RECORD_CODE_ALPHABET

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
