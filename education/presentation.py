"""Turns a version's snapshot into what the procedure template shows.

The template only lays things out; grouping, labels and the table of contents are decided here,
from the snapshot alone, so a version's page never depends on today's draft.
"""

from django.utils.dateparse import parse_date
from django.utils.html import strip_tags

from .content import snapshot_language
from .models import ChecklistItem, Indication, Section, SideEffect, language_name

# Explanations longer than this (in characters of text) open in place from a "more" link, so a
# list of short items stays easy to scan; shorter ones are shown in full.
FOLD_AFTER_CHARACTERS = 200


def _is_long(html: str) -> bool:
    return len(strip_tags(html)) > FOLD_AFTER_CHARACTERS


def choice_label(choices, code: str) -> str:
    """A stored choice code as its label ("very_rare" → "Very rare"); an unknown code as it is."""
    try:
        return choices(code).label
    except ValueError:
        return code


def _side_effect(row: dict) -> dict:
    return {
        **row,
        "frequency_label": choice_label(SideEffect.Frequency, row["frequency"]),
        "severity_label": choice_label(SideEffect.Severity, row["severity"]),
        "prevention_label": choice_label(SideEffect.Prevention, row["prevention"]),
    }


def _indication(row: dict) -> dict:
    return {
        **row,
        "kind_label": choice_label(Indication.Kind, row["kind"]),
        "evidence_label": choice_label(Indication.Evidence, row["evidence"]),
        "note_is_long": _is_long(row["note_html"]),
    }


def procedure_content(snapshot: dict) -> dict:
    """The snapshot regrouped for display: side effects by site, uses by kind, labels added."""
    side_effects = [_side_effect(row) for row in snapshot["side_effects"]]
    indications = [_indication(row) for row in snapshot["indications"]]
    procedure = snapshot["procedure"]
    return {
        "procedure": procedure,
        "last_reviewed_on": parse_date(procedure["last_reviewed_on"]),
        "ingredients": [
            {**row, "purpose_is_long": _is_long(row["purpose_html"])}
            for row in snapshot["ingredients"]
        ],
        "medical_uses": [row for row in indications if row["kind"] == Indication.Kind.MEDICAL],
        "cosmetic_uses": [row for row in indications if row["kind"] == Indication.Kind.COSMETIC],
        "local_side_effects": [row for row in side_effects if row["site"] == SideEffect.Site.LOCAL],
        "systemic_side_effects": [
            row for row in side_effects if row["site"] == SideEffect.Site.SYSTEMIC
        ],
        "checklist": [
            {
                **row,
                "satisfied_by_label": choice_label(ChecklistItem.Evidence, row["satisfied_by"]),
                "why_it_matters_is_long": _is_long(row["why_it_matters_html"]),
            }
            for row in snapshot["checklist"]
        ],
        "questions": snapshot["questions"],
    }


def table_of_contents(content: dict) -> list[tuple[str, str]]:
    """(anchor, heading) for each section the page actually shows, in page order."""
    procedure = content["procedure"]
    present = {
        Section.SUMMARY: True,
        Section.DESCRIPTION: True,
        Section.INGREDIENTS: bool(content["ingredients"]),
        Section.USES: bool(content["medical_uses"] or content["cosmetic_uses"]),
        Section.SIDE_EFFECTS: bool(
            content["local_side_effects"] or content["systemic_side_effects"]
        ),
        Section.PRACTITIONER: bool(content["checklist"]),
        Section.RESULTS: True,
        Section.UNKNOWNS: True,
        Section.ALTERNATIVES: True,
        Section.AFTERCARE: bool(procedure["aftercare_html"]),
        Section.QUESTIONS: bool(content["questions"]),
    }
    return [(section.value, section.label) for section, shown in present.items() if shown]


def procedure_page_context(
    *, version, is_latest: bool, preview: bool = False, other_languages=()
) -> dict:
    """What the procedure page shows; `other_languages` are the family's versions in others."""
    content = procedure_content(version.content)
    return {
        "version": version,
        "content": content,
        "content_language": snapshot_language(version.content),
        "toc": table_of_contents(content),
        "is_latest": is_latest,
        "preview": preview,
        "other_languages": [
            {
                "code": other.language,
                "name": language_name(other.language),
                "url": other.procedure.get_absolute_url(),
            }
            for other in other_languages
        ],
    }
