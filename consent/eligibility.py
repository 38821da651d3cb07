"""Whether consent may happen: the practitioner's checklist facts and the reasons to refuse.

Each checklist item of the bound procedure version is matched with the clinic's facts: a
credential of the kind the item names (verified and in date on the day), the regulatory status
for the location's jurisdiction, the practitioner's experience, or the formulation's disclosure.
The same facts are shown to the patient in step 4 and frozen into the signed record.
"""

import datetime
from dataclasses import dataclass, field

from django.utils import formats, timezone
from django.utils.translation import gettext as _

from education.models import ChecklistEvidence

from .models import (
    Credential,
    CredentialStatus,
    ProcedureExperience,
    RegulatoryStatus,
)

# Checklist kinds a credential answers, and which of them block consent when missing.
CREDENTIAL_KINDS = {
    ChecklistEvidence.BOARD_CERTIFICATION,
    ChecklistEvidence.MEDICAL_LICENCE,
    ChecklistEvidence.PROCEDURE_TRAINING,
    ChecklistEvidence.ASEPTIC_TECHNIQUE,
}


@dataclass(frozen=True)
class Refusal:
    code: str
    message: str


@dataclass
class ChecklistFacts:
    """One checklist item beside the facts that answer it."""

    item: dict
    facts: list[dict] = field(default_factory=list)
    satisfied: bool = False
    required: bool = False

    def as_record(self) -> dict:
        return {
            "id": self.item["id"],
            "check": self.item["check"],
            "satisfied_by": self.item["satisfied_by"],
            "facts": self.facts,
            "satisfied": self.satisfied,
        }


def credential_facts(credential: Credential, day: datetime.date) -> dict:
    return {
        "kind": credential.kind,
        "title": credential.title,
        "issuing_body": credential.issuing_body,
        "number": credential.number,
        "jurisdiction": credential.jurisdiction,
        "issued_on": credential.issued_on.isoformat(),
        "expires_on": credential.expires_on.isoformat() if credential.expires_on else None,
        "verified_on": credential.verified_on.isoformat() if credential.verified_on else None,
        "status": credential.status_on(day).value,
    }


def regulation_facts(status: RegulatoryStatus | None, jurisdiction: str) -> dict:
    if status is None:
        return {"jurisdiction": jurisdiction, "status": None}
    return {
        "jurisdiction": status.jurisdiction,
        "status": status.status,
        "note": status.note,
        "source": status.source,
        "checked_on": status.checked_on.isoformat(),
    }


def formulation_facts(formulation) -> dict:
    return {
        "name": formulation.name,
        "manufacturer": formulation.manufacturer,
        "lot_number": formulation.lot_number,
        "expires_on": formulation.expires_on.isoformat(),
        "regulatory_status": formulation.regulatory_status,
        "regulatory_note": formulation.regulatory_note,
        "ingredients": [
            {"name": row.name, "concentration": row.concentration}
            for row in formulation.ingredients.all()
        ],
    }


def regulatory_status_for(*, procedure_id: int, jurisdiction: str) -> RegulatoryStatus | None:
    return RegulatoryStatus.objects.filter(
        procedure_id=procedure_id, jurisdiction__iexact=jurisdiction.strip()
    ).first()


def checklist_facts(
    *, invitation, version_content: dict, day: datetime.date
) -> list[ChecklistFacts]:
    """Every checklist item of the version with the facts on file for this invitation."""
    practitioner = invitation.practitioner
    credentials = [
        credential
        for credential in practitioner.credentials.all()
        if credential.procedure_id in (None, invitation.procedure_id)
    ]
    regulation = regulatory_status_for(
        procedure_id=invitation.procedure_id, jurisdiction=invitation.location.jurisdiction
    )
    experience = ProcedureExperience.objects.filter(
        practitioner=practitioner, procedure_id=invitation.procedure_id
    ).first()
    rows = []
    for item in version_content["checklist"]:
        kind = item["satisfied_by"]
        row = ChecklistFacts(item=item)
        if kind in CREDENTIAL_KINDS:
            row.required = True
            matching = [c for c in credentials if c.kind == kind]
            row.facts = [credential_facts(c, day) for c in matching]
            row.satisfied = any(c.status_on(day) == CredentialStatus.VALID for c in matching)
        elif kind == ChecklistEvidence.JURISDICTION_PERMISSION:
            row.required = True
            row.facts = [regulation_facts(regulation, invitation.location.jurisdiction)]
            row.satisfied = regulation is not None and regulation.allows_procedure
        elif kind == ChecklistEvidence.EXPERIENCE:
            row.facts = [
                {
                    "years_of_experience": practitioner.years_of_experience,
                    "times_performed": experience.times_performed if experience else None,
                }
            ]
            row.satisfied = experience is not None and experience.times_performed > 0
        elif kind == ChecklistEvidence.FORMULATION_DISCLOSURE:
            row.required = True
            row.facts = [formulation_facts(invitation.formulation)]
            row.satisfied = bool(row.facts[0]["ingredients"])
        rows.append(row)
    return rows


def refusals(*, invitation, version_content: dict, now: datetime.datetime) -> list[Refusal]:
    """Every reason consent may not be signed now; an empty list means it may."""
    day = now.date()
    found = []
    if invitation.is_withdrawn:
        found.append(Refusal("withdrawn", _("The clinic has withdrawn this invitation.")))
    if invitation.expires_at <= now:
        found.append(Refusal("expired", _("This invitation has expired.")))
    regulation = regulatory_status_for(
        procedure_id=invitation.procedure_id, jurisdiction=invitation.location.jurisdiction
    )
    if regulation is None or not regulation.allows_procedure:
        found.append(
            Refusal(
                "not_permitted",
                _(
                    "%(procedure)s is not recorded as permitted in %(place)s, where the clinic "
                    "is, so consent cannot be given here."
                )
                % {
                    "procedure": version_content["procedure"]["name"],
                    "place": invitation.location.jurisdiction,
                },
            )
        )
    for row in checklist_facts(invitation=invitation, version_content=version_content, day=day):
        if row.required and not row.satisfied and row.item["satisfied_by"] in CREDENTIAL_KINDS:
            found.append(
                Refusal(
                    "credential_missing",
                    _(
                        "Your practitioner does not have a verified, in-date record on file "
                        "for: %(check)s."
                    )
                    % {"check": row.item["check"]},
                )
            )
        elif (
            row.item["satisfied_by"] == ChecklistEvidence.FORMULATION_DISCLOSURE
            and not row.satisfied
        ):
            found.append(
                Refusal(
                    "formulation_undisclosed",
                    _("The clinic has not recorded exactly what will be injected."),
                )
            )
    if invitation.formulation.expires_on < day:
        found.append(
            Refusal("formulation_expired", _("The product to be injected is past its expiry date."))
        )
    ends_at = invitation.decision_time_ends_at()
    if invitation.minimum_decision_hours and (ends_at is None or ends_at > now):
        found.append(
            Refusal(
                "too_soon",
                _(
                    "The clinic asks you to take at least %(hours)d hours to decide. You can "
                    "sign from %(when)s."
                )
                % {
                    "hours": invitation.minimum_decision_hours,
                    "when": (
                        formats.date_format(timezone.localtime(ends_at), "DATETIME_FORMAT")
                        if ends_at
                        else _("a day after you first open the link")
                    ),
                },
            )
        )
    return found
