"""A course of treatment as the check-in sees it: plain functions of a signed record's payload,
its events and the planned sessions.

The record keeps what was signed for (the payload's "course"); each later session's check-in is a
`CHECKED_IN` event on the record, holding that session's health answers, any side effects and
whether the patient goes ahead. Everything the check-in page, the record pages and the services
decide about a course is derived here, from those rows alone.
"""

import datetime
from enum import StrEnum

from .models import EventKind
from .records import screening_answers_digest
from .screening import screening_outcome


class CheckInStatus(StrEnum):
    OPEN = "open"  # the patient may check in
    RECONSENT = "reconsent"  # the material changed materially since signing: sign again
    WITHDRAWN = "withdrawn"  # the consent (the rest of the course) was withdrawn
    FINISHED = "finished"  # the plan is over: its last session has passed
    DONE = "done"  # this session's check-in is already made
    REPLACED = "replaced"  # the patient signed again at this check-in (a new consent)


def checkins(events) -> list:
    """The record's check-in events, oldest first."""
    return [event for event in events if event.kind == EventKind.CHECKED_IN]


def withdrawal(events):
    return next((event for event in events if event.kind == EventKind.WITHDRAWN), None)


def signed_answers(payload: dict) -> dict[str, object]:
    """The health answers as signed, keyed by question id as a form keeps them."""
    return {
        str(row["id"]): row["answer"] for row in payload.get("screening", {}).get("answers", [])
    }


def last_answers(payload: dict, events) -> dict[str, object]:
    """The latest health answers: from the last check-in, else as signed. A check-in page
    shows them prefilled, so the patient only confirms or changes them."""
    done = checkins(events)
    return dict(done[-1].data["answers"]) if done else signed_answers(payload)


def checkin_outcome(*, answers: dict, previous: dict, content: dict) -> dict:
    """What a check-in's health answers mean: whether they changed since the last ones, and
    whether a changed answer asks for a review or stops the course (`held`: the course waits
    for the practitioner's decision). Unchanged answers were signed or reviewed already."""
    saved = {"answers": answers}
    outcome = screening_outcome(saved, content)
    changed = answers != previous
    needs_review = bool(outcome.needs_review)
    return {
        "answers_sha256": screening_answers_digest(saved),
        "answers_changed": changed,
        "needs_review": needs_review,
        "stop": outcome.stop,
        "held": changed and (needs_review or outcome.stop),
    }


def held_checkin(events, reviews):
    """The latest check-in, if it holds the course: its changed answers ask for a review (or
    stop) and no practitioner's "go ahead" names them yet. `reviews` are the draft's reviews."""
    done = checkins(events)
    if not done or not done[-1].data.get("held"):
        return None
    latest = done[-1]
    # Only a "go ahead" releases the course; "not suitable" keeps it held for the clinic's call.
    released = {review.answers_sha256 for review in reviews if review.decision == "go_ahead"}
    return None if latest.data["answers_sha256"] in released else latest


def side_effect_reports(events) -> list:
    """The check-ins that reported a side effect, oldest first (the record pages list them,
    each with its date)."""
    return [event for event in checkins(events) if event.data.get("reports_side_effect")]


def checkin_status(
    *, session, events, has_material_change: bool, today: datetime.date
) -> CheckInStatus:
    """What a check-in link for `session` can do now, given its record's events."""
    if withdrawal(events) is not None:
        return CheckInStatus.WITHDRAWN
    for event in events:
        if event.kind == EventKind.RECONSENT_REQUESTED and event.data.get("session") == (
            session.number
        ):
            return CheckInStatus.REPLACED
    if any(event.data.get("session") == session.number for event in checkins(events)):
        return CheckInStatus.DONE
    if session.planned_on is not None and session.planned_on < today:
        return CheckInStatus.FINISHED
    if has_material_change:
        return CheckInStatus.RECONSENT
    return CheckInStatus.OPEN


def course_summary(payload: dict, events, reviews=()) -> dict | None:
    """What the record pages show of a course: the plan as signed, and each check-in with its
    date, side effects, whether a changed answer holds the course, and whether the patient went
    ahead. None for a record without a course."""
    plan = payload.get("course")
    if not plan:
        return None
    held = held_checkin(events, reviews)
    return {
        "kind": plan["kind"],
        "sessions": plan["sessions"],
        "planned": [
            {
                "number": row["number"],
                "planned_on": datetime.date.fromisoformat(row["planned_on"])
                if row["planned_on"]
                else None,
            }
            for row in plan["planned"]
        ],
        "checkins": [
            {
                "session": event.data["session"],
                "occurred_at": event.occurred_at,
                "side_effects": [row["name"] for row in event.data["side_effects"]],
                "side_effect_note": event.data["side_effect_note"],
                "reports_side_effect": event.data["reports_side_effect"],
                "answers_changed": event.data["answers_changed"],
                "held": held is not None and held.pk == event.pk,
                "go_ahead": event.data["go_ahead"],
            }
            for event in checkins(events)
        ],
        "held": held is not None,
    }
