"""Writes for the education library."""

from collections.abc import Collection

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .content import build_snapshot, content_hash, version_diff
from .evidence import (
    publish_evidence_problems,
    screening_note_problems,
    screening_questions_without_answers,
)
from .models import Procedure, ProcedureVersion
from .selectors import procedure_for_snapshot


def _refuse_without_review(procedure: Procedure) -> None:
    if not procedure.medical_reviewer.strip() or procedure.last_reviewed_on is None:
        raise ValidationError(
            _(
                "Name the clinician who reviewed this material and the date of the review "
                "(Sources and medical review) before publishing it."
            ),
            code="no_clinical_review",
        )


@transaction.atomic
def procedure_publish(
    *,
    procedure: Procedure,
    published_by,
    note: str = "",
    confirmed_words: Collection[str] = (),
) -> ProcedureVersion:
    """Freeze the procedure's current content as its next immutable version.

    Refused without a named clinical reviewer and review date, and while a frequency or
    severity word without a source (`evidence.publish_evidence_problems`) is not among
    `confirmed_words` (their keys); the confirmed words are listed in the version's change
    summary. Refused too while a note on a health answer neither cites a source nor leaves it
    to the practitioner (`evidence.screening_note_problems`). Uncited items are shown to the
    author before publishing but do not block it.

    The procedure row is locked for the length of the transaction so that simultaneous publishes
    get consecutive numbers. Publishing content identical to the latest version is refused: it
    would add a version that tells patients and practitioners nothing new.
    """
    Procedure.objects.select_for_update().filter(pk=procedure.pk).get()
    procedure = procedure_for_snapshot(procedure_id=procedure.pk)
    _refuse_without_review(procedure)
    unanswerable = screening_questions_without_answers(procedure=procedure)
    if unanswerable:
        raise ValidationError(
            _("Give each yes/no or choice question at least two answers: %(questions)s.")
            % {"questions": "; ".join(unanswerable)},
            code="screening_question_without_answers",
        )
    unsourced_notes = screening_note_problems(procedure=procedure)
    if unsourced_notes:
        raise ValidationError(
            _(
                "Each note on a health answer must cite a source or say that your practitioner "
                "will discuss this with you: %(answers)s."
            )
            % {"answers": "; ".join(unsourced_notes)},
            code="unsourced_screening_note",
        )
    previous = procedure.versions.order_by("-number").first()
    snapshot = build_snapshot(procedure)
    digest = content_hash(snapshot)
    if previous is not None and previous.content_hash == digest:
        raise ValidationError(
            _("Nothing has changed since version %(number)d, so there is nothing to publish.")
            % {"number": previous.number},
            code="unchanged",
        )
    unsupported = publish_evidence_problems(procedure=procedure).unsupported
    unconfirmed = [word.label for word in unsupported if word.key not in set(confirmed_words)]
    if unconfirmed:
        raise ValidationError(
            _("Confirm each word that no cited source supports: %(words)s.")
            % {"words": "; ".join(unconfirmed)},
            code="unconfirmed_words",
        )
    diff = version_diff(previous.content if previous else None, snapshot)
    summary = diff.summary() if previous else _("First published version.")
    note = note.strip()
    if note:
        summary = f"{note}\n\n{summary}"
    if unsupported:
        confirmed = "".join(f"\n- {word.label}" for word in unsupported)
        summary += "\n\n" + _("Confirmed by the publisher, with no cited source:") + confirmed
    version = ProcedureVersion(
        procedure=procedure,
        number=(previous.number + 1) if previous else 1,
        name=procedure.name,
        other_names=", ".join(procedure.other_names_list),
        summary=procedure.summary,
        content=snapshot,
        content_hash=digest,
        change_summary=summary,
        is_material_change=previous is not None and diff.is_material,
        published_by=published_by,
        published_at=timezone.now(),
        language=procedure.language,
    )
    version.save()
    return version
