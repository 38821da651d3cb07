"""The education library: what clinic admins write, and the frozen versions patients read.

A `Procedure` and the rows that hang off it are the editable draft. Publishing freezes the whole
patient-facing content into a `ProcedureVersion` (a JSON snapshot and its SHA-256); patient pages
and consent records only ever read versions, so editing the draft never changes what an earlier
patient saw.

The models live in modules by what they are (`procedures`, `parts`, `choices`, `versions`,
`languages`, `references`); every name is imported here, so `from education.models import X`
keeps working and Django finds every model of the app.
"""

from .choices import (
    ChecklistEvidence,
    EvidenceStrength,
    IndicationKind,
    ReferenceKind,
    ScreeningAnswerType,
    Section,
    SideEffectFrequency,
    SideEffectPrevention,
    SideEffectSeverity,
    SideEffectSite,
    choice_constraint,
)
from .languages import LANGUAGE_CODES, language_field, language_name
from .parts import (
    ChecklistItem,
    ComprehensionQuestion,
    Indication,
    Ingredient,
    OrderedPart,
    QuestionAnswer,
    SideEffect,
)
from .procedures import MARKDOWN_HELP, Procedure, ProcedureQuerySet
from .references import Reference
from .screening import PRACTITIONER_WILL_DISCUSS, ScreeningOption, ScreeningQuestion
from .versions import ProcedureVersion, ProcedureVersionQuerySet, PublishedVersionImmutable

__all__ = [
    "LANGUAGE_CODES",
    "MARKDOWN_HELP",
    "PRACTITIONER_WILL_DISCUSS",
    "ChecklistEvidence",
    "ChecklistItem",
    "ComprehensionQuestion",
    "EvidenceStrength",
    "Indication",
    "IndicationKind",
    "Ingredient",
    "OrderedPart",
    "Procedure",
    "ProcedureQuerySet",
    "ProcedureVersion",
    "ProcedureVersionQuerySet",
    "PublishedVersionImmutable",
    "QuestionAnswer",
    "Reference",
    "ReferenceKind",
    "ScreeningAnswerType",
    "ScreeningOption",
    "ScreeningQuestion",
    "Section",
    "SideEffect",
    "SideEffectFrequency",
    "SideEffectPrevention",
    "SideEffectSeverity",
    "SideEffectSite",
    "choice_constraint",
    "language_field",
    "language_name",
]
