"""Engagement: the time and visits per wizard step, and how each comprehension question went,
written beside the draft (`consent.models.engagement`) in the same transaction as the draft.

See `consent.engagement` for what is measured and the idle cap."""

import datetime

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from ..engagement import UNDERSTANDING_STEP, idle_cap_seconds, sections_of_step
from ..models import ConsentDraft, QuestionEngagement, StepEngagement


def _counted_seconds(since: datetime.datetime | None, now: datetime.datetime) -> int:
    """The seconds between two requests, none when backwards, at most the idle cap."""
    if since is None:
        return 0
    return max(0, min(int((now - since).total_seconds()), idle_cap_seconds()))


def _has_wrong_answer_pending(draft: ConsentDraft) -> bool:
    """Whether some question's latest answer was wrong (read from the draft, no query)."""
    latest = {}
    for attempt in draft.answers.get("comprehension", {}).get("attempts", []):
        latest[attempt["question_id"]] = attempt["correct"]
    return not all(latest.values())


@transaction.atomic
def engagement_note_request(*, draft: ConsentDraft, step: str, opened: bool) -> None:
    """A wizard request for `step`: the time since the previous request goes to the step that
    request showed; `opened` (a GET) counts a visit. A step opened again after a wrong answer
    whose section it shows counts as going back to re-read it."""
    now = timezone.now()
    counted = _counted_seconds(draft.engagement_seen_at, now)
    if draft.engagement_step and counted:
        StepEngagement.objects.filter(draft=draft, step=draft.engagement_step).update(
            seconds=F("seconds") + counted
        )
    if opened:
        visited = StepEngagement.objects.filter(draft=draft, step=step).update(
            visits=F("visits") + 1
        )
        if not visited:
            # get_or_create, not create: two tabs opening the step at once must not fail.
            row, created = StepEngagement.objects.get_or_create(
                draft=draft, step=step, defaults={"visits": 1}
            )
            if not created:
                StepEngagement.objects.filter(pk=row.pk).update(visits=F("visits") + 1)
        sections = sections_of_step(step)
        if sections and step != UNDERSTANDING_STEP and _has_wrong_answer_pending(draft):
            QuestionEngagement.objects.filter(
                draft=draft, right_at_try__isnull=True, section__in=sections
            ).update(went_back=True)
    elif step != draft.engagement_step:
        # A POST without a GET just before (e.g. a form kept open from before): the step counts.
        StepEngagement.objects.get_or_create(draft=draft, step=step)
    draft.engagement_step = step
    draft.engagement_seen_at = now
    ConsentDraft.objects.filter(pk=draft.pk).update(engagement_step=step, engagement_seen_at=now)


@transaction.atomic
def engagement_note_answers(
    *, draft: ConsentDraft, questions: dict[int, dict], answered: dict[int, tuple[int, bool]]
) -> None:
    """One attempt at some comprehension questions: `answered` maps a question id to the choice
    given and whether it was right. The first attempt keeps its answer; later ones add a try."""
    existing = {
        row.question_id: row
        for row in QuestionEngagement.objects.filter(draft=draft, question_id__in=answered)
    }
    new, changed = [], []
    for question_id, (choice, correct) in answered.items():
        row = existing.get(question_id)
        if row is None:
            new.append(
                QuestionEngagement(
                    draft=draft,
                    question_id=question_id,
                    section=questions[question_id].get("section", ""),
                    first_choice=choice,
                    first_correct=correct,
                    tries=1,
                    right_at_try=1 if correct else None,
                )
            )
        elif row.right_at_try is None:
            row.tries += 1
            if correct:
                row.right_at_try = row.tries
            changed.append(row)
    if new:
        QuestionEngagement.objects.bulk_create(new)
    if changed:
        QuestionEngagement.objects.bulk_update(changed, ["tries", "right_at_try"])


@transaction.atomic
def engagement_note_more_opened(*, draft: ConsentDraft, step: str, opened: set[int]) -> None:
    """The "More about …" sections of a step the patient's browser reports opened (ids of the
    step's items). A report, even of none, makes the figure known; reports add up."""
    row, _created = StepEngagement.objects.select_for_update().get_or_create(draft=draft, step=step)
    row.more_opened = sorted(set(row.more_opened or []) | opened)
    row.save(update_fields=["more_opened"])
