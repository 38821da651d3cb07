"""Signing: everything validated again, then the record and its first event in one transaction,
chained on top of the record chain; its PDF copy is made by a worker after the commit."""

from django.db import IntegrityError, connection, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from .. import eligibility, emails, wizard
from ..models import (
    GENESIS_HASH,
    ConsentDraft,
    ConsentInvitation,
    ConsentRecord,
    EventKind,
)
from ..records import (
    build_payload,
    content_digest,
    record_digest,
)
from ..request_meta import RequestMeta
from ..screening import review_refusals
from ..signature import SignatureRefused, drawn_signature_clean, typed_name_matches
from ..signers import (
    SignerPlan,
    is_representative,
    names_the_patient,
    signature_meaning,
    signer_plan,
    signers_payload,
)
from ..tokens import new_record_code, new_token
from .events import event_append
from .pdfs import record_pdf_request

CHAIN_LOCK_ID = 7_301_001  # pg_advisory_xact_lock key for the consent record chain


class ConsentRefused(Exception):
    """Signing is not allowed; `refusals` says why, in words for the patient."""

    def __init__(self, refusals: list[eligibility.Refusal]):
        super().__init__("; ".join(refusal.message for refusal in refusals))
        self.refusals = refusals


class AlreadySigned(Exception):
    def __init__(self, record: ConsentRecord):
        super().__init__(record.code)
        self.record = record


def _incomplete_refusals(draft: ConsentDraft, plan: SignerPlan) -> list[eligibility.Refusal]:
    content = draft.version.content
    found = []
    if draft.esign_agreed_at is None:
        found.append(eligibility.Refusal("esign", _("You have not agreed to sign electronically.")))
    for step in wizard.steps_for(plan)[:-2]:
        if not wizard.is_step_complete(step.slug, draft.answers, content, plan):
            found.append(
                eligibility.Refusal(
                    "incomplete", _("The step “%(step)s” is not finished.") % {"step": step.title}
                )
            )
    found += review_refusals(draft, list(draft.screening_reviews.all()))
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


def _signer_refusals(
    plan: SignerPlan, typed_name: str, own_name_confirmed: bool, witness: dict | None
) -> list[eligibility.Refusal]:
    """The typed name is the signer's own; a witness is someone else."""
    found = []
    if names_the_patient(typed_name, plan) and not own_name_confirmed:
        found.append(
            eligibility.Refusal(
                "signed_as_patient",
                _("You typed the patient's name: sign with your own name, or confirm it."),
            )
        )
    if not typed_name_matches(typed_name, plan.signer_name):
        found.append(
            eligibility.Refusal(
                "name_mismatch",
                _("The name you typed does not match the name the clinic has for you."),
            )
        )
    if plan.witness_required and witness:
        name = witness.get("name", "")
        if (
            not name.strip()
            or is_representative(name, plan)
            or typed_name_matches(name, plan.signer_name)
        ):
            found.append(
                eligibility.Refusal(
                    "witness_is_signer", _("The person signing cannot also be the witness.")
                )
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


def record_sign(
    *,
    invitation: ConsentInvitation,
    typed_name: str,
    drawn_signature: str,
    request_meta: RequestMeta,
    own_name_confirmed: bool = False,
    witness: dict | None = None,
) -> tuple[ConsentRecord, str]:
    """Sign: validate everything again, then write the record and its first event, and queue
    its PDF copy (a worker makes it once the transaction commits; the record is complete
    without it, and its hash never covers it).

    One transaction: a failure anywhere leaves no record and no event, and the draft as it
    was. A second signing of the same invitation (even at the same moment) raises AlreadySigned
    with the one record. Returns the record and the token of the patient's new link to it (the
    invitation's link dies on signing).

    Whoever signs types their own name (`consent.signers`): the patient's, or the parent's,
    guardian's or representative's, who must confirm it if it is also the patient's. A witness
    present on the device (`witness`, {"name"}) is named in the record; without one, a record
    that needs a witness waits for a staff member's (`record_witness`).
    """
    # Decoded (within the pixel limit) and encoded again before any row is locked; the
    # record keeps our PNG, never the browser's file.
    signature_refusal = None
    if drawn_signature:
        try:
            drawn_signature = drawn_signature_clean(drawn_signature)
        except SignatureRefused as refused:
            signature_refusal = eligibility.Refusal(refused.code, str(refused.message))
    try:
        with transaction.atomic():
            invitation = (
                ConsentInvitation.objects.select_for_update()
                .select_related("practitioner", "location", "formulation", "procedure")
                .get(pk=invitation.pk)
            )
            plan = signer_plan(invitation)
            existing = ConsentRecord.objects.filter(invitation=invitation).first()
            if existing is not None:
                raise AlreadySigned(existing)
            draft = ConsentDraft.objects.select_related("version").get(invitation=invitation)
            now = timezone.now()
            refusals = _incomplete_refusals(draft, plan) + eligibility.refusals(
                invitation=invitation, version_content=draft.version.content, now=now
            )
            if signature_refusal is not None:
                refusals.append(signature_refusal)
            refusals += _signer_refusals(plan, typed_name, own_name_confirmed, witness)
            if refusals:
                raise ConsentRefused(refusals)

            code = new_record_code()
            # The record, its meaning of signature and its PDF are in the language the patient
            # read and signed in.
            with translation.override(invitation.language):
                typed_name = " ".join(typed_name.split())
                payload = build_payload(
                    invitation=invitation,
                    draft=draft,
                    typed_name=typed_name,
                    drawn_signature=drawn_signature,
                    signed_at=now,
                    meaning=signature_meaning(plan),
                    signers=signers_payload(
                        plan=plan,
                        answers=draft.answers,
                        typed_name=typed_name,
                        signed_at=now,
                        witness=witness if plan.witness_required else None,
                    ),
                )
                content_sha256 = content_digest(
                    code=code,
                    version_hash=draft.version.content_hash,
                    payload=payload,
                    signed_at=now,
                    ip_address=request_meta.ip_address,
                    user_agent=request_meta.user_agent,
                )
            record = _record_insert_chained(
                code=code,
                invitation=invitation,
                version=draft.version,
                payload=payload,
                content_sha256=content_sha256,
                signed_at=now,
                request_meta=request_meta,
                pdf_name="",
                pdf_sha256="",
            )
            event_append(
                record=record,
                kind=EventKind.SIGNED,
                actor=None,
                actor_label=plan.role,
                request_meta=request_meta,
                occurred_at=now,
            )
            record_token, record_token_hash = new_token()
            ConsentInvitation.objects.filter(pk=invitation.pk).update(
                record_token_hash=record_token_hash
            )
            record_pdf_request(record)
            transaction.on_commit(lambda: emails.send_recorded(record, record_token), robust=True)
    except IntegrityError:
        existing = ConsentRecord.objects.filter(invitation_id=invitation.pk).first()
        if existing is not None:
            raise AlreadySigned(existing) from None
        raise
    return record, record_token
