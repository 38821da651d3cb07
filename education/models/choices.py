"""The fixed vocabularies of the education library, each backed by a database constraint."""

from collections.abc import Iterable

from django.db import models
from django.utils.translation import gettext_lazy as _


def choice_constraint(field: str, values: Iterable[str], *, name: str) -> models.CheckConstraint:
    """A named database check that `field` holds one of `values`.

    `choices` on a field is only a form rule: `save()` and `update()` write any string, so every
    field with choices is backed by this check as well.
    """
    return models.CheckConstraint(condition=models.Q(**{f"{field}__in": list(values)}), name=name)


class IndicationKind(models.TextChoices):
    COSMETIC = "cosmetic", _("Cosmetic")
    MEDICAL = "medical", _("Medical")


class EvidenceStrength(models.TextChoices):
    STRONG = "strong", _("Strong: several good clinical trials")
    MODERATE = "moderate", _("Moderate: some trials, mixed results")
    LIMITED = "limited", _("Limited: small or early studies")
    NONE = "none", _("None: no proper studies yet")


class SideEffectSite(models.TextChoices):
    LOCAL = "local", _("Local: where the injections are given")
    SYSTEMIC = "systemic", _("Systemic: affects the whole body")


class SideEffectFrequency(models.TextChoices):
    # The honest default: a word like "rare" is a claim, and needs a source that makes it.
    NOT_STATED = "not_stated", _("Not stated in our sources")
    COMMON = "common", _("Common")
    UNCOMMON = "uncommon", _("Uncommon")
    RARE = "rare", _("Rare")
    VERY_RARE = "very_rare", _("Very rare")


class SideEffectSeverity(models.TextChoices):
    NOT_STATED = "not_stated", _("Not stated in our sources")
    MILD = "mild", _("Mild: goes away by itself")
    MODERATE = "moderate", _("Moderate: may need treatment")
    SERIOUS = "serious", _("Serious: needs medical care, may be lasting")


class ReferenceKind(models.TextChoices):
    ARTICLE = "article", _("Journal article")
    GUIDELINE = "guideline", _("Clinical guideline")
    WEBPAGE = "webpage", _("Web page")
    BOOK = "book", _("Book")
    OTHER = "other", _("Other")


class SideEffectPrevention(models.TextChoices):
    # A source may speak of side effects as a group ("most can be prevented") without saying
    # which one: then this one's answer is not stated.
    NOT_STATED = "not_stated", _("Not stated in our sources")
    PREVENTABLE = "preventable", _("Usually preventable")
    PARTLY = "partly", _("Partly preventable")
    NOT_PREVENTABLE = "not_preventable", _("Cannot be prevented")


class ChecklistEvidence(models.TextChoices):
    BOARD_CERTIFICATION = "board_certification", _("Board certification")
    MEDICAL_LICENCE = "medical_licence", _("Medical licence")
    PROCEDURE_TRAINING = "procedure_training", _("Training in this procedure")
    JURISDICTION_PERMISSION = "jurisdiction_permission", _("Permitted where the clinic is")
    EXPERIENCE = "experience", _("Experience with this procedure")
    ASEPTIC_TECHNIQUE = "aseptic_technique", _("Aseptic (sterile) technique")
    FORMULATION_DISCLOSURE = "formulation_disclosure", _("Disclosure of what is injected")


class Section(models.TextChoices):
    """The sections of a procedure page; comprehension questions point back to one."""

    SUMMARY = "summary", _("In short")
    DESCRIPTION = "description", _("What it is and how it is done")
    INGREDIENTS = "ingredients", _("What is injected")
    USES = "uses", _("What it is used for")
    SIDE_EFFECTS = "side-effects", _("Side effects")
    PRACTITIONER = "practitioner", _("What to check about your practitioner")
    RESULTS = "results", _("Evidence and how long results last")
    UNKNOWNS = "unknowns", _("What is not known")
    ALTERNATIVES = "alternatives", _("Alternatives")
    AFTERCARE = "aftercare", _("Aftercare")
    QUESTIONS = "questions", _("Questions and answers")


class ScreeningAnswerType(models.TextChoices):
    """How a patient answers a health (screening) question."""

    YES_NO = "yes_no", _("Yes or no")
    ONE_CHOICE = "one_choice", _("One choice")
    SEVERAL_CHOICES = "several_choices", _("Several choices")
    SHORT_TEXT = "short_text", _("Short text")
    DATE = "date", _("A date")
