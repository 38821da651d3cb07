"""What the patient journeys share: an invitation e-mailed through the services, and its answers."""

import datetime
import re
from dataclasses import dataclass

from django.utils import timezone

from consent import services

PATIENT_NAME = "Alex Morgan"
PATIENT_EMAIL = "alex.morgan@example.com"
DATE_OF_BIRTH = datetime.date(1985, 4, 12)
QUESTION = "Will I be able to go back to work the same day?"
LINK = re.compile(r"https?://\S+/consent/i/[^/\s]+/")


@dataclass
class Invited:
    invitation: object
    link: str
    content: dict  # the published version's content the patient is asked about

    def correct_choice(self, question: dict) -> str:
        return question["choices"][question["correct_choice"] - 1]

    def wrong_choice(self, question: dict) -> str:
        return next(
            choice
            for number, choice in enumerate(question["choices"], start=1)
            if number != question["correct_choice"]
        )


def invite_patient(demo, mailoutbox, **options) -> Invited:
    """Invite the patient as the clinic does, and read their link from the e-mail they get.
    `options` go to `invitation_create` (e.g. requires_email_code=True)."""
    invitation, _token = services.invitation_create(
        created_by=demo.admin,
        patient_name=PATIENT_NAME,
        patient_email=PATIENT_EMAIL,
        patient_date_of_birth=DATE_OF_BIRTH,
        procedure=demo.version.procedure,
        practitioner=demo.practitioner,
        location=demo.location,
        formulation=demo.formulation,
        expires_at=timezone.now() + datetime.timedelta(days=14),
        minimum_decision_hours=0,
        **options,
    )
    [message] = [message for message in mailoutbox if message.to == [PATIENT_EMAIL]]
    return Invited(
        invitation=invitation,
        link=LINK.search(message.body).group(0),
        content=demo.version.content,
    )


def plain_health_answers(content: dict) -> list[tuple[str, str]]:
    """(question, answer label) for each choice question: the first answer that neither needs
    review nor stops consent, as a patient with nothing to report gives."""
    return [
        (
            question["question"],
            next(o["label"] for o in question["options"] if not (o["needs_review"] or o["stop"])),
        )
        for question in content.get("screening", [])
        if question["options"]
    ]


def answer_health_questions(page, content: dict) -> None:
    """Answer the health step's choice questions with `plain_health_answers`."""
    for question, label in plain_health_answers(content):
        page.get_by_role("group", name=question).get_by_label(label, exact=True).check()
