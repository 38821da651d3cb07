"""What a signed record holds, and the hashes that make any later change detectable.

Three digests, all SHA-256 over canonical JSON:
- the *content* digest covers everything the patient saw, confirmed and signed (it is printed on
  the PDF, so the PDF can name it without depending on itself);
- the *record* digest covers the content digest, the PDF's digest and the previous record's
  digest, which chains every record to the one before;
- each *event* digest covers the event and the previous event's digest of the same record (the
  first event chains to its record).
"""

import hashlib

from django.utils.translation import gettext_lazy as _

from education.content import canonical_json

from .eligibility import checklist_facts, formulation_facts, regulation_facts, regulatory_status_for
from .screening import screening_payload

SIGNATURE_MEANING = _(
    "By signing, I confirm that I have read the information about this procedure, including "
    "every side effect listed, what will be injected and my practitioner's credentials; that I "
    "have had the chance to ask questions; and that I agree to have this procedure. I understand "
    "that I can withdraw my consent at any time before treatment."
)


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def payload_language(payload: dict) -> str:
    """The language a record was read and signed in; records before schema 2 were English."""
    return payload.get("language", "en")


PAYLOAD_SCHEMA = 3
# The first schema whose payload names its invitation's identity (see `invitation_identity`).
IDENTITY_SCHEMA = 3


def invitation_identity(invitation) -> dict:
    """The invitation's identity as a record binds it: which invitation, which patient (as staff
    typed them), which practitioner. Every value is plain JSON."""
    return {
        "id": invitation.pk,
        "patient_name": invitation.patient_name,
        "patient_email": invitation.patient_email,
        "patient_date_of_birth": invitation.patient_date_of_birth.isoformat(),
        "practitioner_id": invitation.practitioner_id,
        "practitioner_name": invitation.practitioner.display_name,
    }


# What a purge leaves of the details of each event before it: the patient's words, IP address
# and browser go; the event's kind, time, actor and hashes stay, so the chain still links up.
PURGED_EVENT_DATA = {"purged": True}


def event_is_purged(event) -> bool:
    """Whether an event's details were erased by its record's purge."""
    return event.data == PURGED_EVENT_DATA


def payload_is_purged(payload: dict) -> bool:
    """Whether a record's patient data was removed under the retention policy."""
    return bool(payload.get("purged"))


def build_payload(
    *,
    invitation,
    draft,
    typed_name: str,
    drawn_signature: str,
    signed_at,
    meaning: str | None = None,
    signers: dict | None = None,
) -> dict:
    """Everything the record must hold, as it was shown and confirmed, in plain JSON.

    `signers` (`consent.signers.signers_payload`) adds who signed in which role; `meaning` is
    the meaning of the signature worded for that role (the patient's by default)."""
    from .engagement import engagement_payload  # it reads the steps, which import this module

    content = draft.version.content
    answers = draft.answers
    side_effects_by_id = {str(row["id"]): row for row in content["side_effects"]}
    questions = {row["id"]: row["question"] for row in content["comprehension"]}
    checklist = checklist_facts(
        invitation=invitation, version_content=content, day=signed_at.date()
    )
    confirmed = answers.get("practitioner", {})
    practitioner = invitation.practitioner
    location = invitation.location
    payload = {
        # 2: adds "language", the one the patient read and signed in (schema 1 was English).
        # 3: adds "invitation", binding the record to its invitation and the identity fields
        # staff typed there (verification compares them with the invitation as stored now).
        "schema": PAYLOAD_SCHEMA,
        "language": invitation.language,
        "invitation": invitation_identity(invitation),
        "clinic": {"location": location.name, "address": location.address},
        "patient": {
            "name": invitation.patient_name,
            "date_of_birth": invitation.patient_date_of_birth.isoformat(),
            "email": invitation.patient_email,
        },
        "procedure": {
            "name": content["procedure"]["name"],
            "version": draft.version.number,
            "version_hash": draft.version.content_hash,
        },
        "practitioner": {
            "name": practitioner.display_name,
            "profession": practitioner.profession,
            "years_of_experience": practitioner.years_of_experience,
        },
        "regulation": regulation_facts(
            regulatory_status_for(
                procedure_id=invitation.procedure_id, jurisdiction=location.jurisdiction
            ),
            location.jurisdiction,
        ),
        "formulation": formulation_facts(invitation.formulation),
        "esign_agreed_at": draft.esign_agreed_at.isoformat(),
        "acknowledgements": {
            "about": answers["about"]["acknowledged_at"],
            "formulation": answers["formulation"]["acknowledged_at"],
            "side_effects": [
                {
                    "id": row["id"],
                    "name": row["name"],
                    "site": row["site"],
                    "frequency": row["frequency"],
                    "acknowledged_at": answers["side_effects"][str(row["id"])],
                }
                for row in side_effects_by_id.values()
            ],
        },
        "checklist": [
            {**row.as_record(), "confirmed_at": confirmed[str(row.item["id"])]} for row in checklist
        ],
        "comprehension": [
            {**attempt, "question": questions.get(attempt["question_id"], "")}
            for attempt in answers.get("comprehension", {}).get("attempts", [])
        ],
        "questions": answers.get("questions", {}).get("text", ""),
        # How the patient went through the wizard: time and visits per step, each question's
        # first answer and tries (`consent.engagement`); records before it have no such key.
        "engagement": engagement_payload(draft),
        # The health questionnaire's answers and any practitioner's review of them.
        "screening": screening_payload(
            draft, list(draft.screening_reviews.all()) if draft.pk else []
        ),
        "signature": {
            "typed_name": typed_name,
            "drawn": drawn_signature or None,
            "meaning": meaning or str(SIGNATURE_MEANING),
            "signed_at": signed_at.isoformat(),
        },
        # Who signed, in which role (added with issue 14; records before it: the patient alone).
        **(signers or {}),
    }
    # Signing consents to the whole course of treatment; a single session adds nothing, so
    # records without a course keep the keys they always had.
    course = course_payload(invitation)
    if course is not None:
        payload["course"] = course
    return payload


def course_payload(invitation) -> dict | None:
    """What the record keeps of a course of treatment: its kind, how many sessions, the planned
    dates. None for a single session (the payload then has no "course")."""
    if invitation.course_kind == "single":
        return None
    return {
        "kind": invitation.course_kind,
        "sessions": invitation.course_sessions,
        "planned": [
            {
                "number": session.number,
                "planned_on": session.planned_on.isoformat() if session.planned_on else None,
            }
            for session in invitation.sessions.order_by("number")
        ],
    }


def content_digest(*, code, version_hash, payload, signed_at, ip_address, user_agent) -> str:
    return sha256(
        canonical_json(
            {
                "code": code,
                "version_hash": version_hash,
                "payload": payload,
                "signed_at": signed_at.isoformat(),
                "ip_address": ip_address,
                "user_agent": user_agent,
            }
        )
    )


def record_digest(*, content_sha256, pdf_name, pdf_sha256, previous_hash) -> str:
    return sha256(
        canonical_json(
            {
                "content_sha256": content_sha256,
                "pdf_name": pdf_name,
                "pdf_sha256": pdf_sha256,
                "previous_hash": previous_hash,
            }
        )
    )


def event_digest(
    *,
    record_code,
    kind,
    occurred_at,
    actor_id,
    actor_label,
    ip_address,
    user_agent,
    data,
    previous_hash,
) -> str:
    return sha256(
        canonical_json(
            {
                "record": record_code,
                "kind": kind,
                "occurred_at": occurred_at.isoformat(),
                "actor_id": actor_id,
                "actor_label": actor_label,
                "ip_address": ip_address,
                "user_agent": user_agent,
                "data": data,
                "previous_hash": previous_hash,
            }
        )
    )


def record_content_digest(record) -> str:
    """Recompute a stored record's content digest (for verification)."""
    return content_digest(
        code=record.code,
        version_hash=record.version_hash,
        payload=record.payload,
        signed_at=record.signed_at,
        ip_address=record.ip_address,
        user_agent=record.user_agent,
    )


def record_chain_digest(record) -> str:
    return record_digest(
        content_sha256=record.content_sha256,
        pdf_name=record.pdf.name,
        pdf_sha256=record.pdf_sha256,
        previous_hash=record.previous_hash,
    )


def event_chain_digest(event, record_code: str) -> str:
    return event_digest(
        record_code=record_code,
        kind=event.kind,
        occurred_at=event.occurred_at,
        actor_id=event.actor_id,
        actor_label=event.actor_label,
        ip_address=event.ip_address,
        user_agent=event.user_agent,
        data=event.data,
        previous_hash=event.previous_hash,
    )


def screening_answers_digest(saved: dict) -> str:
    """The SHA-256 of a draft's health answers (its "screening" answers), which a review names."""
    return sha256(canonical_json(saved.get("answers", {})))


def screening_review_digest(
    *,
    draft_id,
    decision,
    note,
    answers_sha256,
    reviewer_id,
    reviewer_label,
    reviewed_at,
    previous_hash,
) -> str:
    return sha256(
        canonical_json(
            {
                "draft": draft_id,
                "decision": decision,
                "note": note,
                "answers_sha256": answers_sha256,
                "reviewer_id": reviewer_id,
                "reviewer_label": reviewer_label,
                "reviewed_at": reviewed_at.isoformat(),
                "previous_hash": previous_hash,
            }
        )
    )
