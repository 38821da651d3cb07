"""The consent wizard's steps, declared once.

Each step says what it is called, where the draft keeps its answer and when that answer is
complete, which form asks for it (and how that form is built from the bound version), which
template shows it, which service saves it, and what else its page shows. One generic view
(`consent.views.journey.wizard_step`) serves every step from these declarations; the machinery
around them (order, numbering, which step may be opened) is in `consent.wizard`.

`consent.services` re-checks a draft against these steps when signing, so it imports this
module (through `consent.wizard`); the hooks here therefore import the services when they run,
never at import time, which keeps the two importable in either order.
"""

import logging
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from education.presentation import procedure_content

from . import eligibility, signer_steps
from .forms import (
    AgreementForm,
    ComprehensionForm,
    EachItemForm,
    QuestionsForm,
    ScreeningForm,
)
from .models import ConsentDraft, ConsentInvitation
from .presentation import checklist_rows, formulation_display, section_for_question
from .screening import (
    screening_answered,
    screening_outcome,
    screening_questions,
)
from .signer_forms import AssentForm, InterpreterForm, SignerSignatureForm
from .signers import SignerPlan, about_label, injected_label, side_effect_label, signer_plan

logger = logging.getLogger(__name__)


@dataclass
class StepVisit:
    """One request to one step, as that step's hooks see it.

    The view supplies how to answer: `render(form, status=None, **extra)` gives the step's page
    with that form and extra context; `refused(refusals)` gives the "consent cannot happen" page.
    """

    step: "Step"
    request: HttpRequest
    invitation: ConsentInvitation
    draft: ConsentDraft
    render: Callable[..., HttpResponse]
    refused: Callable[[list[eligibility.Refusal]], HttpResponse]

    @property
    def content(self) -> dict:
        return self.draft.version.content

    @cached_property
    def plan(self) -> SignerPlan:
        """Who signs, and so how each step speaks to the person in front of it."""
        return signer_plan(self.invitation)

    @property
    def saved(self) -> dict:
        """What the draft keeps for this step so far."""
        return self.draft.answers.get(self.step.answer_key, {})


def _no_kwargs(visit: StepVisit) -> dict:
    return {}


def _no_context(visit: StepVisit, form: forms.Form) -> dict:
    return {}


def _never(saved: dict, content: dict) -> bool:
    return False


@dataclass(frozen=True)
class Step:
    """One step of the wizard. A step without a form ("done") is shown in the progress list only.

    - `complete_when(saved, content)`: whether the answer the draft keeps under `answer_key` is
      enough, judged from that answer and the bound version's content alone.
    - `form_kwargs(visit)`: what the form class needs besides the POST data.
    - `save(visit, form)`: keeps a valid answer through a service; returns None to go on to the
      next step, or the response to give instead (asking again, or the signing outcome).
    - `keep_partial(visit, form)`: keeps what an invalid POST did give, if the step wants that.
    - `context(visit, form)`: what the step's template shows besides the form.
    - `sections`: the content sections (`education.models.Section`) the step's page shows, so
      going back to it after a wrong comprehension answer counts as re-reading that section.
    """

    slug: str
    title: str
    minutes: int  # a rough reading time, to tell the patient how long the rest will take
    answer_key: str = ""
    complete_when: Callable[[dict, dict], bool] = _never
    template: str = ""
    form_class: type[forms.Form] | None = None
    form_kwargs: Callable[[StepVisit], dict] = _no_kwargs
    save: Callable[[StepVisit, forms.Form], HttpResponse | None] | None = None
    keep_partial: Callable[[StepVisit, forms.Form], None] | None = None
    context: Callable[[StepVisit, forms.Form], dict] = _no_context
    sections: tuple[str, ...] = ()
    # For a step only some signers have (the minor's assent, the interpreter): whether this
    # invitation's signers need it. A step without it is everyone's.
    applies: Callable[[SignerPlan | None], bool] | None = None

    def applies_to(self, plan: SignerPlan | None) -> bool:
        return self.applies is None or self.applies(plan)

    def is_complete(self, answers: dict, version_content: dict) -> bool:
        return self.complete_when(answers.get(self.answer_key, {}), version_content)


# Completeness --------------------------------------------------------------------------------


def _acknowledged(saved: dict, content: dict) -> bool:
    return "acknowledged_at" in saved


def _every_side_effect_ticked(saved: dict, content: dict) -> bool:
    return all(str(row["id"]) in saved for row in content["side_effects"])


def _every_check_ticked(saved: dict, content: dict) -> bool:
    return all(str(row["id"]) in saved for row in content["checklist"])


def comprehension_right(saved: dict, version_content: dict) -> dict[int, bool]:
    """For each question id, whether the patient's latest attempt (in `saved`) was right."""
    latest = {}
    for attempt in saved.get("attempts", []):
        latest[attempt["question_id"]] = attempt["correct"]
    return {row["id"]: latest.get(row["id"], False) for row in version_content["comprehension"]}


def _every_question_right(saved: dict, content: dict) -> bool:
    return all(comprehension_right(saved, content).values())


def _questions_saved(saved: dict, content: dict) -> bool:
    return "saved_at" in saved


# Single acknowledgements ("about", "injected") ------------------------------------------------


def _agreement_kwargs(label_for: Callable[[SignerPlan], str]) -> Callable[[StepVisit], dict]:
    def form_kwargs(visit: StepVisit) -> dict:
        return {
            "label": label_for(visit.plan),
            "initial": {"agree": "acknowledged_at" in visit.saved},
        }

    return form_kwargs


def _acknowledge(visit: StepVisit, form: AgreementForm) -> None:
    from . import services

    services.draft_acknowledge(draft=visit.draft, key=visit.step.answer_key)


def _formulation_context(visit: StepVisit, form: forms.Form) -> dict:
    return {"formulation": formulation_display(visit.invitation.formulation)}


# The health questionnaire ("health") -----------------------------------------------------------


def _screening_kwargs(visit: StepVisit) -> dict:
    return {
        "questions": screening_questions(visit.content),
        "saved": visit.saved.get("answers", {}),
    }


def _save_screening(visit: StepVisit, form: ScreeningForm) -> HttpResponse | None:
    """Keep the answers; an answer that stops consent gets the kind page instead of going on."""
    from . import services

    services.draft_save_screening(draft=visit.draft, answers=form.answers())
    if screening_outcome(visit.draft.answers["screening"], visit.content).stop:
        return render(
            visit.request, "consent/screening_stop.html", {"invitation": visit.invitation}
        )
    return None


def _screening_context(visit: StepVisit, form: ScreeningForm) -> dict:
    return {"stopped": screening_outcome(visit.saved, visit.content).stop}


# One tick per item ("side-effects", "practitioner") -------------------------------------------


def _side_effect_kwargs(visit: StepVisit) -> dict:
    rows = procedure_content(visit.content)
    highlights = screening_outcome(visit.draft.answers.get("screening", {}), visit.content)
    items = [
        {**row, "label": row["name"], "reasons": highlights.highlights.get(row["id"], [])}
        for row in rows["local_side_effects"] + rows["systemic_side_effects"]
    ]
    # What matters for this patient, because of their health answers, comes first.
    items.sort(key=lambda item: not item["reasons"])
    return {
        "items": items,
        "label": side_effect_label(visit.plan),
        "saved": visit.saved,
    }


def _side_effect_context(visit: StepVisit, form: EachItemForm) -> dict:
    bound = form.bound_items()
    return {
        "highlighted": [(item, field) for item, field in bound if item["reasons"]],
        "others": [(item, field) for item, field in bound if not item["reasons"]],
        "screening_notes": screening_outcome(
            visit.draft.answers.get("screening", {}), visit.content
        ).notes,
    }


def _checklist_kwargs(visit: StepVisit) -> dict:
    rows = checklist_rows(invitation=visit.invitation, version_content=visit.content)
    return {
        # Each item carries its row, so the page shows the facts without reading them again.
        "items": [{"id": row["id"], "label": row["check"], "row": row} for row in rows],
        "label": gettext("I have checked: %(name)s"),
        "saved": visit.saved,
    }


def _acknowledge_each(visit: StepVisit, form: EachItemForm) -> None:
    from . import services

    services.draft_acknowledge_each(
        draft=visit.draft, key=visit.step.answer_key, ids=form.confirmed_ids()
    )


def _keep_ticks_given(visit: StepVisit, form: EachItemForm) -> None:
    """Keep the ticks the patient did give, each with its own time, though some are missing."""
    from . import services

    ticked = {
        item["id"]
        for item in form.items
        if visit.request.POST.get(item["field_name"]) in ("on", "true")
    }
    services.draft_acknowledge_each(draft=visit.draft, key=visit.step.answer_key, ids=ticked)


def _checklist_context(visit: StepVisit, form: EachItemForm) -> dict:
    return {
        "rows": [{**item["row"], "field": field} for item, field in form.bound_items()],
        "practitioner": visit.invitation.practitioner,
    }


# The comprehension check ----------------------------------------------------------------------


def _pending_questions(visit: StepVisit) -> dict:
    """Only the questions not yet answered right are asked."""
    right = comprehension_right(visit.saved, visit.content)
    return {"questions": [row for row in visit.content["comprehension"] if not right[row["id"]]]}


def _answer_comprehension(visit: StepVisit, form: ComprehensionForm) -> HttpResponse | None:
    """Every attempt is kept; a wrong answer is asked again with its explanation and the section
    to read again, while the right ones are not asked again."""
    from . import services

    pending = form.questions
    chosen = form.choices_by_question()
    results = services.draft_answer_comprehension(draft=visit.draft, choices=chosen)
    if all(results.values()):
        return None
    wrong = [row for row in pending if not results[row["id"]]]
    return visit.render(
        ComprehensionForm(questions=wrong),
        status=200,
        feedback={
            row["id"]: section_for_question(row, visit.draft.version, chosen=chosen[row["id"]])
            for row in wrong
        },
        answered_right=len(pending) - len(wrong),
    )


def _comprehension_context(visit: StepVisit, form: ComprehensionForm) -> dict:
    return {"feedback": {}, "all_done": not form.questions}


# Questions for the practitioner ----------------------------------------------------------------


def _questions_kwargs(visit: StepVisit) -> dict:
    return {"initial": {"questions": visit.saved.get("text", "")}}


def _save_questions(visit: StepVisit, form: QuestionsForm) -> None:
    from . import services

    services.draft_save_questions(draft=visit.draft, text=form.cleaned_data["questions"])


# The list ---------------------------------------------------------------------------------------

STEPS = (
    Step(
        "about",
        _("About the procedure"),
        5,
        answer_key="about",
        complete_when=_acknowledged,
        template="consent/step_about.html",
        form_class=AgreementForm,
        form_kwargs=_agreement_kwargs(about_label),
        save=_acknowledge,
        sections=("summary", "description", "uses", "results", "unknowns", "alternatives"),
    ),
    Step(
        "health",
        _("Your health"),
        3,
        answer_key="screening",
        complete_when=screening_answered,
        template="consent/step_health.html",
        form_class=ScreeningForm,
        form_kwargs=_screening_kwargs,
        save=_save_screening,
        context=_screening_context,
    ),
    Step(
        "side-effects",
        _("Side effects"),
        8,
        answer_key="side_effects",
        complete_when=_every_side_effect_ticked,
        template="consent/step_side_effects.html",
        form_class=EachItemForm,
        form_kwargs=_side_effect_kwargs,
        save=_acknowledge_each,
        keep_partial=_keep_ticks_given,
        context=_side_effect_context,
        sections=("side-effects",),
    ),
    Step(
        "injected",
        _("What will be injected"),
        2,
        answer_key="formulation",
        complete_when=_acknowledged,
        template="consent/step_injected.html",
        form_class=AgreementForm,
        form_kwargs=_agreement_kwargs(injected_label),
        save=_acknowledge,
        context=_formulation_context,
        sections=("ingredients",),
    ),
    Step(
        "practitioner",
        _("Your practitioner"),
        3,
        answer_key="practitioner",
        complete_when=_every_check_ticked,
        template="consent/step_practitioner.html",
        form_class=EachItemForm,
        form_kwargs=_checklist_kwargs,
        save=_acknowledge_each,
        context=_checklist_context,
        sections=("practitioner",),
    ),
    Step(
        "understanding",
        _("Check your understanding"),
        3,
        answer_key="comprehension",
        complete_when=_every_question_right,
        template="consent/step_understanding.html",
        form_class=ComprehensionForm,
        form_kwargs=_pending_questions,
        save=_answer_comprehension,
        context=_comprehension_context,
    ),
    Step(
        "questions",
        _("Questions for your practitioner"),
        2,
        answer_key="questions",
        complete_when=_questions_saved,
        template="consent/step_questions.html",
        form_class=QuestionsForm,
        form_kwargs=_questions_kwargs,
        save=_save_questions,
    ),
    Step(
        "assent",
        _("The patient's own agreement"),
        2,
        answer_key="assent",
        complete_when=signer_steps.assented,
        template="consent/step_assent.html",
        form_class=AssentForm,
        form_kwargs=signer_steps.assent_kwargs,
        save=signer_steps.save_assent,
        context=signer_steps.assent_context,
        applies=signer_steps.needs_assent,
    ),
    Step(
        "interpreter",
        _("The interpreter"),
        1,
        answer_key="interpreter",
        complete_when=signer_steps.interpreter_attested,
        template="consent/step_interpreter.html",
        form_class=InterpreterForm,
        form_kwargs=signer_steps.interpreter_kwargs,
        save=signer_steps.save_interpreter,
        applies=signer_steps.needs_interpreter,
    ),
    Step(
        "sign",
        _("Review and sign"),
        3,
        template="consent/step_sign.html",
        form_class=SignerSignatureForm,
        form_kwargs=signer_steps.signature_kwargs,
        save=signer_steps.sign,
        context=signer_steps.review_context,
    ),
    # The signed record's page: counted in "step k of n", never opened as a step.
    Step("done", _("Done"), 0),
)
