"""The clinic's facts (practitioners, credentials, locations, formulations) and consent itself.

An invitation brings a patient to the wizard; their progress lives in a mutable `ConsentDraft`.
Signing writes one `ConsentRecord`, which never changes: later facts are `ConsentEvent` rows.
Records and events carry SHA-256 hashes chained to their predecessors, and on PostgreSQL a
trigger refuses UPDATE and DELETE of both tables.
"""

from .clinic import (
    Approval,
    Credential,
    CredentialKind,
    CredentialStatus,
    Formulation,
    FormulationIngredient,
    Location,
    Practitioner,
    ProcedureExperience,
    Regulation,
    RegulatoryStatus,
)
from .invitations import (
    DELIVERY_KINDS,
    ConsentDraft,
    ConsentInvitation,
    ConsentReminder,
    InvitationEvent,
    InvitationEventKind,
    InvitationQuerySet,
    ReminderKind,
)
from .records import (
    GENESIS_HASH,
    ConsentEvent,
    ConsentRecord,
    EventKind,
    ImmutableModel,
    ImmutableQuerySet,
    PhotoScope,
    RecordImmutable,
    RecordPdf,
    RecordPdfFailure,
)
from .screening import ScreeningDecision, ScreeningReview

__all__ = [
    "DELIVERY_KINDS",
    "GENESIS_HASH",
    "Approval",
    "ConsentDraft",
    "ConsentEvent",
    "ConsentInvitation",
    "ConsentRecord",
    "ConsentReminder",
    "Credential",
    "CredentialKind",
    "CredentialStatus",
    "EventKind",
    "Formulation",
    "FormulationIngredient",
    "ImmutableModel",
    "ImmutableQuerySet",
    "InvitationEvent",
    "InvitationEventKind",
    "InvitationQuerySet",
    "Location",
    "PhotoScope",
    "Practitioner",
    "ProcedureExperience",
    "RecordImmutable",
    "RecordPdf",
    "RecordPdfFailure",
    "Regulation",
    "RegulatoryStatus",
    "ReminderKind",
    "ScreeningDecision",
    "ScreeningReview",
]
