"""A demo clinic for mesotherapy, so a newcomer can walk the consent journey at once.

Every fact here is made up and says so: the practitioner, the credentials, the regulatory check,
the formulation and the patients. `load_consent_demo` is safe to run again and again: rows are
found by their natural keys and saved only when a field changed, the open demo invitations (one
in English, one in Spanish) keep their fixed links, and the signed demo record is signed once.

The fixed dates hold until the demo invitation expires (1 January 2030): every credential and the
formulation stay in date until then, so the demo patient can sign on any day before it.
"""

import datetime
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from education.demo import sync_demo_row
from education.models import ProcedureVersion
from education.selectors import latest_version_in_language

from . import services
from .demo_patients import demo_health_answers, demo_photo_consent
from .models import (
    Approval,
    ConsentInvitation,
    ConsentRecord,
    Credential,
    CredentialKind,
    Formulation,
    FormulationIngredient,
    InvitationEvent,
    InvitationEventKind,
    Location,
    Practitioner,
    ProcedureExperience,
    Regulation,
    RegulatoryStatus,
)
from .tokens import token_hash

JURISDICTION = "New York"
CHECKED_ON = datetime.date(2026, 10, 15)
VERIFIED_ON = datetime.date(2026, 10, 20)
DEMO_INVITATION_EXPIRES_AT = datetime.datetime(2030, 1, 1, tzinfo=datetime.UTC)
REPLACEMENT_VALID_FOR = datetime.timedelta(days=30)

LOCATION = {
    "name": "Riverside Skin Clinic — Albany",
    "address": "120 Riverside Avenue, Suite 4\nAlbany, NY 12207\n(demo address)",
    "jurisdiction": JURISDICTION,
}

REGULATORY_STATUS = {
    "status": Regulation.CONDITIONS,
    "note": "Must be performed or supervised by a licensed physician.",
    "source": "Demo data — check with the New York State Board for Medical Practice",
    "checked_on": CHECKED_ON,
}

PRACTITIONER = {
    "display_name": "Dr. Maya Chen, MD (demo)",
    "profession": "Dermatologist",
    "years_of_experience": 14,
}

TIMES_PERFORMED = 240

# One credential for each kind the mesotherapy checklist asks for; `procedure_specific` marks the
# training that belongs to mesotherapy rather than to the practitioner in general.
CREDENTIALS = [
    {
        "kind": CredentialKind.BOARD_CERTIFICATION,
        "title": "Diplomate in aesthetic mesotherapy (demo entry, not a real certificate)",
        "issuing_body": "American Board of Aesthetic Mesotherapy (demo entry)",
        "number": "DEMO-ABAM-0412",
        "jurisdiction": "",
        "issued_on": datetime.date(2016, 5, 20),
        "expires_on": datetime.date(2030, 5, 31),
        "procedure_specific": False,
    },
    {
        "kind": CredentialKind.MEDICAL_LICENCE,
        "title": "Licence to practise medicine (demo entry, not a real licence)",
        "issuing_body": "New York State Education Department (demo entry)",
        "number": "DEMO-NY-000000",
        "jurisdiction": JURISDICTION,
        "issued_on": datetime.date(2012, 8, 1),
        "expires_on": datetime.date(2030, 7, 31),
        "procedure_specific": False,
    },
    {
        "kind": CredentialKind.PROCEDURE_TRAINING,
        "title": "Mesotherapy technique and safety course (demo entry)",
        "issuing_body": "Demo Academy of Aesthetic Medicine",
        "number": "DEMO-MT-2016-88",
        "jurisdiction": "",
        "issued_on": datetime.date(2016, 3, 12),
        "expires_on": datetime.date(2031, 3, 31),
        "procedure_specific": True,
    },
    {
        "kind": CredentialKind.ASEPTIC_TECHNIQUE,
        "title": "Aseptic technique and infection control refresher (demo entry)",
        "issuing_body": "Demo Infection Prevention Training",
        "number": "DEMO-AT-2025-17",
        "jurisdiction": "",
        "issued_on": datetime.date(2025, 9, 10),
        "expires_on": datetime.date(2030, 9, 30),
        "procedure_specific": False,
    },
]

FORMULATION = {
    "name": "Phosphatidylcholine / deoxycholate 5% (demo)",
    "manufacturer": "Hudson Valley Compounding Pharmacy (demo)",
    "lot_number": "DEMO-PCDC-2611",
    "expires_on": datetime.date(2029, 12, 31),
    "regulatory_status": Approval.COMPOUNDED,
    "regulatory_note": (
        "A compounding pharmacy mixed this for the clinic. It is not an FDA-approved product, so "
        "no one has checked it the way approved medicines are checked. (Demo entry.)"
    ),
}

INGREDIENTS = [
    {"name": "Phosphatidylcholine", "concentration": "50 mg/mL"},
    {"name": "Sodium deoxycholate", "concentration": "42 mg/mL"},
    {"name": "Benzyl alcohol (preservative)", "concentration": "0.9%"},
]


@dataclass(frozen=True)
class DemoPatient:
    name: str
    email: str
    date_of_birth: datetime.date
    # Published on purpose: the command prints the link, so anyone may open it (demo only).
    token: str
    language: str = "en"


JOURNEY_PATIENT = DemoPatient(
    name="Jordan Rivera",
    email="jordan.rivera@example.com",
    date_of_birth=datetime.date(1988, 7, 14),
    token="demo-mesotherapy-invitation",  # noqa: S106 - a published demo link, by design.
)
SIGNED_PATIENT = DemoPatient(
    name="Sam Patel",
    email="sam.patel@example.com",
    date_of_birth=datetime.date(1979, 2, 3),
    token="demo-mesotherapy-signed",  # noqa: S106 - a published demo link, by design.
)
# Invited in Spanish: the e-mail, the consent steps and the material (the Spanish translation's
# version) are all in Spanish.
SPANISH_PATIENT = DemoPatient(
    name="Lucía Fernández",
    email="lucia.fernandez@example.com",
    date_of_birth=datetime.date(1991, 9, 23),
    token="demo-mesoterapia-invitacion",  # noqa: S106 - a published demo link, by design.
    language="es",
)
# Her health answers ask for the practitioner's review: the dashboard's "Health answers to
# review" state, waiting for a decision.
REVIEW_PATIENT = DemoPatient(
    name="Avery Brooks",
    email="avery.brooks@example.com",
    date_of_birth=datetime.date(1983, 11, 8),
    token="demo-mesotherapy-health-review",  # noqa: S106 - a published demo link, by design.
)
SIGNED_PATIENT_QUESTION = "How many sessions will I need?"

# One made-up patient in each state of the link's life short of signing (the signed demo record
# is the last), each with its moments so many hours ago: what the dashboard's link column shows.
_SENT = ("sent", 50, {})
_DELIVERED = ("delivered", 49, {})
_OPENED = ("opened", 30, {})
_IDENTITY = ("identity_confirmed", 30, {})
LINK_STATE_PATIENTS = [
    (
        DemoPatient(
            name="Priya Nair",
            email="priya.nair@example.com",
            date_of_birth=datetime.date(1990, 1, 8),
            token="demo-link-sent",  # noqa: S106 - a published demo link, by design.
        ),
        [_SENT],
    ),
    (
        DemoPatient(
            name="Tomás Alvarez",
            email="tomas.alvarez@example.com",
            date_of_birth=datetime.date(1983, 5, 30),
            token="demo-link-delivered",  # noqa: S106 - a published demo link, by design.
        ),
        [_SENT, _DELIVERED],
    ),
    (
        DemoPatient(
            name="Grace Okafor",
            email="grace.okafor@example.invalid",
            date_of_birth=datetime.date(1975, 11, 2),
            token="demo-link-bounced",  # noqa: S106 - a published demo link, by design.
        ),
        [_SENT, ("bounced", 49, {})],
    ),
    (
        DemoPatient(
            name="Ben Schultz",
            email="ben.schultz@example.com",
            date_of_birth=datetime.date(1994, 3, 17),
            token="demo-link-opened",  # noqa: S106 - a published demo link, by design.
        ),
        [_SENT, _DELIVERED, _OPENED],
    ),
    (
        DemoPatient(
            name="Hana Sato",
            email="hana.sato@example.com",
            date_of_birth=datetime.date(1986, 8, 9),
            token="demo-link-identity",  # noqa: S106 - a published demo link, by design.
        ),
        [_SENT, _DELIVERED, _OPENED, _IDENTITY],
    ),
    (
        DemoPatient(
            name="Owen Price",
            email="owen.price@example.com",
            date_of_birth=datetime.date(1981, 12, 21),
            token="demo-link-step",  # noqa: S106 - a published demo link, by design.
        ),
        [
            _SENT,
            _DELIVERED,
            _OPENED,
            _IDENTITY,
            ("step_reached", 29, {"step": 1}),
            ("step_reached", 28, {"step": 3}),
        ],
    ),
]
SIGNING_REQUEST_META = services.RequestMeta(ip_address="127.0.0.1", user_agent="load_demo")


@dataclass(frozen=True)
class DemoJourney:
    """A link to try the consent journey as one demo patient, and why it is not the fixed one."""

    patient: DemoPatient
    token: str
    replaced_because: str | None


@dataclass(frozen=True)
class ConsentDemo:
    """What the command prints: links to try the journey, and the signed record's code.

    `patient`, `token` and `replaced_because` are the English journey's; `spanish` is the
    Spanish one, or None while the Spanish material is not published.
    """

    patient: DemoPatient
    token: str
    replaced_because: str | None
    record: ConsentRecord
    spanish: DemoJourney | None = None


@transaction.atomic
def load_consent_demo(*, admin, practitioner_user, version: ProcedureVersion) -> ConsentDemo:
    """Bring the demo clinic in line with the facts here; return the link and record to show.

    The open demo invitation keeps its fixed link. If someone walked it to the end (signed,
    withdrawn, expired or locked), a new invitation with a random link is made through the
    services instead, or the one made on an earlier run gets a new link.
    """
    procedure = version.procedure
    location = sync_demo_row(Location, lookup={"name": LOCATION["name"]}, values=LOCATION)
    sync_demo_row(
        RegulatoryStatus,
        lookup={"procedure": procedure, "jurisdiction": JURISDICTION},
        values=REGULATORY_STATUS,
    )
    practitioner = sync_demo_row(
        Practitioner, lookup={"user": practitioner_user}, values=PRACTITIONER
    )
    sync_demo_row(
        ProcedureExperience,
        lookup={"practitioner": practitioner, "procedure": procedure},
        values={"times_performed": TIMES_PERFORMED},
    )
    for row in CREDENTIALS:
        values = {name: value for name, value in row.items() if name != "procedure_specific"}
        values["procedure"] = procedure if row["procedure_specific"] else None
        kind = values.pop("kind")
        sync_demo_row(
            Credential,
            lookup={"practitioner": practitioner, "kind": kind},
            values={**values, "verified_by": admin, "verified_on": VERIFIED_ON},
        )
    formulation = sync_demo_row(
        Formulation,
        lookup={"procedure": procedure, "name": FORMULATION["name"]},
        values=FORMULATION,
    )
    kept = [
        sync_demo_row(
            FormulationIngredient,
            lookup={"formulation": formulation, "name": row["name"]},
            values={"concentration": row["concentration"], "position": position},
        ).pk
        for position, row in enumerate(INGREDIENTS, start=1)
    ]
    formulation.ingredients.exclude(pk__in=kept).delete()

    facts = {
        "created_by": admin,
        "procedure": procedure,
        "practitioner": practitioner,
        "location": location,
        "formulation": formulation,
    }
    token, replaced_because = _journey_link(facts, JOURNEY_PATIENT)
    record = _signed_record(facts)
    demo_photo_consent(record, typed_name=SIGNED_PATIENT.name, request_meta=SIGNING_REQUEST_META)
    _health_answers_to_review(facts)
    _link_states(facts)
    spanish = None
    if latest_version_in_language(procedure_id=procedure.pk, language=SPANISH_PATIENT.language):
        spanish_token, spanish_replaced_because = _journey_link(facts, SPANISH_PATIENT)
        spanish = DemoJourney(
            patient=SPANISH_PATIENT,
            token=spanish_token,
            replaced_because=spanish_replaced_because,
        )
    return ConsentDemo(
        patient=JOURNEY_PATIENT,
        token=token,
        replaced_because=replaced_because,
        record=record,
        spanish=spanish,
    )


def _journey_link(facts: dict, patient: DemoPatient) -> tuple[str, str | None]:
    """The patient's fixed demo link while it is open; otherwise a fresh one, and why."""
    invitation = _fixed_link_invitation(patient, facts)
    replaced_because = _closed_because(invitation)
    if replaced_because is None:
        return patient.token, None
    replacement = (
        ConsentInvitation.objects.open()
        .filter(
            patient_email=patient.email,
            procedure=facts["procedure"],
            locked_at__isnull=True,
        )
        .exclude(pk=invitation.pk)
        .order_by("-created_at")
        .first()
    )
    if replacement is not None:
        # The raw token of an earlier replacement is not stored, so give it a new link rather
        # than pile up one unused invitation per run.
        return services.invitation_resend(invitation=replacement), replaced_because
    _replacement, token = services.invitation_create(
        **facts,
        patient_name=patient.name,
        patient_email=patient.email,
        patient_date_of_birth=patient.date_of_birth,
        expires_at=timezone.now() + REPLACEMENT_VALID_FOR,
        minimum_decision_hours=0,
        language=patient.language,
    )
    return token, replaced_because


def _closed_because(invitation: ConsentInvitation) -> str | None:
    if ConsentRecord.objects.filter(invitation=invitation).exists():
        return "the demo invitation has been signed"
    if invitation.is_withdrawn:
        return "the demo invitation was withdrawn"
    if invitation.is_expired:
        return "the demo invitation has expired"
    if invitation.is_locked:
        return "the demo invitation is locked after five wrong dates of birth"
    return None


def _health_answers_to_review(facts: dict) -> None:
    """The review patient's draft, with health answers of which the first that needs review is
    chosen; written the first time only, so a decision taken in the demo stays."""
    invitation = _fixed_link_invitation(REVIEW_PATIENT, facts)
    if ConsentRecord.objects.filter(invitation=invitation).exists():
        return
    draft = services.draft_start(invitation=invitation)
    content = draft.version.content
    if "screening" in draft.answers or not content.get("screening"):
        return
    answers = demo_health_answers(content)
    for question in content["screening"]:
        flagged = [o["id"] for o in question["options"] if o["needs_review"] and not o["stop"]]
        if flagged:
            several = question["answer_type"] == "several_choices"
            answers[str(question["id"])] = flagged[:1] if several else flagged[0]
            break
    services.draft_agree_esign(draft=draft)
    services.draft_acknowledge(draft=draft, key="about")
    services.draft_save_screening(draft=draft, answers=answers)


def _signed_record(facts: dict) -> ConsentRecord:
    """The one signed demo record, signed through the services the first time only."""
    invitation = _fixed_link_invitation(SIGNED_PATIENT, facts)
    record = ConsentRecord.objects.filter(invitation=invitation).first()
    return record or sign_demo_invitation(invitation, question=SIGNED_PATIENT_QUESTION)


def sign_demo_invitation(invitation: ConsentInvitation, *, question: str = "") -> ConsentRecord:
    """Walk a demo invitation's draft through every step with the plain answers, and sign."""
    draft = services.draft_start(invitation=invitation)
    content = draft.version.content
    services.draft_agree_esign(draft=draft)
    services.draft_acknowledge(draft=draft, key="about")
    services.draft_save_screening(draft=draft, answers=demo_health_answers(content))
    services.draft_acknowledge_each(
        draft=draft, key="side_effects", ids={row["id"] for row in content["side_effects"]}
    )
    services.draft_acknowledge(draft=draft, key="formulation")
    services.draft_acknowledge_each(
        draft=draft, key="practitioner", ids={row["id"] for row in content["checklist"]}
    )
    services.draft_answer_comprehension(
        draft=draft,
        choices={row["id"]: row["correct_choice"] for row in content["comprehension"]},
    )
    services.draft_save_questions(draft=draft, text=question)
    record, _record_token = services.record_sign(
        invitation=invitation,
        typed_name=invitation.patient_name,
        drawn_signature="",
        request_meta=SIGNING_REQUEST_META,
    )
    return record


def _link_states(facts: dict) -> None:
    """An invitation in each state of the link's life, with its events, written the first time
    only (the events are append-only; a second run finds them there)."""
    now = timezone.now()
    for patient, moments in LINK_STATE_PATIENTS:
        invitation = _fixed_link_invitation(patient, facts)
        if InvitationEvent.objects.filter(invitation=invitation).exists():
            continue
        sent_at = now - datetime.timedelta(hours=moments[0][1])
        ConsentInvitation.objects.filter(pk=invitation.pk).update(sent_at=sent_at)
        for kind, hours_ago, data in moments:
            services.invitation_link_event_add(
                invitation_id=invitation.pk,
                kind=kind,
                data=data,
                occurred_at=now - datetime.timedelta(hours=hours_ago),
            )
        # A patient past the date of birth has a draft, as the journey would have made, so the
        # dashboard's state ("In progress") agrees with the link's column.
        if any(kind == InvitationEventKind.IDENTITY_CONFIRMED for kind, _hours, _data in moments):
            services.draft_start(invitation=invitation)


def _fixed_link_invitation(patient: DemoPatient, facts: dict, **course) -> ConsentInvitation:
    """The patient's invitation, found by (or created with) the hash of their fixed token.

    The only place outside `services` that writes `token_hash`: `invitation_create` always draws
    a random token, whose raw value is never stored, so a second run could neither find that
    invitation again nor print its link. A published fixed token keeps the printed link the same
    on every run and the database identical; it is acceptable only for made-up demo patients.
    No e-mail is sent for these invitations, so `sent_at` stays empty.
    """
    digest = token_hash(patient.token)
    invitation = ConsentInvitation.objects.filter(token_hash=digest).first()
    if invitation is not None:
        return invitation
    invitation = ConsentInvitation.objects.create(
        **facts,
        patient_name=patient.name,
        patient_email=patient.email,
        patient_date_of_birth=patient.date_of_birth,
        expires_at=DEMO_INVITATION_EXPIRES_AT,
        minimum_decision_hours=0,
        language=patient.language,
        token_hash=digest,
        **course,
    )
    services.consent_status_refresh(invitation_ids=[invitation.pk])
    return invitation
