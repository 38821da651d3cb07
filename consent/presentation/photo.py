"""A record's photo consent in words, from its chained events: which uses were agreed, when,
and which were withdrawn since. The patient's record page, the practitioner's record page and
the FHIR export read it from here."""

import datetime
from dataclasses import dataclass, field

from ..models import ConsentEvent, EventKind, PhotoScope


@dataclass
class PhotoUse:
    scope: str
    label: str
    agreed: bool
    withdrawn_at: datetime.datetime | None = None

    @property
    def in_force(self) -> bool:
        return self.agreed and self.withdrawn_at is None


@dataclass
class PhotoConsent:
    """The photo consent signed on a record (`services.photo_consent_sign`), with each use."""

    signed_at: datetime.datetime
    typed_name: str
    statement: str
    event_hash: str
    uses: list[PhotoUse] = field(default_factory=list)

    @property
    def agreed(self) -> list[PhotoUse]:
        return [use for use in self.uses if use.agreed]


def photo_consent(events: list[ConsentEvent]) -> PhotoConsent | None:
    """The photo consent among a record's `events` (already read), or None if none was given
    (or its details were erased by a purge)."""
    signed = next((e for e in events if e.kind == EventKind.PHOTO_CONSENTED), None)
    if signed is None or "scopes" not in signed.data:
        return None
    withdrawn = {
        e.data["scope"]: e.occurred_at
        for e in events
        if e.kind == EventKind.PHOTO_WITHDRAWN and "scope" in e.data
    }
    return PhotoConsent(
        signed_at=signed.occurred_at,
        typed_name=signed.data.get("typed_name", ""),
        statement=signed.data.get("statement", ""),
        event_hash=signed.event_hash,
        uses=[
            PhotoUse(
                scope=scope,
                label=str(label),
                agreed=bool(signed.data["scopes"].get(scope)),
                withdrawn_at=withdrawn.get(scope),
            )
            for scope, label in PhotoScope.choices
        ],
    )


@dataclass(frozen=True)
class PhotoUseState:
    label: str
    withdrawn: bool


def photo_uses_of_row(row) -> list[PhotoUseState]:
    """The uses agreed on a dashboard row annotated by `state.with_photo_consent`, each marked
    withdrawn or not; empty when the patient gave no photo consent."""
    uses = []
    for scope, label in PhotoScope.choices:
        status = getattr(row, f"photo_{scope}", None)
        if status:
            uses.append(PhotoUseState(label=str(label), withdrawn=status == "withdrawn"))
    return uses
