"""Admin for the education library: clinic admins write the draft here and publish versions.

Publishing and previewing go through the same functions the rest of the portal uses
(`services.procedure_publish`, `content.build_snapshot`, `presentation.procedure_page_context`),
so what the admin previews and confirms is exactly what patients get.

The admin is a package by what each part administers; importing it registers every ModelAdmin.
"""

from .procedures import HasPublishedVersionFilter, ProcedureAdmin
from .publishing import ProcedurePublishing, PublishNoteForm
from .references import ReferenceAdmin
from .screening import ScreeningQuestionAdmin
from .side_effects import SideEffectAdmin
from .versions import ProcedureVersionAdmin

__all__ = [
    "HasPublishedVersionFilter",
    "ProcedureAdmin",
    "ProcedurePublishing",
    "ProcedureVersionAdmin",
    "PublishNoteForm",
    "ReferenceAdmin",
    "ScreeningQuestionAdmin",
    "SideEffectAdmin",
]
