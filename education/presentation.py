"""Turns a version's snapshot into what the procedure template shows.

The template only lays things out; grouping, labels and the table of contents are decided here,
from the snapshot alone, so a version's page never depends on today's draft.
"""

import datetime

from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.html import strip_tags
from django.utils.translation import gettext_lazy as _

from .content import snapshot_language
from .models import ChecklistItem, Indication, Section, SideEffect, language_name

# Snapshots before schema 3 carry no review interval; they were published under the default.
DEFAULT_REVIEW_INTERVAL_DAYS = 365

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


def _reference(row: dict) -> dict:
    address = row["address"]
    return {**row, "url": address if address.startswith(("https://", "http://")) else ""}


def review_due_on(snapshot: dict) -> datetime.date | None:
    """The day the material falls due for its next clinical review: the review date plus the
    interval frozen with it (the default for snapshots that predate intervals)."""
    procedure = snapshot["procedure"]
    reviewed_on = parse_date(procedure["last_reviewed_on"] or "")
    if reviewed_on is None:
        return None
    days = procedure.get("review_interval_days", DEFAULT_REVIEW_INTERVAL_DAYS)
    return reviewed_on + datetime.timedelta(days=days)


def procedure_content(snapshot: dict) -> dict:
    """The snapshot regrouped for display: side effects by site, uses by kind, labels added.

    Items keep their `citations` (numbers into `references`); snapshots before schema 3 have
    neither, and show no notes and no sources.
    """
    side_effects = [_side_effect(row) for row in snapshot["side_effects"]]
    indications = [_indication(row) for row in snapshot["indications"]]
    procedure = snapshot["procedure"]
    return {
        "procedure": procedure,
        "last_reviewed_on": parse_date(procedure["last_reviewed_on"] or ""),
        "review_due_on": review_due_on(snapshot),
        "references": [_reference(row) for row in snapshot.get("references", [])],
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
    toc = [(section.value, section.label) for section, shown in present.items() if shown]
    if content["references"]:
        toc.append(("sources", _("Sources")))
    return toc


def procedure_page_context(
    *, version, is_latest: bool, preview: bool = False, other_languages=()
) -> dict:
    """What the procedure page shows; `other_languages` are the family's versions in others."""
    content = procedure_content(version.content)
    due_on = content["review_due_on"]
    return {
        "version": version,
        "content": content,
        # Note links point into the Sources section, which only this page has.
        "show_citations": bool(content["references"]),
        # Only the current material says it is due: a superseded version is kept for the record.
        "is_due_for_review": (is_latest and due_on is not None and due_on < timezone.localdate()),
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
