"""A procedure's patient-facing content as a snapshot: built, hashed and compared.

The snapshot is plain JSON. Text written in Markdown is stored already rendered and sanitised
(`*_html` keys), so a version's page is drawn from the snapshot alone and stays the same whatever
happens to the draft later. Every row carries its draft id so that two versions can be compared
item by item (added, removed, reworded).
"""

import hashlib
import json
from dataclasses import dataclass, field

from .markdown import render_markdown

# 2: the snapshot names the language it is written in ("language"); 1 had none and was English.
# 3: the version carries its references ("references", numbered) and each factual item the
#    numbers it cites ("citations"; the evidence statement's are "evidence_citations"), and the
#    procedure its review interval ("review_interval_days"). Earlier snapshots have none of these.
# A procedure with a health questionnaire carries it under "screening" (without bumping the
# schema): a snapshot without questions is byte for byte what it was, so its hash is unchanged.
SNAPSHOT_SCHEMA = 3


def _md(text: str) -> str:
    return str(render_markdown(text))


class _Numbering:
    """Numbers references in the order the snapshot first cites them, as notes on a page are."""

    def __init__(self):
        self.references: dict[int, dict] = {}

    def cite(self, *reference_sets) -> list[int]:
        numbers = []
        for reference in (ref for refs in reference_sets for ref in refs if ref is not None):
            if reference.pk not in self.references:
                self.references[reference.pk] = {
                    "number": len(self.references) + 1,
                    "title": reference.title,
                    "authors": reference.authors_or_organisation,
                    "publisher": reference.publisher,
                    "year": reference.year,
                    "address": reference.address_or_identifier,
                    "kind": reference.kind,
                }
            number = self.references[reference.pk]["number"]
            if number not in numbers:
                numbers.append(number)
        return sorted(numbers)


def _by_title(references) -> list:
    return sorted(references, key=lambda ref: (ref.title, ref.pk))


def build_snapshot(procedure) -> dict:
    """Freeze `procedure` and its related rows (prefetched by the caller) into a snapshot.

    References are numbered in page order (what is injected, uses, side effects, checks, then
    the evidence statement), so the notes on the patient page count up as the patient reads.
    """
    numbering = _Numbering()
    cite = numbering.cite
    snapshot = {
        "schema": SNAPSHOT_SCHEMA,
        "language": procedure.language,
        "procedure": {
            "name": procedure.name,
            "slug": procedure.slug,
            "other_names": procedure.other_names_list,
            **{
                f"{name}_html": _md(getattr(procedure, name))
                for name in type(procedure).PATIENT_TEXTS
            },
            "medical_reviewer": procedure.medical_reviewer,
            "last_reviewed_on": (
                procedure.last_reviewed_on.isoformat() if procedure.last_reviewed_on else None
            ),
            "review_interval_days": procedure.review_interval_days,
        },
        "ingredients": [
            {
                "id": row.pk,
                "name": row.name,
                "purpose_html": _md(row.purpose),
                "citations": cite(_by_title(row.references.all())),
            }
            for row in procedure.ingredients.all()
        ],
        "indications": [
            {
                "id": row.pk,
                "name": row.name,
                "kind": row.kind,
                "evidence": row.evidence,
                "note_html": _md(row.note),
                "citations": cite(_by_title(row.references.all())),
            }
            for row in procedure.indications.all()
        ],
        "side_effects": [
            {
                "id": row.pk,
                "name": row.name,
                "explanation_html": _md(row.explanation),
                "site": row.site,
                "frequency": row.frequency,
                "severity": row.severity,
                "prevention": row.prevention,
                "prevention_advice_html": _md(row.prevention_advice),
                "warning_signs_html": _md(row.warning_signs),
                "what_to_do_html": _md(row.what_to_do),
                "citations": cite(
                    [row.frequency_source, row.severity_source], _by_title(row.references.all())
                ),
            }
            for row in procedure.side_effects.all()
        ],
        "checklist": [
            {
                "id": row.pk,
                "check": row.check_text,
                "why_it_matters_html": _md(row.why_it_matters),
                "satisfied_by": row.satisfied_by,
                "citations": cite(_by_title(row.references.all())),
            }
            for row in procedure.checklist_items.all()
        ],
        "comprehension": [_comprehension(row) for row in procedure.comprehension_questions.all()],
        "questions": [
            {
                "id": row.pk,
                "question": row.question,
                "answer_html": _md(row.answer),
                "answered_by": row.answered_by,
            }
            for row in procedure.questions_answers.all()
        ],
    }
    snapshot["procedure"]["evidence_citations"] = cite(
        _by_title(procedure.evidence_references.all())
    )
    screening = [_screening_question(row, cite) for row in procedure.screening_questions.all()]
    if screening:
        snapshot["screening"] = screening
    snapshot["references"] = list(numbering.references.values())
    return snapshot


def snapshot_language(snapshot: dict) -> str:
    """The language a snapshot is written in; snapshots before schema 2 were all English."""
    return snapshot.get("language", "en")


def canonical_json(data) -> bytes:
    """The one byte representation of `data` that hashes are computed over."""
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def content_hash(snapshot: dict) -> str:
    return hashlib.sha256(canonical_json(snapshot)).hexdigest()


# Lists compared item by item, with the label a person would use and the key naming an item.
COMPARED_LISTS = {
    "side_effects": ("side effect", "name"),
    "checklist": ("practitioner check", "check"),
    "ingredients": ("ingredient", "name"),
    "indications": ("use", "name"),
    "comprehension": ("comprehension question", "question"),
    "questions": ("question and answer", "question"),
    "screening": ("health question", "question"),
}
MATERIAL_LISTS = ("side_effects", "checklist")


@dataclass
class ListChanges:
    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    reworded: list[str] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.added or self.removed or self.reworded)


@dataclass
class VersionDiff:
    """What changed between two snapshots, in the words of the people who read it."""

    lists: dict[str, ListChanges]
    sections: list[str]

    @property
    def is_material(self) -> bool:
        return any(self.lists[name] for name in MATERIAL_LISTS)

    @property
    def is_empty(self) -> bool:
        return not self.sections and not any(self.lists.values())

    def lines(self) -> list[str]:
        out = []
        for name, (label, _key) in COMPARED_LISTS.items():
            changes = self.lists[name]
            for verb, items in (
                ("added", changes.added),
                ("removed", changes.removed),
                ("reworded", changes.reworded),
            ):
                out.extend(f"{label.capitalize()} {verb}: {item}" for item in items)
        out.extend(f"Section changed: {section}" for section in self.sections)
        return out

    def summary(self) -> str:
        return "\n".join(self.lines()) or "No changes to the patient-facing content."


SECTION_LABELS = {
    "name": "name",
    "slug": "page address",
    "other_names": "other names",
    "summary_html": "summary",
    "description_html": "what it is and how it is done",
    "evidence_summary_html": "what the evidence shows",
    "results_duration_html": "how long results last",
    "unknowns_html": "what is not known",
    "alternatives_html": "alternatives",
    "aftercare_html": "aftercare",
    "disclaimer_html": "disclaimer",
    "medical_reviewer": "medical reviewer",
    "last_reviewed_on": "last reviewed date",
    "review_interval_days": "review interval",
}


def _without_citations(row: dict) -> dict:
    # Which sources an item cites is not what the patient agreed to: a change of citations
    # alone is listed as a change of sources, never as a reworded (material) item.
    return {key: value for key, value in row.items() if key != "citations"}


def _citations(snapshot: dict) -> tuple:
    """The references and who cites which, in a form two schemas can be compared in."""
    cited = {
        (name, row["id"]): row.get("citations", [])
        for name in COMPARED_LISTS
        for row in snapshot.get(name, [])
    }
    cited["evidence", 0] = snapshot.get("procedure", {}).get("evidence_citations", [])
    return snapshot.get("references", []), cited


def version_diff(old: dict | None, new: dict) -> VersionDiff:
    """Compare two snapshots; `old` is None for a first version (everything is added)."""
    old = old or {"procedure": {}, **{name: [] for name in COMPARED_LISTS}}
    lists = {}
    for name, (_label, key) in COMPARED_LISTS.items():
        before = {row["id"]: row for row in old.get(name, [])}
        after = {row["id"]: row for row in new.get(name, [])}
        lists[name] = ListChanges(
            added=[row[key] for row_id, row in after.items() if row_id not in before],
            removed=[row[key] for row_id, row in before.items() if row_id not in after],
            reworded=[
                row[key]
                for row_id, row in after.items()
                if row_id in before
                and _without_citations(before[row_id]) != _without_citations(row)
            ],
        )
    sections = [
        label
        for field_name, label in SECTION_LABELS.items()
        if old["procedure"] and old["procedure"].get(field_name) != new["procedure"].get(field_name)
    ]
    if old["procedure"] and snapshot_language(old) != snapshot_language(new):
        sections.append("language")
    if old["procedure"] and _citations(old) != _citations(new):
        sections.append("sources")
    for name, (label, _key) in COMPARED_LISTS.items():
        before_ids = [row["id"] for row in old.get(name, [])]
        after_ids = [row["id"] for row in new.get(name, [])]
        kept = set(before_ids) & set(after_ids)
        if [i for i in before_ids if i in kept] != [i for i in after_ids if i in kept]:
            sections.append(f"order of the {label}s")
    return VersionDiff(lists=lists, sections=sections)


def _comprehension(row) -> dict:
    question = {
        "id": row.pk,
        "question": row.question,
        "choices": row.choice_list,
        "correct_choice": row.correct_choice,
        "explanation_html": _md(row.explanation),
        "section": row.section,
    }
    # Only where the author wrote them, so a question without them keeps its published hash.
    if row.choice_explanations.strip():
        question["choice_explanations_html"] = [
            _md(text) if text else "" for text in row.choice_explanation_list
        ]
    return question


def _screening_question(row, cite) -> dict:
    """A health question and its options; each option's rules, its highlighted side effects
    named by their ids in the snapshot's "side_effects", its note and the note's citations."""
    return {
        "id": row.pk,
        "question": row.question,
        "hint": row.hint,
        "answer_type": row.answer_type,
        "required": row.required,
        "options": [
            {
                "id": option.pk,
                "label": option.label,
                "highlight": sorted(effect.pk for effect in option.highlight_side_effects.all()),
                "note_html": _md(option.note) if option.note.strip() else "",
                "citations": cite(_by_title(option.references.all())),
                "needs_review": option.needs_review,
                "stop": option.stops_consent,
            }
            for option in row.options.all()
        ],
    }
