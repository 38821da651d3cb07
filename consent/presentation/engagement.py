"""How a consent was given, in words, from the engagement a signed record froze
(`payload["engagement"]`, see `consent.engagement`): the practitioner's record page and the PDF.

Records signed before engagement was measured have none: the summary then says it is unknown.
"""

from dataclasses import dataclass, field

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from education.models import Section
from education.presentation import choice_label

from ..engagement import SIDE_EFFECTS_STEP
from ..steps import STEPS

STEP_TITLES = {step.slug: step.title for step in STEPS}


def format_duration(seconds: int) -> str:
    """'45 s', '2 min 40 s', '6 min', '1 h 5 min': how long, in the clinic's plain words."""
    seconds = max(0, int(seconds))
    hours, rest = divmod(seconds, 3600)
    minutes, seconds = divmod(rest, 60)
    if hours:
        return _("%(hours)d h %(minutes)d min") % {"hours": hours, "minutes": minutes}
    if minutes and seconds:
        return _("%(minutes)d min %(seconds)d s") % {"minutes": minutes, "seconds": seconds}
    if minutes:
        return _("%(minutes)d min") % {"minutes": minutes}
    return _("%(seconds)d s") % {"seconds": seconds}


@dataclass
class StepReading:
    title: str
    time: str
    visits: int
    more_opened: str


@dataclass
class MissedQuestion:
    question: str
    section: str
    outcome: str


@dataclass
class EngagementSummary:
    known: bool
    reading: str = ""
    understanding: str = ""
    quick_read: bool = False
    steps: list[StepReading] = field(default_factory=list)
    missed: list[MissedQuestion] = field(default_factory=list)


def _more_opened(row: dict) -> str:
    opened = row.get("more_opened")
    if opened is None:
        return _("not known") if row["step"] == SIDE_EFFECTS_STEP else ""
    return ngettext("%(count)d opened", "%(count)d opened", len(opened)) % {"count": len(opened)}


def _outcome(row: dict) -> str:
    if row["right_at_try"] is None:
        return _("not yet answered right")
    if row["went_back"]:
        return _("then answered right after going back to re-read it")
    return _(
        "then answered right on try %(tries)d, after re-reading the section shown with the "
        "explanation"
    ) % {"tries": row["right_at_try"]}


def engagement_summary(payload: dict, texts: dict[int, str]) -> EngagementSummary:
    """The record's engagement in plain readings; `texts` gives the questions by id."""
    engagement = payload.get("engagement")
    if not engagement:
        return EngagementSummary(known=False)
    steps = engagement.get("steps", [])
    seconds = {row["step"]: row["seconds"] for row in steps}
    if not steps:  # signed without the wizard's pages (e.g. the demo's records)
        reading = _("Time on the steps was not measured")
    else:
        reading = _("Read for %(total)s") % {"total": format_duration(sum(seconds.values()))}
    if SIDE_EFFECTS_STEP in seconds:
        reading += _("; side effects %(time)s") % {
            "time": format_duration(seconds[SIDE_EFFECTS_STEP])
        }
    questions = engagement.get("questions", [])
    missed = [
        MissedQuestion(
            question=texts.get(row["question_id"], _("Question %s") % row["question_id"]),
            section=choice_label(Section, row["section"]) if row["section"] else "",
            outcome=_outcome(row),
        )
        for row in questions
        if not row["first_correct"]
    ]
    understanding = ""
    if questions:
        understanding = _("Understanding: %(right)d of %(total)d right first time") % {
            "right": len(questions) - len(missed),
            "total": len(questions),
        }
        understanding += "".join(
            _("; missed “%(question)s”, %(outcome)s")
            % {"question": row.question, "outcome": row.outcome}
            for row in missed
        )
    threshold = settings.QUICK_READ_SIDE_EFFECTS_SECONDS
    return EngagementSummary(
        known=True,
        reading=reading,
        understanding=understanding,
        quick_read=SIDE_EFFECTS_STEP in seconds and seconds[SIDE_EFFECTS_STEP] < threshold,
        steps=[
            StepReading(
                title=str(STEP_TITLES.get(row["step"], row["step"])),
                time=format_duration(row["seconds"]),
                visits=row["visits"],
                more_opened=_more_opened(row),
            )
            for row in steps
        ],
        missed=missed,
    )
