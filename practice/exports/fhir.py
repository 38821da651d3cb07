"""A signed record as an HL7 FHIR R5 Consent resource, for filing in an electronic health record."""

import base64
import datetime
import hashlib

from django.conf import settings
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from consent.models import ConsentRecord, EventKind, PhotoScope
from consent.presentation.photo import PhotoConsent, photo_consent
from consent.records import payload_language
from consent.screening import chosen_options, screening_questions
from consent.signers import signer_rows
from consent.storage import pdf_bytes_check

from .moments import utc_moment

LOINC = "http://loinc.org"
PARTICIPATION_TYPE = "http://terminology.hl7.org/CodeSystem/v3-ParticipationType"
ACT_REASON = "http://terminology.hl7.org/CodeSystem/v3-ActReason"
ROLE_CODE = "http://terminology.hl7.org/CodeSystem/v3-RoleCode"

# Each signer's role as FHIR codes it, where a standard code fits: the guardian (v3-RoleCode
# GUARD), a representative with power of attorney (POWATT), a witness (v3-ParticipationType
# WIT). The minor's assent and the interpreter have no code of their own: text only.
SIGNER_CODES = {
    "guardian": (ROLE_CODE, "GUARD", "guardian"),
    "representative": (ROLE_CODE, "POWATT", "power of attorney"),
    "witness": (PARTICIPATION_TYPE, "WIT", "witness"),
}
# Who signs for the patient is a RelatedPerson; the patient and the minor assenting are the
# Patient; a staff witness is a Practitioner; an interpreter or a witness present, a Person.
REFERENCE_TYPE = {
    "patient": "Patient",
    "minor_assent": "Patient",
    "guardian": "RelatedPerson",
    "representative": "RelatedPerson",
}


def _concept(role: str, label: str) -> dict:
    code = SIGNER_CODES.get(role)
    concept = {"text": label}
    if code:
        concept["coding"] = [{"system": code[0], "code": code[1], "display": code[2]}]
    return concept


def _signer_reference(signer: dict) -> dict:
    default = "Practitioner" if signer.get("witness_kind") == "staff" else "Person"
    return _reference(REFERENCE_TYPE.get(signer["role"], default), signer["name"])


def _verification(signer: dict) -> dict:
    """One signer as a `Consent.verification`: who, in what role, when."""
    return {
        "verified": True,
        "verificationType": _concept(signer["role"], signer["role_label"]),
        "verifiedBy": _signer_reference(signer),
        "verificationDate": [utc_moment(parse_datetime(signer["signed_at"]))],
    }


# What each photo use permits, as a v3-ActReason purpose of use.
PHOTO_PURPOSES = {
    PhotoScope.MEDICAL_RECORD: ("RECORDMGT", "records management"),
    PhotoScope.TEACHING: ("TRAIN", "training"),
    PhotoScope.MARKETING: ("HMARKT", "healthcare marketing"),
}
HEALTH_ANSWERS_ID = "health-answers"


def _reference(resource_type: str, display: str) -> dict:
    """A display-only Reference: the patient and practitioner have no FHIR ids here."""
    return {"type": resource_type, "display": display}


def record_fhir_consent(record: ConsentRecord, *, pdf_bytes: bytes, base_url: str) -> dict:
    """The record as an HL7 FHIR R5 Consent resource, as a JSON-ready dict.

    `pdf_bytes` is the stored, signed PDF copy (see `record_stored_pdf`): it is checked against
    the record's SHA-256 and attached whole. Names come from the signed payload, so the export
    says what was signed even if the invitation is edited later. Mapping of what the issue asks:

    - status: "active", or "inactive" once the patient has withdrawn (one query for the
      withdrawal event); `period.end` is then the withdrawal time;
    - patient: `subject` and `grantor`, display-only References to a Patient;
    - performer: R5 has no `performer`; the practitioner who will carry out the procedure is
      the `grantee` (a display-only Practitioner) and, with the role v3-ParticipationType PRF
      (performer), the actor of the `provision`; the clinic is the `controller`;
    - signers (issue 14): every signer (the patient or whoever signed for them, the minor's
      assent, the interpreter, the witness present or added later by staff) is one
      `verification`; a guardian or representative is the `grantor` (a RelatedPerson) and, with
      any witness, a further `provision.actor` with the role codes of `SIGNER_CODES`;
    - date: `date`, the clinic-local day of signing (`period.start` has the exact time);
    - the procedure version as its source: `policyBasis`, with the version page's URL and a
      Reference whose identifier is the version's content SHA-256;
    - the PDF: `sourceAttachment` (application/pdf, base64 data, size, SHA-1 hash as FHIR
      specifies, title and creation time);
    - the health answers: a contained QuestionnaireResponse named by `sourceReference`;
    - the photo consent: one more `provision` per use the patient agreed to, its purpose a
      v3-ActReason code, its `period` from the photo consent's signing to the use's withdrawal.

    Reads the record's events once (withdrawal and photo consent): two queries with the PDF's.
    """
    pdf_bytes_check(record, pdf_bytes)
    base_url = base_url.rstrip("/")
    payload = record.payload
    patient_name = payload["patient"]["name"]
    practitioner_name = payload["practitioner"]["name"]
    procedure = payload["procedure"]
    version = record.version
    events = list(
        record.events.filter(
            kind__in=[EventKind.WITHDRAWN, EventKind.PHOTO_CONSENTED, EventKind.PHOTO_WITHDRAWN]
        ).order_by("id")
    )
    withdrawn_at = next((e.occurred_at for e in events if e.kind == EventKind.WITHDRAWN), None)
    period = {"start": utc_moment(record.signed_at)}
    if withdrawn_at is not None:
        period["end"] = utc_moment(withdrawn_at)
    signed_on = timezone.localtime(record.signed_at, timezone.get_default_timezone()).date()
    signers = signer_rows(payload, record.events.filter(kind=EventKind.WITNESSED).order_by("id"))
    representative = payload.get("representative")
    grantor = (
        _reference("RelatedPerson", representative["name"])
        if representative
        else _reference("Patient", patient_name)
    )
    actors = [
        {"role": _concept(row["role"], row["role_label"]), "reference": _signer_reference(row)}
        for row in signers
        if row["role"] not in ("patient", "minor_assent")
    ]
    practitioner = _reference("Practitioner", practitioner_name)
    title = _("Consent record %s") % record.code
    resource = {
        "resourceType": "Consent",
        "id": record.code,
        "identifier": [
            {"use": "official", "system": f"{base_url}/consent/records", "value": record.code}
        ],
        "status": "inactive" if withdrawn_at is not None else "active",
        "category": [
            {
                "coding": [{"system": LOINC, "code": "59284-0", "display": "Patient Consent"}],
                "text": _("Consent to treatment"),
            }
        ],
        "subject": _reference("Patient", patient_name),
        "date": signed_on.isoformat(),
        "period": period,
        "grantor": [grantor],
        "grantee": [practitioner],
        "controller": [_reference("Organization", settings.CLINIC_NAME)],
        "sourceAttachment": [
            {
                "contentType": "application/pdf",
                "language": payload_language(payload),
                "data": base64.b64encode(pdf_bytes).decode("ascii"),
                "size": str(len(pdf_bytes)),
                "hash": base64.b64encode(hashlib.sha1(pdf_bytes).digest()).decode("ascii"),  # noqa: S324 -- FHIR Attachment.hash is defined as SHA-1
                "title": title,
                "creation": utc_moment(record.signed_at),
            }
        ],
        "policyBasis": {
            "reference": {
                "identifier": {
                    "system": f"{base_url}/procedures/versions/content-sha256",
                    "value": record.version_hash,
                },
                "display": _("%(procedure)s, information version %(number)s")
                % {"procedure": procedure["name"], "number": procedure["version"]},
            },
            "url": base_url + version.get_absolute_url(),
        },
        # Every signer: the patient or the one who signed for them, the minor's assent, the
        # interpreter's attestation, and the witness (present, or staff added later).
        "verification": [_verification(row) for row in signers],
        "decision": "permit",
        "provision": [
            {
                "actor": [
                    {
                        "role": {
                            "coding": [
                                {
                                    "system": PARTICIPATION_TYPE,
                                    "code": "PRF",
                                    "display": "performer",
                                }
                            ]
                        },
                        "reference": practitioner,
                    },
                    *actors,
                ],
                "action": [{"text": _("Carry out %s") % procedure["name"]}],
                "purpose": [{"system": ACT_REASON, "code": "TREAT", "display": "treatment"}],
                "code": [{"text": procedure["name"]}],
            },
            *_photo_provisions(photo_consent(events)),
        ],
    }
    answers = _health_answers(record, base_url=base_url, subject=resource["subject"])
    if answers is not None:
        resource["contained"] = [answers]
        resource["sourceReference"] = [{"reference": f"#{HEALTH_ANSWERS_ID}"}]
    return resource


def _photo_provisions(photo: PhotoConsent | None) -> list[dict]:
    """One provision per photo use the patient agreed to; a withdrawn use's period ends."""
    if photo is None:
        return []
    provisions = []
    for use in photo.agreed:
        code, display = PHOTO_PURPOSES[use.scope]
        period = {"start": utc_moment(photo.signed_at)}
        if use.withdrawn_at is not None:
            period["end"] = utc_moment(use.withdrawn_at)
        provisions.append(
            {
                "period": period,
                "action": [{"text": _("Take and use before and after photos")}],
                "purpose": [{"system": ACT_REASON, "code": code, "display": display}],
                "code": [{"text": _("Photos: %s") % use.label}],
            }
        )
    return provisions


def _answer_values(question: dict, row: dict) -> list[dict]:
    answer = row.get("answer")
    if question.get("options"):
        return [
            {"valueCoding": {"code": str(option["id"]), "display": option["label"]}}
            for option in chosen_options(question, answer)
        ]
    if not answer:
        return []
    if question.get("answer_type") == "date":
        return [{"valueDate": answer}]
    return [{"valueString": str(answer)}]


def _health_answers(record: ConsentRecord, *, base_url: str, subject: dict) -> dict | None:
    """The signed health answers as a QuestionnaireResponse; None when none were asked."""
    screening = record.payload.get("screening") or {}
    if not screening.get("answers"):
        return None
    questions = {row["id"]: row for row in screening_questions(record.version.content)}
    items = []
    for row in screening["answers"]:
        item = {"linkId": str(row["id"]), "text": row["question"]}
        values = _answer_values(questions.get(row["id"], {}), row)
        if values:
            item["answer"] = values
        items.append(item)
    saved_at = screening.get("saved_at")
    response = {
        "resourceType": "QuestionnaireResponse",
        "id": HEALTH_ANSWERS_ID,
        "questionnaire": base_url + record.version.get_absolute_url(),
        "status": "completed",
        "subject": subject,
        "authored": utc_moment(datetime.datetime.fromisoformat(saved_at))
        if saved_at
        else utc_moment(record.signed_at),
        "item": items,
    }
    return response
