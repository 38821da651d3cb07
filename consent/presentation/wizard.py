"""The wizard's material: the clinic's facts as the consent steps show them (the checklist with
the practitioner's credentials, what will be injected, the section behind a question)."""

from django.utils.dateparse import parse_date

from education.models import ChecklistEvidence, Section
from education.presentation import choice_label, procedure_content

from ..eligibility import checklist_facts
from ..models import Approval, CredentialKind, CredentialStatus, Regulation


def _dates(facts: dict) -> dict:
    return {
        key: (parse_date(value) if key.endswith("_on") and isinstance(value, str) else value)
        for key, value in facts.items()
    }


def checklist_rows(*, invitation, version_content: dict, day=None) -> list[dict]:
    """Each checklist item with the facts on file, ready for the template."""
    from django.utils import timezone

    rows = []
    for row in checklist_facts(
        invitation=invitation, version_content=version_content, day=day or timezone.localdate()
    ):
        kind = row.item["satisfied_by"]
        facts = []
        for fact in row.facts:
            fact = _dates(fact)
            if "status" in fact and kind != ChecklistEvidence.JURISDICTION_PERMISSION:
                fact["status_label"] = choice_label(CredentialStatus, fact["status"])
                fact["kind_label"] = choice_label(CredentialKind, fact["kind"])
            elif kind == ChecklistEvidence.JURISDICTION_PERMISSION and fact["status"]:
                fact["status_label"] = choice_label(Regulation, fact["status"])
            facts.append(fact)
        rows.append(
            {
                "id": row.item["id"],
                "check": row.item["check"],
                "why_it_matters_html": row.item["why_it_matters_html"],
                "kind": kind,
                "kind_label": choice_label(ChecklistEvidence, kind),
                "facts": facts,
                "satisfied": row.satisfied,
                "required": row.required,
            }
        )
    return rows


def formulation_display(formulation) -> dict:
    return {
        "name": formulation.name,
        "manufacturer": formulation.manufacturer,
        "lot_number": formulation.lot_number,
        "expires_on": formulation.expires_on,
        "regulatory_status": formulation.regulatory_status,
        "regulatory_status_label": choice_label(Approval, formulation.regulatory_status),
        "regulatory_note": formulation.regulatory_note,
        "approved": formulation.regulatory_status == Approval.APPROVED,
        "ingredients": list(formulation.ingredients.all()),
    }


def section_for_question(question: dict, version, *, chosen: int | None = None) -> dict:
    """The section that answers a comprehension question, to show again after a wrong answer,
    with why the `chosen` answer (counted from 1) is wrong where the version says so (versions
    published before answers had their own explanations show the question's only)."""
    section = question["section"]
    explanations = question.get("choice_explanations_html") or []
    chosen_ok = chosen is not None and 1 <= chosen <= len(question["choices"])
    return {
        "chosen_text": question["choices"][chosen - 1] if chosen_ok else "",
        "chosen_explanation_html": (
            explanations[chosen - 1] if chosen_ok and chosen <= len(explanations) else ""
        ),
        "explanation_html": question["explanation_html"],
        "section": section,
        "section_label": choice_label(Section, section),
        "content": procedure_content(version.content),
    }
