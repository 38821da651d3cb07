"""What the demo patients did, through the services: their health answers and their photo
consent. Split from `consent.demo` (which loads the demo clinic and calls these)."""

from . import services
from .models import ConsentRecord, EventKind, PhotoScope

# The signed demo patient agreed to photos for every use, then withdrew marketing: the state
# the dashboard and the record page show as "Marketing (withdrawn)".
DEMO_PHOTO_USES = [PhotoScope.MEDICAL_RECORD, PhotoScope.TEACHING, PhotoScope.MARKETING]
DEMO_PHOTO_WITHDRAWN = PhotoScope.MARKETING


def demo_health_answers(content: dict) -> dict:
    """For each health question, the first answer that neither needs review nor stops consent
    (so the signed demo shows a note and a highlighted side effect); text and dates left empty."""
    answers = {}
    for question in content.get("screening", []):
        plain = [o["id"] for o in question["options"] if not (o["needs_review"] or o["stop"])]
        if question["answer_type"] == "several_choices":
            answers[str(question["id"])] = plain[:1]
        else:
            answers[str(question["id"])] = plain[0] if plain else None
    return answers


def demo_photo_consent(record: ConsentRecord, *, typed_name: str, request_meta) -> None:
    """The record's patient agrees to photos for every use and withdraws marketing; each step
    the first time only (the events are append-only; a second run finds them there)."""
    kinds = set(record.events.values_list("kind", flat=True))
    if EventKind.WITHDRAWN in kinds:
        return
    if EventKind.PHOTO_CONSENTED not in kinds:
        services.photo_consent_sign(
            record=record,
            scopes=list(DEMO_PHOTO_USES),
            typed_name=typed_name,
            request_meta=request_meta,
        )
    withdrawn = record.events.filter(
        kind=EventKind.PHOTO_WITHDRAWN, data__scope=DEMO_PHOTO_WITHDRAWN
    ).exists()
    if not withdrawn:
        services.photo_scope_withdraw(
            record=record, scope=DEMO_PHOTO_WITHDRAWN, request_meta=request_meta
        )
