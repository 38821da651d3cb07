from django import forms
from django.utils.translation import gettext_lazy as _


class LibrarySearchForm(forms.Form):
    q = forms.CharField(
        label=_("Search procedures"),
        max_length=100,
        required=False,
        help_text=_("By name or any other name it goes by."),
    )
