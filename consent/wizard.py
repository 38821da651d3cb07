"""The consent wizard's machinery: order, "step k of n", and which step a patient may open.

The steps themselves are declared once in `consent.steps`; this module moves between them and
keeps all of it out of the forms. Completeness is judged from the saved draft and the bound
version alone, so signing (`consent.services`) re-checks a draft with the same rules.

Some steps belong to some signers only (the minor's assent, the interpreter): every function
takes the invitation's `plan` (`consent.signers.signer_plan`) and counts only the steps it
needs. Without a plan, the patient signs alone.
"""

from .steps import STEPS, Step, comprehension_right


def steps_for(plan=None) -> tuple[Step, ...]:
    """The steps this invitation's signers go through, in order."""
    return tuple(step for step in STEPS if step.applies_to(plan))


# The patient signing alone: every step but those only some signers have.
STEP_SLUGS = [step.slug for step in steps_for()]


def step_by_slug(slug: str, plan=None) -> Step | None:
    return next((step for step in steps_for(plan) if step.slug == slug), None)


def _slugs(plan) -> list[str]:
    return [step.slug for step in steps_for(plan)]


def step_number(slug: str, plan=None) -> int:
    return _slugs(plan).index(slug) + 1


def next_step(slug: str, plan=None) -> Step:
    return steps_for(plan)[step_number(slug, plan)]


def previous_step(slug: str, plan=None) -> Step | None:
    number = step_number(slug, plan)
    return steps_for(plan)[number - 2] if number > 1 else None


def comprehension_status(answers: dict, version_content: dict) -> dict[int, bool]:
    """For each question id, whether the patient's latest attempt was right."""
    return comprehension_right(answers.get("comprehension", {}), version_content)


def is_step_complete(slug: str, answers: dict, version_content: dict, plan=None) -> bool:
    step = step_by_slug(slug, plan)
    return step is not None and step.is_complete(answers, version_content)


def first_incomplete_step(answers: dict, version_content: dict, plan=None) -> Step:
    steps = steps_for(plan)
    for step in steps:
        if not step.is_complete(answers, version_content):
            return step
    return steps[-1]


def may_open(slug: str, answers: dict, version_content: dict, plan=None) -> bool:
    """A patient may go back to any step, and forward only as far as the first incomplete one."""
    step = step_by_slug(slug, plan)
    if step is None or step.form_class is None:  # "done" is the signed record's page
        return False
    slugs = _slugs(plan)
    return slugs.index(slug) <= slugs.index(
        first_incomplete_step(answers, version_content, plan).slug
    )


def minutes_left(slug: str, plan=None) -> int:
    steps = steps_for(plan)
    return sum(step.minutes for step in steps[_slugs(plan).index(slug) :])
