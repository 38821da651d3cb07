"""The patient's consent journey: the invitation link, the wizard, and the signed record.

Who may see these pages: anyone holding a valid link who then gives the invited patient's date
of birth. That starts a patient session bound to one invitation, which ends after 30 idle
minutes; every page after the link reads the invitation from that session, never from the URL.
"""

import logging
import time
from functools import wraps

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.db import DatabaseError
from django.db.models import Q
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_safe

from education.presentation import procedure_content

from . import eligibility, selectors, services, wizard
from .forms import (
    AgreementForm,
    ComprehensionForm,
    DateOfBirthForm,
    EachItemForm,
    QuestionsForm,
    SignatureForm,
    WithdrawForm,
)
from .models import ConsentDraft, ConsentInvitation, ConsentRecord, EventKind
from .presentation import checklist_rows, formulation_display, section_for_question
from .records import SIGNATURE_MEANING
from .tokens import token_hash

logger = logging.getLogger(__name__)

SESSION_KEY = "consent_patient"
IDLE_SECONDS = 30 * 60


# The patient session ------------------------------------------------------------------------


def _start_patient_session(request: HttpRequest, invitation: ConsentInvitation) -> None:
    request.session.cycle_key()  # a new session id once identity is shown: no fixation
    request.session[SESSION_KEY] = {"invitation_id": invitation.pk, "seen": time.time()}
    request.session.set_expiry(IDLE_SECONDS)


def in_invitation_language(request: HttpRequest, invitation: ConsentInvitation, respond):
    """Call `respond()` with the invitation's language active: the patient reads and signs in
    the language the clinic invited them in, whatever the browser or the switcher says.

    The header's language switcher is left out of these pages (`request.consent_language`):
    the procedure's information is bound in that language, so a patient who would rather read
    another asks the clinic for a new invitation, as the help box says.
    """
    request.consent_language = invitation.language
    with translation.override(invitation.language):
        response = respond()
    response.headers["Content-Language"] = invitation.language
    return response


def patient_required(view):
    """Only the patient who answered the date-of-birth check, within 30 idle minutes."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        state = request.session.get(SESSION_KEY)
        if not state:
            return redirect("consent:session_ended")
        if time.time() - state.get("seen", 0) > IDLE_SECONDS:
            request.session.flush()
            return redirect("consent:session_ended")
        invitation = (
            ConsentInvitation.objects.select_related(
                "practitioner", "location", "formulation", "procedure"
            )
            .filter(pk=state.get("invitation_id"))
            .first()
        )
        if invitation is None:
            request.session.flush()
            return redirect("consent:session_ended")
        request.session[SESSION_KEY] = {**state, "seen": time.time()}
        request.session.set_expiry(IDLE_SECONDS)
        return in_invitation_language(
            request, invitation, lambda: view(request, invitation, *args, **kwargs)
        )

    return never_cache(wrapper)


def _signed_record(invitation: ConsentInvitation) -> ConsentRecord | None:
    return ConsentRecord.objects.filter(invitation=invitation).first()


def _closed_page(request, invitation, status=410) -> HttpResponse:
    return render(request, "consent/closed.html", {"invitation": invitation}, status=status)


# The link --------------------------------------------------------------------------------


@never_cache
@require_http_methods(["GET", "POST"])
def invitation_open(request: HttpRequest, token: str) -> HttpResponse:
    """Anyone with the link: explains who sent it, then asks for the date of birth."""
    digest = token_hash(token)
    invitation = (
        ConsentInvitation.objects.select_related("practitioner", "location", "procedure")
        .filter(Q(token_hash=digest) | Q(record_token_hash=digest))
        .first()
    )
    if invitation is None:
        return render(request, "consent/link_invalid.html", status=404)
    return in_invitation_language(
        request, invitation, lambda: _invitation_open(request, invitation, digest)
    )


def _invitation_open(request: HttpRequest, invitation: ConsentInvitation, digest: str):
    record = _signed_record(invitation)
    is_record_link = invitation.record_token_hash == digest
    if not is_record_link:
        if record is not None:
            return render(request, "consent/link_used.html", {"invitation": invitation}, status=410)
        if invitation.is_withdrawn or invitation.is_expired:
            return _closed_page(request, invitation)
    if invitation.is_locked:
        return render(request, "consent/locked.html", {"invitation": invitation}, status=403)

    form = DateOfBirthForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if services.invitation_check_birth_date(
            invitation=invitation, date_of_birth=form.cleaned_data["date_of_birth"]
        ):
            _start_patient_session(request, invitation)
            if record is not None:
                return redirect("consent:record")
            services.draft_start(invitation=invitation)
            return redirect("consent:esign")
        invitation.refresh_from_db()
        if invitation.is_locked:
            return render(request, "consent/locked.html", {"invitation": invitation}, status=403)
        left = ConsentInvitation.MAX_DATE_OF_BIRTH_ATTEMPTS - invitation.failed_attempts
        form.add_error(
            "date_of_birth",
            ValidationError(
                _("That date of birth does not match our records. %(left)d tries left.")
                % {"left": left},
                code="mismatch",
            ),
        )
    procedure_name = (
        record.payload["procedure"]["name"]
        if record is not None
        else selectors.invitation_procedure_name(invitation)
    )
    return render(
        request,
        "consent/open.html",
        {
            "invitation": invitation,
            "procedure_name": procedure_name,
            "form": form,
            "is_record_link": is_record_link,
        },
        status=400 if form.errors else 200,
    )


@require_safe
def session_ended(request: HttpRequest) -> HttpResponse:
    """Anyone: explains that the patient session ended and how to come back."""
    return render(request, "consent/session_ended.html")


# The wizard ------------------------------------------------------------------------------


def _draft(invitation) -> ConsentDraft:
    return ConsentDraft.objects.select_related("version").get(invitation=invitation)


def _blocking_refusals(invitation, draft) -> list[eligibility.Refusal]:
    """Reasons consent cannot happen at all; "too soon" is only a reason to wait."""
    return [
        refusal
        for refusal in eligibility.refusals(
            invitation=invitation, version_content=draft.version.content, now=timezone.now()
        )
        if refusal.code != "too_soon"
    ]


def _refused_page(request, invitation, refusals) -> HttpResponse:
    slug = (
        ConsentDraft.objects.filter(invitation=invitation)
        .values_list("version__procedure__slug", flat=True)
        .first()
    )
    procedure_url = (
        reverse("education:procedure_detail", kwargs={"slug": slug})
        if slug
        else invitation.procedure.get_absolute_url()
    )
    return render(
        request,
        "consent/refused.html",
        {"invitation": invitation, "refusals": refusals, "procedure_url": procedure_url},
        status=403,
    )


def _wizard_context(invitation, draft, step_slug: str, **extra) -> dict:
    answers = draft.answers
    content = draft.version.content
    steps = [
        {
            "slug": step.slug,
            "title": step.title,
            "number": index,
            "complete": wizard.is_step_complete(step.slug, answers, content),
            "current": step.slug == step_slug,
            "reachable": step.slug != "done" and wizard.may_open(step.slug, answers, content),
        }
        for index, step in enumerate(wizard.STEPS, start=1)
    ]
    current = wizard.step_by_slug(step_slug)
    number = wizard.step_number(step_slug)
    return {
        "invitation": invitation,
        "draft": draft,
        "version": draft.version,
        "content": procedure_content(content),
        "steps": steps,
        "step": current,
        "step_number": number,
        "step_count": len(wizard.STEPS),
        "minutes_left": wizard.minutes_left(step_slug),
        "previous_step": wizard.STEPS[number - 2] if number > 1 else None,
        **extra,
    }


@patient_required
@require_http_methods(["GET", "POST"])
def esign_agreement(request: HttpRequest, invitation: ConsentInvitation) -> HttpResponse:
    """The patient: what signing electronically means, agreed before anything else."""
    if _signed_record(invitation):
        return redirect("consent:record")
    draft = _draft(invitation)
    refusals = _blocking_refusals(invitation, draft)
    if refusals:
        return _refused_page(request, invitation, refusals)
    form = AgreementForm(
        request.POST or None,
        label=_("I agree to receive information and sign electronically."),
        initial={"agree": draft.esign_agreed_at is not None},
    )
    if request.method == "POST" and form.is_valid():
        services.draft_agree_esign(draft=draft)
        first = wizard.first_incomplete_step(draft.answers, draft.version.content)
        return redirect("consent:step", step=first.slug)
    return render(
        request,
        "consent/esign.html",
        {
            "invitation": invitation,
            "form": form,
            "draft": draft,
            "step_count": len(wizard.STEPS),
            "minutes_left": wizard.minutes_left(wizard.STEPS[0].slug),
        },
        status=400 if form.errors else 200,
    )


@patient_required
@require_http_methods(["GET", "POST"])
def wizard_step(request: HttpRequest, invitation: ConsentInvitation, step: str) -> HttpResponse:
    """The patient: one step of the wizard. Every POST is saved before moving on."""
    current = wizard.step_by_slug(step)
    if current is None or current.slug == "done":
        raise Http404("No such step.")
    if _signed_record(invitation):
        return redirect("consent:record")
    draft = _draft(invitation)
    refusals = _blocking_refusals(invitation, draft)
    if refusals:
        return _refused_page(request, invitation, refusals)
    if draft.esign_agreed_at is None:
        return redirect("consent:esign")
    content = draft.version.content
    if not wizard.may_open(step, draft.answers, content):
        first = wizard.first_incomplete_step(draft.answers, content)
        messages.info(request, _("Please finish this step first."))
        return redirect("consent:step", step=first.slug)
    handler = STEP_HANDLERS[step]
    return handler(request, invitation, draft)


def _next(step_slug: str):
    return redirect("consent:step", step=wizard.STEPS[wizard.step_number(step_slug)].slug)


def _render_step(request, invitation, draft, step_slug, template, status=None, **extra):
    context = _wizard_context(invitation, draft, step_slug, **extra)
    if status is None:
        status = 400 if extra.get("form") is not None and extra["form"].errors else 200
    return render(request, template, context, status=status)


def _about(request, invitation, draft):
    form = AgreementForm(
        request.POST or None,
        label=_(
            "I have read about the procedure, what it is used for, the evidence, and the "
            "alternatives, including not having it."
        ),
        initial={"agree": "acknowledged_at" in draft.answers.get("about", {})},
    )
    if request.method == "POST" and form.is_valid():
        services.draft_acknowledge(draft=draft, key="about")
        return _next("about")
    return _render_step(request, invitation, draft, "about", "consent/step_about.html", form=form)


def _side_effects(request, invitation, draft):
    rows = procedure_content(draft.version.content)
    items = [
        {**row, "label": row["name"]}
        for row in rows["local_side_effects"] + rows["systemic_side_effects"]
    ]
    form = EachItemForm(
        request.POST or None,
        items=items,
        label=_("I understand “%(name)s” may happen to me."),
        saved=draft.answers.get("side_effects", {}),
    )
    if request.method == "POST" and form.is_valid():
        services.draft_acknowledge_each(draft=draft, key="side_effects", ids=form.confirmed_ids())
        return _next("side-effects")
    if request.method == "POST":
        # Keep the ticks the patient did give, each with its own time.
        ticked = {
            item["id"] for item in items if request.POST.get(item["field_name"]) in ("on", "true")
        }
        services.draft_acknowledge_each(draft=draft, key="side_effects", ids=ticked)
    return _render_step(
        request, invitation, draft, "side-effects", "consent/step_side_effects.html", form=form
    )


def _injected(request, invitation, draft):
    form = AgreementForm(
        request.POST or None,
        label=_("I know exactly what will be injected, and its regulatory status."),
        initial={"agree": "acknowledged_at" in draft.answers.get("formulation", {})},
    )
    if request.method == "POST" and form.is_valid():
        services.draft_acknowledge(draft=draft, key="formulation")
        return _next("injected")
    return _render_step(
        request,
        invitation,
        draft,
        "injected",
        "consent/step_injected.html",
        form=form,
        formulation=formulation_display(invitation.formulation),
    )


def _practitioner(request, invitation, draft):
    rows = checklist_rows(invitation=invitation, version_content=draft.version.content)
    items = [{"id": row["id"], "label": row["check"]} for row in rows]
    form = EachItemForm(
        request.POST or None,
        items=items,
        label=_("I have checked: %(name)s"),
        saved=draft.answers.get("practitioner", {}),
    )
    if request.method == "POST" and form.is_valid():
        services.draft_acknowledge_each(draft=draft, key="practitioner", ids=form.confirmed_ids())
        return _next("practitioner")
    bound = {item["id"]: field for item, field in form.bound_items()}
    return _render_step(
        request,
        invitation,
        draft,
        "practitioner",
        "consent/step_practitioner.html",
        form=form,
        rows=[{**row, "field": bound[row["id"]]} for row in rows],
        practitioner=invitation.practitioner,
    )


def _understanding(request, invitation, draft):
    content = draft.version.content
    status = wizard.comprehension_status(draft.answers, content)
    pending = [row for row in content["comprehension"] if not status[row["id"]]]
    form = ComprehensionForm(request.POST or None, questions=pending)
    feedback = {}
    if request.method == "POST" and form.is_valid():
        results = services.draft_answer_comprehension(
            draft=draft, choices=form.choices_by_question()
        )
        if all(results.values()):
            return _next("understanding")
        wrong = [row for row in pending if not results[row["id"]]]
        feedback = {row["id"]: section_for_question(row, draft.version) for row in wrong}
        form = ComprehensionForm(questions=wrong)
        return _render_step(
            request,
            invitation,
            draft,
            "understanding",
            "consent/step_understanding.html",
            status=200,
            form=form,
            feedback=feedback,
            answered_right=len(pending) - len(wrong),
        )
    return _render_step(
        request,
        invitation,
        draft,
        "understanding",
        "consent/step_understanding.html",
        form=form,
        feedback=feedback,
        all_done=not pending,
    )


def _questions(request, invitation, draft):
    saved = draft.answers.get("questions", {})
    form = QuestionsForm(request.POST or None, initial={"questions": saved.get("text", "")})
    if request.method == "POST" and form.is_valid():
        services.draft_save_questions(draft=draft, text=form.cleaned_data["questions"])
        return _next("questions")
    return _render_step(
        request, invitation, draft, "questions", "consent/step_questions.html", form=form
    )


def _sign(request, invitation, draft):
    form = SignatureForm(request.POST or None, patient_name=invitation.patient_name)
    now = timezone.now()
    waiting = [
        refusal
        for refusal in eligibility.refusals(
            invitation=invitation, version_content=draft.version.content, now=now
        )
        if refusal.code == "too_soon"
    ]
    if request.method == "POST" and form.is_valid():
        try:
            services.consent_record_sign(
                invitation=invitation,
                typed_name=form.cleaned_data["typed_name"],
                drawn_signature=form.cleaned_data["drawn_signature"],
                request_meta=services.RequestMeta.from_request(request),
            )
        except services.AlreadySigned:
            return redirect("consent:record")
        except services.ConsentRefused as refused:
            return _refused_page(request, invitation, refused.refusals)
        except (DatabaseError, OSError):
            # Nothing was written (one transaction, the PDF file removed); the draft is intact.
            logger.exception("Signing failed for invitation %s", invitation.pk)
            return render(
                request, "consent/sign_failed.html", {"invitation": invitation}, status=503
            )
        return redirect("consent:record")
    rows = checklist_rows(invitation=invitation, version_content=draft.version.content)
    confirmed = draft.answers.get("practitioner", {})
    return _render_step(
        request,
        invitation,
        draft,
        "sign",
        "consent/step_sign.html",
        form=form,
        waiting=waiting,
        meaning=SIGNATURE_MEANING,
        side_effect_acks=draft.answers.get("side_effects", {}),
        checklist=[{**row, "confirmed_at": confirmed.get(str(row["id"]))} for row in rows],
        formulation=formulation_display(invitation.formulation),
        attempts=draft.answers.get("comprehension", {}).get("attempts", []),
        questions_text=draft.answers.get("questions", {}).get("text", ""),
    )


STEP_HANDLERS = {
    "about": _about,
    "side-effects": _side_effects,
    "injected": _injected,
    "practitioner": _practitioner,
    "understanding": _understanding,
    "questions": _questions,
    "sign": _sign,
}


# The signed record -----------------------------------------------------------------------


def _patient_record(invitation) -> ConsentRecord:
    record = (
        ConsentRecord.objects.select_related("version", "invitation")
        .filter(invitation=invitation)
        .first()
    )
    if record is None:
        raise Http404("Not signed yet.")
    return record


@patient_required
@require_safe
def record_home(request: HttpRequest, invitation: ConsentInvitation) -> HttpResponse:
    """The patient: their receipt, the PDF copy, and the way to withdraw."""
    record = _patient_record(invitation)
    services.event_append(
        record=record,
        kind=EventKind.VIEWED,
        actor=None,
        actor_label="patient",
        request_meta=services.RequestMeta.from_request(request),
    )
    events = list(record.events.order_by("id"))
    withdrawal = next((e for e in events if e.kind == EventKind.WITHDRAWN), None)
    answers = [e for e in events if e.kind == EventKind.QUESTION_ANSWERED]
    return render(
        request,
        "consent/record.html",
        {
            "invitation": invitation,
            "record": record,
            "withdrawal": withdrawal,
            "answers": answers,
            "step_number": len(wizard.STEPS),
            "step_count": len(wizard.STEPS),
        },
    )


@patient_required
@require_safe
def record_pdf(request: HttpRequest, invitation: ConsentInvitation) -> FileResponse:
    """The patient: download the PDF copy made at signing."""
    record = _patient_record(invitation)
    services.event_append(
        record=record,
        kind=EventKind.DOWNLOADED,
        actor=None,
        actor_label="patient",
        request_meta=services.RequestMeta.from_request(request),
    )
    return FileResponse(
        default_storage.open(record.pdf.name, "rb"),
        as_attachment=True,
        filename=f"consent-{record.code}.pdf",
        content_type="application/pdf",
    )


@patient_required
@require_http_methods(["GET", "POST"])
def record_withdraw(request: HttpRequest, invitation: ConsentInvitation) -> HttpResponse:
    """The patient: withdraw a signed consent, after a confirmation step."""
    record = _patient_record(invitation)
    if record.events.filter(kind=EventKind.WITHDRAWN).exists():
        messages.info(request, _("You have already withdrawn this consent."))
        return redirect("consent:record")
    form = WithdrawForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.consent_withdraw(
            record=record,
            reason=form.cleaned_data["reason"],
            request_meta=services.RequestMeta.from_request(request),
        )
        messages.success(
            request,
            _(
                "Your consent is withdrawn. Your practitioner has been told. You will not be "
                "treated on the basis of this consent."
            ),
        )
        return redirect("consent:record")
    return render(
        request,
        "consent/withdraw.html",
        {"invitation": invitation, "record": record, "form": form},
        status=400 if form.errors else 200,
    )
