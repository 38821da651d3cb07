"""The demo's courses of treatment: one patient mid-course with a check-in due, and one who
reported a side effect at a check-in. Made up, like every demo patient (`consent.demo`).

Safe to run again: each patient's invitation is found by its fixed link, signed once, and the
check-in link and check-in are written the first time only (the events are append-only).
"""

import datetime
from dataclasses import dataclass

from django.utils import timezone

from . import services
from .demo import (
    FORMULATION,
    LOCATION,
    SIGNING_REQUEST_META,
    DemoPatient,
    _fixed_link_invitation,
    demo_health_answers,
    sign_demo_invitation,
)
from .models import (
    ConsentRecord,
    CourseKind,
    EventKind,
    Formulation,
    Location,
    Practitioner,
    TreatmentSession,
)
from .services.course import course_sessions_create
from .tokens import token_hash

MID_COURSE_PATIENT = DemoPatient(
    name="Riley Morgan",
    email="riley.morgan@example.com",
    date_of_birth=datetime.date(1986, 5, 17),
    token="demo-mesotherapy-course",  # noqa: S106 - a published demo link, by design.
)
# The check-in link of Riley's second session, printed by `load_demo` (demo only).
MID_COURSE_CHECKIN_TOKEN = "demo-mesotherapy-checkin"  # noqa: S105 - a published demo link.
SIDE_EFFECT_PATIENT = DemoPatient(
    name="Quinn Taylor",
    email="quinn.taylor@example.com",
    date_of_birth=datetime.date(1975, 12, 1),
    token="demo-mesotherapy-side-effect",  # noqa: S106 - a published demo link, by design.
)
SIDE_EFFECT_NOTE = "A small bruise where the injections were, gone after four days. (demo)"


@dataclass(frozen=True)
class CourseDemo:
    """What `load_demo` prints: the mid-course patient and their check-in link."""

    patient: DemoPatient
    checkin_token: str | None


def load_course_demo(*, practitioner_user, version) -> CourseDemo:
    """The two course patients, with the demo clinic's facts (`consent.demo` loads them first)."""
    facts = {
        "created_by": version.published_by,
        "procedure": version.procedure,
        "practitioner": Practitioner.objects.get(user=practitioner_user),
        "location": Location.objects.get(name=LOCATION["name"]),
        "formulation": Formulation.objects.get(
            procedure=version.procedure, name=FORMULATION["name"]
        ),
    }
    riley = _signed_course(MID_COURSE_PATIENT, facts)
    token = _checkin_link(riley)
    quinn = _signed_course(SIDE_EFFECT_PATIENT, facts)
    _side_effect_checkin(quinn)
    return CourseDemo(patient=MID_COURSE_PATIENT, checkin_token=token)


def _signed_course(patient: DemoPatient, facts: dict) -> ConsentRecord:
    """A course of three sessions a fortnight apart from today (the first today), signed."""
    invitation = _fixed_link_invitation(
        patient, facts, course_kind=CourseKind.SESSIONS, course_sessions=3
    )
    record = ConsentRecord.objects.filter(invitation=invitation).first()
    if record is not None:
        return record
    if not invitation.sessions.exists():
        today = timezone.localdate()
        course_sessions_create(
            invitation=invitation,
            planned_dates=[today + datetime.timedelta(days=14 * n) for n in range(3)],
        )
    return sign_demo_invitation(invitation)


def _checkin_link(record: ConsentRecord) -> str | None:
    """Session 2's check-in link, with a fixed published token so the command can print it; a
    check-in already made (or a course since withdrawn) leaves it as it is."""
    session = TreatmentSession.objects.get(invitation=record.invitation, number=2)
    if services.session_checkin_status(session=session, record=record) != "open":
        return None
    if session.checkin_token_hash is None:
        TreatmentSession.objects.filter(pk=session.pk).update(
            checkin_token_hash=token_hash(MID_COURSE_CHECKIN_TOKEN),
            checkin_sent_at=timezone.now(),
        )
    return MID_COURSE_CHECKIN_TOKEN


def _side_effect_checkin(record: ConsentRecord) -> None:
    """Session 2's check-in, reporting the procedure's first listed side effect and a note."""
    if record.events.filter(kind=EventKind.CHECKED_IN).exists():
        return
    session = TreatmentSession.objects.get(invitation=record.invitation, number=2)
    content = record.version.content
    services.checkin_record(
        record=record,
        session=session,
        answers=demo_health_answers(content),
        side_effect_ids=[content["side_effects"][0]["id"]],
        side_effect_note=SIDE_EFFECT_NOTE,
        go_ahead=True,
        request_meta=SIGNING_REQUEST_META,
    )
