"""Mesotherapy as demo content: read from data files, kept in step with the draft, published.

The words live in `education/demo_content/`, one file for each language
(`mesotherapy.en.toml`, and its Spanish translation `mesotherapy.es.toml`), so the clinic's authors
can edit them without reading Python. The files are TOML, read with the standard library's
`tomllib`: no extra dependency, and no guessing of types. YAML would read as well, but it turns
a bare `no`, `on` or `1.10` into something other than text, a trap in patient material written
in two languages; TOML keeps text as text unless it is a number or a date. Long Markdown goes
between triple single quotes and is kept exactly as written (no escapes, no indentation rules);
a long one-paragraph field goes between triple double quotes and wraps with a line-ending
backslash, as the note at the top of each file shows its authors.

`load_education_demo` is safe to run again and again: rows are found by their natural keys, a row
is saved only when one of its fields changed, and a new version is published only when the draft
differs from the latest one. `load_education_demo_translation` does the same for the Spanish
translation, published as its own procedure and versions.

`sync_demo_row` is the one update-or-create step every demo loader uses (the consent demo too),
so that a rerun with nothing changed writes nothing.
"""

import tomllib
from dataclasses import dataclass
from pathlib import Path

from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import transaction

from .evidence import publish_evidence_problems
from .models import (
    ChecklistItem,
    ComprehensionQuestion,
    Indication,
    Ingredient,
    Procedure,
    ProcedureVersion,
    QuestionAnswer,
    Reference,
    ScreeningOption,
    ScreeningQuestion,
    SideEffect,
)
from .selectors import procedure_for_snapshot
from .services import procedure_publish

CONTENT_DIR = Path(__file__).resolve().parent / "demo_content"

# Each kind of row a content file lists, in the order they are loaded: its model, and the field
# that finds the row again on the next run (so renaming a row replaces it).
ROW_KINDS = {
    "ingredients": (Ingredient, "name"),
    "indications": (Indication, "name"),
    "side_effects": (SideEffect, "name"),
    "checklist": (ChecklistItem, "check_text"),
    "comprehension_questions": (ComprehensionQuestion, "question"),
    "questions_answers": (QuestionAnswer, "question"),
    "screening_questions": (ScreeningQuestion, "question"),
}

# A health question's answers are written inside it (`[[screening_questions.options]]`), each
# naming the side effects it highlights by their name in the same file.
_OPTIONS = "options"
_HIGHLIGHTS = "highlight_side_effects"

# Fields the loader fills in itself, so a content file must not.
_LOADER_FIELDS = {"procedure", "position"}

# Fields that cite the demo's references by their name in references.toml: a list of names for
# the citations, one name for the source of a side effect's word for how often or how serious.
_CITATION_LISTS = {"references", "evidence_references"}
_CITATION_SOURCES = {"frequency_source", "severity_source"}


class DemoContentError(ValueError):
    """A content file names a field the models do not have, or a value they do not allow, or
    states something its cited sources do not."""


@dataclass(frozen=True)
class DemoContent:
    """One procedure's demo material in one language, as its content file gives it."""

    slug: str
    publish_note: str
    procedure: dict
    rows: dict[str, list[dict]]  # keyed as ROW_KINDS, each list in the order written

    @property
    def language(self) -> str:
        return self.procedure["language"]


def demo_references_read(path: Path) -> dict[str, dict]:
    """The demo's references by the name the content files cite them by, checked as rows are."""
    with path.open("rb") as file:
        data = tomllib.load(file)
    for name, values in data.items():
        _check_fields(path, Reference, f"[{name}]", values)
    return data


def demo_content_read(path: Path) -> DemoContent:
    """Read one content file and check it against the models; raise DemoContentError if wrong.

    Comprehension choices are written as a list and stored one a line, as the admin edits them.
    Citations name references in references.toml.
    """
    with path.open("rb") as file:
        data = tomllib.load(file)
    expected = {"slug", "publish_note", "procedure", *ROW_KINDS}
    if data.keys() != expected:
        raise DemoContentError(
            f"{path.name}: expected the keys {sorted(expected)}, found {sorted(data)}."
        )
    _check_fields(path, Procedure, "[procedure]", data["procedure"])
    rows = {}
    for kind, (model, key) in ROW_KINDS.items():
        rows[kind] = []
        for number, row in enumerate(data[kind], start=1):
            where = f"[[{kind}]] number {number}"
            if key not in row:
                raise DemoContentError(f"{path.name}: {where} has no {key}.")
            if kind == "comprehension_questions":
                row = {**row, "choices": "\n".join(row["choices"])}
                if "choice_explanations" in row:
                    row["choice_explanations"] = "\n".join(row["choice_explanations"])
            if kind == "screening_questions":
                _check_options(path, where, row, data["side_effects"])
                _check_fields(path, model, where, {k: v for k, v in row.items() if k != _OPTIONS})
                rows[kind].append(row)
                continue
            _check_fields(path, model, where, row)
            rows[kind].append(row)
    return DemoContent(
        slug=data["slug"],
        publish_note=data["publish_note"],
        procedure=data["procedure"],
        rows=rows,
    )


def _check_options(path: Path, where: str, question: dict, side_effects: list[dict]) -> None:
    names = {row["name"] for row in side_effects}
    for number, option in enumerate(question.get(_OPTIONS, []), start=1):
        at = f"{where}, option {number}"
        if "label" not in option:
            raise DemoContentError(f"{path.name}: {at} has no label.")
        unknown = [name for name in option.get(_HIGHLIGHTS, []) if name not in names]
        if unknown:
            raise DemoContentError(f"{path.name}: {at} highlights {unknown}, not a side effect.")
        _check_fields(
            path, ScreeningOption, at, {k: v for k, v in option.items() if k != _HIGHLIGHTS}
        )


def _check_fields(path: Path, model, where: str, values: dict) -> None:
    # The database refuses a wrong choice too, but only halfway through a load and without
    # saying which file and row: an author's typo is better named here.
    for name, value in values.items():
        if name in _CITATION_LISTS | _CITATION_SOURCES and _has_field(model, name):
            cited = value if name in _CITATION_LISTS else [value]
            unknown = [key for key in cited if key not in REFERENCES]
            if unknown:
                raise DemoContentError(
                    f"{path.name}: {where} cites {unknown}, not in references.toml."
                )
            continue
        try:
            field = model._meta.get_field(name)
        except FieldDoesNotExist:
            field = None
        if field is None or name in _LOADER_FIELDS or not field.concrete:
            raise DemoContentError(f"{path.name}: {where} has an unknown field {name!r}.")
        allowed = [choice for choice, _label in field.flatchoices]
        if allowed and value not in allowed:
            raise DemoContentError(
                f"{path.name}: {where} has {name} = {value!r}; it must be one of {allowed}."
            )


def _has_field(model, name: str) -> bool:
    try:
        model._meta.get_field(name)
    except FieldDoesNotExist:
        return False
    return True


REFERENCES = demo_references_read(CONTENT_DIR / "references.toml")
ENGLISH = demo_content_read(CONTENT_DIR / "mesotherapy.en.toml")
SPANISH = demo_content_read(CONTENT_DIR / "mesotherapy.es.toml")

# The English content under the names the load_demo command and the tests use
# (`education.demo_es` names the Spanish the same way).
SLUG = ENGLISH.slug
PROCEDURE = ENGLISH.procedure
INGREDIENTS = ENGLISH.rows["ingredients"]
INDICATIONS = ENGLISH.rows["indications"]
SIDE_EFFECTS = ENGLISH.rows["side_effects"]
CHECKLIST = ENGLISH.rows["checklist"]
COMPREHENSION_QUESTIONS = ENGLISH.rows["comprehension_questions"]
QUESTIONS_ANSWERS = ENGLISH.rows["questions_answers"]
SCREENING_QUESTIONS = ENGLISH.rows["screening_questions"]
PUBLISH_NOTE = ENGLISH.publish_note


@transaction.atomic
def load_education_demo(*, publisher) -> ProcedureVersion | None:
    """Bring the mesotherapy draft in line with the demo content and publish it if it changed.

    Rows the demo does not list are removed from the draft, so the draft ends up exactly as
    written in the content file. Returns the new version, or None when the latest version
    already matches.
    """
    procedure = demo_draft_sync(ENGLISH)
    return _publish_if_changed(procedure, publisher=publisher, note=ENGLISH.publish_note)


@transaction.atomic
def load_education_demo_translation(*, publisher) -> ProcedureVersion | None:
    """The same for the Spanish translation, published as its own procedure and versions.
    Loads the English original first if it is missing.

    Returns the new Spanish version, or None when its latest version already matches.
    """
    original = Procedure.objects.filter(slug=SLUG).first()
    if original is None:
        load_education_demo(publisher=publisher)
        original = Procedure.objects.get(slug=SLUG)
    procedure = demo_draft_sync(SPANISH, translation_of=original)
    return _publish_if_changed(procedure, publisher=publisher, note=SPANISH.publish_note)


def demo_draft_sync(content: DemoContent, *, translation_of: Procedure | None = None) -> Procedure:
    """Make the draft procedure with the content's slug match the content, without publishing.

    Rows the content does not list are removed, and each row's position follows the file.
    Call inside a transaction.
    """
    references = {
        name: sync_demo_row(Reference, lookup={"title": values["title"]}, values=values)
        for name, values in REFERENCES.items()
    }
    values, citations = _cited(dict(content.procedure), references)
    if translation_of is not None:
        values["translation_of"] = translation_of
    procedure = sync_demo_row(Procedure, lookup={"slug": content.slug}, values=values)
    _set_citations(procedure, citations)
    for kind, (model, key) in ROW_KINDS.items():
        rows = content.rows[kind]
        if kind == "screening_questions":
            rows = [{k: v for k, v in row.items() if k != _OPTIONS} for row in rows]
        _sync_rows(procedure, model, key, rows, references)
    _sync_screening_options(procedure, content.rows["screening_questions"], references)
    return procedure


def _cited(values: dict, references: dict[str, Reference]) -> tuple[dict, dict]:
    """`values` with each cited name turned into its reference, and the citation lists apart."""
    citations = {
        name: [references[key] for key in values.pop(name)]
        for name in _CITATION_LISTS
        if name in values
    }
    for name in _CITATION_SOURCES & values.keys():
        values[name] = references[values[name]]
    return values, citations


def _set_citations(row, citations: dict) -> None:
    # `set` adds and removes only the difference, so a rerun with nothing changed writes nothing.
    for name, references in citations.items():
        getattr(row, name).set(references)


def sync_demo_row(model, *, lookup: dict, values: dict):
    """Find the row by `lookup` and make it match `values`; return it.

    A missing row is created (where both name a field, the lookup wins). An existing row is saved
    only when a field differs, and then only those fields and its `auto_now` stamps: a rerun with
    nothing changed writes nothing, and "updated at" moves only when the content did.
    """
    row = model.objects.filter(**lookup).first()
    if row is None:
        return model.objects.create(**{**values, **lookup})
    changed = [name for name, value in values.items() if getattr(row, name) != value]
    if changed:
        for name in changed:
            setattr(row, name, values[name])
        stamps = [
            field.name
            for field in model._meta.concrete_fields
            if getattr(field, "auto_now", False) and field.name not in changed
        ]
        row.save(update_fields=[*changed, *stamps])
    return row


def _sync_rows(procedure: Procedure, model, key: str, rows: list[dict], references) -> None:
    kept = []
    for position, values in enumerate(rows, start=1):
        lookup = {"procedure": procedure, key: values[key]}
        fields, citations = _cited(
            {name: value for name, value in values.items() if name != key}, references
        )
        row = sync_demo_row(model, lookup=lookup, values={**fields, "position": position})
        _set_citations(row, citations)
        kept.append(row.pk)
    model.objects.filter(procedure=procedure).exclude(pk__in=kept).delete()


def _sync_screening_options(procedure: Procedure, questions: list[dict], references) -> None:
    side_effects = {row.name: row for row in procedure.side_effects.all()}
    for written in questions:
        question = ScreeningQuestion.objects.get(procedure=procedure, question=written["question"])
        kept = []
        for position, values in enumerate(written.get(_OPTIONS, []), start=1):
            fields, citations = _cited(
                {k: v for k, v in values.items() if k not in {"label", _HIGHLIGHTS}}, references
            )
            option = sync_demo_row(
                ScreeningOption,
                lookup={"question": question, "label": values["label"]},
                values={**fields, "position": position},
            )
            _set_citations(option, citations)
            option.highlight_side_effects.set(
                [side_effects[name] for name in values.get(_HIGHLIGHTS, [])]
            )
            kept.append(option.pk)
        ScreeningOption.objects.filter(question=question).exclude(pk__in=kept).delete()


def _publish_if_changed(procedure: Procedure, *, publisher, note: str):
    # The demo says only what its sources say, so nothing is confirmed on the author's behalf:
    # a word for how often or how serious without a source, or an uncited item, stops the load
    # with the list, before anything is published.
    draft = procedure_for_snapshot(procedure_id=procedure.pk)
    problems = publish_evidence_problems(procedure=draft)
    if problems:
        listed = [*problems.uncited, *(word.label for word in problems.unsupported)]
        raise DemoContentError(
            f"{procedure.slug} ({procedure.language}): the demo content states what its "
            "sources do not: " + "; ".join(str(item) for item in listed)
        )
    try:
        return procedure_publish(procedure=procedure, published_by=publisher, note=note)
    except ValidationError as error:
        if error.code != "unchanged":
            raise
        return None
