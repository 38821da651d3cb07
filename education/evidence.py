"""What publishing checks about the evidence behind a draft: which factual items cite nothing,
and which words for how often or how serious a side effect is have no source that says them.

It reads a draft prefetched by `selectors.procedure_for_snapshot` and asks no query of its own,
so the publish page and the publish service see the same list.
"""

from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from .models import PRACTITIONER_WILL_DISCUSS, Procedure, SideEffect


@dataclass(frozen=True)
class UnsupportedWord:
    """A frequency or severity word that no cited source supports; the author must confirm it.

    `key` names the side effect, the kind of word and the word itself, so confirming "rare"
    does not carry over to "common" if the word is changed afterwards.
    """

    key: str
    label: str


@dataclass(frozen=True)
class EvidenceProblems:
    uncited: list[str] = field(default_factory=list)
    unsupported: list[UnsupportedWord] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.uncited or self.unsupported)


def _unsupported(effect: SideEffect) -> list[UnsupportedWord]:
    words = []
    for kind, label, value, honest, source in (
        (
            "frequency",
            _("how often"),
            effect.frequency,
            SideEffect.Frequency.NOT_STATED,
            effect.frequency_source,
        ),
        (
            "severity",
            _("how serious"),
            effect.severity,
            SideEffect.Severity.NOT_STATED,
            effect.severity_source,
        ),
    ):
        if value == honest or source is not None:
            continue
        display = getattr(effect, f"get_{kind}_display")()
        words.append(
            UnsupportedWord(
                key=f"side_effect:{effect.pk}:{kind}:{value}",
                label=_("%(name)s — %(kind)s: “%(word)s”")
                % {"name": effect.name, "kind": label, "word": display},
            )
        )
    return words


def publish_evidence_problems(*, procedure: Procedure) -> EvidenceProblems:
    """Every factual item of the draft that cites no reference (what is injected, uses, side
    effects, practitioner checks, the evidence statement), and every frequency or severity word
    without a source that states it. `procedure` comes from `selectors.procedure_for_snapshot`.
    """
    uncited = [
        _("What is injected: %(name)s") % {"name": row.name}
        for row in procedure.ingredients.all()
        if not row.references.all()
    ]
    uncited += [
        _("Use: %(name)s") % {"name": row.name}
        for row in procedure.indications.all()
        if not row.references.all()
    ]
    uncited += [
        _("Side effect: %(name)s") % {"name": row.name}
        for row in procedure.side_effects.all()
        if not (row.references.all() or row.frequency_source or row.severity_source)
    ]
    uncited += [
        _("Practitioner check: %(check)s") % {"check": row.check_text}
        for row in procedure.checklist_items.all()
        if not row.references.all()
    ]
    if procedure.evidence_summary.strip() and not procedure.evidence_references.all():
        uncited.append(_("What the evidence shows"))
    unsupported = [word for row in procedure.side_effects.all() for word in _unsupported(row)]
    return EvidenceProblems(uncited=uncited, unsupported=unsupported)


def screening_note_problems(*, procedure: Procedure) -> list[str]:
    """Each health-question answer whose note for the patient neither cites a reference nor
    says that the practitioner will discuss it (`PRACTITIONER_WILL_DISCUSS`, in the procedure's
    language). A consequence told to a patient is sourced or left to the practitioner.
    `procedure` comes from `selectors.procedure_for_snapshot`.
    """
    phrase = PRACTITIONER_WILL_DISCUSS.get(procedure.language, PRACTITIONER_WILL_DISCUSS["en"])
    return [
        _("%(question)s — “%(answer)s”") % {"question": question.question, "answer": option.label}
        for question in procedure.screening_questions.all()
        for option in question.options.all()
        if option.note.strip()
        and not option.references.all()
        and phrase.casefold() not in " ".join(option.note.split()).casefold()
    ]


def screening_questions_without_answers(*, procedure: Procedure) -> list[str]:
    """Yes/no and choice questions with fewer than two answers to choose from: a patient could
    not answer them. `procedure` comes from `selectors.procedure_for_snapshot`."""
    return [
        question.question
        for question in procedure.screening_questions.all()
        if question.has_options and len(question.options.all()) < 2
    ]
