"""The wizard's hooks for who signs: the minor's assent, the interpreter's attestation, and the
signing step itself, worded for the person in front of the device. `consent.steps` declares
the steps with these hooks; as there, services are imported when a hook runs, never at import
time."""

import logging

from django.db import DatabaseError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from . import eligibility
from .presentation import checklist_rows, formulation_display
from .screening import review_refusals, screening_record
from .signer_forms import AssentForm, InterpreterForm, SignerSignatureForm
from .signers import (
    ASSENT_TEXT,
    INTERPRETER_STATEMENT,
    WITNESS_STATEMENT,
    SignerPlan,
    signature_meaning,
)

logger = logging.getLogger(__name__)


def needs_assent(plan: SignerPlan | None) -> bool:
    return plan is not None and plan.assent_required


def needs_interpreter(plan: SignerPlan | None) -> bool:
    return plan is not None and plan.interpreter_required


def assented(saved: dict, content: dict) -> bool:
    return "assented_at" in saved


def interpreter_attested(saved: dict, content: dict) -> bool:
    return "attested_at" in saved


def assent_text(visit) -> str:
    return str(ASSENT_TEXT) % {"procedure": visit.content["procedure"]["name"]}


# The minor's assent ------------------------------------------------------------------------------


def assent_kwargs(visit) -> dict:
    return {
        "patient_name": visit.invitation.patient_name,
        "initial": {"typed_name": visit.saved.get("typed_name", "")},
    }


def save_assent(visit, form: AssentForm) -> None:
    from . import services

    services.draft_save_assent(
        draft=visit.draft,
        typed_name=form.cleaned_data["typed_name"],
        assent_text=assent_text(visit),
    )


def assent_context(visit, form: AssentForm) -> dict:
    return {"assent_text": assent_text(visit)}


# The interpreter ---------------------------------------------------------------------------------


def interpreter_kwargs(visit) -> dict:
    saved = visit.saved
    return {
        "statement": str(INTERPRETER_STATEMENT),
        "initial": {key: saved.get(key, "") for key in ("name", "language", "registration")},
    }


def save_interpreter(visit, form: InterpreterForm) -> None:
    from . import services

    services.draft_save_interpreter(
        draft=visit.draft,
        name=form.cleaned_data["name"],
        language=form.cleaned_data["language"],
        registration=form.cleaned_data["registration"],
    )


# Signing -----------------------------------------------------------------------------------------


def signature_kwargs(visit) -> dict:
    return {"plan": visit.plan, "witness_statement": str(WITNESS_STATEMENT)}


def sign(visit, form: SignerSignatureForm) -> HttpResponse:
    """The one write of the signed record: the service re-validates the whole draft and writes
    it in one transaction. Whatever happens, the person signing is not sent on to another step."""
    from . import services

    try:
        services.record_sign(
            invitation=visit.invitation,
            typed_name=form.cleaned_data["typed_name"],
            drawn_signature=form.cleaned_data["drawn_signature"],
            request_meta=services.RequestMeta.from_request(visit.request),
            own_name_confirmed=bool(form.cleaned_data.get("confirm_own_name")),
            witness=form.witness(),
        )
    except services.AlreadySigned:
        return redirect("consent:record")
    except services.ConsentRefused as refused:
        return visit.refused(refused.refusals)
    except (DatabaseError, OSError):
        # Nothing was written (one transaction, the PDF file removed); the draft is intact.
        logger.exception("Signing failed for invitation %s", visit.invitation.pk)
        return render(
            visit.request, "consent/sign_failed.html", {"invitation": visit.invitation}, status=503
        )
    return redirect("consent:record")


def review_context(visit, form: SignerSignatureForm) -> dict:
    """Everything given, to check before signing, and any reason to wait."""
    answers = visit.draft.answers
    waiting = [
        refusal
        for refusal in eligibility.refusals(
            invitation=visit.invitation, version_content=visit.content, now=timezone.now()
        )
        if refusal.code == "too_soon"
    ] + review_refusals(visit.draft, list(visit.draft.screening_reviews.all()))
    rows = checklist_rows(invitation=visit.invitation, version_content=visit.content)
    confirmed = answers.get("practitioner", {})
    return {
        "waiting": waiting,
        "meaning": signature_meaning(visit.plan),
        "side_effect_acks": answers.get("side_effects", {}),
        "checklist": [{**row, "confirmed_at": confirmed.get(str(row["id"]))} for row in rows],
        "formulation": formulation_display(visit.invitation.formulation),
        "attempts": answers.get("comprehension", {}).get("attempts", []),
        "questions_text": answers.get("questions", {}).get("text", ""),
        "screening_answers": screening_record(answers.get("screening", {}), visit.content),
        "assent": answers.get("assent") if visit.plan.assent_required else None,
        "interpreter": answers.get("interpreter") if visit.plan.interpreter_required else None,
        "witness_statement": WITNESS_STATEMENT,
    }
