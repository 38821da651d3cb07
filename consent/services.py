"""Writes for the consent journey: invitations, the wizard's draft, signing, events."""

import datetime
import ipaddress
import logging
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.mail import send_mail
from django.db import IntegrityError, connection, transaction
from django.db.models import F, Max
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from education.models import LANGUAGE_CODES, ProcedureVersion, language_name
from education.selectors import latest_version_in_language

from . import eligibility, wizard
from .models import (
    GENESIS_HASH,
    ConsentDraft,
    ConsentEvent,
    ConsentInvitation,
    ConsentRecord,
    EventKind,
)
from .records import (
    build_payload,
    content_digest,
    event_digest,
    is_drawn_signature,
    record_digest,
    sha256,
)
from .tokens import new_record_code, new_token

logger = logging.getLogger(__name__)

CHAIN_LOCK_ID = 7_301_001  # pg_advisory_xact_lock key for the consent record chain


@dataclass(frozen=True)
class RequestMeta:
    """Where a request came from, as far as the server can tell."""

    ip_address: str | None
    user_agent: str

    @classmethod
    def from_request(cls, request) -> "RequestMeta":
        from accounts.client_ip import client_ip_address

        # The same rule as sign-in lockout: REMOTE_ADDR, or the address our own proxies saw.
        raw = client_ip_address(request) or ""
        try:
            ip = ipaddress.ip_address(raw).compressed
        except ValueError:
            ip = None
        return cls(ip_address=ip, user_agent=request.META.get("HTTP_USER_AGENT", "")[:500])


class ConsentRefused(Exception):
    """Signing is not allowed; `refusals` says why, in words for the patient."""

    def __init__(self, refusals: list[eligibility.Refusal]):
        super().__init__("; ".join(refusal.message for refusal in refusals))
        self.refusals = refusals


class AlreadySigned(Exception):
    def __init__(self, record: ConsentRecord):
        super().__init__(record.code)
        self.record = record


def _absolute(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


# Invitations -------------------------------------------------------------------------------


def invitation_procedure_name(invitation: ConsentInvitation) -> str:
    """The procedure's name as the patient reads it: in the invitation's language."""
    version = latest_version_in_language(
        procedure_id=invitation.procedure_id, language=invitation.language
    )
    return version.name if version is not None else invitation.procedure.name


def _send_invitation_email(invitation: ConsentInvitation, token: str) -> None:
    procedure_name = invitation_procedure_name(invitation)
    context = {
        "invitation": invitation,
        "procedure_name": procedure_name,
        "link": _absolute(reverse("consent:open", kwargs={"token": token})),
        "clinic_name": settings.CLINIC_NAME,
        "clinic_phone": settings.CLINIC_PHONE,
    }
    with translation.override(invitation.language):
        subject = _("%(clinic)s: please read about your %(procedure)s before your appointment") % {
            "clinic": settings.CLINIC_NAME,
            "procedure": procedure_name,
        }
        message = render_to_string("consent/email/invitation.txt", context)
    send_mail(
        subject=subject,
        message=message,
        from_email=settings.DEFAULT_FROM_EMAIL,
        recipient_list=[invitation.patient_email],
    )


def _check_language(procedure, language: str) -> None:
    """The patient can be invited only in a language the procedure is published in."""
    if language not in LANGUAGE_CODES:
        raise ValidationError(
            {"language": ValidationError(_("Choose one of the listed languages."), code="invalid")}
        )
    if latest_version_in_language(procedure_id=procedure.pk, language=language) is None:
        raise ValidationError(
            {
                "language": ValidationError(
                    _(
                        "%(procedure)s has no published information in %(language)s yet. "
                        "Publish a translation first, or choose another language."
                    ),
                    code="language_unpublished",
                    params={"procedure": procedure.name, "language": language_name(language)},
                )
            }
        )


@transaction.atomic
def invitation_create(
    *,
    created_by,
    patient_name: str,
    patient_email: str,
    patient_date_of_birth: datetime.date,
    procedure,
    practitioner,
    location,
    formulation,
    expires_at: datetime.datetime,
    minimum_decision_hours: int = 0,
    language: str = settings.LANGUAGE_CODE,
) -> tuple[ConsentInvitation, str]:
    """Create an invitation and e-mail the patient its link. Returns it with the raw token.

    `procedure` is the procedure in its original language (formulations and regulatory
    statuses belong to it); `language` picks which of its published languages the patient
    reads, signs and is e-mailed in.
    """
    if procedure.translation_of_id is not None:
        raise ValidationError(
            {
                "procedure": ValidationError(
                    _(
                        "Choose the procedure in its original language, and the patient's "
                        "language under “language”."
                    ),
                    code="translation",
                )
            }
        )
    if formulation.procedure_id != procedure.pk:
        raise ValidationError(
            {
                "formulation": ValidationError(
                    _("This formulation is for a different procedure."),
                    code="formulation_mismatch",
                )
            }
        )
    if formulation.expires_on < timezone.localdate():
        raise ValidationError(
            {
                "formulation": ValidationError(
                    _("This formulation is past its expiry date."), code="formulation_expired"
                )
            }
        )
    if expires_at <= timezone.now():
        raise ValidationError(
            {"expires_at": ValidationError(_("Choose a time in the future."), code="past")}
        )
    if not ProcedureVersion.objects.filter(procedure=procedure).exists():
        raise ValidationError(
            {
                "procedure": ValidationError(
                    _("Publish this procedure before inviting patients to consent."),
                    code="unpublished",
                )
            }
        )
    _check_language(procedure, language)
    token, digest = new_token()
    invitation = ConsentInvitation.objects.create(
        created_by=created_by,
        patient_name=" ".join(patient_name.split()),
        patient_email=patient_email,
        patient_date_of_birth=patient_date_of_birth,
        procedure=procedure,
        practitioner=practitioner,
        location=location,
        formulation=formulation,
        expires_at=expires_at,
        minimum_decision_hours=minimum_decision_hours,
        language=language,
        token_hash=digest,
        sent_at=timezone.now(),
    )
    transaction.on_commit(lambda: _send_invitation_email(invitation, token), robust=True)
    return invitation, token


@transaction.atomic
def invitation_resend(
    *, invitation: ConsentInvitation, expires_at: datetime.datetime | None = None
) -> str:
    """Replace the link (the old one stops working) and e-mail the new one.

    An expired invitation needs a new expiry; a signed, withdrawn or locked one cannot be resent
    (unlock it first, or create a new invitation).
    """
    invitation = ConsentInvitation.objects.select_for_update().get(pk=invitation.pk)
    if ConsentRecord.objects.filter(invitation=invitation).exists():
        raise ValidationError(_("This invitation has already been signed."), code="signed")
    if invitation.is_withdrawn:
        raise ValidationError(_("This invitation was withdrawn."), code="withdrawn")
    if invitation.is_locked:
        raise ValidationError(_("Unlock this invitation before resending it."), code="locked")
    new_expiry = expires_at or invitation.expires_at
    if new_expiry <= timezone.now():
        raise ValidationError(
            _("This invitation has expired: give it a new expiry to resend it."), code="expired"
        )
    token, digest = new_token()
    ConsentInvitation.objects.filter(pk=invitation.pk).update(
        token_hash=digest, sent_at=timezone.now(), expires_at=new_expiry
    )
    invitation.refresh_from_db()
    transaction.on_commit(lambda: _send_invitation_email(invitation, token), robust=True)
    return token


def invitation_withdraw(*, invitation: ConsentInvitation) -> None:
    """The clinic takes an unsigned invitation back; its link stops working."""
    if ConsentRecord.objects.filter(invitation=invitation).exists():
        raise ValidationError(
            _("A signed consent cannot be withdrawn by the clinic; the patient withdraws it."),
            code="signed",
        )
    ConsentInvitation.objects.filter(pk=invitation.pk, withdrawn_at__isnull=True).update(
        withdrawn_at=timezone.now()
    )


def invitation_unlock(*, invitation: ConsentInvitation) -> None:
    """Staff reset after five wrong date-of-birth answers."""
    ConsentInvitation.objects.filter(pk=invitation.pk).update(failed_attempts=0, locked_at=None)


@transaction.atomic
def invitation_check_birth_date(
    *, invitation: ConsentInvitation, date_of_birth: datetime.date
) -> bool:
    """True when the date of birth matches. Five wrong answers lock the invitation."""
    invitation = ConsentInvitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.is_locked:
        return False
    if date_of_birth == invitation.patient_date_of_birth:
        if invitation.failed_attempts:
            invitation.failed_attempts = 0
            invitation.save(update_fields=["failed_attempts"])
        return True
    invitation.failed_attempts = F("failed_attempts") + 1
    invitation.save(update_fields=["failed_attempts"])
    invitation.refresh_from_db()
    if invitation.failed_attempts >= ConsentInvitation.MAX_DATE_OF_BIRTH_ATTEMPTS:
        invitation.locked_at = timezone.now()
        invitation.save(update_fields=["locked_at"])
    return False


# The wizard's draft -------------------------------------------------------------------------


@transaction.atomic
def draft_start(*, invitation: ConsentInvitation) -> ConsentDraft:
    """The patient's draft, created on first opening and bound to the newest version then.

    The version is the newest in the invitation's language: the procedure's own, or its
    translation's when the patient was invited in another language.
    """
    ConsentInvitation.objects.filter(pk=invitation.pk, first_opened_at__isnull=True).update(
        first_opened_at=timezone.now()
    )
    draft = ConsentDraft.objects.filter(invitation=invitation).select_related("version").first()
    if draft is not None:
        return draft
    version = latest_version_in_language(
        procedure_id=invitation.procedure_id, language=invitation.language
    )
    if version is None:
        raise ValidationError(_("This procedure has no published information yet."))
    return ConsentDraft.objects.create(invitation=invitation, version=version)


def _now_iso() -> str:
    return timezone.now().isoformat()


def _save_answers(draft: ConsentDraft, key: str, value) -> ConsentDraft:
    draft.answers = {**draft.answers, key: value}
    draft.save(update_fields=["answers", "updated_at"])
    return draft


def draft_agree_esign(*, draft: ConsentDraft) -> ConsentDraft:
    if draft.esign_agreed_at is None:
        draft.esign_agreed_at = timezone.now()
        draft.save(update_fields=["esign_agreed_at", "updated_at"])
    return draft


def draft_acknowledge(*, draft: ConsentDraft, key: str) -> ConsentDraft:
    """One acknowledgement ("about" or "formulation"); its first time is kept."""
    if "acknowledged_at" in draft.answers.get(key, {}):
        return draft
    return _save_answers(draft, key, {"acknowledged_at": _now_iso()})


def draft_acknowledge_each(*, draft: ConsentDraft, key: str, ids: set[int]) -> ConsentDraft:
    """Side effects or checklist items: each ticked one keeps the time it was first ticked."""
    before = draft.answers.get(key, {})
    now = _now_iso()
    return _save_answers(draft, key, {str(i): before.get(str(i), now) for i in sorted(ids)})


def draft_answer_comprehension(*, draft: ConsentDraft, choices: dict[int, int]) -> dict[int, bool]:
    """Record one attempt per answered question; returns which were right. Every try is kept."""
    questions = {row["id"]: row for row in draft.version.content["comprehension"]}
    status = wizard.comprehension_status(draft.answers, draft.version.content)
    attempts = list(draft.answers.get("comprehension", {}).get("attempts", []))
    now = _now_iso()
    results = {}
    for question_id, choice in choices.items():
        if status.get(question_id):
            results[question_id] = True  # already right; not asked again
            continue
        correct = questions[question_id]["correct_choice"] == choice
        attempts.append(
            {"question_id": question_id, "choice": choice, "correct": correct, "at": now}
        )
        results[question_id] = correct
    _save_answers(draft, "comprehension", {"attempts": attempts})
    return results


def draft_save_questions(*, draft: ConsentDraft, text: str) -> ConsentDraft:
    return _save_answers(draft, "questions", {"text": text.strip(), "saved_at": _now_iso()})


# Signing ----------------------------------------------------------------------------------


def names_match(typed_name: str, patient_name: str) -> bool:
    """The typed name must be the invited name, ignoring case and extra spaces."""
    return " ".join(typed_name.split()).casefold() == " ".join(patient_name.split()).casefold()


def _incomplete_refusals(draft: ConsentDraft) -> list[eligibility.Refusal]:
    content = draft.version.content
    found = []
    if draft.esign_agreed_at is None:
        found.append(eligibility.Refusal("esign", _("You have not agreed to sign electronically.")))
    for step in wizard.STEPS[:-2]:
        if not wizard.is_step_complete(step.slug, draft.answers, content):
            found.append(
                eligibility.Refusal(
                    "incomplete", _("The step “%(step)s” is not finished.") % {"step": step.title}
                )
            )
    known = {
        "side_effects": {str(row["id"]) for row in content["side_effects"]},
        "practitioner": {str(row["id"]) for row in content["checklist"]},
    }
    for key, ids in known.items():
        if not set(draft.answers.get(key, {})) <= ids:
            found.append(
                eligibility.Refusal("tampered", _("Some saved answers do not match this consent."))
            )
    return found


def _chain_previous_hash() -> str:
    last = ConsentRecord.objects.order_by("-id").values_list("record_hash", flat=True).first()
    return last or GENESIS_HASH


def _record_insert_chained(
    *,
    code,
    invitation,
    version,
    payload,
    content_sha256,
    signed_at,
    request_meta,
    pdf_name,
    pdf_sha256,
) -> ConsentRecord:
    """Insert the record on top of the chain's current head.

    On PostgreSQL an advisory lock makes signers take turns at the head; everywhere, the unique
    previous-hash column guarantees the chain never forks, and a loser of a race retries.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [CHAIN_LOCK_ID])
    for _attempt in range(10):
        previous_hash = _chain_previous_hash()
        record = ConsentRecord(
            code=code,
            invitation=invitation,
            version=version,
            version_hash=version.content_hash,
            payload=payload,
            content_sha256=content_sha256,
            signed_at=signed_at,
            ip_address=request_meta.ip_address,
            user_agent=request_meta.user_agent,
            pdf=pdf_name,
            pdf_sha256=pdf_sha256,
            previous_hash=previous_hash,
            record_hash=record_digest(
                content_sha256=content_sha256,
                pdf_name=pdf_name,
                pdf_sha256=pdf_sha256,
                previous_hash=previous_hash,
            ),
        )
        try:
            with transaction.atomic():
                record.save()
            return record
        except IntegrityError:
            if ConsentRecord.objects.filter(invitation=invitation).exists():
                raise
    raise IntegrityError("The record chain stayed busy; please try again.")


def _render_pdf(record_fields: dict) -> bytes:
    from .pdf import render_record_pdf

    return render_record_pdf(record_fields)


def consent_record_sign(
    *,
    invitation: ConsentInvitation,
    typed_name: str,
    drawn_signature: str,
    request_meta: RequestMeta,
) -> tuple[ConsentRecord, str]:
    """Sign: validate everything again, then write the record, its PDF and its first event.

    One transaction: a failure anywhere leaves no record, no event and no PDF, and the draft as
    it was. A second signing of the same invitation (even at the same moment) raises
    AlreadySigned with the one record. Returns the record and the token of the patient's new
    link to it (the invitation's link dies on signing).
    """
    stored_pdf = None
    try:
        with transaction.atomic():
            invitation = (
                ConsentInvitation.objects.select_for_update()
                .select_related("practitioner", "location", "formulation", "procedure")
                .get(pk=invitation.pk)
            )
            existing = ConsentRecord.objects.filter(invitation=invitation).first()
            if existing is not None:
                raise AlreadySigned(existing)
            draft = ConsentDraft.objects.select_related("version").get(invitation=invitation)
            now = timezone.now()
            refusals = _incomplete_refusals(draft) + eligibility.refusals(
                invitation=invitation, version_content=draft.version.content, now=now
            )
            if drawn_signature and not is_drawn_signature(drawn_signature):
                refusals.append(
                    eligibility.Refusal(
                        "signature_unreadable", _("The drawn signature could not be read.")
                    )
                )
            if not names_match(typed_name, invitation.patient_name):
                refusals.append(
                    eligibility.Refusal(
                        "name_mismatch",
                        _("The name you typed does not match the name the clinic has for you."),
                    )
                )
            if refusals:
                raise ConsentRefused(refusals)

            code = new_record_code()
            # The record, its meaning of signature and its PDF are in the language the patient
            # read and signed in.
            with translation.override(invitation.language):
                payload = build_payload(
                    invitation=invitation,
                    draft=draft,
                    typed_name=" ".join(typed_name.split()),
                    drawn_signature=drawn_signature,
                    signed_at=now,
                )
                content_sha256 = content_digest(
                    code=code,
                    version_hash=draft.version.content_hash,
                    payload=payload,
                    signed_at=now,
                    ip_address=request_meta.ip_address,
                    user_agent=request_meta.user_agent,
                )
                pdf_bytes = _render_pdf(
                    {
                        "code": code,
                        "payload": payload,
                        "content_sha256": content_sha256,
                        "signed_at": now,
                    }
                )
            pdf_sha256 = sha256(pdf_bytes)
            stored_pdf = default_storage.save(
                f"consent-records/{now:%Y/%m}/{code}.pdf", ContentFile(pdf_bytes)
            )
            record = _record_insert_chained(
                code=code,
                invitation=invitation,
                version=draft.version,
                payload=payload,
                content_sha256=content_sha256,
                signed_at=now,
                request_meta=request_meta,
                pdf_name=stored_pdf,
                pdf_sha256=pdf_sha256,
            )
            event_append(
                record=record,
                kind=EventKind.SIGNED,
                actor=None,
                actor_label="patient",
                request_meta=request_meta,
                occurred_at=now,
            )
            record_token, record_token_hash = new_token()
            ConsentInvitation.objects.filter(pk=invitation.pk).update(
                record_token_hash=record_token_hash
            )
            transaction.on_commit(lambda: _send_recorded_email(record, record_token), robust=True)
    except IntegrityError:
        if stored_pdf:
            default_storage.delete(stored_pdf)
        existing = ConsentRecord.objects.filter(invitation_id=invitation.pk).first()
        if existing is not None:
            raise AlreadySigned(existing) from None
        raise
    except BaseException:
        if stored_pdf:
            default_storage.delete(stored_pdf)
        raise
    return record, record_token


def _send_recorded_email(record: ConsentRecord, token: str) -> None:
    invitation = record.invitation
    context = {
        "invitation": invitation,
        "record": record,
        "procedure_name": record.payload["procedure"]["name"],
        "link": _absolute(reverse("consent:open", kwargs={"token": token})),
        "clinic_name": settings.CLINIC_NAME,
        "clinic_phone": settings.CLINIC_PHONE,
    }
    with translation.override(invitation.language):
        subject = _("%(clinic)s: your consent is recorded") % {"clinic": settings.CLINIC_NAME}
        message = render_to_string("consent/email/recorded.txt", context)
    send_mail(
        subject=subject,
        message=message,
        from_email=settings.DEFAULT_FROM_EMAIL,
        recipient_list=[invitation.patient_email],
    )


# Events -----------------------------------------------------------------------------------


def _lock_records(ids) -> None:
    """Lock these records' rows, in id order, until the transaction ends (a no-op on SQLite,
    which lets one writer at a time anyway). Records never change: the lock only makes those
    who append events to them take turns."""
    list(
        ConsentRecord.objects.select_for_update()
        .filter(pk__in=ids)
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def _chained_event(
    *, record, kind, when, actor, actor_label, request_meta, data, previous_hash
) -> ConsentEvent:
    """An unsaved event for `record`, chained to `previous_hash`, with its digest computed."""
    fields = {
        "kind": kind,
        "occurred_at": when,
        "actor_id": actor.pk if actor else None,
        "actor_label": actor_label,
        "ip_address": request_meta.ip_address if request_meta else None,
        "user_agent": request_meta.user_agent if request_meta else "",
        "data": data,
        "previous_hash": previous_hash,
    }
    return ConsentEvent(
        record=record, event_hash=event_digest(record_code=record.code, **fields), **fields
    )


def event_append(
    *,
    record: ConsentRecord,
    kind: str,
    actor,
    actor_label: str,
    request_meta: RequestMeta | None,
    data: dict | None = None,
    occurred_at: datetime.datetime | None = None,
) -> ConsentEvent:
    """Append one event to a record's trail, chained to the one before it.

    Appends to one record take turns (its row is locked, as `events_append_each` locks the
    records of a batch), and a unique (record, previous hash) pair keeps the chain linear
    whatever happens: if two events still race, the loser retries on top of the winner.
    """
    data = data or {}
    for _attempt in range(5):
        try:
            with transaction.atomic():
                _lock_records([record.pk])
                previous = (
                    ConsentEvent.objects.filter(record=record)
                    .order_by("-id")
                    .values_list("event_hash", flat=True)
                    .first()
                ) or record.record_hash
                event = _chained_event(
                    record=record,
                    kind=kind,
                    when=occurred_at or timezone.now(),
                    actor=actor,
                    actor_label=actor_label,
                    request_meta=request_meta,
                    data=data,
                    previous_hash=previous,
                )
                event.save()
                return event
        except IntegrityError:
            continue
    raise IntegrityError("Could not append the event after five tries.")


def consent_withdraw(
    *, record: ConsentRecord, reason: str, request_meta: RequestMeta
) -> ConsentEvent:
    """The patient withdraws a signed consent. It stays on file; its status becomes withdrawn."""
    if record.events.filter(kind=EventKind.WITHDRAWN).exists():
        raise ValidationError(_("This consent has already been withdrawn."), code="withdrawn")
    return event_append(
        record=record,
        kind=EventKind.WITHDRAWN,
        actor=None,
        actor_label="patient",
        request_meta=request_meta,
        data={"reason": reason.strip()[:2000]},
    )


# Clinic data -------------------------------------------------------------------------------


def credential_verify(*, credential, verified_by) -> None:
    """Record that a staff member checked the credential with its issuer today."""
    type(credential).objects.filter(pk=credential.pk).update(
        verified_by=verified_by, verified_on=timezone.localdate()
    )


# The practitioner's area -------------------------------------------------------------------


def _rotate_record_link(record: ConsentRecord) -> str:
    """A fresh link to the patient's record for a new e-mail; the previous link stops working."""
    token, digest = new_token()
    ConsentInvitation.objects.filter(pk=record.invitation_id).update(record_token_hash=digest)
    return token


def _send_answer_email(record: ConsentRecord, token: str) -> None:
    invitation = record.invitation
    context = {
        "invitation": invitation,
        "record": record,
        "link": _absolute(reverse("consent:open", kwargs={"token": token})),
        "clinic_name": settings.CLINIC_NAME,
        "clinic_phone": settings.CLINIC_PHONE,
    }
    with translation.override(invitation.language):
        subject = _("%(clinic)s: your practitioner has answered your question") % {
            "clinic": settings.CLINIC_NAME
        }
        message = render_to_string("consent/email/answered.txt", context)
    send_mail(
        subject=subject,
        message=message,
        from_email=settings.DEFAULT_FROM_EMAIL,
        recipient_list=[invitation.patient_email],
    )


def _require_own_patient(record: ConsentRecord, user) -> None:
    practitioner = getattr(user, "practitioner", None)
    if practitioner is None or practitioner.pk != record.invitation.practitioner_id:
        raise ValidationError(
            _("Only the patient's own practitioner can do this."), code="not_practitioner"
        )


@transaction.atomic
def record_answer_questions(
    *, record: ConsentRecord, answered_by, answer: str, request_meta: RequestMeta
) -> ConsentEvent:
    """The practitioner answers the patient's questions; the patient is e-mailed a link."""
    _require_own_patient(record, answered_by)
    answer = answer.strip()
    if not answer:
        raise ValidationError({"answer": _("Write an answer.")}, code="required")
    if not record.payload.get("questions"):
        raise ValidationError(_("The patient asked no questions."), code="no_questions")
    event = event_append(
        record=record,
        kind=EventKind.QUESTION_ANSWERED,
        actor=answered_by,
        actor_label=answered_by.practitioner.display_name,
        request_meta=request_meta,
        data={"answer": answer[:8000]},
    )
    token = _rotate_record_link(record)
    transaction.on_commit(lambda: _send_answer_email(record, token), robust=True)
    return event


COUNTERSIGN_STATEMENT = "I have discussed this consent with the patient."


@transaction.atomic
def record_countersign(
    *, record: ConsentRecord, practitioner_user, typed_name: str, request_meta: RequestMeta
) -> ConsentEvent:
    """The practitioner countersigns; possible only once every question has an answer."""
    _require_own_patient(record, practitioner_user)
    ConsentRecord.objects.select_for_update().filter(pk=record.pk).exists()
    kinds = set(record.events.values_list("kind", flat=True))
    if EventKind.WITHDRAWN in kinds:
        raise ValidationError(_("The patient has withdrawn this consent."), code="withdrawn")
    if EventKind.COUNTERSIGNED in kinds:
        raise ValidationError(_("This consent is already countersigned."), code="countersigned")
    if record.payload.get("questions") and EventKind.QUESTION_ANSWERED not in kinds:
        raise ValidationError(
            _("Answer the patient's questions before countersigning."), code="unanswered"
        )
    typed_name = " ".join(typed_name.split())
    if not typed_name:
        raise ValidationError({"typed_name": _("Type your name to sign.")}, code="required")
    return event_append(
        record=record,
        kind=EventKind.COUNTERSIGNED,
        actor=practitioner_user,
        actor_label=practitioner_user.practitioner.display_name,
        request_meta=request_meta,
        data={"typed_name": typed_name, "statement": COUNTERSIGN_STATEMENT},
    )


@transaction.atomic
def record_request_reconsent(
    *, record: ConsentRecord, requested_by, request_meta: RequestMeta
) -> tuple[ConsentInvitation, str]:
    """A new invitation for the latest version: same patient, practitioner, location."""
    invitation = record.invitation
    invitation_new, token = invitation_create(
        created_by=requested_by,
        patient_name=invitation.patient_name,
        patient_email=invitation.patient_email,
        patient_date_of_birth=invitation.patient_date_of_birth,
        procedure=invitation.procedure,
        practitioner=invitation.practitioner,
        location=invitation.location,
        formulation=invitation.formulation,
        expires_at=timezone.now() + datetime.timedelta(days=14),
        minimum_decision_hours=invitation.minimum_decision_hours,
        language=invitation.language,
    )
    event_append(
        record=record,
        kind=EventKind.RECONSENT_REQUESTED,
        actor=requested_by,
        actor_label=requested_by.get_full_name() or requested_by.get_username(),
        request_meta=request_meta,
        data={"invitation_id": invitation_new.pk},
    )
    return invitation_new, token


def _staff_label(user) -> str:
    return (
        user.practitioner.display_name
        if getattr(user, "practitioner", None)
        else (user.get_full_name() or user.get_username())
    )


def record_event(*, record: ConsentRecord, kind: str, user, request_meta, data=None):
    """A staff member's view, download or export of a record, or a refused attempt."""
    return event_append(
        record=record,
        kind=kind,
        actor=user,
        actor_label=_staff_label(user),
        request_meta=request_meta,
        data=data or {},
    )


def events_append_each(
    *,
    records: list[ConsentRecord],
    kind: str,
    actor,
    actor_label: str,
    request_meta: RequestMeta | None,
    data: dict | None = None,
) -> list[ConsentEvent]:
    """Append one event to each of `records` in one INSERT, each chained to its record's trail.

    For many records at once (an export): three queries however many records, instead of
    `event_append`'s several per record. The batch's records are locked in id order, so bulk
    and single appends to a record take turns; should an event still slip in between the read
    and the insert, the unique (record, previous hash) pair refuses the batch, which is read
    and written again.
    """
    data = data or {}
    by_id = {record.pk: record for record in records}
    ids = sorted(by_id)
    if not ids:
        return []
    for _attempt in range(5):
        try:
            with transaction.atomic():
                _lock_records(ids)
                newest = (
                    ConsentEvent.objects.filter(record_id__in=ids)
                    .values("record_id")
                    .annotate(newest=Max("id"))
                    .values("newest")
                )
                previous = dict(
                    ConsentEvent.objects.filter(pk__in=newest).values_list(
                        "record_id", "event_hash"
                    )
                )
                when = timezone.now()
                events = [
                    _chained_event(
                        record=by_id[pk],
                        kind=kind,
                        when=when,
                        actor=actor,
                        actor_label=actor_label,
                        request_meta=request_meta,
                        data=data,
                        previous_hash=previous.get(pk, by_id[pk].record_hash),
                    )
                    for pk in ids
                ]
                return ConsentEvent.objects.bulk_create(events)
        except IntegrityError:
            continue
    raise IntegrityError("Could not append the events after five tries.")


def records_log_export(*, rows, user, request_meta, chunk_size: int = 500):
    """Pass rows through unchanged while appending an "exported" event to each signed record.

    Events are written a chunk at a time as the CSV streams, so a long export neither holds
    every row in memory nor leaves a record exported without its event.
    """
    chunk = []
    for row in rows:
        chunk.append(row)
        if len(chunk) >= chunk_size:
            yield from _log_export_chunk(chunk, user, request_meta)
            chunk = []
    if chunk:
        yield from _log_export_chunk(chunk, user, request_meta)


def _log_export_chunk(chunk, user, request_meta):
    events_append_each(
        records=[row.record for row in chunk if _has_record(row)],
        kind=EventKind.EXPORTED,
        actor=user,
        actor_label=_staff_label(user),
        request_meta=request_meta,
        data={"format": "csv"},
    )
    return chunk


def _has_record(invitation) -> bool:
    try:
        return invitation.record is not None
    except ConsentRecord.DoesNotExist:
        return False
