"""Who signs a consent, and how the wizard speaks to them.

An invitation names who signs (`SignerRole`): the patient; a parent or guardian for a minor,
with the minor's own assent once they reach the clinic's age of assent; or a legally authorised
representative. A witness and an interpreter may be required as well. `signer_plan` reads all of
that once from the invitation; the wizard shows only the steps the plan needs, and every
acknowledgement and the meaning of the signature are worded for the person in front of it, so
that no representative signs believing they are the patient.
"""

import datetime
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import get_language, gettext
from django.utils.translation import gettext_lazy as _

from education.readability import reading_grade

from .models import ConsentInvitation, SignerRole
from .records import SIGNATURE_MEANING
from .signature import typed_name_matches

# The minor's assent, written for a younger reader (aim: reading grade 5; the Location admin
# shows its estimate). It says nothing clinical of its own: the material is the same one the
# parent or guardian read, and the practitioner discusses it with the child.
ASSENT_TEXT = _(
    "Your parent or guardian read about a treatment for you. It is called %(procedure)s. "
    "They and your practitioner will talk about it with you. You can ask any question you "
    "want. You can say how you feel about it. If you do not want it, you can say so. Your "
    "practitioner will discuss this with you."
)
ASSENT_STATEMENT = _("I know about this treatment, and I agree to have it.")

INTERPRETER_STATEMENT = _(
    "I interpreted all of this information, every question and every answer, fully and "
    "faithfully, in a language the person signing understands."
)
WITNESS_STATEMENT = _(
    "I saw the person named above sign this consent, and they appeared to do so freely."
)

SIGNATURE_MEANING_GUARDIAN = _(
    "By signing, I confirm that, as the parent or guardian of the patient, %(patient)s, I have "
    "read the information about this procedure, including every side effect listed, what will "
    "be injected and the practitioner's credentials; that I have had the chance to ask "
    "questions; and that I agree, on their behalf, to their having this procedure. I understand "
    "that I can withdraw this consent at any time before treatment."
)
SIGNATURE_MEANING_REPRESENTATIVE = _(
    "By signing, I confirm that, as the legally authorised representative of the patient, "
    "%(patient)s, I hold the authority stated in this record; that I have read the information "
    "about this procedure, including every side effect listed, what will be injected and the "
    "practitioner's credentials; that I have had the chance to ask questions; and that I agree, "
    "on their behalf, to their having this procedure. I understand that I can withdraw this "
    "consent at any time before treatment."
)


@dataclass(frozen=True)
class SignerPlan:
    """Who signs one invitation's consent, read once from the invitation."""

    role: str
    patient_name: str
    representative_name: str
    relationship: str
    authority: str
    patient_age: int | None
    assent_age: int
    witness_required: bool
    interpreter_required: bool

    @property
    def for_someone_else(self) -> bool:
        return self.role != SignerRole.PATIENT

    @property
    def signer_name(self) -> str:
        """The name the person in front of the wizard types to sign."""
        return self.representative_name if self.for_someone_else else self.patient_name

    @property
    def assent_required(self) -> bool:
        """A minor consented by a parent or guardian assents from the clinic's age of assent."""
        return (
            self.role == SignerRole.GUARDIAN
            and self.patient_age is not None
            and self.patient_age >= self.assent_age
        )


ADULT_AGE = 18


def age_on(date_of_birth: datetime.date | None, day: datetime.date) -> int | None:
    if date_of_birth is None:
        return None
    had_birthday = (day.month, day.day) >= (date_of_birth.month, date_of_birth.day)
    return day.year - date_of_birth.year - (0 if had_birthday else 1)


def signer_plan(invitation: ConsentInvitation, *, day: datetime.date | None = None) -> SignerPlan:
    """The invitation's signers. Reads the location and procedure (select_related them)."""
    return SignerPlan(
        role=invitation.signer_role,
        patient_name=invitation.patient_name,
        representative_name=invitation.representative_name,
        relationship=invitation.representative_relationship,
        authority=invitation.representative_authority,
        patient_age=age_on(invitation.patient_date_of_birth, day or timezone.localdate()),
        assent_age=invitation.location.assent_age,
        witness_required=invitation.witness_required or invitation.procedure.requires_witness,
        interpreter_required=invitation.interpreter_required,
    )


def role_label(role: str) -> str:
    return {
        SignerRole.PATIENT: gettext("the patient"),
        SignerRole.GUARDIAN: gettext("parent or guardian"),
        SignerRole.REPRESENTATIVE: gettext("legally authorised representative"),
    }[role]


def who_is_signing(plan: SignerPlan) -> str:
    """One sentence, on every step: who is signing, for whom, and in what role."""
    if plan.role == SignerRole.GUARDIAN:
        return gettext(
            "You are reading and signing for the patient, %(patient)s, as their parent or "
            "guardian (%(relationship)s). “You” on these pages means you, %(name)s."
        ) % {
            "patient": plan.patient_name,
            "relationship": plan.relationship,
            "name": plan.representative_name,
        }
    if plan.role == SignerRole.REPRESENTATIVE:
        return gettext(
            "You are reading and signing for the patient, %(patient)s, as their legally "
            "authorised representative (%(relationship)s). “You” on these pages means you, "
            "%(name)s."
        ) % {
            "patient": plan.patient_name,
            "relationship": plan.relationship,
            "name": plan.representative_name,
        }
    return gettext("You are reading and signing for yourself, %(patient)s.") % {
        "patient": plan.patient_name
    }


def signature_meaning(plan: SignerPlan) -> str:
    if plan.role == SignerRole.GUARDIAN:
        return str(SIGNATURE_MEANING_GUARDIAN) % {"patient": plan.patient_name}
    if plan.role == SignerRole.REPRESENTATIVE:
        return str(SIGNATURE_MEANING_REPRESENTATIVE) % {"patient": plan.patient_name}
    return str(SIGNATURE_MEANING)


def about_label(plan: SignerPlan) -> str:
    if plan.for_someone_else:
        return gettext(
            "I have read about the procedure for the patient, %(patient)s: what it is used for, "
            "the evidence, and the alternatives, including not having it."
        ) % {"patient": plan.patient_name}
    return gettext(
        "I have read about the procedure, what it is used for, the evidence, and the "
        "alternatives, including not having it."
    )


def injected_label(plan: SignerPlan) -> str:
    if plan.for_someone_else:
        return gettext(
            "I know exactly what will be injected into the patient, %(patient)s, and its "
            "regulatory status."
        ) % {"patient": plan.patient_name}
    return gettext("I know exactly what will be injected, and its regulatory status.")


def side_effect_label(plan: SignerPlan) -> str:
    """The label of each side effect's tick, with `%(name)s` left for the side effect."""
    if plan.for_someone_else:
        return gettext("I understand “%%(name)s” may happen to the patient, %(patient)s.") % {
            "patient": plan.patient_name
        }
    return gettext("I understand “%(name)s” may happen to me.")


def agree_label(plan: SignerPlan) -> str:
    if plan.for_someone_else:
        return gettext(
            "I have read what signing means, and I agree, for the patient, %(patient)s, to this "
            "procedure."
        ) % {"patient": plan.patient_name}
    return gettext("I have read what signing means, and I agree to this procedure.")


# Step titles as a parent, guardian or representative reads them.
TITLES_FOR_SOMEONE_ELSE = {
    "health": _("The patient's health"),
    "practitioner": _("The practitioner"),
    "understanding": _("Check your understanding"),
    "questions": _("Questions for the practitioner"),
}


def step_title(step, plan: SignerPlan | None) -> str:
    if plan is not None and plan.for_someone_else:
        return str(TITLES_FOR_SOMEONE_ELSE.get(step.slug, step.title))
    return str(step.title)


def names_the_patient(typed_name: str, plan: SignerPlan) -> bool:
    """Whether someone signing for the patient typed the patient's name instead of their own."""
    return plan.for_someone_else and typed_name_matches(typed_name, plan.patient_name)


def is_representative(name: str, plan: SignerPlan) -> bool:
    """Whether `name` is the parent, guardian or representative's (a witness cannot be)."""
    return plan.for_someone_else and typed_name_matches(name, plan.representative_name)


def signers_payload(
    *, plan: SignerPlan, answers: dict, typed_name: str, signed_at, witness: dict | None
) -> dict:
    """Every signer as the signed record keeps them (role, name, relationship and authority,
    statement, time), and whether the record still waits for its witness."""
    on_behalf = plan.patient_name if plan.for_someone_else else None
    signers = [
        {
            "role": plan.role,
            "name": typed_name,
            "on_behalf_of": on_behalf,
            "relationship": plan.relationship or None,
            "authority": plan.authority or None,
            "statement": signature_meaning(plan),
            "signed_at": signed_at.isoformat(),
        }
    ]
    if plan.assent_required:
        assent = answers["assent"]
        signers.append(
            {
                "role": "minor_assent",
                "name": assent["typed_name"],
                "text": assent["text"],
                "statement": assent["statement"],
                "signed_at": assent["assented_at"],
            }
        )
    if plan.interpreter_required:
        interpreter = answers["interpreter"]
        signers.append(
            {
                "role": "interpreter",
                "name": interpreter["name"],
                "language": interpreter["language"],
                "registration": interpreter["registration"] or None,
                "statement": interpreter["statement"],
                "signed_at": interpreter["attested_at"],
            }
        )
    if plan.witness_required and witness:
        signers.append(
            {
                "role": "witness",
                "witness_kind": "present",
                "name": witness["name"],
                "statement": str(WITNESS_STATEMENT),
                "signed_at": signed_at.isoformat(),
            }
        )
    representative = (
        {
            "role": plan.role,
            "name": plan.representative_name,
            "relationship": plan.relationship,
            "authority": plan.authority,
        }
        if plan.for_someone_else
        else None
    )
    return {
        "signer_role": plan.role,
        "representative": representative,
        "witness_required": plan.witness_required,
        "interpreter_required": plan.interpreter_required,
        "awaiting_witness": plan.witness_required and not witness,
        "signers": signers,
    }


SIGNER_ROLE_LABELS = {
    "patient": _("Patient"),
    "guardian": _("Parent or guardian"),
    "representative": _("Legally authorised representative"),
    "minor_assent": _("The minor's assent"),
    "interpreter": _("Interpreter"),
    "witness": _("Witness"),
}


def signer_rows(payload: dict, witness_events=()) -> list[dict]:
    """Each signer of a record with its role in words, for the record page and the PDF: those
    in the signed payload (a record before issue 14: the patient alone, from its signature), then
    any staff witness added later by a chained event."""
    if payload.get("purged"):
        return []
    signature = payload.get("signature", {})
    rows = payload.get("signers") or [
        {
            "role": "patient",
            "name": signature.get("typed_name", ""),
            "statement": signature.get("meaning", ""),
            "signed_at": signature.get("signed_at", ""),
        }
    ]
    rows = [dict(row) for row in rows]
    for event in witness_events:
        rows.append(
            {
                "role": "witness",
                "witness_kind": "staff",
                "name": event.data.get("name", event.actor_label),
                "account": event.data.get("account", ""),
                "statement": event.data.get("statement", ""),
                "signed_at": event.occurred_at.isoformat(),
            }
        )
    for row in rows:
        row["role_label"] = str(SIGNER_ROLE_LABELS.get(row["role"], row["role"]))
    return rows


ASSENT_TARGET_GRADE = 5


def assent_text_with_grade() -> str:
    """The assent text as a minor reads it (for a sample procedure), and its reading grade,
    for admin: it is written for a younger reader, aiming at grade 5."""
    text = str(ASSENT_TEXT) % {"procedure": gettext("mesotherapy")}
    estimate = reading_grade(text, get_language() or "en")
    grade = (
        gettext("Reading grade %(grade).1f (aim for %(target)d or below).")
        % {"grade": estimate.grade, "target": ASSENT_TARGET_GRADE}
        if estimate
        else ""
    )
    return f"{text} {grade}".strip()
