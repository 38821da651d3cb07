"""The consent wizard's machinery: order, "step k of n", and which step a patient may open.

The steps themselves are declared once in `consent.steps`; this module moves between them and
keeps all of it out of the forms. Completeness is judged from the saved draft and the bound
version alone, so signing (`consent.services`) re-checks a draft with the same rules.
"""

from .steps import STEPS, Step, comprehension_right

STEP_SLUGS = [step.slug for step in STEPS]


def step_by_slug(slug: str) -> Step | None:
    return next((step for step in STEPS if step.slug == slug), None)


def step_number(slug: str) -> int:
    return STEP_SLUGS.index(slug) + 1


def next_step(slug: str) -> Step:
    return STEPS[step_number(slug)]


def previous_step(slug: str) -> Step | None:
    number = step_number(slug)
    return STEPS[number - 2] if number > 1 else None


def comprehension_status(answers: dict, version_content: dict) -> dict[int, bool]:
    """For each question id, whether the patient's latest attempt was right."""
    return comprehension_right(answers.get("comprehension", {}), version_content)


def is_step_complete(slug: str, answers: dict, version_content: dict) -> bool:
    step = step_by_slug(slug)
    return step is not None and step.is_complete(answers, version_content)


def first_incomplete_step(answers: dict, version_content: dict) -> Step:
    for step in STEPS:
        if not step.is_complete(answers, version_content):
            return step
    return STEPS[-1]


def may_open(slug: str, answers: dict, version_content: dict) -> bool:
    """A patient may go back to any step, and forward only as far as the first incomplete one."""
    if step_by_slug(slug).form_class is None:  # "done" is the signed record's page
        return False
    return STEP_SLUGS.index(slug) <= STEP_SLUGS.index(
        first_incomplete_step(answers, version_content).slug
    )


def minutes_left(slug: str) -> int:
    return sum(step.minutes for step in STEPS[STEP_SLUGS.index(slug) :])
