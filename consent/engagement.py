"""How the patient went through the wizard, as the signed record keeps it.

Time on a step is measured on the server: every wizard request (a step's GET or POST) adds the
time since the patient's previous wizard request to the step that request showed, each gap
counted up to `settings.ENGAGEMENT_IDLE_CAP_SECONDS` (15 minutes by default), so a tab left open
overnight is not counted as reading. No tracking script is involved; only the "More about …"
sections opened are reported by a small first-party script, where JavaScript runs, and are
unknown (None), not none, where it does not.

`engagement_payload` is what signing freezes into the record's payload (and so its hash).
"""

from django.conf import settings

from .models import QuestionEngagement, StepEngagement
from .steps import STEPS

# The steps a patient reads or answers; "sign" is counted too (the review before signing).
MEASURED_STEPS = tuple(step.slug for step in STEPS if step.form_class is not None)
SIDE_EFFECTS_STEP = "side-effects"
UNDERSTANDING_STEP = "understanding"


def idle_cap_seconds() -> int:
    return settings.ENGAGEMENT_IDLE_CAP_SECONDS


def step_for_section(section: str) -> str:
    """The wizard step whose page shows a content section, or "" when none does."""
    return next((step.slug for step in STEPS if section in step.sections), "")


def sections_of_step(slug: str) -> tuple[str, ...]:
    return next((step.sections for step in STEPS if step.slug == slug), ())


def engagement_payload(draft) -> dict:
    """The draft's engagement as plain JSON, steps in wizard order: what the record keeps."""
    if getattr(draft, "pk", None) is None:
        return {"idle_cap_seconds": idle_cap_seconds(), "steps": [], "questions": []}
    order = {slug: index for index, slug in enumerate(MEASURED_STEPS)}
    steps = sorted(
        StepEngagement.objects.filter(draft=draft).values(
            "step", "seconds", "visits", "more_opened"
        ),
        key=lambda row: order.get(row["step"], len(order)),
    )
    questions = QuestionEngagement.objects.filter(draft=draft).order_by("id")
    return {
        "idle_cap_seconds": idle_cap_seconds(),
        "steps": [
            {
                "step": row["step"],
                "seconds": row["seconds"],
                "visits": row["visits"],
                "more_opened": row["more_opened"],
            }
            for row in steps
        ],
        "questions": [
            {
                "question_id": row.question_id,
                "section": row.section,
                "first_choice": row.first_choice,
                "first_correct": row.first_correct,
                "tries": row.tries,
                "right_at_try": row.right_at_try,
                "went_back": row.went_back,
            }
            for row in questions
        ],
    }
