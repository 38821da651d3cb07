"""Admin widgets for writing patient-facing text."""

from django.contrib.admin.widgets import AdminTextareaWidget
from django.urls import NoReverseMatch, reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _

from .readability import TARGET_GRADE, reading_grade


def reading_grade_message(text: str, language: str = "en") -> tuple[str, bool]:
    """The reading-grade estimate of `text` as authors see it, naming the formula used for its
    `language`, and whether it is above target."""
    estimate = reading_grade(text, language)
    if estimate is None:
        return _("Reading grade: write a sentence or two to get an estimate."), False
    if estimate.above_target:
        message = _(
            "Reading grade %(grade).1f — above grade %(target)g: "
            "use shorter sentences and simpler words"
        )
    else:
        message = _("Reading grade %(grade).1f — good (aim for %(target)g or below)")
    message %= {"grade": estimate.grade, "target": TARGET_GRADE}
    if estimate.score is None:
        formula = _("Formula: %(formula)s.") % {"formula": estimate.formula}
    else:
        formula = _("Formula: %(formula)s, for Spanish (score %(score).0f of 100).") % {
            "formula": estimate.formula,
            "score": estimate.score,
        }
    return f"{message}. {formula}", estimate.above_target


def reading_grade_language(form_class, language: str):
    """Give every reading-grade textarea of `form_class` the language its text is written in."""
    for field in form_class.base_fields.values():
        if isinstance(field.widget, ReadingGradeTextarea):
            field.widget.language = language
    return form_class


class ReadingGradeTextarea(AdminTextareaWidget):
    """A textarea followed by a reading-grade estimate of the text it holds, by the formula for
    its language (`readability`).

    The estimate is computed on the server, so it is there without JavaScript; the optional
    script asks the same server function again as the author types.
    """

    class Media:
        css = {"all": ["css/admin.css"]}
        js = ["js/reading-grade.js"]

    # The language of the text, for the formula; the admin sets it from the procedure's.
    language = "en"

    def __init__(self, attrs=None):
        super().__init__(attrs={"rows": 5, **(attrs or {})})

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        widget_attrs = context["widget"]["attrs"]
        widget_id = widget_attrs.get("id")
        if widget_id:
            estimate_id = f"{widget_id}_reading_grade"
            described_by = widget_attrs.get("aria-describedby", "").split()
            widget_attrs["aria-describedby"] = " ".join([*described_by, estimate_id])
            context["widget"]["reading_grade_id"] = estimate_id
        return context

    def render(self, name, value, attrs=None, renderer=None):
        context = self.get_context(name, value, attrs)
        textarea = self._render(self.template_name, context, renderer)
        message, above_target = reading_grade_message(self.format_value(value) or "", self.language)
        try:
            url = reverse("admin:education_procedure_reading_grade")
        except NoReverseMatch:
            url = ""
        return format_html(
            '<div class="reading-grade-field" data-reading-grade-url="{url}"'
            ' data-reading-grade-language="{language}">{textarea}'
            '<p class="reading-grade{modifier}"{id_attr}>{message}</p></div>',
            url=url,
            language=self.language,
            textarea=textarea,
            modifier=" reading-grade--above" if above_target else "",
            id_attr=format_html(' id="{}"', context["widget"]["reading_grade_id"])
            if "reading_grade_id" in context["widget"]
            else "",
            message=message,
        )
