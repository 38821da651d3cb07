"""The consent wizard's steps and what makes each one complete.

The machinery (names, order, "step k of n", which step a patient may open) lives here, away from
the forms and views; completeness is judged from the saved draft and the bound version alone.
"""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Step:
    slug: str
    title: str
    minutes: int  # a rough reading time, to tell the patient how long the rest will take


STEPS = (
    Step("about", _("About the procedure"), 5),
    Step("side-effects", _("Side effects"), 8),
    Step("injected", _("What will be injected"), 2),
    Step("practitioner", _("Your practitioner"), 3),
    Step("understanding", _("Check your understanding"), 3),
    Step("questions", _("Questions for your practitioner"), 2),
    Step("sign", _("Review and sign"), 3),
    Step("done", _("Done"), 0),
)
STEP_SLUGS = [step.slug for step in STEPS]


def step_by_slug(slug: str) -> Step | None:
    return next((step for step in STEPS if step.slug == slug), None)


def step_number(slug: str) -> int:
    return STEP_SLUGS.index(slug) + 1


def comprehension_status(answers: dict, version_content: dict) -> dict[int, bool]:
    """For each question id, whether the patient's latest attempt was right."""
    latest = {}
    for attempt in answers.get("comprehension", {}).get("attempts", []):
        latest[attempt["question_id"]] = attempt["correct"]
    return {row["id"]: latest.get(row["id"], False) for row in version_content["comprehension"]}


def is_step_complete(slug: str, answers: dict, version_content: dict) -> bool:
    if slug == "about":
        return "acknowledged_at" in answers.get("about", {})
    if slug == "side-effects":
        acknowledged = answers.get("side_effects", {})
        return all(str(row["id"]) in acknowledged for row in version_content["side_effects"])
    if slug == "injected":
        return "acknowledged_at" in answers.get("formulation", {})
    if slug == "practitioner":
        confirmed = answers.get("practitioner", {})
        return all(str(row["id"]) in confirmed for row in version_content["checklist"])
    if slug == "understanding":
        return all(comprehension_status(answers, version_content).values())
    if slug == "questions":
        return "saved_at" in answers.get("questions", {})
    return False


def first_incomplete_step(answers: dict, version_content: dict) -> Step:
    for step in STEPS:
        if not is_step_complete(step.slug, answers, version_content):
            return step
    return STEPS[-1]


def may_open(slug: str, answers: dict, version_content: dict) -> bool:
    """A patient may go back to any step, and forward only as far as the first incomplete one."""
    if slug == "done":
        return False
    return STEP_SLUGS.index(slug) <= STEP_SLUGS.index(
        first_incomplete_step(answers, version_content).slug
    )


def minutes_left(slug: str) -> int:
    return sum(step.minutes for step in STEPS[STEP_SLUGS.index(slug) :])
