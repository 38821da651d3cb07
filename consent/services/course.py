"""A course of treatment: its planned sessions, the check-in links e-mailed before each later
session, what the patient answers there, stopping the course, and signing again after the
material changed."""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import emails
from ..course import CheckInStatus, checkin_outcome, checkin_status, last_answers
from ..models import (
    MAX_COURSE_SESSIONS,
    ConsentEvent,
    ConsentInvitation,
    ConsentRecord,
    CourseKind,
    EventKind,
    TreatmentSession,
)
from ..request_meta import RequestMeta
from ..tokens import new_token
from .events import event_append


def course_plan_check(
    *, course_kind: str, course_sessions: int | None, planned_dates: list[datetime.date]
) -> None:
    """Refuse a course that does not add up, each problem on its field."""
    if course_kind not in CourseKind.values:
        raise ValidationError(
            {"course_kind": ValidationError(_("Choose one of the listed courses."), code="invalid")}
        )
    if course_kind == CourseKind.SESSIONS:
        if course_sessions is None or not 2 <= course_sessions <= MAX_COURSE_SESSIONS:
            raise ValidationError(
                {
                    "course_sessions": ValidationError(
                        _("A course of sessions has between 2 and %(most)d sessions."),
                        code="sessions_range",
                        params={"most": MAX_COURSE_SESSIONS},
                    )
                }
            )
        if len(planned_dates) > course_sessions:
            raise ValidationError(
                {
                    "planned_dates": ValidationError(
                        _("There are more planned dates than sessions."), code="too_many_dates"
                    )
                }
            )
    elif course_sessions is not None:
        raise ValidationError(
            {
                "course_sessions": ValidationError(
                    _("Give a number of sessions only for a course of a number of sessions."),
                    code="sessions_not_allowed",
                )
            }
        )
    if course_kind == CourseKind.SINGLE and len(planned_dates) > 1:
        raise ValidationError(
            {
                "planned_dates": ValidationError(
                    _("A single session has at most one planned date."), code="too_many_dates"
                )
            }
        )
    if planned_dates != sorted(set(planned_dates)):
        raise ValidationError(
            {
                "planned_dates": ValidationError(
                    _("Give the planned dates in order, each once."), code="dates_order"
                )
            }
        )
    if planned_dates and planned_dates[0] < timezone.localdate():
        raise ValidationError(
            {
                "planned_dates": ValidationError(
                    _("Planned dates cannot be in the past."), code="dates_past"
                )
            }
        )


def course_sessions_create(
    *, invitation: ConsentInvitation, planned_dates: list[datetime.date]
) -> list[TreatmentSession]:
    """The course's sessions, numbered from 1, with the planned dates given (in order). A course
    until stopped has a session for each planned date (at least the first)."""
    if invitation.course_kind == CourseKind.SINGLE:
        return []
    count = (
        invitation.course_sessions
        if invitation.course_kind == CourseKind.SESSIONS
        else max(len(planned_dates), 1)
    )
    return TreatmentSession.objects.bulk_create(
        TreatmentSession(
            invitation=invitation,
            number=number,
            planned_on=planned_dates[number - 1] if number <= len(planned_dates) else None,
        )
        for number in range(1, count + 1)
    )


def _has_material_change(record: ConsentRecord) -> bool:
    from education.models import ProcedureVersion

    return ProcedureVersion.objects.filter(
        procedure_id=record.version.procedure_id,
        number__gt=record.version.number,
        is_material_change=True,
    ).exists()


def session_checkin_status(*, session: TreatmentSession, record: ConsentRecord, events=None):
    """`consent.course.checkin_status` for one session, reading what it needs."""
    if events is None:
        events = list(record.events.order_by("id"))
    return checkin_status(
        session=session,
        events=events,
        has_material_change=_has_material_change(record),
        today=timezone.localdate(),
    )


@transaction.atomic
def checkin_link_send(*, session_id: int) -> bool:
    """E-mail the patient a new check-in link for a later session of a signed course; True if
    sent. Nothing is sent for a session already e-mailed, checked in or past, or a course
    withdrawn (checked again here, where the e-mail leaves)."""
    session = (
        TreatmentSession.objects.select_for_update()
        .select_related("invitation")
        .filter(pk=session_id, number__gte=2, checkin_sent_at__isnull=True)
        .first()
    )
    if session is None:
        return False
    record = ConsentRecord.objects.filter(invitation_id=session.invitation_id).first()
    if record is None:
        return False
    status = session_checkin_status(session=session, record=record)
    if status not in (CheckInStatus.OPEN, CheckInStatus.RECONSENT):
        return False
    token, digest = new_token()
    TreatmentSession.objects.filter(pk=session.pk).update(
        checkin_token_hash=digest, checkin_sent_at=timezone.now()
    )
    transaction.on_commit(lambda: emails.send_checkin(session, token), robust=True)
    return True


@transaction.atomic
def checkin_record(
    *,
    record: ConsentRecord,
    session: TreatmentSession,
    answers: dict,
    side_effect_ids: list[int],
    side_effect_note: str,
    go_ahead: bool,
    stop_reason: str = "",
    request_meta: RequestMeta | None,
) -> ConsentEvent:
    """The patient's check-in before `session`: a chained event on the record with their health
    answers (and whether a changed answer holds the course for the practitioner), the side
    effects they report, and whether they go ahead. Not going ahead stops the course: a
    withdrawal for the remaining sessions, as a second event.

    Refused unless the check-in is open (not made already, the course not withdrawn, finished
    or awaiting a new consent); side effects must be the signed version's own.
    """
    ConsentRecord.objects.select_for_update().filter(pk=record.pk).exists()
    events = list(record.events.order_by("id"))
    if session.invitation_id != record.invitation_id:
        raise ValidationError(_("This session is not part of this course."), code="mismatch")
    status = session_checkin_status(session=session, record=record, events=events)
    if status != CheckInStatus.OPEN:
        raise ValidationError(_("This check-in is closed."), code=f"checkin_{status}")
    content = record.version.content
    side_effects = {row["id"]: row["name"] for row in content["side_effects"]}
    if not set(side_effect_ids) <= set(side_effects):
        raise ValidationError(_("Choose side effects from the list."), code="side_effect_unknown")
    outcome = checkin_outcome(
        answers=answers, previous=last_answers(record.payload, events), content=content
    )
    note = side_effect_note.strip()[:2000]
    event = event_append(
        record=record,
        kind=EventKind.CHECKED_IN,
        actor=None,
        actor_label="patient",
        request_meta=request_meta,
        data={
            "session": session.number,
            "planned_on": session.planned_on.isoformat() if session.planned_on else None,
            "answers": answers,
            **outcome,
            "side_effects": [
                {"id": effect_id, "name": side_effects[effect_id]}
                for effect_id in sorted(set(side_effect_ids))
            ],
            "side_effect_note": note,
            "reports_side_effect": bool(side_effect_ids or note),
            "go_ahead": go_ahead,
        },
    )
    if not go_ahead:
        event_append(
            record=record,
            kind=EventKind.WITHDRAWN,
            actor=None,
            actor_label="patient",
            request_meta=request_meta,
            data={
                "reason": stop_reason.strip()[:2000],
                "course_stopped_at_session": session.number,
            },
        )
    return event


@transaction.atomic
def checkin_reconsent(
    *, record: ConsentRecord, session: TreatmentSession, request_meta: RequestMeta | None
) -> ConsentInvitation:
    """The material changed materially since signing, so the check-in becomes a new consent: a
    new invitation for the latest version, for this session and the rest of the course (same
    patient, practitioner, clinic and terms), noted on the old record's trail. The patient goes
    straight on to it; its link is e-mailed as well."""
    from .invitations import invitation_create

    ConsentRecord.objects.select_for_update().filter(pk=record.pk).exists()
    events = list(record.events.order_by("id"))
    status = session_checkin_status(session=session, record=record, events=events)
    if status != CheckInStatus.RECONSENT:
        raise ValidationError(_("This check-in does not ask you to sign again."), code="no_change")
    invitation = record.invitation
    remaining = list(invitation.sessions.filter(number__gte=session.number).order_by("number"))
    is_sessions = invitation.course_kind == CourseKind.SESSIONS
    left = len(remaining)
    course_kind = invitation.course_kind if not is_sessions or left >= 2 else CourseKind.SINGLE
    new_invitation, _token = invitation_create(
        created_by=invitation.created_by,
        patient_name=invitation.patient_name,
        patient_email=invitation.patient_email,
        patient_date_of_birth=invitation.patient_date_of_birth,
        procedure=invitation.procedure,
        practitioner=invitation.practitioner,
        location=invitation.location,
        formulation=invitation.formulation,
        expires_at=timezone.now() + ConsentInvitation.DEFAULT_LIFETIME,
        language=invitation.language,
        requires_email_code=invitation.requires_email_code,
        course_kind=course_kind,
        course_sessions=left if course_kind == CourseKind.SESSIONS else None,
        planned_dates=[row.planned_on for row in remaining if row.planned_on is not None],
    )
    event_append(
        record=record,
        kind=EventKind.RECONSENT_REQUESTED,
        actor=None,
        actor_label="patient",
        request_meta=request_meta,
        data={"invitation_id": new_invitation.pk, "session": session.number},
    )
    return new_invitation
