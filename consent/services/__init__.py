"""The consent domain's writes, one module per thing written; views, admin actions, commands and
the practice area call them from here. Each validates, writes inside one transaction and returns
what it wrote; e-mails leave only after the transaction commits."""

from ..request_meta import RequestMeta
from .access_requests import access_request_export
from .clinic import credential_verify
from .course import (
    checkin_link_send,
    checkin_reconsent,
    checkin_record,
    course_plan_check,
    session_checkin_status,
)
from .drafts import (
    draft_acknowledge,
    draft_acknowledge_each,
    draft_agree_esign,
    draft_answer_comprehension,
    draft_save_questions,
    draft_save_screening,
    draft_start,
)
from .email_codes import CodeCheck, email_code_check, email_code_send
from .engagement import (
    engagement_note_answers,
    engagement_note_more_opened,
    engagement_note_request,
)
from .events import (
    event_append,
    event_append_each,
    record_log_access,
    record_log_patient_access,
    records_log_access,
    records_log_access_request,
    records_log_export,
)
from .invitations import (
    invitation_check_birth_date,
    invitation_create,
    invitation_email_correct,
    invitation_resend,
    invitation_unlock,
    invitation_withdraw,
)
from .kiosk import kiosk_start, record_pdf_email_request
from .link_events import (
    invitation_link_event_add,
    invitation_note_health_answers_viewed,
    invitation_note_identity_confirmed,
    invitation_note_opened,
    invitation_note_step,
)
from .pdfs import (
    record_pdf_failure_note,
    record_pdf_make,
    record_pdf_request,
    records_pdf_overdue,
)
from .photos import photo_consent_sign, photo_scope_withdraw
from .records import (
    COUNTERSIGN_STATEMENT,
    record_answer_questions,
    record_countersign,
    record_link_renew,
    record_request_reconsent,
    record_withdraw,
)
from .reminders import invitation_stop_reminders, reminder_send
from .retention import (
    RetentionRefused,
    invitation_purge,
    patient_hold_lift,
    patient_hold_place,
    record_hold_lift,
    record_hold_place,
    record_purge,
    retention_purge_due,
)
from .screening import ReviewRefused, answers_under_review, screening_review_record
from .signers import (
    draft_save_assent,
    draft_save_interpreter,
    invitation_signers_change,
    record_awaits_witness,
    record_witness,
)
from .signing import AlreadySigned, ConsentRefused, record_sign
from .status import consent_states_recount, consent_status_refresh, invitations_delete

__all__ = [
    "COUNTERSIGN_STATEMENT",
    "AlreadySigned",
    "CodeCheck",
    "ConsentRefused",
    "RequestMeta",
    "RetentionRefused",
    "ReviewRefused",
    "access_request_export",
    "answers_under_review",
    "checkin_link_send",
    "checkin_reconsent",
    "checkin_record",
    "consent_states_recount",
    "consent_status_refresh",
    "course_plan_check",
    "credential_verify",
    "draft_acknowledge",
    "draft_acknowledge_each",
    "draft_agree_esign",
    "draft_answer_comprehension",
    "draft_save_assent",
    "draft_save_interpreter",
    "draft_save_questions",
    "draft_save_screening",
    "draft_start",
    "email_code_check",
    "email_code_send",
    "engagement_note_answers",
    "engagement_note_more_opened",
    "engagement_note_request",
    "event_append",
    "event_append_each",
    "invitation_check_birth_date",
    "invitation_create",
    "invitation_email_correct",
    "invitation_link_event_add",
    "invitation_note_health_answers_viewed",
    "invitation_note_identity_confirmed",
    "invitation_note_opened",
    "invitation_note_step",
    "invitation_purge",
    "invitation_resend",
    "invitation_signers_change",
    "invitation_stop_reminders",
    "invitation_unlock",
    "invitation_withdraw",
    "invitations_delete",
    "kiosk_start",
    "patient_hold_lift",
    "patient_hold_place",
    "photo_consent_sign",
    "photo_scope_withdraw",
    "record_answer_questions",
    "record_awaits_witness",
    "record_countersign",
    "record_hold_lift",
    "record_hold_place",
    "record_link_renew",
    "record_log_access",
    "record_log_patient_access",
    "record_pdf_email_request",
    "record_pdf_failure_note",
    "record_pdf_make",
    "record_pdf_request",
    "record_purge",
    "record_request_reconsent",
    "record_sign",
    "record_withdraw",
    "record_witness",
    "records_log_access",
    "records_log_access_request",
    "records_log_export",
    "records_pdf_overdue",
    "reminder_send",
    "retention_purge_due",
    "screening_review_record",
    "session_checkin_status",
]
