"""A signed record in words, from its frozen payload: what the PDF copy, the practitioner's
record page and the patient's receipt show. Dates are the clinic's local time with zone and
offset; codes become the labels the patient read; facts become sentences.
"""

import datetime
from dataclasses import dataclass, field

from django.conf import settings
from django.urls import reverse
from django.utils import dateformat, formats, timezone
from django.utils.translation import gettext as _

from education.models import ProcedureVersion, SideEffectFrequency, SideEffectSite, language_name
from education.presentation import choice_label

from ..models import Approval, CredentialKind, CredentialStatus, Regulation
from ..records import payload_language
from ..signature import is_drawn_signature
from ..signers import signer_rows
from .engagement import engagement_summary

# Formatting: the template shows these strings as they are. ----------------------------------


def _moment(value) -> datetime.datetime | None:
    if not value:
        return None
    if isinstance(value, str):
        value = datetime.datetime.fromisoformat(value)
    return value


def format_moment(value) -> str:
    """Clinic-local date and time with its zone and UTC offset, in the active language:
    '12 April 2026, 14:03:22 EDT (UTC-04:00)', '12 de abril de 2026, 14:03:22 EDT (…)'."""
    moment = _moment(value)
    if moment is None:
        return "—"
    local = timezone.localtime(moment, timezone.get_default_timezone())
    offset = local.strftime("%z")
    return (
        f"{formats.date_format(local, 'DATE_FORMAT')}, {dateformat.format(local, 'H:i:s')} "
        f"{local.tzname()} (UTC{offset[:3]}:{offset[3:]})"
    )


def format_day(value) -> str:
    if not value:
        return "—"
    return formats.date_format(datetime.date.fromisoformat(value), "DATE_FORMAT")


def _credential_lines(fact: dict) -> list[str]:
    lines = [f"{choice_label(CredentialKind, fact['kind'])}: {fact['title']}"]
    issuer = fact["issuing_body"]
    if fact.get("number"):
        issuer += _(", number %(number)s") % {"number": fact["number"]}
    if fact.get("jurisdiction"):
        issuer += f" ({fact['jurisdiction']})"
    lines.append(issuer)
    lines.append(
        _("Issued %(issued)s; expires %(expires)s; verified by the clinic %(verified)s")
        % {
            "issued": format_day(fact["issued_on"]),
            "expires": format_day(fact["expires_on"]) if fact["expires_on"] else _("never"),
            "verified": format_day(fact["verified_on"]) if fact["verified_on"] else _("never"),
        }
    )
    lines.append(
        _("Status on the day of signing: %s") % choice_label(CredentialStatus, fact["status"])
    )
    return lines


def _regulation_lines(fact: dict) -> list[str]:
    if not fact.get("status"):
        return [_("%s: no regulatory status on file") % fact["jurisdiction"]]
    lines = [f"{fact['jurisdiction']}: {choice_label(Regulation, fact['status'])}"]
    if fact.get("note"):
        lines.append(fact["note"])
    lines.append(
        _("Source: %(source)s (checked %(day)s)")
        % {"source": fact["source"], "day": format_day(fact["checked_on"])}
    )
    return lines


def _fact_lines(fact: dict) -> list[str]:
    """One checklist fact (credential, regulation, experience or formulation) in words."""
    if "issuing_body" in fact:
        return _credential_lines(fact)
    if "jurisdiction" in fact and "status" in fact:
        return _regulation_lines(fact)
    if "years_of_experience" in fact:
        times = fact.get("times_performed")
        return [
            _("%(years)s years in practice; has performed this procedure %(times)s")
            % {
                "years": fact["years_of_experience"],
                "times": _("%s times") % times if times else _("no recorded times"),
            }
        ]
    if "ingredients" in fact:
        return [
            _("%(name)s: %(count)d ingredient(s) disclosed (see “What will be injected”)")
            % {"name": fact["name"], "count": len(fact["ingredients"])}
        ]
    return [", ".join(f"{key}: {value}" for key, value in sorted(fact.items()))]


@dataclass
class QuestionResult:
    question: str
    attempts: int = 0
    first_correct: bool = False
    correct: bool = False


@dataclass
class ComprehensionSummary:
    questions: list[QuestionResult] = field(default_factory=list)
    attempts: int = 0

    @property
    def missed_first(self) -> list[QuestionResult]:
        return [row for row in self.questions if not row.first_correct]


def question_texts(version_content: dict) -> dict[int, str]:
    """The comprehension questions of a version by id (a record's payload keeps only ids)."""
    return {row["id"]: row["question"] for row in version_content.get("comprehension", [])}


def _question_texts(version_hash: str) -> dict[int, str]:
    version = ProcedureVersion.objects.filter(content_hash=version_hash).only("content").first()
    return question_texts(version.content) if version is not None else {}


def comprehension_summary(attempts: list[dict], texts: dict[int, str]) -> "ComprehensionSummary":
    """Per question: tries, right the first time, right in the end; in the order first asked."""
    summary = ComprehensionSummary(attempts=len(attempts))
    by_question: dict[int, QuestionResult] = {}
    for attempt in attempts:
        question_id = attempt["question_id"]
        row = by_question.get(question_id)
        if row is None:
            text = texts.get(question_id, _("Question %s") % question_id)
            row = by_question[question_id] = QuestionResult(
                question=text, first_correct=bool(attempt["correct"])
            )
        row.attempts += 1
        row.correct = bool(attempt["correct"])
    summary.questions = list(by_question.values())
    return summary


def record_context(record_fields: dict) -> dict:
    """Everything the template shows, already in words."""
    payload = record_fields["payload"]
    acknowledgements = payload["acknowledgements"]
    formulation = payload["formulation"]
    signature = payload["signature"]
    code = record_fields["code"]
    drawn = signature["drawn"]
    drawn_is_png = is_drawn_signature(drawn)
    language = payload_language(payload)
    texts = _question_texts(payload["procedure"]["version_hash"])
    return {
        "code": code,
        "language": language,
        "language_name": language_name(language),
        "title": _("Consent record %s") % code,
        "content_sha256": record_fields["content_sha256"],
        "verify_url": f"{settings.SITE_URL.rstrip('/')}{reverse('consent:verify')}?code={code}",
        "clinic_name": settings.CLINIC_NAME,
        "clinic_phone": settings.CLINIC_PHONE,
        "time_zone": settings.TIME_ZONE,
        "created_w3c": _moment(record_fields["signed_at"]).isoformat(timespec="seconds"),
        "signed_at": format_moment(record_fields["signed_at"]),
        "payload": payload,
        "date_of_birth": format_day(payload["patient"]["date_of_birth"]),
        "regulation": _fact_lines(payload["regulation"]),
        "formulation": {
            **formulation,
            "expires": format_day(formulation["expires_on"]),
            "status": choice_label(Approval, formulation["regulatory_status"]),
            "acknowledged_at": format_moment(acknowledgements["formulation"]),
        },
        "side_effects": [
            {
                "name": row["name"],
                "site": choice_label(SideEffectSite, row["site"]),
                "frequency": choice_label(SideEffectFrequency, row["frequency"]),
                "acknowledged_at": format_moment(row["acknowledged_at"]),
            }
            for row in acknowledgements["side_effects"]
        ],
        "checklist": [
            {
                "check": row["check"],
                "satisfied": row["satisfied"],
                "facts": [_fact_lines(fact) for fact in row["facts"]],
                "confirmed_at": format_moment(row["confirmed_at"]),
            }
            for row in payload["checklist"]
        ],
        "comprehension": comprehension_summary(payload["comprehension"], texts),
        "engagement": engagement_summary(payload, texts),
        "acknowledged": [
            (_("Agreed to sign electronically"), format_moment(payload["esign_agreed_at"])),
            (_("Read about the procedure"), format_moment(acknowledgements["about"])),
            (_("Read what will be injected"), format_moment(acknowledgements["formulation"])),
        ],
        "signature": {
            "typed_name": signature["typed_name"],
            "meaning": signature["meaning"],
            "signed_at": format_moment(signature["signed_at"]),
            "image": drawn if drawn_is_png else None,
            "drawn_refused": bool(drawn) and not drawn_is_png,
        },
        **_signers_context(payload),
    }


def _signers_context(payload: dict) -> dict:
    """Who signed, each with their own block: the one who signed first (the patient, or a
    parent, guardian or representative for them), then the minor's assent, the interpreter and
    a witness present; whether a staff witness is still to come."""
    rows = [{**row, "signed_at": format_moment(row["signed_at"])} for row in signer_rows(payload)]
    return {
        "main_signer": rows[0],
        "other_signers": rows[1:],
        "awaiting_witness": bool(payload.get("awaiting_witness")),
    }
