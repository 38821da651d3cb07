"""The signers besides the patient: the minor's assent and the interpreter's attestation (kept
in the draft until signing), the staff witness who completes a signed record with a chained
event, and the staff's changes to who must sign."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ..models import ConsentDraft, ConsentEvent, ConsentInvitation, ConsentRecord, EventKind
from ..request_meta import RequestMeta
from ..signature import typed_name_matches
from ..signers import ASSENT_STATEMENT, INTERPRETER_STATEMENT, WITNESS_STATEMENT, signer_plan
from .drafts import _save_answers
from .events import _staff_label, event_append


def draft_save_assent(*, draft: ConsentDraft, typed_name: str, assent_text: str) -> ConsentDraft:
    """The minor's assent: their typed name, the text they read, the statement and the time."""
    return _save_answers(
        draft,
        "assent",
        {
            "typed_name": " ".join(typed_name.split()),
            "text": assent_text,
            "statement": str(ASSENT_STATEMENT),
            "assented_at": timezone.now().isoformat(),
        },
    )


def draft_save_interpreter(
    *, draft: ConsentDraft, name: str, language: str, registration: str
) -> ConsentDraft:
    """The interpreter's attestation, with their name, language and any registration number."""
    return _save_answers(
        draft,
        "interpreter",
        {
            "name": " ".join(name.split()),
            "language": " ".join(language.split()),
            "registration": registration.strip(),
            "statement": str(INTERPRETER_STATEMENT),
            "attested_at": timezone.now().isoformat(),
        },
    )


def record_awaits_witness(record: ConsentRecord, kinds=None) -> bool:
    """Whether a signed record still needs its witness (signed without one, none since)."""
    if not record.payload.get("awaiting_witness"):
        return False
    if kinds is None:
        kinds = set(record.events.values_list("kind", flat=True))
    return EventKind.WITNESSED not in kinds


@transaction.atomic
def record_witness(*, record: ConsentRecord, staff_user, request_meta: RequestMeta) -> ConsentEvent:
    """A staff member signed in to the practice area records that they witnessed the signing:
    their account, the time and the statement, as an event chained to the record, which
    completes it. Only for a record that awaits its witness; never by the representative."""
    ConsentRecord.objects.select_for_update().filter(pk=record.pk).exists()
    kinds = set(record.events.values_list("kind", flat=True))
    if EventKind.WITHDRAWN in kinds:
        raise ValidationError(_("The patient has withdrawn this consent."), code="withdrawn")
    if not record_awaits_witness(record, kinds):
        raise ValidationError(_("This consent is not waiting for a witness."), code="not_awaiting")
    name = _staff_label(staff_user)
    representative = record.payload.get("representative") or {}
    if representative and any(
        typed_name_matches(own, representative.get("name", ""))
        for own in (name, staff_user.get_full_name())
        if own.strip()
    ):
        raise ValidationError(
            _("The person who signed for the patient cannot also be the witness."),
            code="witness_is_signer",
        )
    return event_append(
        record=record,
        kind=EventKind.WITNESSED,
        actor=staff_user,
        actor_label=name,
        request_meta=request_meta,
        data={
            "role": "witness",
            "name": name,
            "account": staff_user.get_username(),
            "statement": str(WITNESS_STATEMENT),
            "witness_kind": "staff",
        },
    )


@transaction.atomic
def invitation_signers_change(
    *,
    invitation: ConsentInvitation,
    witness_required: bool,
    interpreter_required: bool,
) -> ConsentInvitation:
    """Staff change which extra signers are required. Once anyone has signed (the record
    exists, or the interpreter has attested in the draft), a required signer cannot be removed:
    what was signed named them."""
    invitation = (
        ConsentInvitation.objects.select_for_update()
        .select_related("location", "procedure")
        .get(pk=invitation.pk)
    )
    plan = signer_plan(invitation)
    signed = ConsentRecord.objects.filter(invitation=invitation).exists()
    attested = ConsentDraft.objects.filter(
        invitation=invitation, answers__has_key="interpreter"
    ).exists()
    removing_witness = plan.witness_required and not witness_required
    removing_interpreter = plan.interpreter_required and not interpreter_required
    if (signed or attested) and (removing_witness or removing_interpreter):
        raise ValidationError(
            _("Someone has already signed: a required signer cannot be removed now."),
            code="signer_removed_after_signing",
        )
    if removing_witness and invitation.procedure.requires_witness:
        raise ValidationError(
            _("This procedure always requires a witness."), code="procedure_requires_witness"
        )
    if signed and (witness_required, interpreter_required) != (
        invitation.witness_required,
        invitation.interpreter_required,
    ):
        raise ValidationError(
            _("This consent is signed: its signers cannot change."), code="signed"
        )
    ConsentInvitation.objects.filter(pk=invitation.pk).update(
        witness_required=witness_required, interpreter_required=interpreter_required
    )
    invitation.refresh_from_db()
    return invitation
