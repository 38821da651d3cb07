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
from .course import TreatmentSession
from .engagement import QuestionEngagement, StepEngagement
from .invitations import (
    DELIVERY_KINDS,
    MAX_COURSE_SESSIONS,
    ConsentDraft,
    ConsentInvitation,
    CourseKind,
    InvitationEvent,
    InvitationEventKind,
    InvitationQuerySet,
    SignerRole,
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
from .reminders import ConsentReminder, ReminderKind
from .screening import ScreeningDecision, ScreeningReview
from .status import (
    EXPIRING_STATES,
    STORED_STATES,
    ConsentState,
    ConsentStateCount,
    ConsentStatus,
)

__all__ = [
    "DELIVERY_KINDS",
    "EXPIRING_STATES",
    "GENESIS_HASH",
    "MAX_COURSE_SESSIONS",
    "STORED_STATES",
    "Approval",
    "ConsentDraft",
    "ConsentEvent",
    "ConsentInvitation",
    "ConsentRecord",
    "ConsentReminder",
    "ConsentState",
    "ConsentStateCount",
    "ConsentStatus",
    "CourseKind",
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
    "QuestionEngagement",
    "RecordImmutable",
    "RecordPdf",
    "RecordPdfFailure",
    "Regulation",
    "RegulatoryStatus",
    "ReminderKind",
    "ScreeningDecision",
    "ScreeningReview",
    "SignerRole",
    "StepEngagement",
    "TreatmentSession",
]
